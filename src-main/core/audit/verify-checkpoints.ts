import type { Client } from 'pg';
import type { CheckpointProblem, CheckpointVerify } from '../../contract/audit';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { resolveProfile } from '../connections/profile-store';
import { withAuditClient } from './audit-db';
import { GENESIS_HASH, HASH_CONNECTIONS, bitsSet, blocksRoot, chainHash, hashRange, type BlockDigest } from './checkpoint-hash';
import { emptyScan, mergeScans, type IdTimeScan } from './id-time-scan';
import { withMoreClients, type OpenClient } from '../connections/pg-client';
import { checkpointStore, type CheckpointRecord } from './checkpoint-store';
import { readCheckpointFile } from './checkpoint';
import { withIdRangePlans } from './id-range';

/**
 * `audit verify`: recomputes every checkpoint from the rows in the database and names the first
 * changed, missing or added row range. Also checks the chain itself (each link commits to the one
 * before), and, given the copy kept elsewhere, that the local log's chain equals it.
 *
 * Drills call `verifyCheckpoints` with the client of a restored audit database and the backup's
 * highest audit id: checkpoints newer than the backup are skipped, not failed.
 */

type Progress = Pick<JobContext, 'progress' | 'log' | 'throwIfCancelled' | 'signal'>;

const MAX_PROBLEMS = 50;

export interface VerifyCheckpointOptions {
  /** Use this client (e.g. a drill's scratch audit database) instead of the profile's audit database. */
  client?: Client;
  /** With `client`: opens another connection to the same database, to hash in parallel. */
  openClient?: OpenClient;
  /** Only checkpoints wholly at or below this id (a backup's highest audit id). */
  upToId?: number | null;
  /** A checkpoint file kept elsewhere to compare the chain with. */
  file?: string | null;
  /** Re-hash only the newest checkpoint's rows (the chain is still checked whole): the quick check. */
  onlyLatest?: boolean;
  job?: Progress;
}

/** The rows a re-hash read, as the audit log's own checks need them: ids fromId < id <= toId. */
export interface CoveredScan {
  fromId: number;
  toId: number;
  scan: IdTimeScan;
}

export async function verifyCheckpoints(ctx: CoreContext, profileName: string | undefined, o: VerifyCheckpointOptions = {}): Promise<CheckpointVerify> {
  return (await verifyCheckpointsScanned(ctx, profileName, o)).verify;
}

/** verifyCheckpoints, with the scan of every row it re-hashed (null when it stopped early or hashed nothing). */
export async function verifyCheckpointsScanned(ctx: CoreContext, profileName: string | undefined, o: VerifyCheckpointOptions = {}): Promise<{ verify: CheckpointVerify; covered: CoveredScan | null }> {
  const profile = resolveProfile(ctx, profileName);
  if (o.client) return verifyWith(ctx, profile.name, o.client, o.openClient ?? null, o);
  const more: OpenClient = (fn) => withAuditClient(ctx, profile.name, fn, { signal: o.job?.signal });
  return withAuditClient(ctx, profile.name, (c) => verifyWith(ctx, profile.name, c, more, o), { signal: o.job?.signal });
}

function range(a: number, b: number): string {
  return a === b ? `${a}` : `${a}–${b}`;
}

/** Compares stored and recomputed blocks; pure (unit-tested). */
export function compareBlocks(seq: number, blockSize: number, stored: BlockDigest[], actual: BlockDigest[]): CheckpointProblem[] {
  const out: CheckpointProblem[] = [];
  const now = new Map(actual.map((b) => [b.block, b]));
  const was = new Map(stored.map((b) => [b.block, b]));
  const blocks = [...new Set([...was.keys(), ...now.keys()])].sort((a, b) => a - b);
  for (const k of blocks) {
    const s = was.get(k);
    const a = now.get(k);
    if (s && a && s.digest === a.digest && s.rowCount === a.rowCount) continue;
    const base = k * blockSize;
    const ids = (b: BlockDigest | undefined) => new Set(b ? bitsSet(b.present).map((i) => base + i) : []);
    const before = ids(s);
    const after = ids(a);
    const missing = [...before].filter((i) => !after.has(i));
    const added = [...after].filter((i) => !before.has(i));
    const first = Math.min(s?.firstId ?? Infinity, a?.firstId ?? Infinity);
    const last = Math.max(s?.lastId ?? -Infinity, a?.lastId ?? -Infinity);
    if (missing.length) out.push({ checkpointSeq: seq, kind: 'missing', firstId: String(missing[0]), lastId: String(missing[missing.length - 1]), detail: `${missing.length} row(s) missing: id ${listIds(missing)}.` });
    if (added.length) out.push({ checkpointSeq: seq, kind: 'added', firstId: String(added[0]), lastId: String(added[added.length - 1]), detail: `${added.length} row(s) appeared that were not there at the checkpoint: id ${listIds(added)}.` });
    if (!missing.length && !added.length) out.push({ checkpointSeq: seq, kind: 'changed', firstId: String(first), lastId: String(last), detail: `At least one row with id ${range(first, last)} was changed.` });
  }
  return out;
}

function listIds(ids: number[]): string {
  // Compress runs: 5, 7–9, 12
  const parts: string[] = [];
  for (let i = 0; i < ids.length && parts.length < 10; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    parts.push(range(ids[i]!, ids[j]!));
    i = j + 1;
  }
  return parts.join(', ') + (parts.length === 10 ? ', …' : '');
}

/** Checks the chain's own integrity: seq order, links, and each hash recomputed from its fields and blocks. */
function chainProblems(ctx: CoreContext, list: CheckpointRecord[]): CheckpointProblem[] {
  const out: CheckpointProblem[] = [];
  let prevHash = GENESIS_HASH;
  let prevTo = 0;
  list.forEach((c, i) => {
    const fields = { seq: c.seq, fromId: Number(c.fromId), toId: Number(c.toId), rowCount: c.rowCount, blockSize: c.blockSize, blocksRoot: blocksRoot(checkpointStore.blocks(ctx, c.id)), prevHash: c.prevHash, rowFormat: c.rowFormat };
    const problem = (detail: string) => out.push({ checkpointSeq: c.seq, kind: 'chain', firstId: c.fromId, lastId: c.toId, detail });
    if (c.seq !== i + 1) problem(`Checkpoint numbers are not consecutive (expected ${i + 1}, found ${c.seq}): a checkpoint was removed from the log.`);
    if (c.prevHash !== prevHash || Number(c.fromId) !== prevTo) problem(`Checkpoint ${c.seq} does not continue checkpoint ${c.seq - 1}: the chain was edited.`);
    if (fields.blocksRoot !== c.blocksRoot || chainHash(fields) !== c.chainHash) problem(`Checkpoint ${c.seq}'s stored digests do not match its hash: the local log was edited.`);
    prevHash = c.chainHash;
    prevTo = Number(c.toId);
  });
  return out;
}

async function verifyWith(ctx: CoreContext, profile: string, client: Client, more: OpenClient | null, o: VerifyCheckpointOptions): Promise<{ verify: CheckpointVerify; covered: CoveredScan | null }> {
  const t0 = performance.now();
  const all = checkpointStore.list(ctx, profile);
  const problems: CheckpointProblem[] = chainProblems(ctx, all);
  if (o.file) {
    const copy = readCheckpointFile(o.file);
    for (const h of copy.checkpoints) {
      const local = all.find((c) => c.seq === h.seq);
      if (!local) problems.push({ checkpointSeq: h.seq, kind: 'chain', firstId: '0', lastId: h.toId, detail: `Checkpoint ${h.seq} is in the file but not in the local log: it was removed.` });
      else if (local.chainHash !== h.chainHash) problems.push({ checkpointSeq: h.seq, kind: 'chain', firstId: local.fromId, lastId: local.toId, detail: `Checkpoint ${h.seq} differs from the copy in ${o.file}: the local log was rewritten.` });
    }
  }
  const fits = all.filter((c) => o.upToId === undefined || o.upToId === null || Number(c.toId) <= o.upToId);
  const eligible = o.onlyLatest ? fits.slice(-1) : fits;
  const totalIds = eligible.reduce((s, c) => s + (Number(c.toId) - Number(c.fromId)), 0);
  let doneIds = 0;
  let rowsVerified = 0;
  let scan = emptyScan();
  let complete = eligible.length > 0;
  const rehash = async (clients: Client[]) => {
    for (const c of eligible) {
      const { blocks: actual, scan: part } = await hashRange(clients, Number(c.fromId), Number(c.toId), {
        format: c.rowFormat,
        onChunk: (done) => {
          o.job?.throwIfCancelled();
          o.job?.progress(totalIds ? (doneIds + done) / totalIds : null, `Checking checkpoint ${c.seq}`);
        },
      });
      scan = mergeScans(scan, part);
      doneIds += Number(c.toId) - Number(c.fromId);
      rowsVerified += actual.reduce((s, b) => s + b.rowCount, 0);
      problems.push(...compareBlocks(c.seq, c.blockSize, checkpointStore.blocks(ctx, c.id), actual));
      if (problems.length >= MAX_PROBLEMS) {
        complete = false;
        break;
      }
    }
  };
  if (more && eligible.length) await withMoreClients(client, HASH_CONNECTIONS - 1, more, rehash);
  else await rehash([client]);
  const last = all[all.length - 1];
  const tail = await withIdRangePlans(client, () =>
    last ? client.query<{ n: string }>(`SELECT count(*)::text AS n FROM public.audit_log WHERE id > $1::bigint`, [last.toId]) : client.query<{ n: string }>(`SELECT count(*)::text AS n FROM public.audit_log`),
  );
  const first = problems[0];
  const covered = complete ? { fromId: Number(eligible[0]!.fromId), toId: Number(eligible[eligible.length - 1]!.toId), scan } : null;
  const verify: CheckpointVerify = {
    profile,
    ok: problems.length === 0,
    checkpoints: all.length,
    verified: eligible.length,
    skipped: all.length - fits.length,
    rowsVerified,
    problems: problems.slice(0, MAX_PROBLEMS),
    firstProblem: first ? `Checkpoint ${first.checkpointSeq}: ${first.kind === 'chain' ? '' : `rows ${range(Number(first.firstId), Number(first.lastId))} ${first.kind}. `}${first.detail}` : null,
    uncoveredRows: Number(tail.rows[0]!.n),
    elapsedMs: Math.round(performance.now() - t0),
  };
  return { verify, covered };
}
