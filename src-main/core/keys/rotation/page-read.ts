import type { Client, QueryConfig } from 'pg';
import type { PackedTokens } from '../fernet-batch';
import { quoteIdent } from '../encrypted-columns';
import type { RotatableColumn, Row } from './column-scan';

/**
 * Reading an encrypted column a page at a time (keyset pagination: `pk > last ORDER BY pk LIMIT
 * n`, which uses the key's index and never holds a whole table in memory), as a few JSON arrays
 * and the values packed together, instead of a thousand rows each parsed on its own.
 */

/**
 * A page of rows sorted by primary key, values packed in one buffer (no Buffer per value): value
 * i is blob[off[i], off[i]+len[i]), len -1 meaning NULL. `versions` are the rows' xmin as read (a
 * 32-bit transaction id, kept as numbers: no string per row), for the check in writeIfUnchanged.
 */
export interface Page extends PackedTokens {
  pks: string[];
  versions: Float64Array;
  blob: Buffer;
  off: Int32Array;
  len: Int32Array;
}

export function pageValue(p: Page, i: number): Buffer | null {
  const n = p.len[i]!;
  return n < 0 ? null : p.blob.subarray(p.off[i]!, p.off[i]! + n);
}

export function pageRows(p: Page): Row[] {
  return p.pks.map((pk, i) => ({ pk, value: pageValue(p, i) }));
}

const table = (c: RotatableColumn) => `${quoteIdent(c.schema)}.${quoteIdent(c.table)}`;
const EMPTY = (): Page => ({ pks: [], versions: new Float64Array(0), blob: Buffer.alloc(0), off: new Int32Array(0), len: new Int32Array(0) });

/**
 * Values per blob column. node-postgres hands every text field over as one JS string; one string
 * per page (~165 kB for 1000 tokens) would live in V8's large-object space, freed only by full
 * collections, so the peak heap would grow with the length of the run. Chunks stay small.
 */
const CHUNK = 128;

/**
 * One page as a single row. All aggregates of one query see the rows in the same order, so the
 * arrays always line up; that order is the key order in practice (they read a sorted LIMIT), and
 * `rn` proves it page by page. Only if it ever did not hold is the page read again with an
 * explicit sort per aggregate, which PostgreSQL 15 would otherwise perform on every page.
 */
export async function readBatch(client: Client, col: RotatableColumn, afterPk: string | null, limit: number): Promise<Page> {
  const fast = await readPage(client, col, afterPk, limit, false);
  return fast ?? (await readPage(client, col, afterPk, limit, true))!;
}

async function readPage(client: Client, col: RotatableColumn, afterPk: string | null, limit: number, sorted: boolean): Promise<Page | null> {
  const pk = quoteIdent(col.primaryKey);
  const where = afterPk === null ? '' : `WHERE ${pk} > $2::${col.pkType}`;
  const by = sorted ? ' ORDER BY s.rn' : '';
  const chunks = Math.max(1, Math.ceil(limit / CHUNK));
  // Text results: node-postgres turns every field into a UTF-8 string first (a "binary" bytea would
  // be corrupted). Values come in bytea's escape format, which for Fernet tokens (ASCII, no
  // backslash) is the token text itself: half the size of hex, decoded natively.
  const blobs = Array.from({ length: chunks }, (_, c) => `encode(string_agg(s.v, ''::bytea${by}) FILTER (WHERE s.rn > ${c * CHUNK} AND s.rn <= ${(c + 1) * CHUNK}), 'escape') AS b${c}`);
  const query: QueryConfig = {
    text: `SELECT json_agg(s.rn${by})::text AS rns, json_agg(s.k::text${by})::text AS pks, json_agg(s.x::text::bigint${by})::text AS versions,
                  json_agg(octet_length(s.v)${by})::text AS lens, ${blobs.join(', ')}
             FROM (SELECT k, x, v, row_number() OVER (ORDER BY k) AS rn
                     FROM (SELECT ${pk} AS k, xmin AS x, ${quoteIdent(col.column)} AS v FROM ${table(col)} ${where} ORDER BY ${pk} LIMIT $1) AS p) AS s`,
    values: afterPk === null ? [limit] : [limit, afterPk],
  };
  const r = (await client.query<Record<string, string | null>>(query)).rows[0];
  if (!r?.pks) return EMPTY();
  const rns = JSON.parse(r.rns!) as number[];
  if (rns.some((rn, i) => rn !== i + 1)) return null;
  const pks = JSON.parse(r.pks) as string[];
  const versions = Float64Array.from(JSON.parse(r.versions!) as number[]);
  const lens = JSON.parse(r.lens!) as (number | null)[];
  const off = new Int32Array(pks.length);
  const len = new Int32Array(pks.length);
  let size = 0;
  for (let i = 0; i < pks.length; i++) {
    const n = lens[i] ?? -1;
    off[i] = size;
    len[i] = n;
    if (n > 0) size += n;
  }
  const blob = Buffer.allocUnsafe(size);
  let at = 0;
  for (let c = 0; c < chunks; c++) at = unescapeByteaInto(r[`b${c}`] ?? '', blob, at);
  if (at !== size) throw new Error(`A page of ${col.table}.${col.column} decoded to ${at} bytes instead of ${size}.`);
  return { pks, versions, blob, off, len };
}

/**
 * Decodes bytea's escape format (`encode(x, 'escape')`) into out at `at`: bytes as themselves,
 * except a backslash (doubled) and NUL or high bytes (backslash + three octal digits). Values that
 * are not Fernet tokens may hold any bytes, and must come back exactly (the final check lists
 * them). Returns the offset after the last byte written.
 */
export function unescapeByteaInto(text: string, out: Buffer, at: number): number {
  if (!text.includes('\\')) return at + out.write(text, at, 'latin1');
  for (let i = 0; i < text.length; at++) {
    const ch = text.charCodeAt(i);
    if (ch !== 0x5c) {
      out[at] = ch;
      i++;
    } else if (text.charCodeAt(i + 1) === 0x5c) {
      out[at] = 0x5c;
      i += 2;
    } else {
      out[at] = parseInt(text.slice(i + 1, i + 4), 8);
      i += 4;
    }
  }
  return at;
}

/** The given rows (a batch's conflicts), re-read; rows deleted meanwhile are simply absent. */
export async function readRows(client: Client, col: RotatableColumn, pks: string[]): Promise<Page> {
  const pk = `${table(col)}.${quoteIdent(col.primaryKey)}`;
  const res = await client.query<{ pk: string; value: Buffer | null; version: string }>(
    `SELECT ${pk}::text AS pk, ${quoteIdent(col.column)} AS value, xmin::text AS version FROM ${table(col)} WHERE ${pk} = ANY($1::${col.pkType}[]) ORDER BY ${pk}`,
    [pks],
  );
  const values = res.rows.map((r) => r.value);
  const off = new Int32Array(values.length);
  const len = new Int32Array(values.length);
  let at = 0;
  values.forEach((v, i) => {
    off[i] = at;
    len[i] = v === null ? -1 : v.length;
    at += v?.length ?? 0;
  });
  return { pks: res.rows.map((r) => r.pk), versions: Float64Array.from(res.rows, (r) => Number(r.version)), blob: Buffer.concat(values.filter((v): v is Buffer => v !== null)), off, len };
}
