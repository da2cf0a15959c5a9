import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { PitrRole, Recovery } from '../../contract/pitr';
import type { DatabaseEndpoint } from '../../contract/profiles';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { AppError, toErrorData } from '../common/errors';
import { resolveProfile } from '../connections/profile-store';
import { clusterLayout, freePort, prepareOwnership } from '../sandbox/local-cluster';
import { runChild } from '../jobs/runner';
import { verifyBackupDir } from './base-backup';
import { pitrStore } from './pitr-store';
import { writeScratchConfig } from './scratch-config';
import { cleanupInterruptedRecoveries, confirmPromoted, followRecovery, removeScratch, scratchRoot, serverBinariesFor, startNoWait, stopInstance } from './scratch-instance';
import { planRecovery } from './window';
import { segnoOfLsn } from './wal-names';

/**
 * `custodian pitr recover --to TIME`: checks the time against the recoverable window, copies the
 * chosen (re-verified) base backup into a scratch folder, configures it to replay the archive up to
 * the time and promote, starts it and follows its log, and confirms it is out of recovery. The
 * instance is kept running ("ready") for inspection and copy-back until discarded. Production is
 * only read (its archive folder), never written.
 */

const MAX_SOCKET_DIR = 90;
const isRoot = () => process.platform !== 'win32' && process.getuid?.() === 0;

export function scratchEndpoint(r: Pick<Recovery, 'host' | 'port' | 'database' | 'user'>): DatabaseEndpoint {
  if (!r.host || !r.port) throw new AppError('Conflict', 'This recovered instance is not running.', 'Run the recovery again.');
  return { host: r.host, port: r.port, database: r.database, user: r.user, sslmode: 'disable' };
}

/** As root PostgreSQL runs as `postgres`, which must be able to read the archive for restore_command. */
async function assertArchiveReadableByServer(archiveDir: string): Promise<void> {
  if (!isRoot()) return;
  try {
    await runChild('runuser', ['-u', 'postgres', '--', 'test', '-r', archiveDir, '-a', '-x', archiveDir], {});
  } catch {
    throw new AppError('Forbidden', `The postgres user cannot read the WAL archive ${archiveDir}.`, 'Give the postgres user read access to the folder (e.g. chmod o+rx, or add it to the folder’s group).');
  }
}

export async function runRecovery(ctx: CoreContext, o: { profile: string; role: PitrRole; targetUtc: string; backupId: string | null }, job: JobContext): Promise<Recovery> {
  const profile = resolveProfile(ctx, o.profile);
  const cleaned = await cleanupInterruptedRecoveries(ctx);
  if (cleaned.length) job.log('warn', `Removed ${cleaned.length} scratch instance(s) left by an interrupted recovery: ${cleaned.join(', ')}`);
  job.progress(0, 'Checking the time against the recoverable window');
  const plan = await planRecovery(ctx, profile.name, o.role, o.targetUtc, o.backupId, job.signal);
  const target = new Date(o.targetUtc).toISOString();
  job.log('info', `Base backup ${plan.backup.id} (ended ${plan.backup.finishedAt}), WAL from ${plan.archiveDir}, target ${target}.`);
  job.progress(0.02, 'Verifying the base backup (pg_verifybackup)');
  await verifyBackupDir(ctx, plan.backup.path, plan.backup.serverMajor, job);
  const bins = await serverBinariesFor(ctx, plan.backup.serverMajor);
  await assertArchiveReadableByServer(plan.archiveDir);

  const id = `rc-${target.replace(/[-:]/g, '').replace('T', '-').slice(0, 15).toLowerCase()}-${randomBytes(3).toString('hex')}`;
  const dir = path.join(scratchRoot(ctx), id);
  const l = clusterLayout(dir);
  const endpointRole = profile[o.role];
  pitrStore.insertRecovery(ctx, { id, profile: profile.name, role: o.role, backupId: plan.backup.id, targetUtc: target, dir, host: null, port: null, database: endpointRole.database, user: endpointRole.user, startedAt: new Date().toISOString() });
  try {
    fs.mkdirSync(l.socketDir, { recursive: true, mode: 0o700 });
    job.progress(0.05, 'Copying the base backup into the scratch folder');
    fs.cpSync(plan.backup.path, l.dataDir, { recursive: true });
    job.throwIfCancelled();
    const socketDir = process.platform === 'win32' || l.socketDir.length > MAX_SOCKET_DIR ? null : l.socketDir;
    const fromSegno = segnoOfLsn(plan.backup.endLsn!, plan.backup.walSegmentSize);
    const totalSegs = Math.max(1, plan.lastSegno - fromSegno + 1);
    let port = 0;
    let state = null as Awaited<ReturnType<typeof followRecovery>> | null;
    // A port can be taken between choosing and binding it: try again with another.
    for (let attempt = 0; attempt < 3; attempt++) {
      port = await freePort();
      writeScratchConfig(l.dataDir, { archiveDir: plan.archiveDir, targetUtc: target, port, socketDir, platform: process.platform });
      prepareOwnership(l.dir);
      fs.rmSync(l.logFile, { force: true });
      pitrStore.updateRecovery(ctx, id, { host: socketDir ?? '127.0.0.1', port });
      job.progress(0.1, `Starting PostgreSQL ${bins.major} in recovery on port ${port}`);
      await startNoWait(bins, l, job.signal);
      state = await followRecovery(dir, {
        signal: job.signal,
        onLine: (line) => /LOG:|FATAL|PANIC|WARNING/.test(line) && job.log(/FATAL|PANIC/.test(line) ? 'error' : 'info', line.replace(/^\S+ \S+ \S+ \[\d+\] /, '')),
        onState: (s) => job.progress(0.1 + 0.8 * Math.min(1, s.restoredCount / totalSegs), s.lastRestored ? `Replaying WAL: ${s.restoredCount} of about ${totalSegs} files (${s.lastRestored})` : 'Replaying WAL'),
      });
      if (!state.portInUse) break;
      job.log('warn', `Port ${port} was taken; trying another.`);
      await stopInstance(bins, dir, 'immediate');
      // Let the data folder be started afresh: config is rewritten in the next round.
      fs.renameSync(path.join(l.dataDir, 'postgresql.conf'), path.join(l.dataDir, `postgresql.conf.port${port}`));
      for (const f of ['postgresql.auto.conf', 'pg_hba.conf', 'pg_ident.conf']) fs.rmSync(path.join(l.dataDir, f), { force: true });
    }
    if (!state || state.portInUse) throw new AppError('Conflict', 'No free port could be bound for the scratch instance.', 'Close other PostgreSQL instances on this computer and try again.');
    job.progress(0.92, 'Confirming the recovered copy is promoted and consistent');
    if (!state.consistent) throw new AppError('Internal', 'PostgreSQL did not report a consistent state before opening.', `Read ${l.logFile}.`);
    const recovery = pitrStore.recovery(ctx, id);
    await confirmPromoted(scratchEndpoint(recovery), job.signal);
    pitrStore.updateRecovery(ctx, id, { state: 'ready', stoppedAt: state.stoppedAt, finishedAt: new Date().toISOString() });
    job.log('info', `Recovered to ${target}: stopped ${state.stoppedAt ?? 'at the end of the archive'}. Scratch instance ${id} is running for inspection and copy-back.`);
    return pitrStore.recovery(ctx, id);
  } catch (e) {
    await removeScratch(ctx, dir).catch(() => undefined);
    pitrStore.updateRecovery(ctx, id, { state: 'failed', finishedAt: new Date().toISOString(), error: toErrorData(e) });
    throw e;
  }
}

/** Stops and deletes a recovered instance; the record stays, marked discarded. */
export async function discardRecovery(ctx: CoreContext, id: string): Promise<Recovery> {
  const r = pitrStore.recovery(ctx, id);
  if (r.state === 'recovering' && (r.ownerPid === process.pid || isAlive(r.ownerPid))) {
    throw new AppError('Conflict', `Recovery ${id} is still running.`, 'Cancel its job first.');
  }
  await removeScratch(ctx, r.dir);
  pitrStore.updateRecovery(ctx, id, { state: 'discarded', finishedAt: r.finishedAt ?? new Date().toISOString() });
  return pitrStore.recovery(ctx, id);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The ready recovery to use: the one named, else the newest ready one of the profile. */
export function readyRecovery(ctx: CoreContext, profile: string, id?: string | null): Recovery {
  const r = id ? pitrStore.recovery(ctx, id) : pitrStore.recoveries(ctx, profile, ['ready'])[0];
  if (!r) throw new AppError('NotFound', `There is no recovered copy for "${profile}".`, 'Recover to a time first (`custodian pitr recover --to "..."`).');
  if (r.state !== 'ready') throw new AppError('Conflict', `Recovery ${r.id} is ${r.state}, not ready.`, 'Use a recovery that finished, or run a new one.');
  return r;
}
