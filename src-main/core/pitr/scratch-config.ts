import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../common/errors';

/**
 * Pure-ish: turns a copy of a base backup into a data folder that recovers to a time and then
 * stops being a copy of production's configuration. Production's own postgresql.conf,
 * postgresql.auto.conf and pg_hba.conf are set aside (renamed *.production) because they point at
 * its archive, its certificates and its libraries: a scratch instance must never archive into
 * production's WAL archive, nor accept logins from the network.
 */

export interface ScratchConfigInput {
  archiveDir: string;
  targetUtc: string;
  port: number;
  /** Null where there is no unix socket (Windows): then TCP on 127.0.0.1 is trusted instead. */
  socketDir: string | null;
  platform: NodeJS.Platform;
}

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The shell command PostgreSQL runs to fetch one WAL file from the archive (%f name, %p destination). */
export function restoreCommand(archiveDir: string, platform: NodeJS.Platform): string {
  if (/["%\n\r]/.test(archiveDir)) {
    throw new AppError('Validation', `The archive folder "${archiveDir}" contains a character (", % or a line break) that cannot be passed to restore_command safely.`, 'Rename the folder or use a different mount point.');
  }
  if (platform === 'win32') return `copy "${path.win32.join(archiveDir, '%f')}" "%p"`;
  return `cp "${path.posix.join(archiveDir, '%f')}" "%p"`;
}

/** Pure: the scratch instance's postgresql.conf. */
export function scratchPostgresqlConf(i: ScratchConfigInput): string {
  const pgTime = i.targetUtc.replace('T', ' ').replace(/Z$/, '+00');
  const settings: Array<[string, string]> = [
    // 127.0.0.1 only; pg_hba.conf below refuses TCP logins where a private socket exists.
    ['listen_addresses', literal('127.0.0.1')],
    ['port', String(i.port)],
    ['unix_socket_directories', literal(i.socketDir ?? '')],
    ['max_connections', '20'],
    ['shared_buffers', literal('128MB')],
    // Without hot standby nobody can read a half-recovered database, and production's
    // max_connections & co. need not be matched; the instance opens once it is promoted.
    ['hot_standby', 'off'],
    // Never write into production's WAL archive.
    ['archive_mode', 'off'],
    ['archive_command', literal('')],
    ['shared_preload_libraries', literal('')],
    ['ssl', 'off'],
    // Throwaway instance: speed over crash safety.
    ['fsync', 'off'],
    ['synchronous_commit', 'off'],
    ['logging_collector', 'off'],
    ['log_line_prefix', literal('%m [%p] ')],
    ['log_timezone', literal('UTC')],
    ['timezone', literal('UTC')],
    ['restore_command', literal(restoreCommand(i.archiveDir, i.platform))],
    ['recovery_target_time', literal(pgTime)],
    ['recovery_target_action', literal('promote')],
    ['recovery_target_timeline', literal('latest')],
  ];
  return `# Written by Custodian for a point-in-time recovery scratch instance.\n${settings.map(([k, v]) => `${k} = ${v}`).join('\n')}\n`;
}

export function scratchHba(i: Pick<ScratchConfigInput, 'platform' | 'socketDir'>): string {
  // The socket folder is private to the user running PostgreSQL, so trusting it lets only that
  // user (and root) in. Windows has no such folder: trust 127.0.0.1 for the instance's short life.
  const tcp = i.platform === 'win32' || !i.socketDir ? 'host all all 127.0.0.1/32 trust' : 'host all all 127.0.0.1/32 reject';
  return `# Custodian scratch instance: local logins only.\nlocal all all trust\n${tcp}\nhost all all ::1/128 reject\n`;
}

const SET_ASIDE = ['postgresql.conf', 'postgresql.auto.conf', 'pg_hba.conf', 'pg_ident.conf'];

/** Rewrites the configuration of a copied base backup in `dataDir` and asks for recovery. */
export function writeScratchConfig(dataDir: string, i: ScratchConfigInput): void {
  for (const f of SET_ASIDE) {
    const p = path.join(dataDir, f);
    if (fs.existsSync(p)) fs.renameSync(p, `${p}.production`);
  }
  fs.writeFileSync(path.join(dataDir, 'postgresql.conf'), scratchPostgresqlConf(i));
  fs.writeFileSync(path.join(dataDir, 'postgresql.auto.conf'), '# Intentionally empty: production settings are in postgresql.auto.conf.production\n');
  fs.writeFileSync(path.join(dataDir, 'pg_hba.conf'), scratchHba(i));
  fs.writeFileSync(path.join(dataDir, 'pg_ident.conf'), '');
  // A backup of a standby may carry standby.signal; this instance recovers once and promotes.
  fs.rmSync(path.join(dataDir, 'standby.signal'), { force: true });
  fs.rmSync(path.join(dataDir, 'postmaster.pid'), { force: true });
  fs.writeFileSync(path.join(dataDir, 'recovery.signal'), '');
  fs.chmodSync(dataDir, 0o700);
}
