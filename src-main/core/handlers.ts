import type { CoreContext } from './context';
import { createDispatcher, type Dispatcher, type Handlers } from './ipc/dispatcher';
import { connectionHandlers } from './connections/handlers';
import { keyHandlers } from './keys/handlers';
import { dashboardHealth } from './dashboard/health';
import { runDoctor } from './connections/doctor';
import { backupHandlers } from './backup/handlers';
import { pitrHandlers } from './pitr/handlers';
import { exportHandlers } from './exports/handlers';
import { drillHandlers } from './drill/handlers';
import { auditHandlers } from './audit/handlers';
import { havenHandlers } from './haven/handlers';

/** The complete handler table; `satisfies Handlers` makes a missing channel a compile error. */
export function createHandlers(ctx: CoreContext): Handlers {
  const handlers = {
    'app.info': () => ({ version: ctx.version, dataFolder: ctx.home, preview: ctx.preview, platform: process.platform }),
    'dashboard.health': ({ profile }) => dashboardHealth(ctx, profile),
    'doctor.run': () => runDoctor(ctx),
    'settings.get': () => ctx.settings.get(),
    'settings.update': (patch) => ctx.settings.update(patch),
    ...connectionHandlers(ctx),
    ...keyHandlers(ctx),
    ...backupHandlers(ctx),
    ...pitrHandlers(ctx),
    ...exportHandlers(ctx),
    ...drillHandlers(ctx),
    ...auditHandlers(ctx),
    ...havenHandlers(ctx),
    'jobs.start': (spec) => ({ jobId: ctx.jobs.start(spec) }),
    'jobs.cancel': ({ jobId }) => ({ cancelled: ctx.jobs.cancel(jobId) }),
    'jobs.list': ({ limit }) => ctx.jobs.list(limit),
    'jobs.log': ({ jobId, afterSeq }) => ctx.jobs.logAfter(jobId, afterSeq),
  } satisfies Handlers;
  return handlers;
}

export function createCoreDispatcher(ctx: CoreContext): Dispatcher {
  return createDispatcher(createHandlers(ctx));
}
