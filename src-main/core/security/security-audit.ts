import type { SecurityReport, SecurityResult } from '../../contract/audit';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { toErrorData } from '../common/errors';
import { withClient } from '../connections/pg-client';
import { resolveProfile } from '../connections/profile-store';
import { auditError } from '../audit/audit-db';
import { custodyChecks, decryptScanCheck, keyListChecks, sensitiveFieldsCheck } from './enc-checks';
import { rbacChecks } from './rbac-checks';
import { checkpointCheck, konoteAuditChecks, lockdownCheck } from './aud-checks';
import { backupChecks } from './bak-checks';
import { fail, skip, summarise } from './result';

/**
 * `custodian security-audit`: KoNote's security_audit (same JSON shape and exit codes) done for
 * real — keys parsed strictly, every encrypted column really decrypted — plus the checks only
 * Custodian can make (lockdown, checkpoints, backups, drills, key age, escrow). Read-only.
 */

type Progress = Pick<JobContext, 'progress' | 'log' | 'throwIfCancelled' | 'signal'>;
export type SecurityCategory = 'ENC' | 'RBAC' | 'AUD' | 'BAK';

export interface SecurityAuditOptions {
  profile?: string;
  categories: SecurityCategory[];
  full: boolean;
  sample: number;
}

export async function runSecurityAudit(ctx: CoreContext, o: SecurityAuditOptions, job?: Progress): Promise<SecurityReport> {
  const profile = resolveProfile(ctx, o.profile);
  const want = new Set(o.categories);
  const results: SecurityResult[] = [];
  const schema = profile.schemas[0] ?? 'public';
  const step = (f: number, m: string) => job?.progress(f, m);

  if (want.has('ENC') || want.has('RBAC')) {
    let keys = null;
    if (want.has('ENC')) {
      step(0.02, 'Checking the key list');
      const k = await keyListChecks(ctx, profile.name);
      results.push(...k.results);
      keys = k.keys;
    }
    try {
      await withClient(
        ctx,
        profile.name,
        'main',
        async (c) => {
          if (want.has('ENC')) {
            step(0.1, o.full ? 'Decrypting every row of every encrypted column' : 'Decrypting a sample of every encrypted column');
            results.push(await decryptScanCheck(c, profile.schemas, keys, { full: o.full, sample: o.sample, job }));
            results.push(await sensitiveFieldsCheck(c, schema));
          }
          if (want.has('RBAC')) {
            step(0.6, 'Checking roles and enrolments');
            results.push(...(await rbacChecks(c, schema)));
          }
        },
        { signal: job?.signal },
      );
    } catch (e) {
      const d = toErrorData(e);
      if (d.kind === 'Cancelled') throw e;
      if (want.has('ENC')) results.push(fail('ENC003', 'ENC', 'Stored values decrypt with the key list (every encrypted column)', `The main database could not be read: ${d.message}`, d.hint ?? 'Check the profile (`custodian profile test`).'));
      if (want.has('RBAC')) for (const id of ['RBAC001', 'RBAC002', 'RBAC003']) results.push(skip(id, 'RBAC', 'Roles and enrolments', 'The main database could not be read (see ENC003).'));
    }
    if (want.has('ENC')) results.push(...(await custodyChecks(ctx, profile.name)));
  }

  if (want.has('AUD')) {
    step(0.7, 'Checking the audit database');
    try {
      await withClient(
        ctx,
        profile.name,
        'audit',
        async (c) => {
          try {
            results.push(...(await konoteAuditChecks(c)));
            results.push(await lockdownCheck(c, profile.audit.user));
            step(0.8, 'Verifying audit checkpoints');
            results.push(await checkpointCheck(ctx, profile.name, c, { full: o.full, job }));
          } catch (e) {
            throw auditError(e, profile.audit.database, profile.audit.user);
          }
        },
        { signal: job?.signal },
      );
    } catch (e) {
      const d = toErrorData(e);
      if (d.kind === 'Cancelled') throw e;
      const done = new Set(results.map((r) => r.check_id));
      if (!done.has('AUD001')) results.push(fail('AUD001', 'AUD', 'Audit database reachable', d.message, d.hint ?? 'Check the audit part of the profile (`custodian profile test`).'));
      for (const id of ['AUD002', 'AUD003', 'AUD004', 'AUD005', 'AUD006']) if (!done.has(id)) results.push(skip(id, 'AUD', 'Audit log checks', `Not run: ${d.message}`));
    }
  }

  if (want.has('BAK')) results.push(...backupChecks(ctx, profile.name));
  step(1, 'Done');
  const order = ['ENC', 'RBAC', 'AUD', 'BAK'];
  results.sort((a, b) => order.indexOf(a.category) - order.indexOf(b.category) || a.check_id.localeCompare(b.check_id));
  return { timestamp: new Date().toISOString(), profile: profile.name, results, summary: summarise(results) };
}
