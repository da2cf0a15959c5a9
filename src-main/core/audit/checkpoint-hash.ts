import crypto from 'node:crypto';
import type { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { AUDIT_TABLE } from './filters';
import { EPOCH_US_SQL, ScanAccumulator, emptyScan, mergeScans, type IdTimeScan } from './id-time-scan';
import { V2BlockReader, v2CopySql } from './row-bytes-v2';
import { withIdRangePlans } from './id-range';
import { PG_EPOCH_US, copyRowsStart } from '../common/binary-copy';

/**
 * The hashes behind audit checkpoints. Rows are grouped in blocks of BLOCK_SIZE ids, each block
 * has a digest over its rows in id order, and a checkpoint commits to its blocks.
 * Row format 1 (this file): each row is hashed (SHA-256) over a canonical JSON array of every
 * column — timestamps as integer microseconds since 1970 (independent of the session's time
 * zone), jsonb in PostgreSQL's normalised form — and a block's digest is SHA-256 over its row
 * hashes. Row format 2 (row-bytes-v2.ts, used for new checkpoints) hashes the rows' binary bytes.
 */

export const BLOCK_SIZE = 100;
export const GENESIS_HASH = '0'.repeat(64);
/** Ids per query: small enough to report progress and cancel, large enough to be efficient. */
export const CHUNK_IDS = 200_000;
/** Connections hashing at once: PostgreSQL hashes on one core per connection; two halve the wait without loading a shared server much. */
export const HASH_CONNECTIONS = 2;

export interface BlockDigest {
  block: number;
  firstId: number;
  lastId: number;
  rowCount: number;
  digest: string;
  /** Bitmap of the ids present in the block (bit i = id block*BLOCK_SIZE + i): names missing rows exactly. */
  present: Buffer;
}

/** The row's canonical text as the format defines it (format v1; BLOCKS_SQL and the tests use it). */
export const ROW_JSON_DEFINITION = `jsonb_build_array(id::text, (extract(epoch FROM event_timestamp) * 1000000)::bigint::text, user_id, user_display,
  ip_address::text, action, resource_type, resource_id, program_id, old_values, new_values, metadata, is_demo_context,
  is_confidential_context, tenant_schema)::text`;

/**
 * The same text, produced faster (what hashing runs): json_build_array writes the same
 * `[a, b]` form with the same string escaping and embeds jsonb columns by their normalised text,
 * and the timestamp's microseconds come from its binary form (int64 since 2000-01-01) instead of
 * numeric arithmetic. A test compares the two on edge-case rows; together about 15 % less work.
 */
export const ROW_JSON = `json_build_array(id::text, ${EPOCH_US_SQL('event_timestamp')}::text, user_id, user_display,
  ip_address::text, action, resource_type, resource_id, program_id, old_values, new_values, metadata, is_demo_context,
  is_confidential_context, tenant_schema)::text`;

/**
 * The format's definition in one query (kept as the reference the tests compare with). The work
 * itself is split: PostgreSQL hashes each row (the part that needs the row) and streams
 * (id, hash) pairs in binary COPY; this process groups them into blocks. The ordered aggregates
 * of the one-query form cost PostgreSQL as much again as the row hashing.
 */
export const BLOCKS_SQL = `
  SELECT (id / $3::bigint)::text AS block, min(id)::text AS first_id, max(id)::text AS last_id, count(*)::int AS n,
         encode(sha256(string_agg(sha256(convert_to(${ROW_JSON_DEFINITION}, 'UTF8')), ''::bytea ORDER BY id)), 'hex') AS digest,
         string_agg((id % $3::bigint)::text, ',' ORDER BY id) AS offsets
    FROM ${AUDIT_TABLE}
   WHERE id > $1::bigint AND id <= $2::bigint
   GROUP BY id / $3::bigint
   ORDER BY id / $3::bigint`;

/** COPY takes no parameters: the bounds are integers formatted here, never text from outside. */
const rowHashesSql = (lo: number, hi: number) => {
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) throw new Error(`bad id range ${lo}..${hi}`);
  // The timestamp rides along (8 bytes in binary form) for the audit log's order check.
  return `COPY (SELECT id, event_timestamp, sha256(convert_to(${ROW_JSON}, 'UTF8')) FROM ${AUDIT_TABLE} WHERE id > ${lo} AND id <= ${hi} ORDER BY id) TO STDOUT (FORMAT binary)`;
};

export function bitmap(offsets: string, size = BLOCK_SIZE): Buffer {
  const buf = Buffer.alloc(Math.ceil(size / 8));
  for (const o of offsets.split(',')) {
    const i = Number(o);
    buf[i >> 3]! |= 1 << (i & 7);
  }
  return buf;
}

export function bitsSet(buf: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i < buf.length * 8; i++) if (buf[i >> 3]! & (1 << (i & 7))) out.push(i);
  return out;
}

/** Groups (id, row hash) pairs arriving in id order into block digests, as BLOCKS_SQL defines them. */
export class BlockAccumulator {
  readonly blocks: BlockDigest[] = [];
  private block = -1;
  private firstId = 0;
  private lastId = 0;
  private hashes: Buffer[] = [];
  private present = Buffer.alloc(0);

  constructor(private readonly size = BLOCK_SIZE) {}

  add(id: number, rowHash: Buffer): void {
    if (id <= this.lastId && this.block !== -1) throw new Error(`audit ids out of order (${id} after ${this.lastId})`);
    const block = Math.floor(id / this.size);
    if (block !== this.block) {
      this.flush();
      this.block = block;
      this.firstId = id;
      this.present = Buffer.alloc(Math.ceil(this.size / 8));
    }
    this.lastId = id;
    this.hashes.push(rowHash);
    const i = id - block * this.size;
    this.present[i >> 3]! |= 1 << (i & 7);
  }

  /** Closes the open block; call at chunk edges (which are block edges) and at the end. */
  flush(): BlockDigest[] {
    if (this.hashes.length) {
      const digest = crypto.createHash('sha256').update(Buffer.concat(this.hashes)).digest('hex');
      this.blocks.push({ block: this.block, firstId: this.firstId, lastId: this.lastId, rowCount: this.hashes.length, digest, present: this.present });
      this.hashes = [];
    }
    return this.blocks;
  }
}

/**
 * Reads PostgreSQL's binary COPY of (id bigint, event_timestamp timestamptz, hash bytea) rows: an
 * 11-byte signature, flags, a header extension, then per row a field count and per field a
 * length and the bytes; -1 ends the data. Timestamps arrive as microseconds since 2000.
 */
export async function readAuditHashRows(stream: AsyncIterable<Buffer>, onRow: (id: number, us: number, hash: Buffer) => void): Promise<number> {
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0;
  let headerDone = false;
  let rows = 0;
  let ended = false;
  for await (const chunk of stream) {
    buf = pos < buf.length ? Buffer.concat([buf.subarray(pos), chunk]) : chunk;
    pos = 0;
    if (!headerDone) {
      const start = copyRowsStart(buf);
      if (start === null) continue;
      pos = start;
      headerDone = true;
    }
    while (buf.length - pos >= 2) {
      const fields = buf.readInt16BE(pos);
      if (fields === -1) {
        ended = true;
        pos += 2;
        break;
      }
      if (fields !== 3) throw new Error(`expected 3 fields per row, got ${fields}`);
      // 2 (count) + 4+8 (id) + 4+8 (timestamp) + 4 (hash length), then the hash.
      if (buf.length - pos < 30) break;
      const hashLen = buf.readInt32BE(pos + 26);
      const end = pos + 30 + hashLen;
      if (buf.length < end) break;
      onRow(Number(buf.readBigInt64BE(pos + 6)), Number(buf.readBigInt64BE(pos + 18)) + PG_EPOCH_US, buf.subarray(pos + 30, end));
      rows++;
      pos = end;
    }
  }
  if (!ended) throw new Error('the COPY stream ended early');
  return rows;
}

async function chunkDigestsV1(client: Client, lo: number, hi: number): Promise<HashedRange> {
  const acc = new BlockAccumulator();
  const scan = new ScanAccumulator();
  const stream = client.query(copyTo(rowHashesSql(lo, hi)));
  await readAuditHashRows(stream, (id, us, h) => {
    acc.add(id, h);
    scan.add(id, us);
  });
  return { blocks: acc.flush(), scan: scan.scan };
}

async function chunkDigestsV2(client: Client, lo: number, hi: number): Promise<HashedRange> {
  const reader = new V2BlockReader(BLOCK_SIZE);
  for await (const chunk of client.query(copyTo(v2CopySql(AUDIT_TABLE, lo, hi)))) reader.push(chunk as Buffer);
  return reader.finish();
}

export interface HashedRange {
  blocks: BlockDigest[];
  /** Count, gaps and time order of the same rows, gathered on the way. */
  scan: IdTimeScan;
}

/**
 * How rows are turned into bytes for hashing. 1: a JSON text per row, hashed by PostgreSQL (the
 * first format; its checkpoints are verified with it). 2: the rows' binary COPY bytes, hashed
 * here (row-bytes-v2.ts); about three times less work, so new checkpoints use it.
 */
export type RowFormat = 1 | 2;
export const CURRENT_ROW_FORMAT: RowFormat = 2;

export interface HashRangeOptions {
  format: RowFormat;
  /** Reports progress; may throw to cancel (the other connections finish their chunk). */
  onChunk?: (doneIds: number, totalIds: number) => void;
  chunkIds?: number;
}

/** Block digests of the rows with fromId < id <= toId (see hashRange). */
export async function blockDigests(clients: Client | Client[], fromId: number, toId: number, o: HashRangeOptions): Promise<BlockDigest[]> {
  return (await hashRange(clients, fromId, toId, o)).blocks;
}

/**
 * Block digests of the rows with fromId < id <= toId, with the scan of the rows read, in chunks
 * of chunkIds ids (chunk edges on block edges, so no block is split). With several clients the
 * chunks are hashed in parallel, one per connection: PostgreSQL's part is CPU work and a second
 * core halves it.
 */
export async function hashRange(clients: Client | Client[], fromId: number, toId: number, o: HashRangeOptions): Promise<HashedRange> {
  const pool = Array.isArray(clients) ? clients : [clients];
  const chunkIds = o.chunkIds ?? CHUNK_IDS;
  const digestChunk = o.format === 2 ? chunkDigestsV2 : chunkDigestsV1;
  const total = Math.max(0, toId - fromId);
  const chunks: { lo: number; hi: number }[] = [];
  for (let lo = fromId; lo < toId; ) {
    const hi = Math.min(toId, (Math.floor((lo + chunkIds) / BLOCK_SIZE) + 1) * BLOCK_SIZE - 1);
    chunks.push({ lo, hi });
    lo = hi;
  }
  const results: HashedRange[] = new Array(chunks.length);
  let next = 0;
  let doneIds = 0;
  let failed = false;
  const worker = (client: Client) =>
    withIdRangePlans(client, async () => {
      while (!failed && next < chunks.length) {
        const i = next++;
        const { lo, hi } = chunks[i]!;
        results[i] = await digestChunk(client, lo, hi);
        doneIds += hi - lo;
        o.onChunk?.(doneIds, total);
      }
    });
  const settled = await Promise.allSettled(pool.map((c) => worker(c).catch((e: unknown) => ((failed = true), Promise.reject(e)))));
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return { blocks: results.flatMap((r) => r.blocks), scan: results.reduce((a, r) => mergeScans(a, r.scan), emptyScan()) };
}

const sha256 = (s: string | Buffer) => crypto.createHash('sha256').update(s).digest('hex');

/** One digest over all block digests of a checkpoint (what the chain hash commits to). */
export function blocksRoot(blocks: BlockDigest[]): string {
  const h = crypto.createHash('sha256');
  for (const b of blocks) h.update(`${b.block}|${b.firstId}|${b.lastId}|${b.rowCount}|${b.digest}|${b.present.toString('hex')}\n`);
  return h.digest('hex');
}

export interface ChainFields {
  seq: number;
  fromId: number;
  toId: number;
  rowCount: number;
  blockSize: number;
  blocksRoot: string;
  prevHash: string;
  /** Absent or 1 for format-1 checkpoints, whose links were made before formats had numbers. */
  rowFormat?: RowFormat;
}

/** The chain link: commits to the previous checkpoint, so an old checkpoint cannot be swapped without breaking every later one. */
export function chainHash(f: ChainFields): string {
  const tag = f.rowFormat === 2 ? 'custodian-audit-checkpoint-v2' : 'custodian-audit-checkpoint-v1';
  return sha256([tag, f.seq, f.fromId, f.toId, f.rowCount, f.blockSize, f.blocksRoot, f.prevHash].join('\n'));
}
