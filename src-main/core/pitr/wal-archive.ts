import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../common/errors';
import { runChild } from '../jobs/runner';
import { parseWalFileName, type WalFileName } from './wal-names';

/**
 * Reading a WAL archive folder: which segments are there, and the exact time of the last
 * transaction in them. Times come from the WAL itself (pg_waldump prints each commit's timestamp),
 * not from file modification times, which say when a file was copied, not what it contains.
 */

export interface ArchiveListing {
  dir: string;
  segments: WalFileName[];
  newestMtime: string | null;
}

export function listArchive(dir: string, segSize: number): ArchiveListing {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw new AppError('NotFound', `The WAL archive folder ${dir} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}).`, 'Check the folder in `custodian pitr config --archive-dir`, that the share is mounted and that you may read it.');
  }
  const segments: WalFileName[] = [];
  let newest = 0;
  for (const n of names) {
    const w = parseWalFileName(n, segSize);
    if (!w) continue;
    segments.push(w);
    try {
      newest = Math.max(newest, fs.statSync(path.join(dir, n)).mtimeMs);
    } catch {
      // a file removed while listing is simply not there
    }
  }
  segments.sort((a, b) => a.segno - b.segno || a.timeline - b.timeline);
  return { dir, segments, newestMtime: newest ? new Date(newest).toISOString() : null };
}

/** Pure: commit/abort timestamps in pg_waldump output printed with TZ=UTC. */
export function parseWaldumpTimes(out: string): { lsn: string; at: string }[] {
  const re = /lsn: ([0-9A-F]+\/[0-9A-F]+),.*desc: (?:COMMIT|ABORT) (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) UTC/g;
  const found: { lsn: string; at: string }[] = [];
  for (const m of out.matchAll(re)) {
    const frac = (m[3]!.split('.')[1] ?? '').padEnd(3, '0').slice(0, 3);
    found.push({ lsn: m[1]!, at: `${m[2]}T${m[3]!.split('.')[0]}.${frac}Z` });
  }
  return found;
}

/** Commit/abort times inside one archived segment (pg_waldump stops with an error at the end of usable WAL: expected). */
export async function segmentCommitTimes(waldump: string, dir: string, seg: WalFileName, signal?: AbortSignal): Promise<{ lsn: string; at: string }[]> {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC', LC_ALL: 'C' };
  const r = await runChild(waldump, ['--path', dir, '--rmgr=Transaction', seg.name, seg.name], { env, okCodes: [0, 1] }, signal);
  return parseWaldumpTimes(r.stdout);
}

/**
 * The last transaction time in the archive, looking back from `upTo` (the newest segment reachable
 * without a gap) but never before `notBefore` (the base backup's segment). Null when there is none.
 */
export async function lastTransactionTime(waldump: string, dir: string, segments: WalFileName[], notBeforeSegno: number, upTo: WalFileName, signal?: AbortSignal): Promise<{ at: string; segment: string } | null> {
  const candidates = segments.filter((s) => s.segno >= notBeforeSegno && s.segno <= upTo.segno).sort((a, b) => b.segno - a.segno || b.timeline - a.timeline);
  for (const seg of candidates) {
    const times = await segmentCommitTimes(waldump, dir, seg, signal);
    if (times.length) return { at: times.map((t) => t.at).sort().at(-1)!, segment: seg.name };
  }
  return null;
}
