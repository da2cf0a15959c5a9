import os from 'node:os';
import type { Client } from 'pg';
import type { CopyBackPlan, CopyBackResult } from '../../../contract/pitr';
import type { CoreContext } from '../../context';
import { AppError } from '../../common/errors';
import { osUser } from '../../common/os-user';
import { withClient, withEndpointClient } from '../../connections/pg-client';
import { readyRecovery, scratchEndpoint } from '../recover';
import { ensureScratchRunning } from '../scratch-restart';
import type { TableId } from './catalog';
import { tableKey } from './catalog';
import { bumpIdentitySequences, copyRows } from './apply';
import { planCopyBack, type CopyPlan } from './plan';

/**
 * Copy-back of deleted rows from a recovered copy into production: a preview (read-only on both
 * sides), then — only with the preview's digest and the typed phrase — one transaction that
 * re-checks the plan against production, inserts parents before children, and writes an audit
 * row in KoNote's audit_log format before committing.
 */

const SAMPLE_KEYS = 20;
const AUDIT_KEYS = 1000;

export const confirmPhraseFor = (total: number) => `copy back ${total} rows`;

function toContract(recoveryId: string, profile: string, targetUtc: string, plan: CopyPlan): CopyBackPlan {
  return {
    recoveryId,
    profile,
    targetUtc,
    tables: plan.tables.map((t) => ({
      schema: t.info.schema,
      table: t.info.table,
      order: t.order,
      count: t.keys.size,
      sampleKeys: [...t.keys.values()].slice(0, SAMPLE_KEYS).map((k) => k.join(', ')),
      via: t.via,
    })),
    total: plan.total,
    digest: plan.digest,
    confirmPhrase: confirmPhraseFor(plan.total),
  };
}

export async function previewCopyBack(ctx: CoreContext, o: { profile: string; recoveryId?: string | null; table: TableId }): Promise<CopyBackPlan> {
  const r = readyRecovery(ctx, o.profile, o.recoveryId);
  await ensureScratchRunning(ctx, r);
  const plan = await withEndpointClient(scratchEndpoint(r), null, (scratch) => withClient(ctx, r.profile, r.role, (prod) => planCopyBack(scratch, prod, o.table)));
  return toContract(r.id, r.profile, r.targetUtc, plan);
}

/** One audit_log row, as KoNote writes them (no column defaults: every NOT NULL column given). */
async function writeAuditRow(audit: Client, plan: CopyBackPlan & { status: string }, keys: Record<string, string[]>): Promise<string> {
  const metadata = {
    source: 'custodian',
    operation: 'pitr_copy_back',
    status: plan.status,
    recovery_id: plan.recoveryId,
    recovered_to: plan.targetUtc,
    total_rows: plan.total,
    tables: Object.fromEntries(plan.tables.map((t) => [`${t.schema}.${t.table}`, t.count])),
    keys,
    digest: plan.digest,
    host: os.hostname(),
  };
  const res = await audit.query<{ id: string }>(
    `INSERT INTO audit_log (event_timestamp, user_id, user_display, ip_address, action, resource_type, resource_id, program_id, old_values, new_values, metadata, is_demo_context, is_confidential_context, tenant_schema)
     VALUES (now(), NULL, $1, NULL, 'import', 'pitr_copy_back', NULL, NULL, NULL, NULL, $2::jsonb, false, false, $3) RETURNING id::text AS id`,
    [`Custodian (${osUser()})`, JSON.stringify(metadata), plan.tables[0]?.schema === 'public' ? '' : (plan.tables[0]?.schema ?? '')],
  );
  return res.rows[0]!.id;
}

export async function applyCopyBack(ctx: CoreContext, o: { profile: string; recoveryId?: string | null; table: TableId; digest: string; confirm: string }, onProgress?: (done: number, total: number) => void): Promise<CopyBackResult> {
  const r = readyRecovery(ctx, o.profile, o.recoveryId);
  await ensureScratchRunning(ctx, r);
  return withEndpointClient(scratchEndpoint(r), null, (scratch) =>
    withClient(ctx, r.profile, r.role, async (prod) => {
      await prod.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      try {
        // Re-plan inside the transaction: what is inserted is exactly what the user confirmed.
        const plan = await planCopyBack(scratch, prod, o.table);
        const contract = toContract(r.id, r.profile, r.targetUtc, plan);
        if (plan.digest !== o.digest) {
          throw new AppError('Conflict', 'Production or the recovered copy changed since the preview: the rows to copy are not the ones you confirmed.', 'Run the preview again and confirm the new list.');
        }
        if (o.confirm.trim() !== contract.confirmPhrase) {
          throw new AppError('Validation', `The confirmation did not match. Type exactly: ${contract.confirmPhrase}`, 'Nothing was written.');
        }
        if (plan.total === 0) throw new AppError('Validation', 'There are no missing rows to copy back.', 'Nothing was written.');
        await prod.query('SET CONSTRAINTS ALL DEFERRED');
        let done = 0;
        for (const t of plan.tables) {
          await copyRows(scratch, prod, t, (n) => {
            done += n;
            onProgress?.(done, plan.total);
          });
          await bumpIdentitySequences(prod, t.info);
        }
        if (done !== plan.total) throw new AppError('Conflict', `Only ${done} of ${plan.total} rows could be read from the recovered copy.`, 'Nothing was written. Run the preview again.');
        const keys = Object.fromEntries(plan.tables.map((t) => [tableKey(t.info), [...t.keys.values()].slice(0, AUDIT_KEYS).map((k) => k.join(', '))]));
        // The audit row is written before the commit: a copy-back that cannot be audited does not happen.
        const auditRowId = r.role === 'main' ? await withClient(ctx, r.profile, 'audit', (audit) => writeAuditRow(audit, { ...contract, status: 'committing' }, keys)) : null;
        try {
          await prod.query('COMMIT');
        } catch (e) {
          if (r.role === 'main') await withClient(ctx, r.profile, 'audit', (audit) => writeAuditRow(audit, { ...contract, status: 'rolled_back' }, keys)).catch(() => undefined);
          throw e;
        }
        return { ...contract, inserted: done, auditRowId };
      } catch (e) {
        await prod.query('ROLLBACK').catch(() => undefined);
        const pgErr = e as { code?: string; detail?: string; table?: string };
        if (pgErr.code === '23503') {
          // A copied row points at a row production no longer has outside this plan (e.g. a deleted user).
          throw new AppError('Conflict', `The copied rows refer to rows production no longer has: ${pgErr.detail ?? (e as Error).message}`, 'Nothing was written. Copy back the referenced table first (the detail names it), then this one.', { cause: e });
        }
        if (pgErr.code === '23505') {
          throw new AppError('Conflict', `A copied row clashes with a row production has now: ${pgErr.detail ?? (e as Error).message}`, 'Nothing was written. Someone re-created that record meanwhile; resolve it by hand in KoNote.', { cause: e });
        }
        throw e;
      }
    }),
  );
}
