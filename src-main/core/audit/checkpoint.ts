import fs from 'node:fs';
import path from 'node:path';
import type { Client } from 'pg';
import type { CheckpointSummary } from '../../contract/audit';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { AppError } from '../common/errors';
import { writeFileAtomic } from '../common/atomic-file';
import { resolveProfile } from '../connections/profile-store';
import { withAuditClient } from './audit-db';
import { idAtOrAfter, idBounds } from './id-range';
import { BLOCK_SIZE, CURRENT_ROW_FORMAT, GENESIS_HASH, HASH_CONNECTIONS, blockDigests, blocksRoot, chainHash } from './checkpoint-hash';
import { withMoreClients, type OpenClient } from '../connections/pg-client';
import { checkpointStore, type CheckpointRecord } from './checkpoint-store';

/**
 * `audit checkpoint`: a hash chain over audit_log in id order. Each checkpoint covers the rows
 * after the previous one up to an id, stores its block digests in the SQLite log, and chains to
 * the previous checkpoint's hash. A copy can go to a file kept elsewhere (someone with access
 * to this computer could rewrite the log; a copy on another medium cannot be rewritten with it).
 */

type Progress = Pick<JobContext, 'progress' | 'log' | 'throwIfCancelled' | 'signal' | 'jobId'>;

export interface CheckpointResult {
  created: boolean;
  checkpoint: CheckpointSummary | null;
  /** Rows after the checkpoint left for the next one (newer than the settle window). */
  message: string;
}

export const CHECKPOINT_FILE_FORMAT = 'custodian-audit-checkpoints';

export async function takeCheckpoint(
  ctx: CoreContext,
  o: { profile?: string; reason: 'manual' | 'review' | 'backup'; file: string | null; settleSeconds: number; now?: Date },
  job?: Progress,
): Promise<CheckpointResult> {
  const profile = resolveProfile(ctx, o.profile);
  const label = `${profile.audit.user}@${profile.audit.host}:${profile.audit.port}/${profile.audit.database}`;
  if (o.file) assertWritable(o.file);
  const prev = checkpointStore.latest(ctx, profile.name);
  const fromId = prev ? Number(prev.toId) : 0;
  return withAuditClient(
    ctx,
    profile.name,
    async (c) => {
      job?.progress(null, 'Finding the rows to cover');
      const toId = await settledMaxId(c, new Date((o.now ?? new Date()).getTime() - o.settleSeconds * 1000));
      if (toId <= fromId) {
        return { created: false, checkpoint: prev, message: prev ? `No audit rows since checkpoint ${prev.seq} (up to id ${prev.toId}).` : 'The audit log has no rows to cover yet.' };
      }
      const more: OpenClient = (fn) => withAuditClient(ctx, profile.name, fn, { signal: job?.signal });
      const blocks = await withMoreClients(c, HASH_CONNECTIONS - 1, more, (clients) =>
        blockDigests(clients, fromId, toId, {
          format: CURRENT_ROW_FORMAT,
          onChunk: (done, total) => {
            job?.throwIfCancelled();
            job?.progress(total ? done / total : null, `Hashing ids up to ${fromId + done}`);
          },
        }),
      );
      const rowCount = blocks.reduce((s, b) => s + b.rowCount, 0);
      const root = blocksRoot(blocks);
      const seq = (prev?.seq ?? 0) + 1;
      const prevHash = prev?.chainHash ?? GENESIS_HASH;
      const fields = { seq, fromId, toId, rowCount, blockSize: BLOCK_SIZE, blocksRoot: root, prevHash, rowFormat: CURRENT_ROW_FORMAT };
      const record: Omit<CheckpointRecord, 'id' | 'blocks'> = {
        profile: profile.name,
        seq,
        fromId: String(fromId),
        toId: String(toId),
        rowCount,
        chainHash: chainHash(fields),
        prevHash,
        createdAt: new Date().toISOString(),
        reason: o.reason,
        file: o.file ? path.resolve(o.file) : null,
        databaseLabel: label,
        blockSize: BLOCK_SIZE,
        blocksRoot: root,
        rowFormat: CURRENT_ROW_FORMAT,
      };
      const id = checkpointStore.insert(ctx, { ...record, jobId: job?.jobId ?? null }, blocks);
      if (o.file) writeCheckpointFile(ctx, profile.name, path.resolve(o.file));
      job?.progress(1, `Checkpoint ${seq}: ${rowCount} rows`);
      return { created: true, checkpoint: { ...record, id, blocks: blocks.length }, message: `Checkpoint ${seq} covers ${rowCount} rows (ids ${fromId + 1}–${toId}).` };
    },
    { signal: job?.signal },
  );
}

/** The highest id whose row is older than `before` (rows still settling are left for the next checkpoint). */
async function settledMaxId(c: Client, before: Date): Promise<number> {
  const bounds = await idBounds(c);
  if (!bounds) return 0;
  const first = await idAtOrAfter(c, bounds, before);
  return Number(first.id - 1n);
}

function assertWritable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw new AppError('NotFound', `The folder ${dir} does not exist.`, 'Choose a folder that exists (a USB drive or a shared folder you keep elsewhere). Nothing was written.');
}

/**
 * The whole chain (every checkpoint's header and blocks) as JSON, written atomically. Each file
 * write replaces the previous copy with a longer chain, so the newest file holds everything.
 */
export function writeCheckpointFile(ctx: CoreContext, profile: string, file: string): void {
  const checkpoints = checkpointStore.list(ctx, profile).map((c) => ({
    ...c,
    blocks: checkpointStore.blocks(ctx, c.id).map((b) => ({ ...b, present: b.present.toString('hex') })),
  }));
  writeFileAtomic(file, JSON.stringify({ format: CHECKPOINT_FILE_FORMAT, version: 1, profile, writtenAt: new Date().toISOString(), checkpoints }, null, 1), 0o644);
}

export interface CheckpointFileHeader {
  seq: number;
  chainHash: string;
  toId: string;
}

export function readCheckpointFile(file: string): { profile: string; checkpoints: CheckpointFileHeader[] } {
  let data: { format?: string; profile?: string; checkpoints?: CheckpointFileHeader[] };
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AppError('Validation', `${file} could not be read as a checkpoint file.`, 'Choose the .json file written by `custodian audit checkpoint --file`.', { cause: e });
  }
  if (data.format !== CHECKPOINT_FILE_FORMAT || !Array.isArray(data.checkpoints)) {
    throw new AppError('Validation', `${file} is not a Custodian checkpoint file.`, 'Choose the .json file written by `custodian audit checkpoint --file`.');
  }
  return { profile: String(data.profile ?? ''), checkpoints: data.checkpoints.map((c) => ({ seq: Number(c.seq), chainHash: String(c.chainHash), toId: String(c.toId) })) };
}
