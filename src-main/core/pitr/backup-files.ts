import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../common/errors';

/** Small file helpers for base backups: sizes, the manifest's WAL range. */

/** Total size of a folder tree in bytes (0 when it does not exist yet). */
export function dirSize(dir: string): number {
  let total = 0;
  const walk = (p: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(p, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(p, e.name);
      if (e.isDirectory()) walk(full);
      else {
        try {
          total += fs.statSync(full).size;
        } catch {
          // a file pg_basebackup renamed meanwhile
        }
      }
    }
  };
  walk(dir);
  return total;
}

export interface WalRange {
  timeline: number;
  startLsn: string;
  endLsn: string;
}

/**
 * The WAL range the backup needs, from its backup_manifest (written by the server, checked by
 * pg_verifybackup): recovery is consistent once it has replayed up to End-LSN.
 */
export function readManifestWalRange(dir: string): WalRange {
  let manifest: { 'WAL-Ranges'?: Array<{ Timeline: number; 'Start-LSN': string; 'End-LSN': string }> };
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, 'backup_manifest'), 'utf8'));
  } catch (e) {
    throw new AppError('Conflict', `The base backup in ${dir} has no readable backup_manifest.`, 'Take a new base backup; this one is incomplete.', { cause: e });
  }
  const ranges = manifest['WAL-Ranges'] ?? [];
  if (ranges.length === 0) throw new AppError('Conflict', `The backup_manifest in ${dir} lists no WAL range.`, 'Take a new base backup; this one is incomplete.');
  const last = ranges[ranges.length - 1]!;
  return { timeline: last.Timeline, startLsn: ranges[0]!['Start-LSN'], endLsn: last['End-LSN'] };
}
