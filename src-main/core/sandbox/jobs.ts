import type { CoreContext } from '../context';
import { sandboxDown, sandboxUp } from './sandbox-service';

/** Job kinds of the practice sandbox. */
export function defineSandboxJobs(ctx: CoreContext): void {
  ctx.jobs.define('sandbox.up', {
    title: (spec) => `Start the practice sandbox (${spec.clients} clients if it has to be created)`,
    run: (spec, job) => sandboxUp(ctx, { clients: spec.clients }, job),
  });
  ctx.jobs.define('sandbox.down', {
    title: () => 'Remove the practice sandbox',
    run: (_spec, job) => sandboxDown(ctx, {}, job),
  });
}
