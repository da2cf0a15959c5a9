import type { Client } from 'pg';
import type { JobContext } from '../../jobs/runner';
import { AppError } from '../../common/errors';
import type { FernetKey, MultiFernet } from '../fernet';
import { sealBatch } from '../fernet-batch';
import { classifyBatch, readBatch, readRows, writeIfUnchanged, type Page, type RotatableColumn, type WriteSet } from './column-scan';

/**
 * Re-encrypting one column, batch by batch, as a pipeline over two connections (or one):
 *
 *   reader:  read N+1 | read N+2        | read N+3 ...
 *   Node:      prepare N+1 | prepare N+2 | ...      (decrypt + re-encrypt, fernet-batch.ts)
 *   writer:  write N       | write N+1   | ...
 *
 * so PostgreSQL's writing, its reading and Node's crypto overlap instead of taking turns. Reads
 * run outside the writes' transactions; the optimistic check at write time (row version) still
 * catches any value that changed after it was read. At most three pages are held at once.
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

interface PreparedBatch {
  page: Page;
  writes: WriteSet;
  counts: Counts;
}

export interface ColumnRun {
  /** The old keys first, the new key last (most values are under an old key: one HMAC each). */
  keys: MultiFernet;
  newKey: FernetKey;
  batchSize: number;
  faults?: (point: FaultPoint, col: RotatableColumn) => void | Promise<void>;
  job?: Job;
}

const label = (c: RotatableColumn) => `${c.schema}.${c.table}.${c.column}`;
const lastPk = (page: Page): string => page.pks[page.pks.length - 1]!;
const EMPTY: Page = { pks: [], versions: new Float64Array(0), blob: Buffer.alloc(0), off: new Int32Array(0), len: new Int32Array(0) };

/** Rotates `col` from `fromPk` on; `saved` persists each batch's progress (then the column's end). */
export async function rotateColumn(conns: { writer: Client; reader: Client }, col: RotatableColumn, fromPk: string | null, run: ColumnRun, saved: (b: BatchDone) => void): Promise<void> {
  const read = (from: string) => {
    const pr = readBatch(conns.reader, col, from, run.batchSize);
    pr.catch(() => undefined); // a crash or cancel before we await it must not be an unhandled rejection
    return pr;
  };
  let cur = prepareBatch(col, await readBatch(conns.reader, col, fromPk, run.batchSize), run);
  let ahead: Promise<Page> | null = cur.page.pks.length > 0 ? read(lastPk(cur.page)) : null;
  for (;;) {
    run.job?.throwIfCancelled();
    const rows = cur.page.pks.length;
    if (rows === 0) {
      saved({ lastPk: null, done: true, rows: 0, reencrypted: 0, alreadyNew: 0, empty: 0, conflicts: 0 });
      return;
    }
    const after = lastPk(cur.page);
    await run.faults?.('batch-read', col);
    const written = rotateBatch(conns.writer, col, cur, run);
    written.catch(() => undefined); // awaited below; see read()
    const page = ahead ? await ahead : EMPTY;
    ahead = page.pks.length > 0 ? read(lastPk(page)) : null; // the reader starts on N+2 now
    const next = prepareBatch(col, page, run); // while the writer writes N
    const counts = await written;
    await run.faults?.('batch-committed', col);
    saved({ lastPk: after, done: false, rows, ...counts });
    await run.faults?.('batch-saved', col);
    cur = next;
  }
}

/**
 * Classifies a page and re-encrypts what is under an old key, all in one batch (fernet-batch.ts:
 * one random draw for the IVs, a few AES passes, no per-value crypto objects or Buffers).
 */
function prepareBatch(col: RotatableColumn, page: Page, run: ColumnRun): PreparedBatch {
  const counts: Counts = { reencrypted: 0, alreadyNew: 0, empty: 0, conflicts: 0 };
  const { cls, opened } = classifyBatch(page, run.keys, run.keys.keys.length - 1, true);
  const todo: number[] = [];
  page.pks.forEach((pk, i) => {
    const c = cls[i]!;
    if (c === 'toReencrypt') todo.push(i);
    else if (c === 'undecryptable') run.job?.log('warn', `${label(col)} id ${pk} decrypts under no key; left unchanged (the final check will list it).`);
    else counts[c]++;
  });
  const sealed = sealBatch(run.newKey, todo.map((i) => opened.src[i]!), todo.map((i) => opened.off[i]!), todo.map((i) => opened.len[i]!));
  const writes: WriteSet = { pks: todo.map((i) => page.pks[i]!), versions: todo.map((i) => page.versions[i]!), tokens: sealed.text, len: sealed.len };
  return { page, writes, counts };
}

/**
 * Writes one batch: a single UPDATE, hence its own transaction. Values KoNote changed meanwhile are
 * re-read and retried (each retry again one statement); a crash in between loses nothing, as every
 * value is readable under "new,old" and resuming redoes the batch (values already new are skipped).
 */
async function rotateBatch(client: Client, col: RotatableColumn, batch: PreparedBatch, run: ColumnRun): Promise<Counts> {
  const counts = { ...batch.counts };
  let writes = batch.writes;
  for (let round = 0; ; round++) {
    const lost = await writeIfUnchanged(client, col, writes);
    counts.reencrypted += writes.pks.length - lost.length;
    if (lost.length === 0) break;
    counts.conflicts += lost.length;
    if (round >= 5) throw new AppError('Conflict', `${label(col)}: values keep changing while being rotated.`, 'Try again when KoNote is less busy; the rotation resumes where it stopped.');
    const again = prepareBatch(col, await readRows(client, col, lost), run); // deleted rows simply disappear
    counts.alreadyNew += again.counts.alreadyNew;
    counts.empty += again.counts.empty;
    writes = again.writes;
  }
  await run.faults?.('batch-written', col);
  return counts;
}
