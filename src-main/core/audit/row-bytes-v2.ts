import crypto from 'node:crypto';
import type { BlockDigest } from './checkpoint-hash';
import { ScanAccumulator, type IdTimeScan } from './id-time-scan';
import { PG_EPOCH_US, copyRowsStart } from '../common/binary-copy';

/**
 * Checkpoint row format 2: a block's digest is SHA-256 over its rows' bytes as PostgreSQL's
 * binary COPY writes them (per row a 16-bit field count, then per field a 32-bit length, -1 for
 * NULL, and the value's binary "send" form), in id order, for the columns of V2_SELECT with the
 * types given there. Binary forms are exact and independent of session settings (timestamps are
 * integer microseconds, jsonb is its normalised text, text is UTF-8 as the client encoding).
 *
 * Why a second format: format 1 has PostgreSQL build and hash a JSON text per row, which costs
 * about 3 µs of server CPU per row; here PostgreSQL only copies rows out, and this process hashes
 * whole runs of rows with one native SHA-256 call each, about three times less work in all. Format
 * 1 checkpoints are still verified with format 1 (checkpoint-hash.ts); new ones use format 2.
 * v2ReferenceSql defines the same digests in plain SQL from the send functions; a test holds
 * the two side by side on awkward rows.
 */

/**
 * Each column with the type its bytes are taken in: KoNote's own types, so the casts cost nothing
 * (a cast to a column's own type, or varchar to text, is no work), while a later KoNote that
 * widened a column (integer to bigint, say) would still give the same bytes for the same values.
 */
const V2_COLUMNS: [expr: string, type: string][] = [
  ['id', 'bigint'],
  ['event_timestamp', 'timestamptz'],
  ['user_id', 'integer'],
  ['user_display', 'text'],
  ['ip_address', 'inet'],
  ['action', 'text'],
  ['resource_type', 'text'],
  ['resource_id', 'integer'],
  ['program_id', 'integer'],
  ['old_values', 'jsonb'],
  ['new_values', 'jsonb'],
  ['metadata', 'jsonb'],
  ['is_demo_context', 'boolean'],
  ['is_confidential_context', 'boolean'],
  ['tenant_schema', 'text'],
];
const FIELDS = V2_COLUMNS.length;

export const V2_SELECT = V2_COLUMNS.map(([c, t]) => `${c}::${t}`).join(', ');

const SEND: Record<string, string> = { bigint: 'int8send', integer: 'int4send', inet: 'inet_send', timestamptz: 'timestamptz_send', text: 'textsend', jsonb: 'jsonb_send', boolean: 'boolsend' };

/** One row's bytes built from the send functions (the format's definition; tests only). */
const V2_ROW_BYTES_SQL =
  `int2send(${FIELDS}::int2) || ` +
  V2_COLUMNS.map(([c, t]) => {
    const v = `${SEND[t]}(${c}::${t})`;
    return `CASE WHEN ${c} IS NULL THEN int4send(-1) ELSE int4send(octet_length(${v})) || ${v} END`;
  }).join(' || ');

/** Format 2's block digests in one query ($1 < id <= $2, blocks of $3 ids); the reference the tests compare with. */
export const v2ReferenceSql = (table: string): string => `
  SELECT (id / $3::bigint)::text AS block, min(id)::text AS first_id, max(id)::text AS last_id, count(*)::int AS n,
         encode(sha256(string_agg(${V2_ROW_BYTES_SQL}, ''::bytea ORDER BY id)), 'hex') AS digest,
         string_agg((id % $3::bigint)::text, ',' ORDER BY id) AS offsets
    FROM ${table}
   WHERE id > $1::bigint AND id <= $2::bigint
   GROUP BY id / $3::bigint
   ORDER BY id / $3::bigint`;

export const v2CopySql = (table: string, lo: number, hi: number): string => {
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) throw new Error(`bad id range ${lo}..${hi}`);
  return `COPY (SELECT ${V2_SELECT} FROM ${table} WHERE id > ${lo} AND id <= ${hi} ORDER BY id) TO STDOUT (FORMAT binary)`;
};


/**
 * Turns a binary COPY of V2_SELECT rows (in id order) into block digests and the id/time scan.
 * Consecutive rows of one block are hashed with a single update over their bytes, so the work
 * per row here is reading its field lengths.
 */
export class V2BlockReader {
  readonly blocks: BlockDigest[] = [];
  readonly scan = new ScanAccumulator();
  private hash: crypto.Hash | null = null;
  private block = -1;
  private firstId = 0;
  private lastId = -1;
  private rowCount = 0;
  private present = Buffer.alloc(0);
  private rest: Buffer = Buffer.alloc(0);
  private headerDone = false;
  private ended = false;

  constructor(private readonly blockSize: number) {}

  push(chunk: Buffer): void {
    let buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    let pos = 0;
    if (!this.headerDone) {
      const start = copyRowsStart(buf);
      if (start === null) return void (this.rest = buf);
      pos = start;
      this.headerDone = true;
    }
    let span = pos; // start of the rows of the open block not yet given to the hash
    while (!this.ended && buf.length - pos >= 2) {
      const fields = buf.readInt16BE(pos);
      if (fields === -1) {
        this.ended = true;
        break;
      }
      if (fields !== FIELDS) throw new Error(`expected ${FIELDS} fields per row, got ${fields}`);
      // Walk the field lengths to the row's end; stop (and wait for more) if it is not all here.
      let end = pos + 2;
      let whole = true;
      for (let f = 0; f < FIELDS; f++) {
        if (end + 4 > buf.length) {
          whole = false;
          break;
        }
        const len = (buf[end]! << 24) | (buf[end + 1]! << 16) | (buf[end + 2]! << 8) | buf[end + 3]!;
        end += len > 0 ? 4 + len : 4;
        if (end > buf.length) {
          whole = false;
          break;
        }
      }
      if (!whole) break;
      // id and event_timestamp are the first two fields, 8 bytes each, never NULL.
      if (buf.readInt32BE(pos + 2) !== 8 || buf.readInt32BE(pos + 14) !== 8) throw new Error('audit row without id or timestamp');
      // int64s as two 32-bit halves (exact below 2^53, far beyond any id or date): no BigInt per row.
      const id = buf.readInt32BE(pos + 6) * 4294967296 + buf.readUInt32BE(pos + 10);
      const us = buf.readInt32BE(pos + 18) * 4294967296 + buf.readUInt32BE(pos + 22) + PG_EPOCH_US;
      if (id <= this.lastId) throw new Error(`audit ids out of order (${id} after ${this.lastId})`);
      const block = Math.floor(id / this.blockSize);
      if (block !== this.block) {
        if (pos > span) this.hash!.update(buf.subarray(span, pos));
        this.closeBlock();
        this.open(block, id);
        span = pos;
      }
      const i = id - block * this.blockSize;
      this.present[i >> 3]! |= 1 << (i & 7);
      this.rowCount++;
      this.lastId = id;
      this.scan.add(id, us);
      pos = end;
    }
    if (pos > span && this.hash) this.hash.update(buf.subarray(span, pos));
    if (this.ended) buf = Buffer.alloc(0);
    this.rest = buf.subarray(pos);
  }

  /** Closes the last block; throws when the stream stopped before COPY's end marker. */
  finish(): { blocks: BlockDigest[]; scan: IdTimeScan } {
    if (!this.ended) throw new Error('the COPY stream ended early');
    this.closeBlock();
    return { blocks: this.blocks, scan: this.scan.scan };
  }

  private open(block: number, id: number): void {
    this.block = block;
    this.firstId = id;
    this.rowCount = 0;
    this.present = Buffer.alloc(Math.ceil(this.blockSize / 8));
    this.hash = crypto.createHash('sha256');
  }

  private closeBlock(): void {
    if (!this.hash || this.rowCount === 0) return;
    this.blocks.push({ block: this.block, firstId: this.firstId, lastId: this.lastId, rowCount: this.rowCount, digest: this.hash.digest('hex'), present: this.present });
    this.hash = null;
  }
}
