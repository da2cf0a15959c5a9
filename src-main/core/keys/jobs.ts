import type { CoreContext } from '../context';
import { verifyKeys } from './key-service';

/** Job kinds of the keys capability. Rotation modules load lazily (they pull in the pg client). */
export function defineKeyJobs(ctx: CoreContext): void {
  ctx.jobs.define('keys.verify', {
    title: (spec) => `Check the key list against ${spec.profile} (${spec.sample} rows per column)`,
    async run(spec, job) {
      const report = await verifyKeys(ctx, spec.profile, { sample: spec.sample }, job);
      job.log(report.ok ? 'info' : 'error', `${report.decrypted} of ${report.checked} sampled values decrypted; ${report.empty} empty.`);
      return report;
    },
  });
  ctx.jobs.define('keys.rotationDryRun', {
    title: (spec) => `Key rotation dry run for ${spec.profile}${spec.agency ? ` (agency ${spec.agency})` : ''}`,
    async run(spec, job) {
      const { rotationDryRun } = await import('./rotation/rotation-service');
      const r = await rotationDryRun(ctx, spec.profile, spec.agency, job);
      job.log(r.ok ? 'info' : 'warn', `${r.totals.toReencrypt} to re-encrypt, ${r.totals.alreadyNew} already new, ${r.totals.empty} empty, ${r.totals.undecryptable} open with no key.`);
      return r;
    },
  });
  ctx.jobs.define('keys.rotate', {
    title: (spec) => `${spec.resume ? 'Resume' : spec.prepareOnly ? 'Prepare' : spec.incident ? 'Urgent (compromised key)' : 'Start'} key rotation for ${spec.profile}${spec.agency ? ` (agency ${spec.agency})` : ''}`,
    async run(spec, job) {
      const { rotateJob } = await import('./rotation/rotation-service');
      return rotateJob(ctx, spec, job);
    },
  });
  ctx.jobs.define('keys.postRotationBackup', {
    title: (spec) => `Post-rotation backup of ${spec.profile} (pinned "post-key-rotation")`,
    async run(spec, job) {
      const { postRotationBackup } = await import('./rotation/post-rotation-backup');
      return postRotationBackup(ctx, spec, job);
    },
  });
}
