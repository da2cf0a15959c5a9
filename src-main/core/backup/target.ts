import fs from 'node:fs';
import path from 'node:path';
import type { CoreContext } from '../context';
import type { Profile } from '../../contract/profiles';
import { AppError } from '../common/errors';
import { withClient } from '../connections/pg-client';

export function defaultBackupFolder(ctx: CoreContext, profile: string): string {
  return path.join(ctx.home, 'backups', profile.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

const isInside = (child: string, parent: string) => {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/**
 * Before anything is dumped: the folder must exist or be creatable, be writable (proved by writing
 * and removing a probe file), and must not be inside the database server's own data folder (a
 * backup that lives with the data dies with it — and writing there can corrupt the cluster).
 */
export async function checkTargetFolder(ctx: CoreContext, profile: Profile, target: string): Promise<void> {
  // Checked before anything is created: a probe file must never land inside a data folder.
  const cluster = enclosingDataFolder(target);
  if (cluster) {
    throw new AppError('Validation', `The backup folder ${target} is inside a PostgreSQL data folder (${cluster}).`, 'Choose a folder outside the data folder, ideally on another disk or machine: a backup kept with the data is lost with it.');
  }
  try {
    fs.mkdirSync(target, { recursive: true, mode: 0o700 });
    const probe = path.join(target, `.custodian-write-test-${process.pid}`);
    fs.writeFileSync(probe, 'ok');
    fs.rmSync(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new AppError('Conflict', `The backup folder ${target} is full.`, 'Free some space there, or choose another folder (an external drive or a network share).');
    throw new AppError('Forbidden', `Custodian cannot write to the backup folder ${target} (${code ?? 'error'}).`, 'Choose a folder you can write to, or ask your administrator for write access to it.');
  }
  const endpoints = [profile.main, profile.audit].filter((e) => LOCAL_HOSTS.has(e.host) || e.host.startsWith('/'));
  if (endpoints.length === 0) return;
  const realTarget = fs.realpathSync(target);
  for (const role of ['main', 'audit'] as const) {
    if (!endpoints.includes(profile[role])) continue;
    const dataDir = await withClient(ctx, profile.name, role, async (c) => {
      try {
        return (await c.query<{ d: string }>(`SELECT current_setting('data_directory') AS d`)).rows[0]!.d;
      } catch {
        return null; // only superusers and pg_read_all_settings may read it; then we cannot check
      }
    });
    if (!dataDir) continue;
    let realData = dataDir;
    try {
      realData = fs.realpathSync(dataDir);
    } catch {
      // not visible from this user: compare the reported path
    }
    if (isInside(realTarget, realData)) {
      throw new AppError('Validation', `The backup folder ${target} is inside the database server's data folder (${dataDir}).`, 'Choose a folder outside the data folder, ideally on another disk or machine: a backup kept with the data is lost with it.');
    }
  }
}

/**
 * Any PostgreSQL data folder above `target` on this machine, recognised by its PG_VERSION file and
 * global/ folder. Needs no database rights (reading data_directory needs superuser or
 * pg_read_all_settings, which a least-privilege backup role does not have).
 */
export function enclosingDataFolder(target: string): string | null {
  let dir = path.resolve(target);
  for (;;) {
    try {
      if (fs.statSync(path.join(dir, 'PG_VERSION')).isFile() && fs.statSync(path.join(dir, 'global')).isDirectory()) return dir;
    } catch {
      // not a data folder (or not readable by us): keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
