import type { CoreContext } from '../context';
import { runDrill } from './drill-run';
import { runRestore } from './restore-production';
import { verifyProfile } from './verify/verify-live';

/** Job kinds of the drill capability: drills, real restores and the verification suite. */
export function defineDrillJobs(ctx: CoreContext): void {
  ctx.jobs.define('drill.run', {
    title: (s) => `Restore drill of ${s.setId ?? 'the newest verified set'}${s.profile ? ` (${s.profile})` : ''}${s.local ? ' on a local throwaway instance' : ''}`,
    run: (s, job) => runDrill(ctx, { profile: s.profile, setId: s.setId, keep: s.keep, local: s.local, full: s.full, sample: s.sample, notes: s.notes }, job),
  });
  ctx.jobs.define('restore.run', {
    title: (s) => `RESTORE set ${s.setId} into production${s.profile ? ` (${s.profile})` : ''}`,
    run: (s, job) => runRestore(ctx, { profile: s.profile, setId: s.setId, confirmDatabase: s.confirmDatabase, full: s.full, sample: s.sample, notes: s.notes }, job),
  });
  ctx.jobs.define('verify.run', {
    title: (s) => `Verify ${s.profile ?? 'the deployment'}${s.full ? ' (every row)' : ''}`,
    run: (s, job) => verifyProfile(ctx, { profile: s.profile, full: s.full, sample: s.sample }, job),
  });
}
