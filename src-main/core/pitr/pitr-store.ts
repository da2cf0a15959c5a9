import path from 'node:path';
import type { AzureConfig, BaseBackup, PitrConfig, PitrRole, Recovery } from '../../contract/pitr';
import { AzureConfigSchema } from '../../contract/pitr';
import type { AppErrorData } from '../../contract/errors';
import type { CoreContext } from '../context';
import { AppError } from '../common/errors';

/**
 * PITR records in the SQLite log: where each server's WAL archive is, the base backup catalogue
 * (with LSNs and server-clock times), and scratch recoveries (so a run killed half-way is found
 * and cleaned up on the next start). Paths, LSNs and times only; never a password or a row.
 */

interface ConfigRow {
  profile: string;
  role: PitrRole;
  archive_dir: string | null;
  backup_dir: string | null;
  azure_json: string | null;
}
interface BackupRow {
  id: string;
  profile: string;
  role: PitrRole;
  path: string;
  state: BaseBackup['state'];
  started_at: string;
  finished_at: string | null;
  start_lsn: string | null;
  end_lsn: string | null;
  timeline: number | null;
  server_major: number;
  wal_segment_size: number;
  size_bytes: number | null;
  verified_at: string | null;
  error_json: string | null;
}
interface RecoveryRow {
  id: string;
  profile: string;
  role: PitrRole;
  backup_id: string;
  target_utc: string;
  state: Recovery['state'];
  dir: string;
  host: string | null;
  port: number | null;
  database_name: string;
  user_name: string;
  owner_pid: number;
  stopped_at: string | null;
  started_at: string;
  finished_at: string | null;
  error_json: string | null;
}

const parseJson = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));

export function pitrRoot(ctx: Pick<CoreContext, 'home'>): string {
  return path.join(ctx.home, 'pitr');
}

export const pitrStore = {
  config(ctx: CoreContext, profile: string, role: PitrRole): PitrConfig {
    const r = ctx.log.prepare(`SELECT * FROM pitr_config WHERE profile = ? AND role = ?`).get(profile, role) as ConfigRow | undefined;
    return { profile, role, archiveDir: r?.archive_dir ?? null, backupDir: r?.backup_dir ?? null };
  },

  setConfig(ctx: CoreContext, c: PitrConfig): PitrConfig {
    ctx.log
      .prepare(
        `INSERT INTO pitr_config (profile, role, archive_dir, backup_dir, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (profile, role) DO UPDATE SET archive_dir = excluded.archive_dir, backup_dir = excluded.backup_dir, updated_at = excluded.updated_at`,
      )
      .run(c.profile, c.role, c.archiveDir, c.backupDir, new Date().toISOString());
    return pitrStore.config(ctx, c.profile, c.role);
  },

  /** Azure settings live on the main row (one per profile). */
  azure(ctx: CoreContext, profile: string): AzureConfig | null {
    const r = ctx.log.prepare(`SELECT azure_json FROM pitr_config WHERE profile = ? AND role = 'main'`).get(profile) as { azure_json: string | null } | undefined;
    return r?.azure_json ? AzureConfigSchema.parse(JSON.parse(r.azure_json)) : null;
  },

  setAzure(ctx: CoreContext, profile: string, azure: AzureConfig): AzureConfig {
    ctx.log
      .prepare(
        `INSERT INTO pitr_config (profile, role, azure_json, updated_at) VALUES (?, 'main', ?, ?)
         ON CONFLICT (profile, role) DO UPDATE SET azure_json = excluded.azure_json, updated_at = excluded.updated_at`,
      )
      .run(profile, JSON.stringify(azure), new Date().toISOString());
    return azure;
  },

  insertBackup(ctx: CoreContext, b: Pick<BaseBackup, 'id' | 'profile' | 'role' | 'path' | 'startedAt' | 'serverMajor' | 'walSegmentSize'>, jobId: string | null): void {
    ctx.log
      .prepare(`INSERT INTO pitr_base_backups (id, profile, role, path, state, started_at, server_major, wal_segment_size, job_id) VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?)`)
      .run(b.id, b.profile, b.role, b.path, b.startedAt, b.serverMajor, b.walSegmentSize, jobId);
  },

  finishBackup(ctx: CoreContext, id: string, f: Partial<Pick<BaseBackup, 'path' | 'finishedAt' | 'startLsn' | 'endLsn' | 'timeline' | 'sizeBytes' | 'verifiedAt'>> & { state: BaseBackup['state']; error?: AppErrorData | null }): void {
    ctx.log
      .prepare(
        `UPDATE pitr_base_backups SET state = ?, path = COALESCE(?, path), finished_at = COALESCE(?, finished_at), start_lsn = COALESCE(?, start_lsn), end_lsn = COALESCE(?, end_lsn),
         timeline = COALESCE(?, timeline), size_bytes = COALESCE(?, size_bytes), verified_at = COALESCE(?, verified_at), error_json = ? WHERE id = ?`,
      )
      .run(f.state, f.path ?? null, f.finishedAt ?? null, f.startLsn ?? null, f.endLsn ?? null, f.timeline ?? null, f.sizeBytes ?? null, f.verifiedAt ?? null, f.error ? JSON.stringify(f.error) : null, id);
  },

  backup(ctx: CoreContext, id: string): BaseBackup {
    const r = ctx.log.prepare(`SELECT * FROM pitr_base_backups WHERE id = ?`).get(id) as BackupRow | undefined;
    if (!r) throw new AppError('NotFound', `There is no base backup "${id}".`, 'List them with `custodian pitr backups`.');
    return toBackup(r);
  },

  backups(ctx: CoreContext, profile: string | null, role?: PitrRole): BaseBackup[] {
    const rows = ctx.log
      .prepare(`SELECT * FROM pitr_base_backups WHERE (? IS NULL OR profile = ?) AND (? IS NULL OR role = ?) ORDER BY started_at DESC`)
      .all(profile, profile, role ?? null, role ?? null) as BackupRow[];
    return rows.map(toBackup);
  },

  insertRecovery(ctx: CoreContext, r: Omit<Recovery, 'state' | 'stoppedAt' | 'finishedAt' | 'error'>): void {
    ctx.log
      .prepare(
        `INSERT INTO pitr_recoveries (id, profile, role, backup_id, target_utc, state, dir, host, port, database_name, user_name, owner_pid, started_at)
         VALUES (?, ?, ?, ?, ?, 'recovering', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.id, r.profile, r.role, r.backupId, r.targetUtc, r.dir, r.host, r.port, r.database, r.user, process.pid, r.startedAt);
  },

  updateRecovery(ctx: CoreContext, id: string, f: Partial<Pick<Recovery, 'host' | 'port' | 'stoppedAt' | 'finishedAt'>> & { state?: Recovery['state']; error?: AppErrorData | null }): void {
    ctx.log
      .prepare(
        `UPDATE pitr_recoveries SET state = COALESCE(?, state), host = COALESCE(?, host), port = COALESCE(?, port), stopped_at = COALESCE(?, stopped_at),
         finished_at = COALESCE(?, finished_at), error_json = COALESCE(?, error_json) WHERE id = ?`,
      )
      .run(f.state ?? null, f.host ?? null, f.port ?? null, f.stoppedAt ?? null, f.finishedAt ?? null, f.error ? JSON.stringify(f.error) : null, id);
  },

  recovery(ctx: CoreContext, id: string): Recovery & { ownerPid: number } {
    const r = ctx.log.prepare(`SELECT * FROM pitr_recoveries WHERE id = ?`).get(id) as RecoveryRow | undefined;
    if (!r) throw new AppError('NotFound', `There is no recovery "${id}".`, 'List them with `custodian pitr recoveries`.');
    return toRecovery(r);
  },

  recoveries(ctx: CoreContext, profile: string | null, states?: Recovery['state'][]): Array<Recovery & { ownerPid: number }> {
    const rows = ctx.log.prepare(`SELECT * FROM pitr_recoveries WHERE (? IS NULL OR profile = ?) ORDER BY started_at DESC`).all(profile, profile) as RecoveryRow[];
    return rows.map(toRecovery).filter((r) => !states || states.includes(r.state));
  },
};

function toBackup(r: BackupRow): BaseBackup {
  return {
    id: r.id,
    profile: r.profile,
    role: r.role,
    path: r.path,
    state: r.state,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    startLsn: r.start_lsn,
    endLsn: r.end_lsn,
    timeline: r.timeline,
    serverMajor: r.server_major,
    walSegmentSize: r.wal_segment_size,
    sizeBytes: r.size_bytes,
    verifiedAt: r.verified_at,
    error: parseJson(r.error_json),
  };
}

function toRecovery(r: RecoveryRow): Recovery & { ownerPid: number } {
  return {
    id: r.id,
    profile: r.profile,
    role: r.role,
    backupId: r.backup_id,
    targetUtc: r.target_utc,
    state: r.state,
    dir: r.dir,
    host: r.host,
    port: r.port,
    database: r.database_name,
    user: r.user_name,
    stoppedAt: r.stopped_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: parseJson(r.error_json),
    ownerPid: r.owner_pid,
  };
}
