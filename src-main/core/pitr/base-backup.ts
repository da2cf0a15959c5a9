import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BaseBackup, PitrRole } from '../../contract/pitr';
import type { CoreContext } from '../context';
import { runChild, type JobContext } from '../jobs/runner';
import { AppError, toErrorData } from '../common/errors';
import { resolveProfile } from '../connections/profile-store';
import { endpointConnectionConfig, withClient } from '../connections/pg-client';
import { pickTool } from '../connections/tool-discovery';
import { pitrRoot, pitrStore } from './pitr-store';
import { dirSize, readManifestWalRange } from './backup-files';

/**
 * `custodian pitr base-backup`: pg_basebackup in plain format with a manifest and the WAL it needs
 * streamed alongside (-X stream), into `<id>.partial`; then pg_verifybackup; only a verified backup
 * is renamed into place and catalogued as usable, with its LSNs and server-clock times.
 */

export function backupFolder(ctx: CoreContext, profile: string, role: PitrRole): string {
  return pitrStore.config(ctx, profile, role).backupDir ?? path.join(pitrRoot(ctx), 'base', `${profile}-${role}`);
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

export function buildBaseBackupArgs(dest: string, label: string): string[] {
  // -c fast: start at once instead of waiting for the next scheduled checkpoint; -w: never prompt.
  return ['-D', dest, '-F', 'p', '-X', 'stream', '-c', 'fast', '--manifest-checksums=SHA256', '-l', label, '-w', '-v'];
}

/** Runs pg_verifybackup; a failure becomes a typed error naming what did not match. */
export async function verifyBackupDir(ctx: CoreContext, dir: string, major: number, job?: Pick<JobContext, 'run'>): Promise<void> {
  const tool = await pickTool(ctx, 'pg_verifybackup', { atLeastMajor: Math.max(13, major) });
  const options = { env: { ...process.env, LC_ALL: 'C' } };
  try {
    await (job ? job.run(tool, ['--quiet', dir], options) : runChild(tool, ['--quiet', dir], options));
  } catch (e) {
    if (e instanceof AppError && e.kind === 'Cancelled') throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new AppError('Conflict', `The base backup in ${dir} failed verification: ${msg.replace(/^pg_verifybackup failed \(exit \d+\): ?/, '')}`, 'Do not use this backup. Take a new base backup (`custodian pitr base-backup`) and check the disk it is stored on.', { cause: e });
  }
}

export async function runBaseBackup(ctx: CoreContext, o: { profile: string; role: PitrRole }, job: JobContext): Promise<BaseBackup> {
  const profile = resolveProfile(ctx, o.profile);
  const facts = await withClient(ctx, profile.name, o.role, async (c) => {
    const r = (
      await c.query<{ v: string; seg: string; now: Date; total: string; spc: string; ok: boolean }>(
        `SELECT current_setting('server_version_num') AS v, (SELECT setting FROM pg_settings WHERE name = 'wal_segment_size') AS seg, now() AS now,
                (SELECT sum(pg_database_size(oid)) FROM pg_database)::text AS total,
                (SELECT count(*) FROM pg_tablespace WHERE spcname NOT IN ('pg_default','pg_global'))::text AS spc,
                (SELECT rolsuper OR rolreplication FROM pg_roles WHERE rolname = current_user) AS ok`,
      )
    ).rows[0]!;
    return { major: Math.floor(Number(r.v) / 10000), segSize: Number(r.seg), now: r.now, total: Number(r.total), tablespaces: Number(r.spc), mayReplicate: r.ok };
  });
  if (!facts.mayReplicate) {
    throw new AppError('Forbidden', `The user "${profile[o.role].user}" may not take base backups.`, `Run \`custodian pitr setup-check\`: it gives the SQL (ALTER ROLE ... REPLICATION) and the pg_hba.conf line.`);
  }
  if (facts.tablespaces > 0) {
    throw new AppError('Validation', 'This server has extra tablespaces; Custodian’s base backups cover the default tablespace only.', 'Move the tables back to pg_default, or back up this server with your own pg_basebackup --tablespace-mapping setup.');
  }
  const basebackup = await pickTool(ctx, 'pg_basebackup', { atLeastMajor: facts.major });
  const folder = backupFolder(ctx, profile.name, o.role);
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  const id = `pb-${stamp(facts.now)}-${randomBytes(3).toString('hex')}`;
  const partial = path.join(folder, `${id}.partial`);
  const final = path.join(folder, id);
  pitrStore.insertBackup(ctx, { id, profile: profile.name, role: o.role, path: final, startedAt: facts.now.toISOString(), serverMajor: facts.major, walSegmentSize: facts.segSize }, job.jobId);
  const conn = await endpointConnectionConfig(ctx, profile.name, o.role);
  const timer = setInterval(() => {
    const done = dirSize(partial);
    job.progress(facts.total > 0 ? Math.min(0.85, (0.85 * done) / facts.total) : null, `Copying the server’s files: ${Math.round(done / 1048576)} of about ${Math.round(facts.total / 1048576)} MB`);
  }, 1000);
  try {
    job.log('info', `pg_basebackup of ${conn.endpoint.host}:${conn.endpoint.port} into ${partial}`);
    job.progress(0, 'Starting the base backup (the server makes a checkpoint first)');
    await job.run(basebackup, buildBaseBackupArgs(partial, `custodian ${id}`), { env: conn.env, onStderrLine: (l) => l.trim() && job.log('info', l.trim()) });
    clearInterval(timer);
    const finishedAt = await withClient(ctx, profile.name, o.role, async (c) => (await c.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now.toISOString());
    job.progress(0.9, 'Verifying the backup with pg_verifybackup');
    await verifyBackupDir(ctx, partial, facts.major, job);
    const wal = readManifestWalRange(partial);
    job.throwIfCancelled();
    fs.renameSync(partial, final);
    const size = dirSize(final);
    const now = new Date().toISOString();
    pitrStore.finishBackup(ctx, id, { state: 'verified', finishedAt, startLsn: wal.startLsn, endLsn: wal.endLsn, timeline: wal.timeline, sizeBytes: size, verifiedAt: now });
    job.log('info', `Base backup ${id} verified: WAL ${wal.startLsn} → ${wal.endLsn} on timeline ${wal.timeline}, ${Math.round(size / 1048576)} MB.`);
    return pitrStore.backup(ctx, id);
  } catch (e) {
    clearInterval(timer);
    fs.rmSync(partial, { recursive: true, force: true });
    pitrStore.finishBackup(ctx, id, { state: 'failed', error: toErrorData(e) });
    throw e;
  }
}
