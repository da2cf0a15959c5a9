import type { Client } from 'pg';
import type { RotationColumnCounts } from '../../../contract/keys-rotation';
import { InvalidToken, type MultiFernet } from '../fernet';
import { openBatch, type OpenedBatch } from '../fernet-batch';
import { INTEGER_KEY_TYPES, PageReader, pageKey, pageSize, type Page } from './page-read';
import { quoteIdent, type EncryptedColumn } from '../encrypted-columns';

export { PageReader, pageKey, pageRows, pageSize, pageValue, readBatch, readRows, type Page } from './page-read';

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
  const cls = Array.from({ length: pageSize(page) }, (_, i): RowClass => {
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

/**
 * New tokens for rows sorted by primary key: token i is tokens[off[i], off[i]+len[i]), back to back
 * in key order. Keys as numbers (integer keys, as pages read them) or as text.
 */
export interface WriteSet {
  pks: string[] | Float64Array;
  versions: ArrayLike<number>;
  tokens: Buffer;
  len: ArrayLike<number>;
}

/**
 * Writes new tokens only where the row is still the version we read (same xmin: any change since,
 * by KoNote or anyone, gives the row a new one), so a KoNote save that happened in between is
 * never overwritten. Returns the keys NOT updated (changed or deleted meanwhile; normally none).
 * One statement, so one transaction of its own, that returns only a count; in the rare batch
 * where it falls short, a second query finds the rows not holding our new token (a token is
 * unique: random IV), which the caller re-reads. The new values travel as one binary bytea
 * parameter with offsets, and the keys, versions and offsets as binary arrays (no text to build
 * here or to parse there); the check needs no copy of the old values.
 *
 * `asyncCommit`: the statement's own transaction commits without waiting for its WAL to reach
 * disk (synchronous_commit off, for this transaction only). Only a crash of the database server
 * can then lose the last few batches, which stay readable under "new,old"; the rotation's final
 * check finds such values and has the column scanned again (rotation-service.ts).
 */
export async function writeIfUnchanged(client: Client, col: RotatableColumn, w: WriteSet, opts: { asyncCommit?: boolean } = {}): Promise<string[]> {
  const n = w.pks.length;
  if (n === 0) return [];
  const t = table(col);
  const pk = quoteIdent(col.primaryKey);
  const c = quoteIdent(col.column);
  const at = new Int32Array(n);
  let p = 1; // SQL substring positions start at 1
  for (let i = 0; i < n; i++) {
    at[i] = p;
    p += w.len[i]!;
  }
  const numeric = !Array.isArray(w.pks) && INTEGER_KEY_TYPES.has(col.pkType);
  const keys = numeric ? int8Array(w.pks as Float64Array) : Array.isArray(w.pks) ? w.pks : Array.from(w.pks, String);
  const keyType = numeric ? 'int8' : col.pkType;
  // set_config(..., true) lasts until the end of the transaction, i.e. of this statement; the
  // aggregate's single row evaluates it once, before the commit.
  const sync = opts.asyncCommit ? `, set_config('synchronous_commit', 'off', true) AS sc` : '';
  const params = [keys, w.tokens.subarray(0, p - 1), int4Array(w.versions, XID), int4Array(at, INT4), int4Array(w.len, INT4)];
  const res = await client.query<{ n: number }>(
    `WITH u AS (UPDATE ${t} SET ${c} = substring($2::bytea FROM v.at FOR v.len)
                  FROM unnest($1::${keyType}[], $3::xid[], $4::int[], $5::int[]) AS v(pk, version, at, len)
                 WHERE ${t}.${pk} = v.pk AND ${t}.xmin = v.version
                   AND ${t}.${pk} BETWEEN $6::${keyType} AND $7::${keyType}
                RETURNING 1)
     SELECT count(*)::int AS n${sync} FROM u`,
    [...params, String(w.pks[0]), String(w.pks[n - 1])],
  );
  if (res.rows[0]!.n === n) return [];
  const missed = await client.query<{ lost: string | null }>(
    `SELECT json_agg(v.pk::text)::text AS lost FROM unnest($1::${keyType}[], $3::xid[], $4::int[], $5::int[]) AS v(pk, version, at, len)
      WHERE NOT EXISTS (SELECT 1 FROM ${t} WHERE ${t}.${pk} = v.pk AND ${t}.${c} = substring($2::bytea FROM v.at FOR v.len))`,
    params,
  );
  const lost = missed.rows[0]?.lost;
  return lost ? (JSON.parse(lost) as string[]) : [];
}

// Binary array parameters (array_recv): one dimension, no NULLs, element type OID, then per
// element its length and big-endian bytes. PostgreSQL checks the element type against the cast.
const INT8 = 20, INT4 = 23, XID = 28;
function arrayHeader(n: number, width: number, oid: number): { buf: Buffer; at: number } {
  const buf = Buffer.allocUnsafe(20 + n * (4 + width));
  buf.writeInt32BE(1, 0);
  buf.writeInt32BE(0, 4);
  buf.writeInt32BE(oid, 8);
  buf.writeInt32BE(n, 12);
  buf.writeInt32BE(1, 16);
  return { buf, at: 20 };
}
function int4Array(v: ArrayLike<number>, oid: number): Buffer {
  const { buf } = arrayHeader(v.length, 4, oid);
  for (let i = 0, at = 20; i < v.length; i++, at += 8) {
    buf.writeInt32BE(4, at);
    buf.writeUInt32BE(v[i]! >>> 0, at + 4);
  }
  return buf;
}
function int8Array(v: Float64Array): Buffer {
  const { buf } = arrayHeader(v.length, 8, INT8);
  for (let i = 0, at = 20; i < v.length; i++, at += 12) {
    const x = v[i]!;
    const hi = Math.floor(x / 0x100000000);
    buf.writeInt32BE(8, at);
    buf.writeInt32BE(hi, at + 4);
    buf.writeUInt32BE(x - hi * 0x100000000, at + 8);
  }
  return buf;
}

export function emptyCounts(col: EncryptedColumn): RotationColumnCounts {
  return { schema: col.schema, table: col.table, column: col.column, toReencrypt: 0, alreadyNew: 0, empty: 0, undecryptable: [], undecryptableCount: 0 };
}

export const MAX_LISTED = 500;

/** Counts a whole column (dry run); `onBatch` lets the caller report progress and check cancel. */
export async function countColumn(client: Client, col: RotatableColumn, keys: MultiFernet, newKeyIndex: number, batch: number, onBatch?: (rows: number) => void): Promise<RotationColumnCounts> {
  const counts = emptyCounts(col);
  const reader = new PageReader(client, col);
  let after: string | null = null;
  for (;;) {
    const page = await reader.read(after, batch);
    const n = pageSize(page);
    if (n === 0) break;
    const { cls } = classifyBatch(page, keys, newKeyIndex, false);
    for (let i = 0; i < n; i++) {
      const c = cls[i]!;
      if (c === 'undecryptable') {
        counts.undecryptableCount++;
        if (counts.undecryptable.length < MAX_LISTED) counts.undecryptable.push(pageKey(page, i));
      } else counts[c]++;
    }
    after = pageKey(page, n - 1);
    onBatch?.(n);
  }
  return counts;
}
