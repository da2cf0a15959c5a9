import type { Client } from 'pg';
import type { JobContext } from '../../jobs/runner';
import { AppError } from '../../common/errors';
import type { FernetKey, MultiFernet } from '../fernet';
import { sealBatch } from '../fernet-batch';
import { classifyBatch, PageReader, pageKey, pageSize, readRows, writeIfUnchanged, type Page, type RotatableColumn, type WriteSet } from './column-scan';

/**
 * Re-encrypting one column, batch by batch, as a pipeline on one connection:
 *
 *   PostgreSQL:  read N+1 | write N       | read N+2 | write N+1      | ...
 *   Node:                 | prepare N+1   |          | prepare N+2    | ...  (decrypt + re-encrypt, fernet-batch.ts)
 *
 * Queries queue on the connection, so PostgreSQL always has the next one waiting while Node does
 * the crypto. (A second connection reading ahead in parallel was slower on the benchmark: on a
 * two-core machine the two backends and Node competed, and both backends' CPU time went up.)
 * Reads run outside the writes' transactions; the optimistic check at write time (row version)
 * still catches any value that changed after it was read.
 */

/** Test hook: called at named points of a batch so tests can "crash" there. */
export type FaultPoint = 'column-start' | 'batch-read' | 'batch-written' | 'batch-committed' | 'batch-saved';
type Job = Pick<JobContext, 'log' | 'throwIfCancelled'>;

export type Counts = { reencrypted: number; alreadyNew: number; empty: number; conflicts: number };
export interface BatchDone extends Counts {
  /** Where a resume starts (null with done: the column is finished). */
  lastPk: string | null;
  done: boolean;
  rows: number;
}

/** What a batch needs once its page is prepared (the page's buffers are then reused). */
interface PreparedBatch {
  rows: number;
  lastPk: string | null;
  writes: WriteSet;
  counts: Counts;
  /** The reusable buffer the tokens were written into, given back after the write. */
  buf?: Buffer;
}

export interface ColumnRun {
  /** The old keys first, the new key last (most values are under an old key: one HMAC each). */
  keys: MultiFernet;
  newKey: FernetKey;
  batchSize: number;
  /** Commit batches without waiting for the WAL flush (see writeIfUnchanged). */
  asyncCommit?: boolean;
  /** Set by rotateColumn: buffers the new tokens are written into, reused batch after batch. */
  sealed?: TokenBuffers;
  faults?: (point: FaultPoint, col: RotatableColumn) => void | Promise<void>;
  job?: Job;
}

const label = (c: RotatableColumn) => `${c.schema}.${c.table}.${c.column}`;

/** Rotates `col` from `fromPk` on; `saved` persists each batch's progress (then the column's end). */
export async function rotateColumn(client: Client, col: RotatableColumn, fromPk: string | null, run: ColumnRun, saved: (b: BatchDone) => void): Promise<void> {
  const reader = new PageReader(client, col);
  run = { ...run, sealed: new TokenBuffers() };
  const read = (from: string) => {
    const pr = reader.read(from, run.batchSize);
    pr.catch(() => undefined); // a crash or cancel before we await it must not be an unhandled rejection
    return pr;
  };
  let cur = prepareBatch(col, await reader.read(fromPk, run.batchSize), run);
  let ahead: Promise<Page> | null = cur.lastPk !== null ? read(cur.lastPk) : null;
  for (;;) {
    run.job?.throwIfCancelled();
    if (cur.rows === 0) {
      saved({ lastPk: null, done: true, rows: 0, reencrypted: 0, alreadyNew: 0, empty: 0, conflicts: 0 });
      return;
    }
    await run.faults?.('batch-read', col);
    const written = rotateBatch(client, col, cur, run);
    written.catch(() => undefined); // awaited below; see read()
    const page = ahead ? await ahead : null;
    const n = page ? pageSize(page) : 0;
    ahead = n > 0 ? read(pageKey(page!, n - 1)) : null; // queued behind write N: PostgreSQL never waits for Node
    const next = page ? prepareBatch(col, page, run) : NOTHING; // while PostgreSQL writes N
    const counts = await written;
    run.sealed?.give(cur.buf);
    await run.faults?.('batch-committed', col);
    saved({ lastPk: cur.lastPk, done: false, rows: cur.rows, ...counts });
    await run.faults?.('batch-saved', col);
    cur = next;
  }
}

/**
 * Buffers for the new tokens, reused batch after batch: a batch takes one when it is sealed and
 * gives it back once its write has returned (never earlier: the write may still be queued on the
 * connection). At most a few are ever out at once.
 */
class TokenBuffers {
  private readonly free: Buffer[] = [];

  take(size: number): Buffer {
    const b = this.free.pop();
    return b && b.length >= size ? b : Buffer.allocUnsafe(Math.max(size, 64 * 1024));
  }

  give(b: Buffer | undefined): void {
    if (b && this.free.length < 4) this.free.push(b);
  }
}

const NOTHING: PreparedBatch = { rows: 0, lastPk: null, writes: { pks: [], versions: [], tokens: Buffer.alloc(0), len: [] }, counts: { reencrypted: 0, alreadyNew: 0, empty: 0, conflicts: 0 } };

/**
 * Classifies a page and re-encrypts what is under an old key, all in one batch (fernet-batch.ts:
 * one random draw for the IVs, a few AES passes, no per-value crypto objects or Buffers). What the
 * write needs is copied out of the page (typed arrays; key text only for non-integer keys).
 */
function prepareBatch(col: RotatableColumn, page: Page, run: ColumnRun): PreparedBatch {
  const n = pageSize(page);
  const counts: Counts = { reencrypted: 0, alreadyNew: 0, empty: 0, conflicts: 0 };
  const { cls, opened } = classifyBatch(page, run.keys, run.keys.keys.length - 1, true);
  const todo = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const c = cls[i]!;
    if (c === 'toReencrypt') todo[m++] = i;
    else if (c === 'undecryptable') run.job?.log('warn', `${label(col)} id ${pageKey(page, i)} decrypts under no key; left unchanged (the final check will list it).`);
    else counts[c]++;
  }
  const src = new Array<Uint8Array>(m);
  const off = new Int32Array(m);
  const len = new Int32Array(m);
  const versions = new Float64Array(m);
  const ids = page.ids ? new Float64Array(m) : null;
  const pks = ids ? null : new Array<string>(m);
  for (let j = 0; j < m; j++) {
    const i = todo[j]!;
    src[j] = opened.src[i]!;
    off[j] = opened.off[i]!;
    len[j] = opened.len[i]!;
    versions[j] = page.versions[i]!;
    if (ids) ids[j] = page.ids![i]!;
    else pks![j] = page.pks[i]!;
  }
  let buf: Buffer | undefined;
  const sealed = sealBatch(run.newKey, src, off, len, { out: run.sealed ? (size) => (buf = run.sealed!.take(size)) : undefined });
  return { rows: n, lastPk: n > 0 ? pageKey(page, n - 1) : null, writes: { pks: ids ?? pks!, versions, tokens: sealed.text, len: sealed.len }, counts, buf };
}

/**
 * Writes one batch: a single UPDATE, hence its own transaction. Values KoNote changed meanwhile are
 * re-read and retried (each retry again one statement); a crash in between loses nothing, as every
 * value is readable under "new,old" and resuming redoes the batch (values already new are skipped).
 */
async function rotateBatch(client: Client, col: RotatableColumn, batch: PreparedBatch, run: ColumnRun): Promise<Counts> {
  const counts = { ...batch.counts };
  let writes = batch.writes;
  let retry: Buffer | undefined;
  for (let round = 0; ; round++) {
    const lost = await writeIfUnchanged(client, col, writes, { asyncCommit: run.asyncCommit });
    counts.reencrypted += writes.pks.length - lost.length;
    if (lost.length === 0) break;
    counts.conflicts += lost.length;
    if (round >= 5) throw new AppError('Conflict', `${label(col)}: values keep changing while being rotated.`, 'Try again when KoNote is less busy; the rotation resumes where it stopped.');
    const again = prepareBatch(col, await readRows(client, col, lost), run); // deleted rows simply disappear
    counts.alreadyNew += again.counts.alreadyNew;
    counts.empty += again.counts.empty;
    run.sealed?.give(retry); // the previous retry's write has returned
    retry = again.buf;
    writes = again.writes;
  }
  run.sealed?.give(retry);
  await run.faults?.('batch-written', col);
  return counts;
}
