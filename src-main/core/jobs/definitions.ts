import type { CoreContext } from '../context';
import { defineConnectionJobs } from '../connections/jobs';
import { defineKeyJobs } from '../keys/jobs';
import { defineSandboxJobs } from '../sandbox/jobs';
import { defineBackupJobs } from '../backup/jobs';
import { definePitrJobs } from '../pitr/jobs';
import { defineDrillJobs } from '../drill/jobs';
import { defineAuditJobs } from '../audit/jobs';
import { defineHavenJobs } from '../haven/jobs';

/** Registers every job kind of the contract with the runner; each capability defines its own. */
export function defineAllJobs(ctx: CoreContext): void {
  ctx.jobs.define('demo.sleep', {
    title: (s) => `Wait ${s.seconds} s (test job)`,
    async run(spec, job) {
      // A real child process, so cancel is proven to stop processes, not just promises.
      job.progress(null, 'Waiting');
      await job.run(process.execPath, ['-e', `setTimeout(() => {}, ${Math.round(spec.seconds * 1000)})`]);
      return { slept: spec.seconds };
    },
  });
  defineConnectionJobs(ctx);
  defineKeyJobs(ctx);
  defineSandboxJobs(ctx);
  defineBackupJobs(ctx);
  definePitrJobs(ctx);
  defineDrillJobs(ctx);
  defineAuditJobs(ctx);
  defineHavenJobs(ctx);
}
