import fs from 'node:fs';
import path from 'node:path';
import type { CoreContext } from '../context';
import type { DatabaseEndpoint } from '../../contract/profiles';
import { AppError } from '../common/errors';
import { searchFromContext } from '../connections/tool-discovery';
import { withEndpointClient } from '../connections/pg-client';
import { clusterLayout, clusterStatus, findServerBinaries, runServerTool, type ClusterLayout, type ServerBinaries } from '../sandbox/local-cluster';
import { pitrRoot, pitrStore } from './pitr-store';
import { initialLogState, readRecoveryLog, recoveryFatalToError, type RecoveryLogState } from './recovery-log';

/**
 * The local scratch instance a recovery runs in: start it without waiting (recovery can take long),
 * follow its log for progress, confirm it was promoted, stop it, and clean up instances left behind
 * by a run that was killed. It lives in <data folder>/pitr/scratch/<recovery id>/ with the sandbox's
 * layout (data/, run/, postgres.log) and runs as `postgres` when Custodian runs as root.
 */

export const scratchRoot = (ctx: Pick<CoreContext, 'home'>) => path.join(pitrRoot(ctx), 'scratch');
const SCRATCH_ID = /^rc-[0-9a-z-]+$/;
const POLL_MS = 300;
/** No new log line and no progress for this long means PostgreSQL hangs (e.g. restore_command never returns). */
const STALL_MS = 15 * 60_000;

export async function serverBinariesFor(ctx: CoreContext, major: number): Promise<ServerBinaries> {
  try {
    return await findServerBinaries(searchFromContext(ctx), { exactMajor: major });
  } catch (e) {
    if (e instanceof AppError && (e.kind === 'PgVersion' || e.kind === 'ToolMissing')) {
      throw new AppError(e.kind, `The base backup comes from PostgreSQL ${major}, and recovering it needs the PostgreSQL ${major} server programs on this computer. ${e.message}`, e.hint, { cause: e });
    }
    throw e;
  }
}

export async function startNoWait(bins: ServerBinaries, l: ClusterLayout, signal?: AbortSignal): Promise<void> {
  await runServerTool(bins.pgCtl, ['-D', l.dataDir, '-l', l.logFile, '-W', 'start'], signal);
}

export async function stopInstance(bins: Pick<ServerBinaries, 'pgCtl'>, dir: string, mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
  const l = clusterLayout(dir);
  if (!clusterStatus(dir).running) return;
  await runServerTool(bins.pgCtl, ['-D', l.dataDir, '-m', mode, '-w', '-t', '60', 'stop']).catch(() => undefined);
}

function readNewLines(file: string, offset: number): { lines: string[]; offset: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return { lines: [], offset };
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size <= offset) return { lines: [], offset };
    const buf = Buffer.alloc(size - offset);
    fs.readSync(fd, buf, 0, buf.length, offset);
    const text = buf.toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) return { lines: [], offset };
    return { lines: text.slice(0, end).split('\n'), offset: offset + Buffer.byteLength(text.slice(0, end + 1)) };
  } finally {
    fs.closeSync(fd);
  }
}

export interface FollowOptions {
  signal: AbortSignal;
  onLine?: (line: string) => void;
  onState?: (s: RecoveryLogState) => void;
}

/** Follows the log until the instance is promoted and accepts connections, or fails. */
export async function followRecovery(dir: string, o: FollowOptions): Promise<RecoveryLogState> {
  const l = clusterLayout(dir);
  let state = initialLogState();
  let offset = 0;
  let lastChange = Date.now();
  let sawRunning = false;
  for (;;) {
    if (o.signal.aborted) throw new AppError('Cancelled', 'The recovery was cancelled.');
    const chunk = readNewLines(l.logFile, offset);
    offset = chunk.offset;
    if (chunk.lines.length) {
      lastChange = Date.now();
      chunk.lines.forEach((x) => o.onLine?.(x));
      state = readRecoveryLog(state, chunk.lines);
      o.onState?.(state);
    }
    if (state.portInUse) return state;
    if (state.fatal) throw recoveryFatalToError(state.fatal, l.logFile);
    if (state.ready) return state;
    const running = clusterStatus(dir).running;
    sawRunning ||= running;
    if (sawRunning && !running) {
      // Give the last log lines a moment to land before concluding.
      await new Promise((r) => setTimeout(r, POLL_MS));
      const last = readRecoveryLog(state, readNewLines(l.logFile, offset).lines);
      if (last.fatal) throw recoveryFatalToError(last.fatal, l.logFile);
      if (last.portInUse) return last;
      throw new AppError('Internal', 'PostgreSQL stopped during recovery without saying why.', `Read ${l.logFile}.`);
    }
    if (Date.now() - lastChange > STALL_MS) throw new AppError('PgTimeout', 'Recovery made no progress for 15 minutes.', `Check that the archive folder is reachable; read ${l.logFile}.`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Confirms the instance left recovery (promoted) and answers queries on the expected database. */
export async function confirmPromoted(endpoint: DatabaseEndpoint, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const inRecovery = await withEndpointClient(endpoint, null, async (c) => (await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r, { signal, connectTimeoutMs: 5000 });
      if (!inRecovery) return;
      last = new Error('still in recovery');
    } catch (e) {
      if (e instanceof AppError && e.kind === 'Cancelled') throw e;
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new AppError('Internal', `The recovered instance did not come out of recovery: ${last instanceof Error ? last.message : String(last)}`, 'Read the scratch instance’s postgres.log; the instance was removed.');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops and deletes a scratch folder (never anything outside the scratch root). */
export async function removeScratch(ctx: CoreContext, dir: string): Promise<void> {
  const root = path.resolve(scratchRoot(ctx));
  const abs = path.resolve(dir);
  if (path.dirname(abs) !== root || !SCRATCH_ID.test(path.basename(abs))) {
    throw new AppError('Forbidden', `Refusing to remove ${abs}: it is not a Custodian scratch instance.`);
  }
  const status = clusterStatus(abs);
  if (status.running && status.major !== null) {
    const bins = await findServerBinaries(searchFromContext(ctx), { exactMajor: status.major }).catch(() => null);
    if (bins) await stopInstance(bins, abs, 'immediate');
  }
  fs.rmSync(abs, { recursive: true, force: true });
}

/**
 * Scratch instances whose recovery was interrupted (Custodian killed, machine restarted): their
 * owner process is gone but they are still "recovering". Stops and removes them. Instances that
 * finished ("ready") are kept until the user discards them.
 */
export async function cleanupInterruptedRecoveries(ctx: CoreContext, activeIds: Set<string> = new Set()): Promise<string[]> {
  const cleaned: string[] = [];
  for (const r of pitrStore.recoveries(ctx, null, ['recovering'])) {
    if (activeIds.has(r.id)) continue;
    if (r.ownerPid === process.pid || alive(r.ownerPid)) continue;
    await removeScratch(ctx, r.dir);
    pitrStore.updateRecovery(ctx, r.id, {
      state: 'failed',
      finishedAt: new Date().toISOString(),
      error: { kind: 'Internal', message: 'Custodian stopped while this recovery was running; its scratch instance was stopped and removed.', hint: 'Start the recovery again.' },
    });
    cleaned.push(r.id);
  }
  return cleaned;
}
