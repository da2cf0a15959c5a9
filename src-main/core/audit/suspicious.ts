import type { Client } from 'pg';
import type { AuditFilter, AuditRow, SuspiciousPattern, SuspiciousReport } from '../../contract/audit';
import type { CoreContext } from '../context';
import { emptyFilter } from './filters';
import { planQuery } from './query';
import { ROW_COLUMNS, toAuditRow, type RawAuditRow } from './rows';
import { sessionTimeZone, withAuditClient } from './audit-db';

/**
 * Patterns worth a human look, each with the audit rows behind it: bursts of failed logins from
 * one IP or for one user name, exports of 100+ clients, downloads by someone other than the
 * link's creator, and staff activity at unusual hours. The thresholds are deliberately simple
 * so the page can say exactly why something was flagged.
 */

export const BURST_FAILURES = 5;
export const BURST_WINDOW_MS = 10 * 60_000;
export const LARGE_EXPORT_CLIENTS = 100;
/** Local hours counted as unusual: 22:00 to 05:59. */
export const UNUSUAL_FROM_HOUR = 22;
export const UNUSUAL_TO_HOUR = 6;
const ROWS_PER_PATTERN = 25;
const MAX_SCANNED = 200_000;

async function rowsFor(client: Client, filter: AuditFilter, extra: string[], limit = MAX_SCANNED): Promise<AuditRow[]> {
  const plan = await planQuery(client, filter);
  if (!plan.range) return [];
  const r = await client.query<RawAuditRow>(
    `SELECT ${ROW_COLUMNS} FROM public.audit_log WHERE ${[...plan.where, ...extra].join(' AND ')} ORDER BY public.audit_log.id LIMIT ${plan.params.add(limit)}`,
    plan.params.values,
  );
  return r.rows.map(toAuditRow);
}

/** Sliding-window bursts: at least BURST_FAILURES rows of one key within BURST_WINDOW_MS (pure, unit-tested). */
export function findBursts(rows: AuditRow[], keyOf: (r: AuditRow) => string | null): Array<{ key: string; rows: AuditRow[] }> {
  const byKey = new Map<string, AuditRow[]>();
  for (const r of rows) {
    const k = keyOf(r);
    if (!k) continue;
    (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(r);
  }
  const out: Array<{ key: string; rows: AuditRow[] }> = [];
  for (const [key, list] of byKey) {
    list.sort((a, b) => Date.parse(a.eventTimestamp) - Date.parse(b.eventTimestamp));
    let start = 0;
    let burst: AuditRow[] | null = null;
    for (let end = 0; end < list.length; end++) {
      while (Date.parse(list[end]!.eventTimestamp) - Date.parse(list[start]!.eventTimestamp) > BURST_WINDOW_MS) start++;
      if (end - start + 1 >= BURST_FAILURES) {
        // Merge overlapping windows into one burst per episode.
        if (burst && burst.includes(list[start]!)) {
          for (let i = start; i <= end; i++) if (!burst.includes(list[i]!)) burst.push(list[i]!);
        } else {
          burst = list.slice(start, end + 1);
          out.push({ key, rows: burst });
        }
      }
    }
  }
  return out.sort((a, b) => b.rows.length - a.rows.length);
}

const pattern = (kind: SuspiciousPattern['kind'], subject: string, rows: AuditRow[], detail: string, count = rows.length): SuspiciousPattern => ({
  kind,
  subject,
  count,
  firstAt: rows[0]?.eventTimestamp ?? '',
  lastAt: rows[rows.length - 1]?.eventTimestamp ?? '',
  detail,
  rows: rows.slice(0, ROWS_PER_PATTERN),
});

export async function findSuspicious(client: Client, filter: AuditFilter): Promise<SuspiciousReport> {
  const timeZone = await sessionTimeZone(client);
  const plan = await planQuery(client, filter);
  const patterns: SuspiciousPattern[] = [];

  const failed = await rowsFor(client, { ...filter, actions: ['login_failed'] }, []);
  for (const b of findBursts(failed, (r) => r.ipAddress)) {
    patterns.push(pattern('failedLoginBurstIp', b.key, b.rows, `${b.rows.length} failed logins from ${b.key} within ${BURST_WINDOW_MS / 60_000} minutes (or in a run of such windows).`));
  }
  for (const b of findBursts(failed, (r) => r.userDisplay || null)) {
    patterns.push(pattern('failedLoginBurstUser', b.key, b.rows, `${b.rows.length} failed logins for the user name "${b.key}" within ${BURST_WINDOW_MS / 60_000} minutes.`));
  }

  // KoNote writes the client count under different keys per export kind.
  const large = await rowsFor(
    client,
    filter,
    [`action IN ('export', 'report_approved', 'create')`, `resource_type NOT IN ('export_download', 'export_link_revoked')`, `COALESCE(metadata->>'total_clients', metadata->>'client_count') ~ '^[0-9]{1,9}$'`],
  );
  for (const r of large) {
    const m = (r.metadata ?? {}) as Record<string, unknown>;
    const n = Number(m.total_clients ?? m.client_count);
    if (n >= LARGE_EXPORT_CLIENTS) patterns.push(pattern('largeExport', r.userDisplay || `user ${r.userId ?? '?'}`, [r], `${r.userDisplay} exported ${n} clients (${r.resourceType}).`, n));
  }

  const downloads = await rowsFor(client, { ...filter, resourceTypes: ['export_download'] }, [`metadata ? 'created_by'`, `metadata->>'created_by' IS DISTINCT FROM user_display`]);
  const byLink = new Map<string, AuditRow[]>();
  for (const r of downloads) {
    const m = (r.metadata ?? {}) as Record<string, unknown>;
    const link = String(m.link_id ?? m.secure_link_id ?? `row ${r.id}`);
    (byLink.get(link) ?? byLink.set(link, []).get(link)!).push(r);
  }
  for (const [link, rows] of byLink) {
    const creator = String(((rows[0]!.metadata ?? {}) as Record<string, unknown>).created_by ?? '?');
    const who = [...new Set(rows.map((r) => r.userDisplay))].join(', ');
    patterns.push(pattern('downloadByOther', link, rows, `Export link ${link}, created by ${creator}, was downloaded by ${who}.`));
  }

  // Unusual hours: staff rows (a user id) whose local hour is late at night; one pattern per user.
  const nightRows = await unusualHourRows(client, filter, timeZone);
  const byUser = new Map<string, AuditRow[]>();
  for (const r of nightRows) {
    const k = r.userDisplay || `user ${r.userId}`;
    (byUser.get(k) ?? byUser.set(k, []).get(k)!).push(r);
  }
  for (const [user, rows] of [...byUser].sort((a, b) => b[1].length - a[1].length)) {
    patterns.push(pattern('unusualHours', user, rows, `${user} has ${rows.length} audit row(s) between ${UNUSUAL_FROM_HOUR}:00 and ${UNUSUAL_TO_HOUR}:00 (${timeZone}).`));
  }

  return { patterns, fromUtc: plan.fromUtc?.toISOString() ?? '', toUtc: (plan.toUtc ?? new Date()).toISOString(), timeZone };
}

async function unusualHourRows(client: Client, filter: AuditFilter, timeZone: string): Promise<AuditRow[]> {
  const plan = await planQuery(client, filter);
  if (!plan.range) return [];
  const tz = plan.params.add(timeZone);
  const hour = `extract(hour FROM event_timestamp AT TIME ZONE ${tz})`;
  const r = await client.query<RawAuditRow>(
    `SELECT ${ROW_COLUMNS} FROM public.audit_log WHERE ${[...plan.where, 'user_id IS NOT NULL', `(${hour} >= ${UNUSUAL_FROM_HOUR} OR ${hour} < ${UNUSUAL_TO_HOUR})`].join(' AND ')} ORDER BY public.audit_log.id LIMIT ${plan.params.add(MAX_SCANNED)}`,
    plan.params.values,
  );
  return r.rows.map(toAuditRow);
}

export async function suspiciousPatterns(ctx: CoreContext, profile: string | undefined, filter: AuditFilter = emptyFilter({ since: '7d' })): Promise<SuspiciousReport> {
  const f = filter.since || filter.from || filter.to ? filter : { ...filter, since: '7d' };
  return withAuditClient(ctx, profile, (c) => findSuspicious(c, f));
}
