import type { CoreContext } from '../context';
import type { Handlers } from '../ipc/dispatcher';
import { resolveProfile } from '../connections/profile-store';
import { pitrStore } from './pitr-store';
import { runSetupCheck } from './setup-check';
import { computeWindow } from './window';
import { parseTargetTime } from './target-time';
import { discardRecovery } from './recover';
import { applyCopyBack, previewCopyBack } from './copy-back/copy-back';
import { azureWindow } from './azure/azure-restore';
import { dropWalSlot, walSlotStatus } from './wal-slot';

type PitrChannels =
  | 'pitr.config.get'
  | 'pitr.slot.status'
  | 'pitr.slot.drop'
  | 'pitr.config.set'
  | 'pitr.setupCheck'
  | 'pitr.backups'
  | 'pitr.window'
  | 'pitr.parseTarget'
  | 'pitr.recoveries'
  | 'pitr.discard'
  | 'pitr.copyBack.preview'
  | 'pitr.copyBack.apply'
  | 'pitr.azure.config.get'
  | 'pitr.azure.config.set'
  | 'pitr.azure.window';

export function pitrHandlers(ctx: CoreContext): Pick<Handlers, PitrChannels> {
  return {
    'pitr.slot.status': ({ profile, role }) => walSlotStatus(ctx, { profile, role }),
    'pitr.slot.drop': ({ profile, role }) => dropWalSlot(ctx, { profile, role }),
    'pitr.config.get': ({ profile, role }) => pitrStore.config(ctx, resolveProfile(ctx, profile).name, role),
    'pitr.config.set': ({ profile, role, archiveDir, backupDir }) => pitrStore.setConfig(ctx, { profile: resolveProfile(ctx, profile).name, role, archiveDir, backupDir }),
    'pitr.setupCheck': ({ profile, role, deployment }) => runSetupCheck(ctx, profile, role, deployment),
    'pitr.backups': ({ profile }) => pitrStore.backups(ctx, profile),
    'pitr.window': async ({ profile, role }) => {
      const { chains: _c, listing: _l, ...w } = await computeWindow(ctx, profile, role);
      return w;
    },
    'pitr.parseTarget': ({ input, zone }) => parseTargetTime(input, zone ?? undefined),
    'pitr.recoveries': ({ profile }) => pitrStore.recoveries(ctx, profile).map(({ ownerPid: _p, ...r }) => r),
    'pitr.discard': ({ recoveryId }) => discardRecovery(ctx, recoveryId),
    'pitr.copyBack.preview': ({ profile, recoveryId, schema, table }) => previewCopyBack(ctx, { profile, recoveryId, table: { schema, table } }),
    'pitr.copyBack.apply': ({ profile, recoveryId, schema, table, digest, confirm }) => applyCopyBack(ctx, { profile, recoveryId, table: { schema, table }, digest, confirm }),
    'pitr.azure.config.get': ({ profile }) => pitrStore.azure(ctx, resolveProfile(ctx, profile).name),
    'pitr.azure.config.set': ({ profile, config }) => pitrStore.setAzure(ctx, resolveProfile(ctx, profile).name, config),
    'pitr.azure.window': ({ profile }) => azureWindow(ctx, profile),
  };
}
