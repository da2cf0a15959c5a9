import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'pg';
import type { CoreContext } from '../context';
import type { CleanupResult } from '../../contract/exports';
import { AppError, isAppError } from '../common/errors';
import { osUser } from '../common/os-user';
import { quoteIdent } from '../common/sql';
import { withClient } from '../connections/pg-client';
import { fileContext, otherLinkSchemas } from './links';
import { localPathFor } from './export-settings';
import { checkExportPath, deleteInside } from './safe-path';
import { insertAuditRow } from './audit-trail';
import { finishAction, startAction } from './action-log';

/**
 * KoNote's `cleanup_expired_exports`, made safe: rows that expired more than a day ago go (revoked
 * but unexpired rows stay), then their files, then files in the export folder (not recursive)
 * that no remaining row points to. Beyond KoNote: an audit row for the cleanup, and no path whose
 * real path is outside the export folder is ever deleted — such rows and symlinks are kept and
 * reported. The row deletion and the audit row commit together (see revoke.ts for why).
 */

interface ExpiredRow {
  id: string;
  expires_at: Date;
  revoked: boolean;
  file_path: string;
}

/** file_path of every export link in schemas other than the one the search path finds. */
async function otherSchemasFilePaths(main: Client): Promise<string[]> {
  const out: string[] = [];
  for (const s of await otherLinkSchemas(main)) out.push(...(await main.query<{ file_path: string }>(`SELECT file_path FROM ${quoteIdent(s)}.reports_secureexportlink`)).rows.map((r) => r.file_path));
  return out;
}

export async function cleanupExports(ctx: CoreContext, input: { profile: string; dryRun: boolean; exportDir?: string }): Promise<CleanupResult> {
  const { settings, folder } = fileContext(ctx, input.profile, input.exportDir);
  if (!folder.realDir) {
    throw new AppError('NotFound', `The export folder cannot be reached: ${folder.detail}`, 'Set the export folder (KoNote’s SECURE_EXPORT_DIR as seen from this computer, e.g. a mounted share) in Export links → Settings, or pass --export-dir. Nothing was deleted.');
  }
  const realDir = folder.realDir;
  const exportDir = folder.exportDir!;
  const result: CleanupResult = { dryRun: input.dryRun, exportDir, cutoff: '', expired: [], orphans: [], refused: [], keptRevokedUnexpired: 0, auditRowId: null };
  const toDelete: Array<{ id: string; local: string }> = [];

  await withClient(ctx, input.profile, 'main', async (main) => {
    await main.query('BEGIN');
    try {
      const cutoff = (await main.query<{ cutoff: Date }>(`SELECT now() - interval '1 day' AS cutoff`)).rows[0]!.cutoff;
      result.cutoff = cutoff.toISOString();
      const expired = (
        await main.query<ExpiredRow>('SELECT id::text AS id, expires_at, revoked, file_path FROM reports_secureexportlink WHERE expires_at < $1 ORDER BY expires_at FOR UPDATE', [cutoff])
      ).rows;
      result.keptRevokedUnexpired = Number((await main.query<{ n: string }>('SELECT count(*) AS n FROM reports_secureexportlink WHERE revoked AND expires_at >= $1', [cutoff])).rows[0]!.n);
      for (const r of expired) {
        const local = localPathFor(settings, r.file_path);
        const c = checkExportPath(realDir, local);
        if (c.kind === 'outside') {
          result.refused.push({ linkId: r.id, path: r.file_path, reason: c.reason });
          result.expired.push({ id: r.id, expiresAt: r.expires_at.toISOString(), revoked: r.revoked, filePath: r.file_path, rowAction: 'kept', fileAction: 'refused', detail: `Kept: ${c.reason}` });
          continue;
        }
        toDelete.push({ id: r.id, local });
        result.expired.push({
          id: r.id,
          expiresAt: r.expires_at.toISOString(),
          revoked: r.revoked,
          filePath: r.file_path,
          rowAction: input.dryRun ? 'would-delete' : 'deleted',
          fileAction: c.exists ? (input.dryRun ? 'would-delete' : 'deleted') : 'already-gone',
          detail: c.exists ? '' : 'The file was already gone.',
        });
      }

      // Orphans: compared against every row that stays (all rows minus the ones deleted now), and
      // against the links of every other schema too: in a multi-agency deployment each agency has
      // its own reports_secureexportlink, and the export folder may be shared.
      const deleting = new Set(toDelete.map((d) => d.id));
      const remaining = (await main.query<{ id: string; file_path: string }>('SELECT id::text AS id, file_path FROM reports_secureexportlink')).rows.filter((r) => !deleting.has(r.id));
      const referenced = new Set([...remaining.map((r) => r.file_path), ...(await otherSchemasFilePaths(main))].map((f) => path.resolve(localPathFor(settings, f))));
      const ownFiles = new Set(toDelete.map((d) => path.resolve(d.local)));
      for (const ent of fs.readdirSync(realDir, { withFileTypes: true })) {
        const candidates = [path.join(exportDir, ent.name), path.join(realDir, ent.name)].map((p) => path.resolve(p));
        if (candidates.some((p) => referenced.has(p) || ownFiles.has(p))) continue;
        if (ent.isSymbolicLink()) {
          const reason = checkExportPath(realDir, path.join(realDir, ent.name));
          result.refused.push({ linkId: null, path: path.join(exportDir, ent.name), reason: reason.kind === 'outside' ? reason.reason : 'A symbolic link: not followed.' });
          result.orphans.push({ name: ent.name, action: 'refused', detail: 'A symbolic link: reported, not followed or deleted.' });
        } else if (ent.isFile()) {
          result.orphans.push({ name: ent.name, action: input.dryRun ? 'would-delete' : 'deleted', detail: '' });
        }
        // Sub-folders are not KoNote's (it never writes any): left alone, as KoNote does.
      }

      if (input.dryRun || (toDelete.length === 0 && !result.orphans.some((o) => o.action === 'deleted'))) {
        await main.query('ROLLBACK');
        return;
      }
      if (toDelete.length) await main.query('DELETE FROM reports_secureexportlink WHERE id = ANY($1::uuid[])', [toDelete.map((d) => d.id)]);
      try {
        result.auditRowId = await withClient(ctx, input.profile, 'audit', (audit) =>
          insertAuditRow(audit, {
            userId: null,
            userDisplay: `Custodian (${osUser()}@${os.hostname()})`,
            action: 'delete',
            resourceType: 'export_link_cleanup',
            metadata: {
              deleted_links: toDelete.length,
              link_ids: toDelete.map((d) => d.id),
              orphan_files: result.orphans.filter((o) => o.action === 'deleted').map((o) => o.name),
              refused: result.refused.map((r) => ({ link_id: r.linkId, path: r.path })),
              cutoff: result.cutoff,
              tool: 'custodian exports cleanup',
            },
          }),
        );
      } catch (e) {
        throw new AppError(isAppError(e) ? e.kind : 'Internal', `The cleanup's audit row could not be written, so nothing was deleted: ${e instanceof Error ? e.message : String(e)}`, 'Check the audit database connection (`custodian profile test`) and run the cleanup again.', { cause: e });
      }
      await main.query('COMMIT');
    } catch (e) {
      await main.query('ROLLBACK').catch(() => {});
      throw e;
    }
  });

  if (!input.dryRun && result.auditRowId !== null) {
    const byLocal = new Map(toDelete.map((d) => [d.id, d.local]));
    for (const e of result.expired) {
      const local = byLocal.get(e.id);
      if (!local || e.fileAction !== 'deleted') continue;
      const d = deleteInside(realDir, local);
      if (!d.ok) Object.assign(e, { fileAction: d.refused ? 'refused' : 'failed', detail: d.reason });
      else if (d.gone) Object.assign(e, { fileAction: 'already-gone', detail: 'The file was already gone.' });
    }
    for (const o of result.orphans) {
      if (o.action !== 'deleted') continue;
      const d = deleteInside(realDir, path.join(realDir, o.name));
      if (!d.ok) Object.assign(o, { action: d.refused ? 'refused' : 'failed', detail: d.reason });
    }
    const id = startAction(ctx, { profile: input.profile, kind: 'cleanup' });
    finishAction(ctx, id, 'done', { deleted: toDelete.length, orphans: result.orphans.length, refused: result.refused.length, auditRowId: result.auditRowId });
  }
  return result;
}
