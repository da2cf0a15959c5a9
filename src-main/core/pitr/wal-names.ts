/**
 * Pure helpers for WAL positions and file names, so continuity checks are tested without a server.
 * A WAL file name is 24 hex digits: timeline (8), "log" (8), segment within the log (8). With a
 * segment size S there are 2^32 / S segments per log (256 for the default 16 MB).
 */

export interface WalFileName {
  name: string;
  timeline: number;
  /** Absolute segment number: log * segmentsPerLog + seg. */
  segno: number;
}

const WAL_RE = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/;

export const segmentsPerLog = (segSize: number) => 0x1_0000_0000 / segSize;

/** "16/B374D848" → 0x16B374D848 as a bigint-safe number (LSNs fit in 2^53 for any real server). */
export function parseLsn(lsn: string): number {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn.trim());
  if (!m) throw new Error(`"${lsn}" is not a WAL position (LSN).`);
  return Number.parseInt(m[1]!, 16) * 0x1_0000_0000 + Number.parseInt(m[2]!, 16);
}

export function formatLsn(n: number): string {
  const hi = Math.floor(n / 0x1_0000_0000);
  const lo = n % 0x1_0000_0000;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

export const segnoOfLsn = (lsn: string, segSize: number) => Math.floor(parseLsn(lsn) / segSize);

export function walFileName(timeline: number, segno: number, segSize: number): string {
  const per = segmentsPerLog(segSize);
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
  return `${hex(timeline)}${hex(Math.floor(segno / per))}${hex(segno % per)}`;
}

export function parseWalFileName(name: string, segSize: number): WalFileName | null {
  const m = WAL_RE.exec(name);
  if (!m) return null;
  const per = segmentsPerLog(segSize);
  const seg = Number.parseInt(m[3]!, 16);
  if (seg >= per) return null;
  return { name, timeline: Number.parseInt(m[1]!, 16), segno: Number.parseInt(m[2]!, 16) * per + seg };
}

export interface Continuity {
  /** Highest segment reachable without a gap from `fromSegno` (null when even the first is missing). */
  lastContiguous: WalFileName | null;
  /** Names of missing segments between `fromSegno` and the newest archived one (first few). */
  missing: string[];
  newest: WalFileName | null;
}

/**
 * Walks the archive from `fromSegno` upwards. Any timeline at or above the backup's counts (a
 * promoted server continues on a higher timeline; recovery follows the latest). Stops at the first
 * gap but keeps listing what is missing before the newest file, so the user sees the whole hole.
 */
export function checkContinuity(files: WalFileName[], fromSegno: number, minTimeline: number, segSize: number, maxMissing = 10): Continuity {
  const bySeg = new Map<number, WalFileName>();
  for (const f of files) {
    if (f.timeline < minTimeline) continue;
    const prev = bySeg.get(f.segno);
    if (!prev || f.timeline > prev.timeline) bySeg.set(f.segno, f);
  }
  let newest: WalFileName | null = null;
  for (const f of bySeg.values()) if (f.segno >= fromSegno && (!newest || f.segno > newest.segno)) newest = f;
  let lastContiguous: WalFileName | null = null;
  const missing: string[] = [];
  if (!newest) return { lastContiguous, missing: [walFileName(minTimeline, fromSegno, segSize)], newest };
  let broken = false;
  for (let s = fromSegno; s <= newest.segno; s++) {
    const f = bySeg.get(s);
    if (f && !broken) lastContiguous = f;
    else if (!f) {
      broken = true;
      if (missing.length < maxMissing) missing.push(walFileName(lastContiguous?.timeline ?? minTimeline, s, segSize));
    }
  }
  return { lastContiguous, missing, newest };
}
