import type { Client } from 'pg';
import type { RotationColumnCounts } from '../../../contract/keys-rotation';
import { InvalidToken, type MultiFernet } from '../fernet';
import { openBatch, type OpenedBatch } from '../fernet-batch';
import { readBatch, type Page } from './page-read';
import { quoteIdent, type EncryptedColumn } from '../encrypted-columns';

export { pageRows, pageValue, readBatch, readRows, type Page } from './page-read';

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

/**
 * `classify` for a whole page at once (fernet-batch.ts), with the same answers. Plaintexts are
 * decrypted only when asked for (re-encryption); counting needs just the key that opens each value.
 */
export function classifyBatch(page: Page, keys: MultiFernet, newKeyIndex: number, withPlaintexts: boolean): { cls: RowClass[]; opened: OpenedBatch } {
  const opened = openBatch(keys, page, { plaintexts: withPlaintexts });
  const cls = page.pks.map((_, i): RowClass => {
    if (page.len[i]! <= 0) return 'empty'; // NULL or KoNote's ''::bytea
    const k = opened.keyIndex[i]!;
    return k < 0 ? 'undecryptable' : k === newKeyIndex ? 'alreadyNew' : 'toReencrypt';
  });
  return { cls, opened };
}

export async function pkType(client: Client, col: EncryptedColumn): Promise<string> {
  const res = await client.query<{ t: string }>(
    `SELECT format_type(a.atttypid, NULL) AS t FROM pg_attribute a WHERE a.attrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass AND a.attname = $3`,
    [col.schema, col.table, col.primaryKey],
  );
  return res.rows[0]!.t;
}

const table = (c: RotatableColumn) => `${quoteIdent(c.schema)}.${quoteIdent(c.table)}`;

/** New tokens for rows sorted by primary key: token i is tokens[off[i], off[i]+len[i]), back to back in key order. */
export interface WriteSet {
  pks: string[];
  versions: ArrayLike<number>;
  tokens: Buffer;
  len: ArrayLike<number>;
}

/**
 * Writes new tokens only where the row is still the version we read (same xmin: any change since,
 * by KoNote or anyone, gives the row a new one), so a KoNote save that happened in between is
 * never overwritten. Returns the keys NOT updated (changed or deleted meanwhile; normally none).
 * One statement, so one transaction of its own. The new values travel as one binary bytea
 * parameter with offsets, not as an array of hex text, and the check needs no copy of the old
 * values: a third of the bytes a batch used to send.
 */
export async function writeIfUnchanged(client: Client, col: RotatableColumn, w: WriteSet): Promise<string[]> {
  const n = w.pks.length;
  if (n === 0) return [];
  const t = table(col);
  const pk = quoteIdent(col.primaryKey);
  const c = quoteIdent(col.column);
  const at: number[] = new Array<number>(n);
  let p = 1; // SQL substring positions start at 1
  for (let i = 0; i < n; i++) {
    at[i] = p;
    p += w.len[i]!;
  }
  const res = await client.query<{ lost: string | null }>(
    `WITH v AS MATERIALIZED (SELECT * FROM unnest($1::${col.pkType}[], $3::xid[], $4::int[], $5::int[]) AS v(pk, version, at, len)),
          u AS (UPDATE ${t} SET ${c} = substring($2::bytea FROM v.at FOR v.len) FROM v
                 WHERE ${t}.${pk} = v.pk AND ${t}.xmin = v.version
                   AND ${t}.${pk} BETWEEN $6::${col.pkType} AND $7::${col.pkType}
                RETURNING ${t}.${pk} AS pk)
     SELECT json_agg(v.pk::text)::text AS lost FROM v WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.pk = v.pk)`,
    // The key range (rows arrive sorted by key) lets the planner use the primary key's index
    // instead of hash-joining the whole table once per batch.
    [arrayParam(w.pks, col.pkType), w.tokens.subarray(0, p - 1), `{${Array.prototype.join.call(w.versions, ',')}}`, `{${at.join(',')}}`, `{${Array.prototype.join.call(w.len, ',')}}`, w.pks[0], w.pks[n - 1]],
  );
  const lost = res.rows[0]?.lost;
  return lost ? (JSON.parse(lost) as string[]) : [];
}

/** Keys whose text needs no quoting in an array literal go as one joined string (no per-key escaping). */
const PLAIN_KEY_TYPES = new Set(['bigint', 'integer', 'smallint', 'uuid']);
function arrayParam(pks: string[], type: string): string | string[] {
  return PLAIN_KEY_TYPES.has(type) ? `{${pks.join(',')}}` : pks;
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
    const page = await readBatch(client, col, after, batch);
    if (page.pks.length === 0) break;
    const { cls } = classifyBatch(page, keys, newKeyIndex, false);
    page.pks.forEach((pk, i) => {
      const c = cls[i]!;
      if (c === 'undecryptable') {
        counts.undecryptableCount++;
        if (counts.undecryptable.length < MAX_LISTED) counts.undecryptable.push(pk);
      } else counts[c]++;
    });
    after = page.pks[page.pks.length - 1]!;
    onBatch?.(page.pks.length);
  }
  return counts;
}
