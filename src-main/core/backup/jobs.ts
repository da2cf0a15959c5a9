import type { CoreContext } from '../context';
import { runBackupSet } from './backup-set';
import { verifyBackupSet } from './verify-set';

export function defineBackupJobs(ctx: CoreContext): void {
  ctx.jobs.define('backup.run', {
    title: (s) => `Back up ${s.profile ?? 'the deployment'} (${s.format}${s.encrypt ? ', encrypted' : ', NOT encrypted'})`,
    run: (s, job) => runBackupSet(ctx, { profile: s.profile, target: s.target, format: s.format, encrypt: s.encrypt, globals: s.globals }, job),
  });
  ctx.jobs.define('backup.verify', {
    title: (s) => `Verify backup set ${s.setId}`,
    run: (s, job) => verifyBackupSet(ctx, s.setId, job),
  });
}
