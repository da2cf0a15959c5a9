import type { CheckpointSummary } from '../../contract/audit';
import type { CoreContext } from '../context';
import type { BlockDigest, RowFormat } from './checkpoint-hash';

/**
 * Checkpoints in the SQLite log (migration 8): one row per checkpoint, and its block digests.
 * Hashes and ids only — never a row's content.
 */

export interface CheckpointRecord extends CheckpointSummary {
  databaseLabel: string;
  blockSize: number;
  blocksRoot: string;
  rowFormat: RowFormat;
}

interface Row {
  id: number;
  profile: string;
  seq: number;
  database_label: string;
  from_id: number;
  to_id: number;
  row_count: number;
  block_size: number;
  blocks_root: string;
  prev_hash: string;
  chain_hash: string;
  created_at: string;
  reason: string;
  file_path: string | null;
  blocks: number;
  row_format: number;
}

const toRecord = (r: Row): CheckpointRecord => ({
  id: r.id,
  profile: r.profile,
  seq: r.seq,
  fromId: String(r.from_id),
  toId: String(r.to_id),
  rowCount: r.row_count,
  blocks: r.blocks,
  chainHash: r.chain_hash,
  prevHash: r.prev_hash,
  createdAt: r.created_at,
  reason: r.reason,
  file: r.file_path,
  databaseLabel: r.database_label,
  blockSize: r.block_size,
  blocksRoot: r.blocks_root,
  rowFormat: r.row_format === 2 ? 2 : 1,
});

const SELECT = `SELECT c.*, (SELECT count(*) FROM audit_checkpoint_blocks b WHERE b.checkpoint_id = c.id) AS blocks FROM audit_checkpoints c`;

export const checkpointStore = {
  list(ctx: CoreContext, profile: string): CheckpointRecord[] {
    return (ctx.log.prepare(`${SELECT} WHERE c.profile = ? ORDER BY c.seq`).all(profile) as Row[]).map(toRecord);
  },
  latest(ctx: CoreContext, profile: string): CheckpointRecord | null {
    const r = ctx.log.prepare(`${SELECT} WHERE c.profile = ? ORDER BY c.seq DESC LIMIT 1`).get(profile) as Row | undefined;
    return r ? toRecord(r) : null;
  },
  blocks(ctx: CoreContext, checkpointId: number): BlockDigest[] {
    const rows = ctx.log.prepare(`SELECT block, first_id, last_id, row_count, digest, present FROM audit_checkpoint_blocks WHERE checkpoint_id = ? ORDER BY block`).all(checkpointId) as {
      block: number;
      first_id: number;
      last_id: number;
      row_count: number;
      digest: string;
      present: Buffer;
    }[];
    return rows.map((b) => ({ block: b.block, firstId: b.first_id, lastId: b.last_id, rowCount: b.row_count, digest: b.digest, present: b.present }));
  },
  insert(ctx: CoreContext, c: Omit<CheckpointRecord, 'id' | 'blocks'> & { jobId: string | null }, blocks: BlockDigest[]): number {
    return ctx.log.transaction(() => {
      const info = ctx.log
        .prepare(
          `INSERT INTO audit_checkpoints (profile, seq, database_label, from_id, to_id, row_count, block_size, blocks_root, prev_hash, chain_hash, created_at, reason, file_path, job_id, row_format)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(c.profile, c.seq, c.databaseLabel, Number(c.fromId), Number(c.toId), c.rowCount, c.blockSize, c.blocksRoot, c.prevHash, c.chainHash, c.createdAt, c.reason, c.file, c.jobId, c.rowFormat);
      const id = Number(info.lastInsertRowid);
      const ins = ctx.log.prepare(`INSERT INTO audit_checkpoint_blocks (checkpoint_id, block, first_id, last_id, row_count, digest, present) VALUES (?, ?, ?, ?, ?, ?, ?)`);
      for (const b of blocks) ins.run(id, b.block, b.firstId, b.lastId, b.rowCount, b.digest, b.present);
      return id;
    })();
  },
};
