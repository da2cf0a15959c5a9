import type { CoreContext } from '../context';
import { runBaseBackup } from './base-backup';
import { runRecovery } from './recover';
import { runAzureRestore } from './azure/azure-restore';
import { runPitrReplace } from './replace';
import { runWalStream } from './wal-stream';

/** Job kinds of point-in-time recovery: base backups, recovery to a time, Azure restores. */
export function definePitrJobs(ctx: CoreContext): void {
  ctx.jobs.define('pitr.baseBackup', {
    title: (s) => `Base backup of ${s.profile} (${s.role})`,
    run: (s, job) => runBaseBackup(ctx, { profile: s.profile, role: s.role }, job),
  });
  ctx.jobs.define('pitr.recover', {
    title: (s) => `Recover ${s.profile} (${s.role}) to ${s.targetUtc} into a scratch instance`,
    run: (s, job) => runRecovery(ctx, { profile: s.profile, role: s.role, targetUtc: s.targetUtc, backupId: s.backupId }, job),
  });
  ctx.jobs.define('pitr.replace', {
    title: (s) => `REPLACE production with recovered copy ${s.recoveryId}`,
    run: (s, job) => runPitrReplace(ctx, { profile: s.profile, recoveryId: s.recoveryId, confirmDatabase: s.confirmDatabase, full: s.full, sample: s.sample, notes: s.notes }, job),
  });
  ctx.jobs.define('pitr.receiveWal', {
    title: (s) => `Stream WAL of ${s.profile} (${s.role}) with pg_receivewal`,
    run: (s, job) => runWalStream(ctx, { profile: s.profile, role: s.role, dir: s.dir, slot: s.slot }, job),
  });
  ctx.jobs.define('pitr.azureRestore', {
    title: (s) => `Azure restore of ${s.profile} to ${s.targetUtc} as ${s.newMainServer}`,
    run: (s, job) => runAzureRestore(ctx, { profile: s.profile, targetUtc: s.targetUtc, newMainServer: s.newMainServer, newAuditServer: s.newAuditServer, updateProfile: s.updateProfile }, job),
  });
}
