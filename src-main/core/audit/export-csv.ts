import fs from 'node:fs';
import path from 'node:path';
import type { AuditFilter, AuditRow } from '../../contract/audit';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { AppError } from '../common/errors';
import { commitPartial } from '../common/atomic-file';
import { applySavedQuery } from './saved-queries';
import { forEachPage, planQuery } from './query';
import { withAuditClient } from './audit-db';
import { withDefaultWindow } from './audit-service';

/**
 * CSV export of any audit query, any size: keyset pages of rows are written as they arrive
 * (constant memory) to `<out>.partial`, which becomes `<out>` only when complete. Cells that a
 * spreadsheet would run as a formula are prefixed with an apostrophe (CSV injection: audit rows
 * hold text typed by anyone who could reach the login page).
 */

const PAGE = 5000;
export const CSV_HEADER = ['id', 'event_timestamp_utc', 'user_id', 'user_display', 'ip_address', 'action', 'resource_type', 'resource_id', 'program_id', 'is_demo_context', 'is_confidential_context', 'tenant_schema', 'metadata', 'old_values', 'new_values'];

export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(r: AuditRow): string {
  return [r.id, r.eventTimestamp, r.userId, r.userDisplay, r.ipAddress, r.action, r.resourceType, r.resourceId, r.programId, r.isDemoContext, r.isConfidentialContext, r.tenantSchema, r.metadata, r.oldValues, r.newValues].map(csvCell).join(',') + '\r\n';
}

type Progress = Pick<JobContext, 'progress' | 'log' | 'throwIfCancelled' | 'signal'>;

export interface ExportResult {
  out: string;
  rows: number;
  bytes: number;
}

export async function exportAuditCsv(ctx: CoreContext, o: { profile?: string; filter: AuditFilter; saved: string | null; out: string }, job?: Progress): Promise<ExportResult> {
  const out = path.resolve(o.out);
  if (fs.existsSync(out)) throw new AppError('Conflict', `${out} already exists.`, 'Choose another file name, or move the old file away first. Nothing was written.');
  if (!fs.existsSync(path.dirname(out))) throw new AppError('NotFound', `The folder ${path.dirname(out)} does not exist.`, 'Choose a folder that exists. Nothing was written.');
  const filter = withDefaultWindow(applySavedQuery(o.saved, o.filter));
  const partial = `${out}.partial`;
  const stream = fs.createWriteStream(partial, { mode: 0o600 });
  const write = (s: string) => (stream.write(s) ? Promise.resolve() : new Promise<void>((res) => stream.once('drain', res)));
  let rows = 0;
  try {
    await write('\ufeff' + CSV_HEADER.join(',') + '\r\n'); // BOM: Excel then reads UTF-8 (accents in French names)
    await withAuditClient(
      ctx,
      o.profile,
      async (c) => {
        job?.progress(null, 'Finding the rows');
        const plan = await planQuery(c, filter);
        const span = plan.range ? Number(plan.range.hi - plan.range.lo) : 0;
        rows = await forEachPage(c, plan, PAGE, async (page) => {
          job?.throwIfCancelled();
          let chunk = '';
          for (const r of page) chunk += csvLine(r);
          await write(chunk);
          const last = BigInt(page[page.length - 1]!.id);
          const frac = span > 0 && plan.range ? Number(plan.range.hi - last) / span : null;
          job?.progress(frac === null ? null : Math.min(0.99, frac), `Exported rows down to id ${last}`);
        });
      },
      { signal: job?.signal },
    );
    await new Promise<void>((res, rej) => stream.end((e?: Error | null) => (e ? rej(e) : res())));
    commitPartial(partial, out);
  } catch (e) {
    stream.destroy();
    fs.rmSync(partial, { force: true });
    throw e;
  }
  job?.progress(1, `Exported ${rows} rows`);
  return { out, rows, bytes: fs.statSync(out).size };
}
