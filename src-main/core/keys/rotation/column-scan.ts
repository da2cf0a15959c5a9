import type { Client } from 'pg';
import type { RotationColumnCounts } from '../../../contract/keys-rotation';
import { InvalidToken, type FernetKey, type MultiFernet } from '../fernet';
import { quoteIdent, type EncryptedColumn } from '../encrypted-columns';

/**
 * Reading and rewriting one encrypted column by primary key (keyset pagination: `pk > last ORDER
 * BY pk LIMIT n`, which uses the key's index and never holds a whole table in memory).
 */

export interface RotatableColumn extends EncryptedColumn {
  primaryKey: string;
  /** The key's SQL type as the catalog spells it (e.g. bigint, uuid), for typed array parameters. */
  pkType: string;
}

export interface Row {
  pk: string;
  value: Buffer | null;
}

export type RowClass = 'empty' | 'alreadyNew' | 'toReencrypt' | 'undecryptable';

/** The rotation's view of a value: under the new key (index 0 of "new,old"), an old key, or none. */
export function classify(value: Buffer | null, keys: MultiFernet, newKeyIndex: number): { cls: RowClass; plaintext?: Buffer } {
  if (value === null || value.length === 0) return { cls: 'empty' };
  try {
    const { plaintext, keyIndex } = keys.decryptWithIndex(value);
    return keyIndex === newKeyIndex ? { cls: 'alreadyNew' } : { cls: 'toReencrypt', plaintext };
  } catch (e) {
    if (e instanceof InvalidToken) return { cls: 'undecryptable' };
    throw e;
  }
}

export async function pkType(client: Client, col: EncryptedColumn): Promise<string> {
  const res = await client.query<{ t: string }>(
    `SELECT format_type(a.atttypid, NULL) AS t FROM pg_attribute a WHERE a.attrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass AND a.attname = $3`,
    [col.schema, col.table, col.primaryKey],
  );
  return res.rows[0]!.t;
}

const table = (c: RotatableColumn) => `${quoteIdent(c.schema)}.${quoteIdent(c.table)}`;

export async function readBatch(client: Client, col: RotatableColumn, afterPk: string | null, limit: number): Promise<Row[]> {
  const pk = `${table(col)}.${quoteIdent(col.primaryKey)}`;
  const select = `SELECT ${pk}::text AS pk, ${quoteIdent(col.column)} AS value FROM ${table(col)}`;
  const res =
    afterPk === null
      ? await client.query<Row>(`${select} ORDER BY ${pk} LIMIT $1`, [limit])
      : await client.query<Row>(`${select} WHERE ${pk} > $1::${col.pkType} ORDER BY ${pk} LIMIT $2`, [afterPk, limit]);
  return res.rows;
}

export async function readRows(client: Client, col: RotatableColumn, pks: string[]): Promise<Row[]> {
  const pk = `${table(col)}.${quoteIdent(col.primaryKey)}`;
  const res = await client.query<Row>(`SELECT ${pk}::text AS pk, ${quoteIdent(col.column)} AS value FROM ${table(col)} WHERE ${pk} = ANY($1::${col.pkType}[]) ORDER BY ${pk}`, [pks]);
  return res.rows;
}

/**
 * Writes new tokens only where the value is still exactly what we read (optimistic check), so a
 * KoNote save that happened in between is never overwritten. Returns the keys actually updated.
 */
/** `rows` must be sorted by primary key (as readBatch and readRows return them). */
export async function writeIfUnchanged(client: Client, col: RotatableColumn, rows: { pk: string; old: Buffer; next: Buffer }[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const t = table(col);
  const pk = quoteIdent(col.primaryKey);
  const c = quoteIdent(col.column);
  const res = await client.query<{ pk: string }>(
    `UPDATE ${t} SET ${c} = v.nv
       FROM unnest($1::${col.pkType}[], $2::bytea[], $3::bytea[]) AS v(pk, ov, nv)
      WHERE ${t}.${pk} = v.pk AND ${t}.${c} = v.ov
        AND ${t}.${pk} BETWEEN $4::${col.pkType} AND $5::${col.pkType}
     RETURNING ${t}.${pk}::text AS pk`,
    // The key range (rows arrive sorted by key) lets the planner use the primary key's index
    // instead of hash-joining the whole table once per batch.
    [rows.map((r) => r.pk), rows.map((r) => r.old), rows.map((r) => r.next), rows[0]!.pk, rows[rows.length - 1]!.pk],
  );
  return new Set(res.rows.map((r) => r.pk));
}

export function emptyCounts(col: EncryptedColumn): RotationColumnCounts {
  return { schema: col.schema, table: col.table, column: col.column, toReencrypt: 0, alreadyNew: 0, empty: 0, undecryptable: [], undecryptableCount: 0 };
}

export const MAX_LISTED = 500;

/** Counts a whole column (dry run); `onBatch` lets the caller report progress and check cancel. */
export async function countColumn(client: Client, col: RotatableColumn, keys: MultiFernet, newKeyIndex: number, batch: number, onBatch?: (rows: number) => void): Promise<RotationColumnCounts> {
  const counts = emptyCounts(col);
  let after: string | null = null;
  for (;;) {
    const rows = await readBatch(client, col, after, batch);
    if (rows.length === 0) break;
    for (const r of rows) {
      const { cls } = classify(r.value, keys, newKeyIndex);
      if (cls === 'undecryptable') {
        counts.undecryptableCount++;
        if (counts.undecryptable.length < MAX_LISTED) counts.undecryptable.push(r.pk);
      } else counts[cls]++;
    }
    after = rows[rows.length - 1]!.pk;
    onBatch?.(rows.length);
  }
  return counts;
}

/** Re-encrypts a plaintext with the new key, keeping KoNote's storage form (token ASCII in bytea). */
export function reencrypt(newKey: FernetKey, plaintext: Buffer): Buffer {
  return Buffer.from(newKey.encrypt(plaintext), 'ascii');
}
