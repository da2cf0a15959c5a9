import type { Client } from 'pg';
import { quoteIdent } from '../../common/sql';
import { qualified, tableInfo, tableKey, type TableInfo } from './catalog';
import type { Key, PlannedTable } from './plan';

/**
 * Copies planned rows from the recovered copy into production, parents first, inside the caller's
 * transaction. Every value travels as PostgreSQL's own text form and is cast back to the column's
 * type on insert, so timestamps keep their microseconds and bytea (Fernet tokens) stays byte-exact.
 */

const BATCH = 1000;

/** Columns present (and insertable) on both sides; production's types win. */
function commonColumns(scratch: TableInfo, prod: TableInfo) {
  const names = new Set(scratch.columns.map((c) => c.name));
  return prod.columns.filter((c) => names.has(c.name));
}

export async function copyRows(scratch: Client, prod: Client, planned: PlannedTable, onRows?: (n: number) => void): Promise<number> {
  const prodInfo = await tableInfo(prod, planned.info);
  if (!prodInfo) throw new Error(`Table ${tableKey(planned.info)} disappeared from production.`);
  const cols = commonColumns(planned.info, prodInfo);
  const pk = planned.info.pk;
  const keys: Key[] = [...planned.keys.values()];
  const overriding = cols.some((c) => c.identityAlways) ? 'OVERRIDING SYSTEM VALUE' : '';
  const colList = cols.map((c) => quoteIdent(c.name)).join(', ');
  let inserted = 0;
  for (let i = 0; i < keys.length; i += BATCH) {
    const part = keys.slice(i, i + BATCH);
    const keyCols = pk.map((_, j) => `k${j}`);
    const read = await scratch.query({
      text: `SELECT ${cols.map((c) => `r.${quoteIdent(c.name)}::text`).join(', ')} FROM unnest(${keyCols.map((_, j) => `$${j + 1}::text[]`).join(', ')}) AS k(${keyCols.join(', ')})
             JOIN ${qualified(planned.info)} r ON ${pk.map((c, j) => `r.${quoteIdent(c.name)} = k.k${j}::${c.type}`).join(' AND ')}`,
      values: pk.map((_, j) => part.map((k) => k[j]!)),
      rowMode: 'array',
    });
    const rows = read.rows as Array<Array<string | null>>;
    if (rows.length === 0) continue;
    const params = cols.map((_, j) => rows.map((r) => r[j] ?? null));
    const res = await prod.query({
      text: `INSERT INTO ${qualified(prodInfo)} (${colList}) ${overriding}
             SELECT ${cols.map((c, j) => `u.c${j}::${c.type}`).join(', ')} FROM unnest(${cols.map((_, j) => `$${j + 1}::text[]`).join(', ')}) AS u(${cols.map((_, j) => `c${j}`).join(', ')})`,
      values: params,
    });
    inserted += res.rowCount ?? 0;
    onRows?.(res.rowCount ?? 0);
  }
  return inserted;
}

/**
 * After copying rows with explicit ids, identity sequences must move past them, or KoNote's next
 * insert would collide with a copied-back row.
 */
export async function bumpIdentitySequences(prod: Client, t: TableInfo): Promise<void> {
  const seqs = (
    await prod.query<{ col: string; seq: string }>(
      `SELECT a.attname AS col, pg_get_serial_sequence(format('%I.%I', $1::text, $2::text), a.attname) AS seq
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
      [t.schema, t.table],
    )
  ).rows.filter((r) => r.seq);
  for (const s of seqs) {
    // setval only ever moves forward here: GREATEST with the sequence's current last value.
    await prod.query(
      `SELECT setval($1::regclass, GREATEST((SELECT COALESCE(max(${quoteIdent(s.col)}), 0) FROM ${qualified(t)})::bigint, (SELECT last_value FROM ${s.seq})), true)`,
      [s.seq],
    );
  }
}
