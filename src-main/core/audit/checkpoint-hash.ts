import crypto from 'node:crypto';
import type { Client } from 'pg';
import { AUDIT_TABLE } from './filters';

/**
 * The hashes behind audit checkpoints. Each row is hashed (SHA-256) over a canonical JSON array
 * of every column — timestamps as integer microseconds since 1970 (independent of the session's
 * time zone), jsonb in PostgreSQL's normalised form — and rows are grouped in blocks of
 * BLOCK_SIZE ids. A block's digest is SHA-256 over its row hashes in id order. PostgreSQL does
 * the hashing, so a 5-million-row checkpoint moves block digests, not rows, over the network.
 */

export const BLOCK_SIZE = 100;
export const GENESIS_HASH = '0'.repeat(64);
/** Ids per query: small enough to report progress and cancel, large enough to be efficient. */
export const CHUNK_IDS = 200_000;

export interface BlockDigest {
  block: number;
  firstId: number;
  lastId: number;
  rowCount: number;
  digest: string;
  /** Bitmap of the ids present in the block (bit i = id block*BLOCK_SIZE + i): names missing rows exactly. */
  present: Buffer;
}

const ROW_JSON = `jsonb_build_array(id::text, (extract(epoch FROM event_timestamp) * 1000000)::bigint::text, user_id, user_display,
  ip_address::text, action, resource_type, resource_id, program_id, old_values, new_values, metadata, is_demo_context,
  is_confidential_context, tenant_schema)::text`;

export const BLOCKS_SQL = `
  SELECT (id / $3::bigint)::text AS block, min(id)::text AS first_id, max(id)::text AS last_id, count(*)::int AS n,
         encode(sha256(string_agg(sha256(convert_to(${ROW_JSON}, 'UTF8')), ''::bytea ORDER BY id)), 'hex') AS digest,
         string_agg((id % $3::bigint)::text, ',' ORDER BY id) AS offsets
    FROM ${AUDIT_TABLE}
   WHERE id > $1::bigint AND id <= $2::bigint
   GROUP BY id / $3::bigint
   ORDER BY id / $3::bigint`;

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

/** Block digests of the rows with fromId < id <= toId, in chunks (onChunk reports progress and may throw to cancel). */
export async function blockDigests(client: Client, fromId: number, toId: number, onChunk?: (doneIds: number, totalIds: number) => void): Promise<BlockDigest[]> {
  const out: BlockDigest[] = [];
  const total = Math.max(0, toId - fromId);
  for (let lo = fromId; lo < toId; ) {
    // Chunk edges on block edges, so no block is split between two queries.
    const hi = Math.min(toId, (Math.floor((lo + CHUNK_IDS) / BLOCK_SIZE) + 1) * BLOCK_SIZE - 1);
    const r = await client.query<{ block: string; first_id: string; last_id: string; n: number; digest: string; offsets: string }>(BLOCKS_SQL, [lo, hi, BLOCK_SIZE]);
    for (const b of r.rows) out.push({ block: Number(b.block), firstId: Number(b.first_id), lastId: Number(b.last_id), rowCount: b.n, digest: b.digest, present: bitmap(b.offsets) });
    lo = hi;
    onChunk?.(lo - fromId, total);
  }
  return out;
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
}

/** The chain link: commits to the previous checkpoint, so an old checkpoint cannot be swapped without breaking every later one. */
export function chainHash(f: ChainFields): string {
  return sha256(['custodian-audit-checkpoint-v1', f.seq, f.fromId, f.toId, f.rowCount, f.blockSize, f.blocksRoot, f.prevHash].join('\n'));
}
