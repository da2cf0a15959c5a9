import type { Client } from 'pg';
import type { AuditFilter, AuditPage, AuditRow } from '../../contract/audit';
import { AUDIT_TABLE, Params, filterConditions, resolveTimeRange } from './filters';
import { idRangeFor, type IdRange } from './id-range';
import { ROW_COLUMNS, toAuditRow, type RawAuditRow } from './rows';

/**
 * One page of audit rows, newest first. Speed without secondary indexes: the time range becomes
 * an id range (primary-key probes), and pages continue by keyset (`id < last id seen`) — never
 * OFFSET, so page 1 000 costs what page 1 costs.
 */

export interface PlannedQuery {
  /** Null when the table is empty or the range holds no ids. */
  range: IdRange | null;
  fromUtc: Date | null;
  toUtc: Date | null;
  /** Conditions and parameters without the keyset cursor and limit. */
  where: string[];
  params: Params;
}

export async function planQuery(client: Client, filter: AuditFilter, now: Date = new Date()): Promise<PlannedQuery> {
  const { from, to } = resolveTimeRange(filter, now);
  const range = await idRangeFor(client, from, to);
  const params = new Params();
  const where: string[] = [];
  if (range) {
    where.push(`id >= ${params.add(range.lo.toString())}::bigint`, `id < ${params.add(range.hi.toString())}::bigint`);
    if (from) where.push(`event_timestamp >= ${params.add(from.toISOString())}::timestamptz`);
    if (to) where.push(`event_timestamp <= ${params.add(to.toISOString())}::timestamptz`);
  }
  where.push(...filterConditions(filter, params));
  return { range: range && range.lo < range.hi ? range : null, fromUtc: from, toUtc: to, where, params };
}

/** Rows of a planned query strictly below `beforeId` (null: from the newest), at most `limit`. */
export async function fetchPage(client: Client, plan: PlannedQuery, beforeId: bigint | null, limit: number): Promise<AuditRow[]> {
  if (!plan.range) return [];
  const p = new Params();
  p.values.push(...plan.params.values);
  const where = [...plan.where];
  if (beforeId !== null) where.push(`id < ${p.add(beforeId.toString())}::bigint`);
  const sql = `SELECT ${ROW_COLUMNS} FROM ${AUDIT_TABLE} WHERE ${where.join(' AND ')} ORDER BY ${AUDIT_TABLE}.id DESC LIMIT ${p.add(limit)}`;
  const r = await client.query<RawAuditRow>(sql, p.values);
  return r.rows.map(toAuditRow);
}

export async function queryAuditPage(client: Client, filter: AuditFilter, opts: { beforeId: string | null; limit: number; now?: Date }): Promise<AuditPage> {
  const t0 = performance.now();
  const plan = await planQuery(client, filter, opts.now);
  const rows = await fetchPage(client, plan, opts.beforeId === null ? null : BigInt(opts.beforeId), opts.limit);
  return {
    rows,
    nextCursor: rows.length === opts.limit ? rows[rows.length - 1]!.id : null,
    range: {
      fromUtc: plan.fromUtc?.toISOString() ?? null,
      toUtc: plan.toUtc?.toISOString() ?? null,
      firstId: plan.range ? plan.range.lo.toString() : null,
      lastId: plan.range ? (plan.range.hi - 1n).toString() : null,
    },
    elapsedMs: Math.round((performance.now() - t0) * 10) / 10,
  };
}

/**
 * Walks every matching row, newest first, in pages (export, link trails). The caller sees one
 * page at a time, so any size streams in constant memory.
 */
export async function forEachPage(client: Client, plan: PlannedQuery, pageSize: number, onPage: (rows: AuditRow[]) => Promise<void> | void): Promise<number> {
  let before: bigint | null = null;
  let total = 0;
  for (;;) {
    const rows = await fetchPage(client, plan, before, pageSize);
    if (rows.length === 0) break;
    total += rows.length;
    await onPage(rows);
    if (rows.length < pageSize) break;
    before = BigInt(rows[rows.length - 1]!.id);
  }
  return total;
}
