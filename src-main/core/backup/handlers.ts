import type { CoreContext } from '../context';
import type { Handlers } from '../ipc/dispatcher';
import { AppError } from '../common/errors';
import { setStore } from './set-store';
import { pruneBackups } from './prune';
import { createBackupIdentity, listRecipients } from './recipients';
import { listAlerts } from './alerts';
import { backupScheduleSpec, installSchedule, removeSchedule, showSchedule } from '../schedules/service';
import { getProfile } from '../connections/profile-store';

type BackupChannels = 'backups.list' | 'backups.pin' | 'backups.prune' | 'backups.recipients' | 'backups.createIdentity' | 'backups.alerts' | 'schedule.show' | 'schedule.install' | 'schedule.remove';

const DEFAULT_TIME = '02:30';

export function backupHandlers(ctx: CoreContext): Pick<Handlers, BackupChannels> {
  return {
    'backups.list': ({ profile }) => setStore.list(ctx, profile ?? undefined),
    'backups.pin': ({ setId, pin, pinned }) => {
      const set = setStore.get(ctx, setId);
      if (!set) throw new AppError('NotFound', `There is no backup set "${setId}".`, 'Refresh the list of backups.');
      setStore.setPins(ctx, setId, pinned ? [...set.pins, pin] : set.pins.filter((p) => p !== pin));
      return setStore.get(ctx, setId)!;
    },
    'backups.prune': ({ profile, dryRun }) => pruneBackups(ctx, getProfile(ctx, profile).name, { dryRun }),
    'backups.recipients': ({ profile }) => listRecipients(ctx, getProfile(ctx, profile).name),
    'backups.createIdentity': ({ profile }) => createBackupIdentity(ctx, getProfile(ctx, profile).name),
    'backups.alerts': ({ profile }) => listAlerts(ctx, { profile: profile ?? undefined }),
    'schedule.show': ({ profile }) => showSchedule(ctx, backupScheduleSpec(ctx, getProfile(ctx, profile).name, DEFAULT_TIME)),
    'schedule.install': ({ profile, time }) => installSchedule(ctx, backupScheduleSpec(ctx, getProfile(ctx, profile).name, time)),
    'schedule.remove': ({ profile }) => removeSchedule(ctx, backupScheduleSpec(ctx, getProfile(ctx, profile).name, DEFAULT_TIME)),
  };
}
