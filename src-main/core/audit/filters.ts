import net from 'node:net';
import type { AuditFilter } from '../../contract/audit';
import { AppError } from '../common/errors';

/**
 * Turns a filter (data from a form or the command line) into SQL conditions whose values are all
 * bound parameters. Nothing a user types ever becomes SQL text: LIKE wildcards are escaped so
 * `50%` means the three characters, and an IP is validated before PostgreSQL casts it.
 */

export const AUDIT_TABLE = 'public.audit_log';

/** Collects parameters and hands out their `$n` placeholders. */
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

export interface TimeRange {
  from: Date | null;
  to: Date | null;
}

const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);
const ISO_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** ISO 8601 text; without a zone it is local time (a date alone means local midnight). */
export function parseWhen(text: string, label: string): Date {
  const t = text.trim();
  if (!ISO_RE.test(t)) {
    throw new AppError('Validation', `${label} "${t.slice(0, 40)}" is not a date and time.`, 'Write it as 2026-03-01 or 2026-03-01T14:30 (your local time), or with a zone such as 2026-03-01T19:30Z.');
  }
  // JavaScript reads a bare date as UTC but a bare date-time as local: make both local.
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00` : t.replace(' ', 'T'));
  const [y, mo, da] = t.slice(0, 10).split('-').map(Number);
  // Date rolls 31 February over into March; a typo like that must be an error, not another day.
  const probe = new Date(Date.UTC(y!, mo! - 1, da!));
  if (Number.isNaN(d.getTime()) || probe.getUTCMonth() !== mo! - 1 || probe.getUTCDate() !== da) {
    throw new AppError('Validation', `${label} "${t}" is not a real date.`, 'Check the month and day.');
  }
  return d;
}

/**
 * The UTC bounds of a filter. Bounds outside 1970–2200 are dropped (nothing is there, so the
 * answer is the same and no probe is wasted); a start after the end is a mistake worth saying.
 */
export function resolveTimeRange(f: Pick<AuditFilter, 'since' | 'from' | 'to'>, now: Date = new Date()): TimeRange {
  let from: Date | null = null;
  let to: Date | null = null;
  if (f.since) {
    if (f.from) throw new AppError('Validation', 'Give either a relative window (since) or a start date, not both.', 'Use --since 7d, or --from and --to.');
    const m = /^(\d{1,5})([mhd])$/.exec(f.since);
    if (!m) throw new AppError('Validation', `"${f.since.slice(0, 20)}" is not a window.`, 'Use a number followed by m, h or d, e.g. 7d.');
    from = new Date(now.getTime() - Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
  }
  if (f.from) from = parseWhen(f.from, 'The start');
  if (f.to) to = parseWhen(f.to, 'The end');
  if (from && to && from.getTime() > to.getTime()) {
    throw new AppError('Validation', `The start (${from.toISOString()}) is after the end (${to.toISOString()}).`, 'Swap the two dates.');
  }
  if (from && from.getTime() < EARLIEST) from = null;
  if (to && to.getTime() >= LATEST) to = null;
  if (from && from.getTime() >= LATEST) return { from, to: from }; // nothing can match; keep it cheap
  if (to && to.getTime() < EARLIEST) return { from: new Date(EARLIEST), to: new Date(EARLIEST - 1) };
  return { from, to };
}

/** Escapes LIKE's wildcards and its escape character, so the text is matched literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** One IPv4/IPv6 address or a CIDR block; anything else is a Validation error (before PostgreSQL sees it). */
export function normaliseIp(text: string): string {
  const t = text.trim();
  const [addr, prefix, extra] = t.split('/');
  const family = net.isIP(addr ?? '');
  const max = family === 4 ? 32 : 128;
  const okPrefix = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max);
  if (!family || !okPrefix || extra !== undefined) {
    throw new AppError('Validation', `"${t.slice(0, 60)}" is not an IP address or block.`, 'Write an address such as 192.168.1.20, or a block such as 192.168.1.0/24.');
  }
  return t;
}

const MAX_INT = 2_147_483_647;

/** The WHERE conditions for everything in the filter except time (which becomes an id range). */
export function filterConditions(f: AuditFilter, p: Params): string[] {
  const out: string[] = [];
  const user = f.user?.trim();
  if (user) {
    const like = p.add(`%${escapeLike(user)}%`);
    if (/^\d{1,10}$/.test(user) && Number(user) <= MAX_INT) out.push(`(user_id = ${p.add(Number(user))} OR user_display ILIKE ${like} ESCAPE '\\')`);
    else out.push(`user_display ILIKE ${like} ESCAPE '\\'`);
  }
  const actions = f.actions.map((a) => a.trim()).filter(Boolean);
  if (actions.length) out.push(`action = ANY(${p.add(actions)}::text[])`);
  const types = f.resourceTypes.map((a) => a.trim()).filter(Boolean);
  if (types.length) out.push(`resource_type = ANY(${p.add(types)}::text[])`);
  const excluded = f.excludeResourceTypes.map((a) => a.trim()).filter(Boolean);
  if (excluded.length) out.push(`resource_type <> ALL(${p.add(excluded)}::text[])`);
  if (f.programId !== null) out.push(`program_id = ${p.add(f.programId)}`);
  if (f.ip?.trim()) out.push(`ip_address <<= ${p.add(normaliseIp(f.ip))}::inet`);
  if (f.text?.trim()) out.push(`metadata::text ILIKE ${p.add(`%${escapeLike(f.text.trim())}%`)} ESCAPE '\\'`);
  if (f.linkId) {
    const id = p.add(f.linkId.toLowerCase());
    out.push(`(metadata->>'link_id' = ${id} OR metadata->>'secure_link_id' = ${id})`);
  }
  return out;
}

/** Fills a filter's defaults (used by callers that build filters in code). */
export function emptyFilter(patch: Partial<AuditFilter> = {}): AuditFilter {
  return { since: null, from: null, to: null, user: null, actions: [], resourceTypes: [], excludeResourceTypes: [], programId: null, ip: null, text: null, linkId: null, ...patch };
}
