import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';

/**
 * Custodian's data folder: the SQLite log, settings, profiles and custody records (never keys).
 * CUSTODIAN_HOME overrides it for tests and scripted use; otherwise the OS convention.
 */
export function dataFolder(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.CUSTODIAN_HOME) return path.resolve(env.CUSTODIAN_HOME);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Custodian');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Custodian');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Custodian');
}

export function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
