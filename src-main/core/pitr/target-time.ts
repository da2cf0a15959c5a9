import type { ParsedTarget } from '../../contract/pitr';
import { AppError } from '../common/errors';

/**
 * Reads the moment a user wants to recover to. People type local wall-clock times ("2026-11-30
 * 10:04"), ISO times with an offset ("...T15:04:05Z", "...-05:00") or a wall time with an IANA
 * zone ("2026-11-30 10:04 America/Toronto"). Wall times are read in `zone` (the computer's zone by
 * default). A wall time that happens twice (autumn clock change) or never (spring gap) is refused
 * with both readings spelled out; abbreviations like "EST" are refused because they are ambiguous.
 */

const WALL_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/;
const OFFSET_RE = /^(Z|[+-]\d{2}(?::?\d{2})?)$/i;

export function systemZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Offset of `zone` from UTC at instant `ms`, in minutes (Toronto in winter: -300). */
export function zoneOffsetMinutes(zone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
export function formatOffset(min: number): string {
  return `UTC${min < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(min) / 60))}:${pad(Math.abs(min) % 60)}`;
}

/** "2026-11-30 10:04:05 (UTC-05:00, America/Toronto)" for an instant in a zone. */
export function formatLocal(ms: number, zone: string): string {
  const off = zoneOffsetMinutes(zone, ms);
  const d = new Date(ms + off * 60_000);
  const frac = ms % 1000 ? `.${pad(ms % 1000, 3)}` : '';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac} (${formatOffset(off)}, ${zone})`;
}

/** Every instant at which the wall clock in `zone` shows `wallMs` (read as if UTC): 0, 1 or 2. */
export function wallTimeCandidates(wallMs: number, zone: string): number[] {
  const offsets = new Set([-36, -12, 0, 12, 36].map((h) => zoneOffsetMinutes(zone, wallMs + h * 3_600_000)));
  const out = new Set<number>();
  for (const off of offsets) {
    const t = wallMs - off * 60_000;
    if (zoneOffsetMinutes(zone, t) === off) out.add(t);
  }
  return [...out].sort((a, b) => a - b);
}

function bad(message: string, hint: string): AppError {
  return new AppError('Validation', message, hint);
}

const EXAMPLES = 'Examples: "2026-11-30 10:04" (your computer’s time zone), "2026-11-30 10:04 America/Toronto", "2026-11-30T15:04:00Z" (UTC) or "2026-11-30T10:04:00-05:00".';

function parseWall(text: string): { wallMs: number } | null {
  const m = WALL_RE.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s, f] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0', (m[7] ?? '').padEnd(3, '0').slice(0, 3)].map((x) => Number(x || 0));
  const wallMs = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, f!);
  const check = new Date(wallMs);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo! - 1 || check.getUTCDate() !== d || h! > 23 || mi! > 59 || s! > 59) {
    throw bad(`"${text}" is not a real date and time.`, EXAMPLES);
  }
  return { wallMs };
}

function offsetMinutes(text: string): number {
  if (/^z$/i.test(text)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(text)!;
  const h = Number(m[2]);
  const mi = Number(m[3] ?? 0);
  if (h > 14 || mi > 59) throw bad(`"${text}" is not a real UTC offset (they run from -12:00 to +14:00).`, EXAMPLES);
  return (m[1] === '-' ? -1 : 1) * (h * 60 + mi);
}

/** Parses the user's input into an exact instant; `zone` is where wall times without a zone are read. */
export function parseTargetTime(input: string, zone: string = systemZone()): ParsedTarget {
  const text = input.trim().replace(/\s+/g, ' ');
  if (!text) throw bad('No time was given.', EXAMPLES);
  if (!isValidZone(zone)) throw bad(`"${zone}" is not a time zone this computer knows.`, 'Use an IANA zone name such as America/Toronto or UTC.');

  // 1. ISO with an offset or Z, glued or separated by a space: exact.
  const iso = /^(.*?\d)(?: ?)(Z|[+-]\d{2}(?::?\d{2})?)$/i.exec(text);
  if (iso && OFFSET_RE.test(iso[2]!) && WALL_RE.test(iso[1]!)) {
    const { wallMs } = parseWall(iso[1]!)!;
    const off = offsetMinutes(iso[2]!);
    const ms = wallMs - off * 60_000;
    const localOff = zoneOffsetMinutes(zone, ms);
    const note = off === localOff ? null : `You gave the time in ${formatOffset(off)}; in ${zone} that is ${formatLocal(ms, zone)}.`;
    return { input, utc: new Date(ms).toISOString(), zone, local: formatLocal(ms, zone), note };
  }

  // 2. A wall time followed by a zone word: an IANA name is fine, an abbreviation is not.
  const withZone = /^(\d{4}-\d{2}-\d{2}[T ][\d:.]+) ([A-Za-z][\w+\-/]*)$/.exec(text);
  let readZone = zone;
  let wallText = text;
  if (withZone) {
    const z = withZone[2]!;
    if (/^(utc|gmt)$/i.test(z)) readZone = 'UTC';
    else if (z.includes('/') && isValidZone(z)) readZone = z;
    else if (/^[A-Z]{2,5}$/.test(z)) {
      throw bad(`"${z}" is a time-zone abbreviation, and abbreviations are ambiguous (EST, CST and IST each mean several zones).`, `Write the offset instead (e.g. -05:00) or a zone name such as America/Toronto. ${EXAMPLES}`);
    } else throw bad(`"${z}" is not a time zone this computer knows.`, `Use a zone name such as America/Toronto, or an offset. ${EXAMPLES}`);
    wallText = withZone[1]!;
  }
  const wall = parseWall(wallText);
  if (!wall) throw bad(`Custodian could not read "${input}" as a date and time.`, EXAMPLES);
  const candidates = wallTimeCandidates(wall.wallMs, readZone);
  if (candidates.length === 0) {
    throw bad(`${wallText} never happened in ${readZone}: the clocks jumped forward over it.`, `Pick a time outside the clock change, or give the offset explicitly. ${EXAMPLES}`);
  }
  if (candidates.length > 1) {
    const readings = candidates.map((c) => `${new Date(c).toISOString()} (${formatOffset(zoneOffsetMinutes(readZone, c))})`).join(' or ');
    throw bad(`${wallText} happened twice in ${readZone} (the clocks went back): it could mean ${readings}.`, `Add the offset to say which one, e.g. "${wallText}${formatOffset(zoneOffsetMinutes(readZone, candidates[0]!)).slice(3)}".`);
  }
  const ms = candidates[0]!;
  const note = readZone === zone ? null : `Read in ${readZone}; in ${zone} that is ${formatLocal(ms, zone)}.`;
  return { input, utc: new Date(ms).toISOString(), zone, local: formatLocal(ms, zone), note };
}
