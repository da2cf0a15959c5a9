import type { Client } from 'pg';
import type { SecurityResult } from '../../contract/audit';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { idAtOrAfter, idBounds } from '../audit/id-range';
import { checkpointStore } from '../audit/checkpoint-store';
import { verifyCheckpoints } from '../audit/verify-checkpoints';
import { inspectLockdown, judgeLockdown } from '../drill/lockdown';
import { fail, pass, warn } from './result';

/**
 * AUD001–004 as KoNote defines them (each cheap: primary-key probes, or a newest-first search that
 * stops at the first hit), plus Custodian's own: the lockdown really holds (AUD005) and the
 * checkpoints still verify (AUD006).
 */

const C = 'AUD' as const;
type Progress = Pick<JobContext, 'progress' | 'log' | 'throwIfCancelled' | 'signal'>;

export async function konoteAuditChecks(client: Client): Promise<SecurityResult[]> {
  const out: SecurityResult[] = [pass('AUD001', C, 'Audit database reachable', 'Connected and audit_log is readable.')];
  const bounds = await idBounds(client);
  const recent = bounds ? (await idAtOrAfter(client, bounds, new Date(Date.now() - 86_400_000))).id <= bounds.max : false;
  out.push(
    recent
      ? pass('AUD002', C, 'Audit rows written in the last 24 hours', 'KoNote wrote audit rows in the last 24 hours.')
      : warn('AUD002', C, 'Audit rows written in the last 24 hours', bounds ? 'No audit row in the last 24 hours.' : 'The audit log is empty.', 'Check that KoNote’s AUDIT_DATABASE_URL points at this database and that KoNote is in use; a silent audit log hides everything.'),
  );
  const any = async (actions: string[]) => (await client.query(`SELECT 1 FROM public.audit_log WHERE action = ANY($1::text[]) ORDER BY id DESC LIMIT 1`, [actions])).rowCount! > 0;
  out.push(
    (await any(['view']))
      ? pass('AUD003', C, 'Record views are audited', 'The log holds "view" rows.')
      : warn('AUD003', C, 'Record views are audited', 'No "view" row in the audit log.', 'KoNote writes a view row when a client record is opened: check that audit logging of views is on.'),
  );
  out.push(
    (await any(['post', 'create', 'update', 'delete']))
      ? pass('AUD004', C, 'Changes are audited', 'The log holds post/create/update/delete rows.')
      : warn('AUD004', C, 'Changes are audited', 'No post/create/update/delete row in the audit log.', 'KoNote’s audit middleware writes a row for every change: check that it is enabled.'),
  );
  return out;
}

export async function lockdownCheck(client: Client, writer: string): Promise<SecurityResult> {
  const d = 'Audit lockdown is effective (writer can only read and append)';
  const findings = judgeLockdown(writer, await inspectLockdown(client, writer));
  const bad = findings.filter((f) => f.status !== 'PASS');
  const detail = bad.length ? bad.map((f) => f.detail).join(' ') : findings.map((f) => f.detail).join(' ');
  const fix = bad.map((f) => f.hint).filter(Boolean).join(' ');
  if (bad.some((f) => f.status === 'FAIL')) return fail('AUD005', C, d, detail, fix || 'Apply the lockdown: `custodian lockdown`.');
  if (bad.length) return warn('AUD005', C, d, detail, fix || 'See `custodian lockdown --check`.');
  return pass('AUD005', C, d, detail);
}

export async function checkpointCheck(ctx: CoreContext, profile: string, client: Client, o: { full: boolean; job?: Progress }): Promise<SecurityResult> {
  const d = 'Audit checkpoints verify (no row changed or removed)';
  const all = checkpointStore.list(ctx, profile);
  if (all.length === 0) return warn('AUD006', C, d, 'No checkpoint has been taken yet, so changes to old audit rows would go unnoticed.', 'Take one now and after each review and backup: `custodian audit checkpoint` (Audit log page → Checkpoint).');
  // Without --full only the newest checkpoint's rows are re-hashed (the chain itself is always checked in full).
  const r = await verifyCheckpoints(ctx, profile, { client, onlyLatest: !o.full, job: o.job });
  if (r.ok) return pass('AUD006', C, d, `${r.verified} checkpoint(s), ${r.rowsVerified} rows: unchanged. ${r.uncoveredRows} newer row(s) are not covered yet.`);
  return fail('AUD006', C, d, r.firstProblem ?? 'Verification failed.', 'Treat this as possible tampering: keep this computer’s log and the checkpoint file, compare with your backups (a drill restores an older copy), and find who had write access to the audit database.');
}
