import type { CoreContext } from '../context';
import { verifyKeys } from './key-service';

/** Job kinds of the keys capability. */
export function defineKeyJobs(ctx: CoreContext): void {
  ctx.jobs.define('keys.verify', {
    title: (spec) => `Check the key list against ${spec.profile} (${spec.sample} rows per column)`,
    async run(spec, job) {
      const report = await verifyKeys(ctx, spec.profile, { sample: spec.sample }, job);
      job.log(report.ok ? 'info' : 'error', `${report.decrypted} of ${report.checked} sampled values decrypted; ${report.empty} empty.`);
      return report;
    },
  });
}
