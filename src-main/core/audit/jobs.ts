import type { CoreContext } from '../context';
import { exportAuditCsv } from './export-csv';
import { takeCheckpoint } from './checkpoint';
import { verifyCheckpoints } from './verify-checkpoints';
import { runSecurityAudit } from '../security/security-audit';

/** Job kinds of the audit capability: long reads with progress and cancel. */
export function defineAuditJobs(ctx: CoreContext): void {
  ctx.jobs.define('audit.export', {
    title: (s) => `Export audit rows to ${s.out}`,
    run: (s, job) => exportAuditCsv(ctx, { profile: s.profile, filter: s.filter, saved: s.saved, out: s.out }, job),
  });
  ctx.jobs.define('audit.checkpoint', {
    title: (s) => `Audit checkpoint (${s.profile})`,
    run: (s, job) => takeCheckpoint(ctx, { profile: s.profile, reason: s.reason, file: s.file, settleSeconds: s.settleSeconds }, job),
  });
  ctx.jobs.define('audit.verify', {
    title: (s) => `Verify audit checkpoints (${s.profile})`,
    run: (s, job) => verifyCheckpoints(ctx, s.profile, { file: s.file, job }),
  });
  ctx.jobs.define('security.audit', {
    title: (s) => `Security check (${s.profile})${s.full ? ', every row' : ''}`,
    run: (s, job) => runSecurityAudit(ctx, { profile: s.profile, categories: s.categories, full: s.full, sample: s.sample }, job),
  });
}
