import type { Client } from 'pg';
import { AUDIT_TABLE } from './filters';

/**
 * Time range → id range without an index on event_timestamp. audit_log's id is an identity
 * assigned in insert order, so ids grow with time: a binary search over ids, each step one
 * primary-key probe, finds where a moment falls. The whole search runs server-side in one
 * recursive query (about log2(rows) index probes, one round trip — it matters over a WAN).
 */

/** Requests that finish together commit a little out of order; widen the id range by this, then filter exactly. */
export const ORDER_SLACK_MS = 5 * 60_000;

export interface IdBounds {
  min: bigint;
  max: bigint;
}

/** Smallest and largest id: two index-only probes. Null for an empty table. */
export async function idBounds(client: Client): Promise<IdBounds | null> {
  const r = await client.query<{ lo: string | null; hi: string | null }>(
    `SELECT (SELECT id FROM ${AUDIT_TABLE} ORDER BY id ASC LIMIT 1)::text AS lo, (SELECT id FROM ${AUDIT_TABLE} ORDER BY id DESC LIMIT 1)::text AS hi`,
  );
  const row = r.rows[0]!;
  return row.lo === null || row.hi === null ? null : { min: BigInt(row.lo), max: BigInt(row.hi) };
}

/**
 * Invariant: every existing id below `lo` is earlier than $3 and every existing id at or above
 * `hi` is not. Each step probes the first existing id in [mid, hi): gaps (rolled-back inserts,
 * deleted rows) only move `hi` down, so the search always ends.
 */
export const BOUND_SQL = `
  WITH RECURSIVE s(lo, hi) AS (
    SELECT $1::bigint, $2::bigint
    UNION ALL
    SELECT CASE WHEN p.id IS NOT NULL AND p.ts < $3::timestamptz THEN p.id + 1 ELSE s.lo END,
           CASE WHEN p.id IS NULL THEN s.lo + (s.hi - s.lo) / 2
                WHEN p.ts < $3::timestamptz THEN s.hi
                ELSE p.id END
      FROM s
      LEFT JOIN LATERAL (SELECT id, event_timestamp AS ts FROM ${AUDIT_TABLE}
                          WHERE id >= s.lo + (s.hi - s.lo) / 2 AND id < s.hi ORDER BY id LIMIT 1) p ON true
     WHERE s.lo < s.hi
  )
  SELECT lo::text AS bound, (SELECT count(*) FROM s)::int AS steps FROM s WHERE lo >= hi`;

/** The first id whose row is at or after `at` (max + 1 when none is). */
export async function idAtOrAfter(client: Client, bounds: IdBounds, at: Date): Promise<{ id: bigint; probes: number }> {
  const r = await client.query<{ bound: string; steps: number }>(BOUND_SQL, [bounds.min.toString(), (bounds.max + 1n).toString(), at.toISOString()]);
  return { id: BigInt(r.rows[0]!.bound), probes: r.rows[0]!.steps };
}

export interface IdRange {
  /** Inclusive lower id; exclusive upper id. Empty when lo >= hi. */
  lo: bigint;
  hi: bigint;
  probes: number;
}

/**
 * The ids that can hold rows in [from, to], widened by ORDER_SLACK_MS on each side (callers also
 * filter on event_timestamp, so the widening never adds wrong rows, it only keeps late commits).
 */
export async function idRangeFor(client: Client, from: Date | null, to: Date | null, known?: IdBounds | null): Promise<IdRange | null> {
  const bounds = known === undefined ? await idBounds(client) : known;
  if (!bounds) return null;
  let lo = bounds.min;
  let hi = bounds.max + 1n;
  let probes = 0;
  if (from) {
    const r = await idAtOrAfter(client, bounds, new Date(from.getTime() - ORDER_SLACK_MS));
    lo = r.id;
    probes += r.probes;
  }
  if (to) {
    const r = await idAtOrAfter(client, bounds, new Date(to.getTime() + ORDER_SLACK_MS + 1));
    hi = r.id;
    probes += r.probes;
  }
  return { lo, hi, probes };
}

/**
 * Runs `fn` with plans that read id ranges through the primary key. A just-restored audit_log
 * has no statistics yet, and the planner then picks a parallel scan of the whole table plus a
 * sort for every id range (seen in drills: each 200 000-id chunk of a checkpoint re-hash read all
 * 3 million rows), or, with few rows guessed, a bitmap scan and a sort. Queries over id ranges
 * always want the index in id order, so say so while they run.
 * Not nested: the settings are reset on the way out.
 */
export async function withIdRangePlans<T>(client: Client, fn: () => Promise<T>): Promise<T> {
  await client.query('SET max_parallel_workers_per_gather = 0; SET enable_seqscan = off; SET enable_bitmapscan = off');
  try {
    return await fn();
  } finally {
    // Fails only on a broken connection or an aborted transaction, where the settings die with it.
    await client.query('RESET max_parallel_workers_per_gather; RESET enable_seqscan; RESET enable_bitmapscan').catch(() => undefined);
  }
}
