import type { CoreContext } from './context';
import { createDispatcher, type Dispatcher, type Handlers } from './ipc/dispatcher';
import { AppError } from './common/errors';
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

/** Handlers only a host process can give (Electron's dialogs); the core's own refuse plainly. */
export type HostHandlers = Partial<Pick<Handlers, 'app.pickPath'>>;

/** The complete handler table; `satisfies Handlers` makes a missing channel a compile error. */
export function createHandlers(ctx: CoreContext, host: HostHandlers = {}): Handlers {
  const handlers = {
    'app.info': () => ({ version: ctx.version, dataFolder: ctx.home, preview: ctx.preview, platform: process.platform }),
    'app.pickPath':
      host['app.pickPath'] ??
      (() => {
        throw new AppError('Validation', 'There is no file chooser here.', 'Type the full path instead (the desktop app also offers a Browse button).');
      }),
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

export function createCoreDispatcher(ctx: CoreContext, host: HostHandlers = {}): Dispatcher {
  return createDispatcher(createHandlers(ctx, host));
}
