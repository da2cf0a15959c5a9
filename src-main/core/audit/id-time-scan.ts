import type { Client } from 'pg';

/**
 * What the audit log's own checks need from rows taken in id order: how many, the id range, the
 * ids missing inside it, and the rows whose time is earlier than the row before them. It is
 * gathered either by one SQL pass, or for free while a checkpoint re-hash streams the same rows
 * (so a drill reads millions of audit rows once, not twice); runs of consecutive ids merge.
 */
export interface IdTimeScan {
  n: number;
  minId: number | null;
  maxId: number | null;
  /** Microseconds since 1970 of the rows at minId and maxId (to judge the step across a merge). */
  firstUs: number | null;
  lastUs: number | null;
  /** Ids absent between minId and maxId. */
  missing: number;
  /** The first GAPS_LISTED missing ranges, [first, last]. */
  gaps: [number, number][];
  /** Rows earlier than the row before them, the largest such step, and the first such id. */
  back: number;
  worstUs: number;
  firstBackId: number | null;
}

export const GAPS_LISTED = 20;

export const emptyScan = (): IdTimeScan => ({ n: 0, minId: null, maxId: null, firstUs: null, lastUs: null, missing: 0, gaps: [], back: 0, worstUs: 0, firstBackId: null });

/** Feeds rows in increasing id order. */
export class ScanAccumulator {
  private readonly s = emptyScan();

  add(id: number, us: number): void {
    const s = this.s;
    if (s.maxId === null) {
      s.minId = id;
      s.firstUs = us;
    } else {
      if (id > s.maxId + 1) noteGap(s, s.maxId + 1, id - 1);
      if (us < s.lastUs!) noteBack(s, id, s.lastUs! - us);
    }
    s.n++;
    s.maxId = id;
    s.lastUs = us;
  }

  get scan(): IdTimeScan {
    return this.s;
  }
}

function noteGap(s: IdTimeScan, first: number, last: number): void {
  s.missing += last - first + 1;
  if (s.gaps.length < GAPS_LISTED) s.gaps.push([first, last]);
}

function noteBack(s: IdTimeScan, id: number, stepUs: number): void {
  s.back++;
  s.worstUs = Math.max(s.worstUs, stepUs);
  if (s.firstBackId === null || id < s.firstBackId) s.firstBackId = id;
}

/** `a` then `b`, where every id of `a` is below every id of `b`. */
export function mergeScans(a: IdTimeScan, b: IdTimeScan): IdTimeScan {
  if (a.n === 0) return b;
  if (b.n === 0) return a;
  const m: IdTimeScan = { ...a, gaps: [...a.gaps], n: a.n + b.n, maxId: b.maxId, lastUs: b.lastUs };
  if (b.minId! > a.maxId! + 1) noteGap(m, a.maxId! + 1, b.minId! - 1);
  if (b.firstUs! < a.lastUs!) noteBack(m, b.minId!, a.lastUs! - b.firstUs!);
  m.missing += b.missing;
  m.gaps = [...m.gaps, ...b.gaps].slice(0, GAPS_LISTED);
  m.back += b.back;
  m.worstUs = Math.max(m.worstUs, b.worstUs);
  if (b.firstBackId !== null && (m.firstBackId === null || b.firstBackId < m.firstBackId)) m.firstBackId = b.firstBackId;
  return m;
}

/** A timestamptz as integer microseconds since 1970, exactly (its binary form counts from 2000). */
export const EPOCH_US_SQL = (col: string) => `(('x' || encode(timestamptz_send(${col}), 'hex'))::bit(64)::bigint + 946684800000000)`;

/** The scan of `table` for lo < id <= hi (either bound may be open) in one pass over the primary key. */
export async function scanRangeSql(client: Client, table: string, lo: number | null, hi: number | null): Promise<IdTimeScan> {
  const where = [lo === null ? null : `id > ${int(lo)}`, hi === null ? null : `id <= ${int(hi)}`].filter(Boolean).join(' AND ') || 'true';
  const r = await client.query<{ n: string; lo: string | null; hi: string | null; first_us: string | null; last_us: string | null; back: string; worst: string | null; first_back: string | null }>(
    `SELECT count(*)::text AS n, min(id)::text AS lo, max(id)::text AS hi,
            min(us) FILTER (WHERE prev IS NULL)::text AS first_us, min(us) FILTER (WHERE next_id IS NULL)::text AS last_us,
            count(*) FILTER (WHERE us < prev)::text AS back, max(prev - us) FILTER (WHERE us < prev)::text AS worst,
            min(id) FILTER (WHERE us < prev)::text AS first_back
       FROM (SELECT id, us, lag(us) OVER w AS prev, lead(id) OVER w AS next_id
               FROM (SELECT id, ${EPOCH_US_SQL('event_timestamp')} AS us FROM ${table} WHERE ${where}) r
             WINDOW w AS (ORDER BY id)) s`,
  );
  const x = r.rows[0]!;
  const num = (v: string | null) => (v === null ? null : Number(v));
  const s: IdTimeScan = { ...emptyScan(), n: Number(x.n), minId: num(x.lo), maxId: num(x.hi), firstUs: num(x.first_us), lastUs: num(x.last_us), back: Number(x.back), worstUs: num(x.worst) ?? 0, firstBackId: num(x.first_back) };
  if (s.n > 0) s.missing = s.maxId! - s.minId! + 1 - s.n;
  if (s.missing > 0) {
    const gaps = await client.query<{ first: string; last: string }>(
      `SELECT (id + 1)::text AS first, (next_id - 1)::text AS last
         FROM (SELECT id, lead(id) OVER (ORDER BY id) AS next_id FROM ${table} WHERE ${where}) s
        WHERE next_id > id + 1 ORDER BY id LIMIT ${GAPS_LISTED}`,
    );
    s.gaps = gaps.rows.map((g) => [Number(g.first), Number(g.last)]);
  }
  return s;
}

/** Bounds go into the SQL text (no parameters in these reused fragments): integers only. */
function int(v: number): string {
  if (!Number.isSafeInteger(v)) throw new Error(`not an id: ${v}`);
  return String(v);
}
