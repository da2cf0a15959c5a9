import type { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { PackedTokens } from '../fernet-batch';
import { quoteIdent } from '../encrypted-columns';
import { copyRowsStart } from '../../common/binary-copy';
import type { RotatableColumn, Row } from './column-scan';

/**
 * Reading an encrypted column a page at a time (keyset pagination: `pk > last ORDER BY pk LIMIT
 * n`, which uses the key's index and never holds a whole table in memory), as one binary COPY:
 * PostgreSQL sends each value's bytes as they are (no hex or escape text, no JSON), and the page
 * is parsed here into typed arrays over the received bytes — no JS object or string per row.
 */

/**
 * A page of rows sorted by primary key, values packed in one buffer (no Buffer per value): value
 * i is blob[off[i], off[i]+len[i]), len -1 meaning NULL. `versions` are the rows' xmin as read (a
 * 32-bit transaction id, kept as numbers), for the check in writeIfUnchanged. Integer keys within
 * ±2^53 come as numbers in `ids`; `pks` (the keys as text) is then made only if someone asks.
 */
export interface Page extends PackedTokens {
  readonly pks: string[];
  ids?: Float64Array;
  versions: Float64Array;
  blob: Buffer;
  off: Int32Array;
  len: Int32Array;
}

export const pageSize = (p: Page): number => p.off.length;

/** Key i as text (one string, not the whole page's). */
export function pageKey(p: Page, i: number): string {
  return p.ids ? String(p.ids[i]) : p.pks[i]!;
}

export function pageValue(p: Page, i: number): Buffer | null {
  const n = p.len[i]!;
  return n < 0 ? null : p.blob.subarray(p.off[i]!, p.off[i]! + n);
}

export function pageRows(p: Page): Row[] {
  return p.pks.map((pk, i) => ({ pk, value: pageValue(p, i) }));
}

const table = (c: RotatableColumn) => `${quoteIdent(c.schema)}.${quoteIdent(c.table)}`;

/** Key types read as numbers (as int8 on the wire); everything else is read as text. */
export const INTEGER_KEY_TYPES = new Set(['smallint', 'integer', 'bigint']);

/**
 * A key as an SQL literal of the key's type. COPY takes no parameters, so the last key of the
 * previous page is written into the statement: integers only as digits, anything else as an E''
 * string (backslashes and quotes escaped, whatever standard_conforming_strings says).
 */
export function keyLiteral(pk: string, type: string): string {
  if (INTEGER_KEY_TYPES.has(type)) {
    if (!/^-?\d{1,19}$/.test(pk)) throw new Error(`"${pk}" is not an integer key.`);
    return `'${pk}'::${type}`; // quoted: -32768::smallint would be -(32768::smallint), out of range
  }
  if (pk.includes('\u0000')) throw new Error('A key cannot contain a NUL character.');
  return `E'${pk.replace(/\\/g, '\\\\').replace(/'/g, "''")}'::${type}`;
}

const TWO32 = 0x100000000;

/** Growable typed arrays and receive buffer for one page, reused page after page. */
class Slot {
  raw = Buffer.alloc(0);
  ids = new Float64Array(0);
  versions = new Float64Array(0);
  off = new Int32Array(0);
  len = new Int32Array(0);

  room(rows: number): void {
    if (this.off.length >= rows) return;
    this.ids = new Float64Array(rows);
    this.versions = new Float64Array(rows);
    this.off = new Int32Array(rows);
    this.len = new Int32Array(rows);
  }
}

/**
 * Reads the pages of one column. With `reuse`, pages share two sets of buffers in turn, so a page
 * stays valid until two more reads have been started (the rotation holds one page being prepared
 * while the next is read; its writes keep their own copies). Steady memory, and next to no garbage:
 * per page a few views and the socket's chunks, nothing per row (for integer keys).
 */
export class PageReader {
  private readonly slots: Slot[];
  private turn = 0;

  constructor(private readonly client: Client, private readonly col: RotatableColumn, reuse = true) {
    this.slots = reuse ? [new Slot(), new Slot()] : [];
  }

  async read(afterPk: string | null, limit: number): Promise<Page> {
    const slot = this.slots.length ? this.slots[this.turn++ & 1]! : new Slot();
    const { col } = this;
    const pk = quoteIdent(col.primaryKey);
    const numeric = INTEGER_KEY_TYPES.has(col.pkType);
    const where = afterPk === null ? '' : `WHERE ${pk} > ${keyLiteral(afterPk, col.pkType)}`;
    const n = Math.max(1, Math.floor(limit));
    const sql = `COPY (SELECT ${pk}::${numeric ? 'int8' : 'text'}, xmin, ${quoteIdent(col.column)} FROM ${table(col)} ${where} ORDER BY ${pk} LIMIT ${n}) TO STDOUT (FORMAT binary)`;
    let size = 0;
    for await (const chunk of this.client.query(copyTo(sql)) as AsyncIterable<Buffer>) {
      if (size + chunk.length > slot.raw.length) {
        const bigger = Buffer.allocUnsafe(Math.max(2 * slot.raw.length, size + chunk.length, 64 * 1024));
        slot.raw.copy(bigger, 0, 0, size);
        slot.raw = bigger;
      }
      chunk.copy(slot.raw, size);
      size += chunk.length;
    }
    slot.room(n);
    return parsePage(slot, size, numeric, `${col.table}.${col.column}`);
  }
}

/** Parses binary COPY output: header, then per row a field count and (length, bytes) per field. */
function parsePage(slot: Slot, size: number, numeric: boolean, what: string): Page {
  const raw = slot.raw;
  const bad = (why: string) => new Error(`A page of ${what} could not be read (${why}).`);
  let at = (() => {
    try {
      return copyRowsStart(raw.subarray(0, size));
    } catch {
      return null;
    }
  })();
  if (at === null) throw bad('no COPY header');
  const texts: string[] | null = numeric ? null : [];
  let big: bigint[] | null = null; // keys beyond ±2^53: the page falls back to text keys
  let rows = 0;
  for (;;) {
    const fields = raw.readInt16BE(at);
    at += 2;
    if (fields === -1) break;
    if (fields !== 3 || rows >= slot.off.length) throw bad('unexpected row');
    // key
    const kl = raw.readInt32BE(at);
    at += 4;
    if (numeric) {
      if (kl !== 8) throw bad('key length');
      const hi = raw.readInt32BE(at);
      const v = hi * TWO32 + raw.readUInt32BE(at + 4);
      if (!big && Number.isSafeInteger(v)) slot.ids[rows] = v;
      else (big ??= Array.from(slot.ids.subarray(0, rows), (x) => BigInt(x))).push(raw.readBigInt64BE(at));
    } else texts!.push(raw.toString('utf8', at, at + kl));
    at += kl;
    // xmin (xid: unsigned 32-bit)
    if (raw.readInt32BE(at) !== 4) throw bad('row version length');
    slot.versions[rows] = raw.readUInt32BE(at + 4);
    at += 8;
    // value
    const vl = raw.readInt32BE(at);
    at += 4;
    slot.off[rows] = at;
    slot.len[rows] = vl;
    if (vl > 0) at += vl;
    rows++;
  }
  if (at !== size) throw bad('trailing bytes');
  const page = {
    versions: slot.versions.subarray(0, rows),
    blob: raw,
    off: slot.off.subarray(0, rows),
    len: slot.len.subarray(0, rows),
  };
  if (texts) return { ...page, pks: texts };
  if (big) return { ...page, pks: big.map(String) };
  const ids = slot.ids.subarray(0, rows);
  let pks: string[] | undefined;
  return {
    ...page,
    ids,
    get pks() {
      return (pks ??= Array.from(ids, String));
    },
  };
}

/** One page on its own buffers (callers that keep pages, or read a page now and then). */
export function readBatch(client: Client, col: RotatableColumn, afterPk: string | null, limit: number): Promise<Page> {
  return new PageReader(client, col, false).read(afterPk, limit);
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
