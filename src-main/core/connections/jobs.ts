import type { CoreContext } from '../context';
import { testProfile } from './test-connection';

/** Job kinds of the connections capability. */
export function defineConnectionJobs(ctx: CoreContext): void {
  ctx.jobs.define('profile.test', {
    title: (spec) => `Test the connection to ${spec.profile}`,
    async run(spec, job) {
      job.progress(null, 'Connecting to the main and audit databases');
      const report = await testProfile(ctx, spec.profile, job.signal);
      for (const e of [report.main, report.audit]) {
        job.log(e.reachable ? 'info' : 'error', e.reachable ? `${e.role}: PostgreSQL ${e.serverVersion} as ${e.user} (${e.latencyMs} ms)` : `${e.role}: ${e.error?.message ?? 'not reachable'}`);
      }
      return report;
    },
  });
}
