import { randomUUID } from 'node:crypto';
import { spawn, type SpawnOptions } from 'node:child_process';
import type { LogDb } from '../../store/log-store';
import type { JobEvent, JobLogLine, JobProgress, JobSpec, JobSummary, JobKind } from '../../contract/jobs';
import { AppError, toErrorData } from '../common/errors';

/** What a job's body gets: its cancel signal and ways to report. */
export interface JobContext {
  jobId: string;
  signal: AbortSignal;
  progress(fraction: number | null, message: string): void;
  log(level: JobLogLine['level'], text: string): void;
  /** Throws Cancelled if the user cancelled; call between steps. */
  throwIfCancelled(): void;
  /** Runs a child process (shell: false) that is killed when the job is cancelled. */
  run(command: string, args: string[], options?: RunOptions): Promise<RunResult>;
}

export interface RunOptions extends Pick<SpawnOptions, 'cwd' | 'env'> {
  /** Called per line of stderr (pg tools write --verbose progress there). */
  onStderrLine?: (line: string) => void;
  onStdoutLine?: (line: string) => void;
  /** Accept these exit codes as success (default [0]). */
  okCodes?: number[];
}
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface JobDefinition<K extends JobKind = JobKind> {
  title(spec: Extract<JobSpec, { kind: K }>): string;
  run(spec: Extract<JobSpec, { kind: K }>, ctx: JobContext): Promise<unknown>;
}

type Listener = (event: JobEvent) => void;
const PROGRESS_INTERVAL_MS = 100; // ~10 Hz per job, as the contract promises
const KILL_GRACE_MS = 3000;
const KEPT_OUTPUT = 64 * 1024;

interface Running {
  controller: AbortController;
  done: Promise<void>;
  lastProgressEmit: number;
  pendingProgress: NodeJS.Timeout | null;
}

/**
 * Jobs: persisted in the SQLite log (so `jobs.list` survives a window reload and the CLI sees the
 * app's jobs), with progress/log/state events and a cancel that really stops child processes.
 */
export class JobRunner {
  private readonly definitions = new Map<string, JobDefinition>();
  private readonly listeners = new Set<Listener>();
  private readonly running = new Map<string, Running>();

  constructor(private readonly db: LogDb) {
    // Jobs left "running" by a process that died can never finish: say so instead of showing them
    // spinning. Jobs of a live process (the app while the CLI starts, or the other way) are its own.
    const orphaned = db.prepare(`SELECT id, owner_pid FROM jobs WHERE state IN ('queued','running')`).all() as Array<{ id: string; owner_pid: number | null }>;
    const markDead = db.prepare(`UPDATE jobs SET state = 'failed', finished_at = ?, error_json = ? WHERE id = ?`);
    const error = JSON.stringify({ kind: 'Internal', message: 'Custodian stopped while this job was running.', hint: 'Start the job again.' });
    for (const job of orphaned) if (!processIsAlive(job.owner_pid)) markDead.run(new Date().toISOString(), error, job.id);
  }

  define<K extends JobKind>(kind: K, def: JobDefinition<K>): void {
    this.definitions.set(kind, def as unknown as JobDefinition);
  }

  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(spec: JobSpec): string {
    const def = this.definitions.get(spec.kind);
    if (!def) throw new AppError('Validation', `No job of kind "${spec.kind}" is available here.`, 'Update Custodian.');
    const id = randomUUID();
    const now = new Date().toISOString();
    this.db
      .prepare(`INSERT INTO jobs (id, kind, title, spec_json, state, progress_fraction, progress_message, created_at, owner_pid) VALUES (?, ?, ?, ?, 'queued', NULL, '', ?, ?)`)
      .run(id, spec.kind, def.title(spec as never), JSON.stringify(spec), now, process.pid);
    const controller = new AbortController();
    const entry: Running = { controller, done: Promise.resolve(), lastProgressEmit: 0, pendingProgress: null };
    this.running.set(id, entry);
    entry.done = this.execute(id, spec, def, entry);
    this.emitState(id);
    return id;
  }

  /** Resolves when the job has reached a final state. */
  async wait(id: string): Promise<JobSummary> {
    await this.running.get(id)?.done;
    const job = this.get(id);
    if (!job) throw new AppError('NotFound', `No job ${id}.`);
    return job;
  }

  cancel(id: string): boolean {
    const entry = this.running.get(id);
    if (!entry) return false;
    entry.controller.abort();
    return true;
  }

  get(id: string): JobSummary | null {
    const row = this.db.prepare(`SELECT * FROM jobs WHERE id = ?`).get(id) as JobRow | undefined;
    return row ? toSummary(row) : null;
  }

  list(limit = 50): JobSummary[] {
    const rows = this.db.prepare(`SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(limit) as JobRow[];
    return rows.map(toSummary);
  }

  logAfter(id: string, afterSeq = 0): JobLogLine[] {
    return this.db.prepare(`SELECT seq, at, level, text FROM job_logs WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT 1000`).all(id, afterSeq) as JobLogLine[];
  }

  /** Cancels everything and waits (used when the app quits). */
  async shutdown(): Promise<void> {
    for (const entry of this.running.values()) entry.controller.abort();
    await Promise.all([...this.running.values()].map((e) => e.done));
  }

  private async execute(id: string, spec: JobSpec, def: JobDefinition, entry: Running): Promise<void> {
    await Promise.resolve(); // let start() return the id before any event fires
    let seq = 0;
    const signal = entry.controller.signal;
    const log = (level: JobLogLine['level'], text: string) => {
      const line: JobLogLine = { seq: ++seq, at: new Date().toISOString(), level, text };
      this.db.prepare(`INSERT INTO job_logs (job_id, seq, at, level, text) VALUES (?, ?, ?, ?, ?)`).run(id, line.seq, line.at, line.level, line.text);
      this.emit({ type: 'log', jobId: id, line });
    };
    const progress = (fraction: number | null, message: string) => this.reportProgress(id, entry, { fraction: fraction === null ? null : Math.max(0, Math.min(1, fraction)), message });
    const throwIfCancelled = () => {
      if (signal.aborted) throw new AppError('Cancelled', 'The job was cancelled.', 'Nothing was marked as done; start it again when ready.');
    };
    const ctx: JobContext = { jobId: id, signal, progress, log, throwIfCancelled, run: (c, a, o) => runChild(c, a, o ?? {}, signal) };

    this.db.prepare(`UPDATE jobs SET state = 'running', started_at = ? WHERE id = ?`).run(new Date().toISOString(), id);
    this.emitState(id);
    try {
      const result = await def.run(spec as never, ctx);
      throwIfCancelled();
      this.flushProgress(id, entry);
      this.finish(id, 'succeeded', null, result ?? null);
    } catch (e) {
      this.flushProgress(id, entry);
      const cancelled = signal.aborted;
      const error = cancelled ? new AppError('Cancelled', 'The job was cancelled.', 'Nothing was marked as done; start it again when ready.').toData() : toErrorData(e);
      log('error', error.message);
      this.finish(id, cancelled ? 'cancelled' : 'failed', error, null);
    } finally {
      this.running.delete(id);
    }
  }

  private finish(id: string, state: 'succeeded' | 'failed' | 'cancelled', error: unknown, result: unknown) {
    this.db
      .prepare(`UPDATE jobs SET state = ?, finished_at = ?, error_json = ?, result_json = ?, progress_fraction = CASE WHEN ? = 'succeeded' THEN 1 ELSE progress_fraction END WHERE id = ?`)
      .run(state, new Date().toISOString(), error ? JSON.stringify(error) : null, result === null ? null : JSON.stringify(result), state, id);
    this.emitState(id);
  }

  private reportProgress(id: string, entry: Running, p: JobProgress) {
    this.db.prepare(`UPDATE jobs SET progress_fraction = ?, progress_message = ? WHERE id = ?`).run(p.fraction, p.message, id);
    const now = Date.now();
    const wait = entry.lastProgressEmit + PROGRESS_INTERVAL_MS - now;
    if (wait <= 0) {
      entry.lastProgressEmit = now;
      this.emit({ type: 'progress', jobId: id, progress: p });
    } else if (!entry.pendingProgress) {
      entry.pendingProgress = setTimeout(() => {
        entry.pendingProgress = null;
        this.flushProgress(id, entry);
      }, wait);
    }
  }

  private flushProgress(id: string, entry: Running) {
    if (entry.pendingProgress) clearTimeout(entry.pendingProgress);
    entry.pendingProgress = null;
    const job = this.get(id);
    if (!job) return;
    entry.lastProgressEmit = Date.now();
    this.emit({ type: 'progress', jobId: id, progress: job.progress });
  }

  private emitState(id: string) {
    const job = this.get(id);
    if (job) this.emit({ type: 'state', jobId: id, job });
  }

  private emit(event: JobEvent) {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a broken listener (closed window) must not break the job
      }
    }
  }
}

interface JobRow {
  id: string;
  kind: string;
  title: string;
  state: JobSummary['state'];
  progress_fraction: number | null;
  progress_message: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error_json: string | null;
  result_json: string | null;
}

function toSummary(r: JobRow): JobSummary {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    state: r.state,
    progress: { fraction: r.progress_fraction, message: r.progress_message },
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error_json ? JSON.parse(r.error_json) : null,
    result: r.result_json ? JSON.parse(r.result_json) : null,
  };
}

/**
 * Spawns without a shell; on cancel sends SIGTERM, then SIGKILL after a grace period, and rejects
 * with Cancelled only once the child has really exited (so callers can clean up its files).
 */
export function runChild(command: string, args: string[], options: RunOptions, signal?: AbortSignal): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AppError('Cancelled', 'The job was cancelled.'));
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, shell: false, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    const keep = (acc: string, chunk: string) => (acc.length + chunk.length > KEPT_OUTPUT ? (acc + chunk).slice(-KEPT_OUTPUT) : acc + chunk);
    const lines = (cb?: (l: string) => void) => {
      let rest = '';
      return (chunk: string) => {
        if (!cb) return;
        rest += chunk;
        const parts = rest.split(/\r?\n/);
        rest = parts.pop() ?? '';
        for (const p of parts) cb(p);
      };
    };
    const outLines = lines(options.onStdoutLine);
    const errLines = lines(options.onStderrLine);
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      stdout = keep(stdout, c);
      outLines(c);
    });
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      stderr = keep(stderr, c);
      errLines(c);
    });
    let killTimer: NodeJS.Timeout | null = null;
    const onAbort = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort);
      if (e.code === 'ENOENT') reject(new AppError('ToolMissing', `Could not start ${command}: it was not found.`, 'Install the PostgreSQL client tools, or set the tool folder in Settings.'));
      else reject(e);
    });
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (signal?.aborted) return reject(new AppError('Cancelled', 'The job was cancelled.'));
      const exit = code ?? (sig ? 128 : 1);
      if ((options.okCodes ?? [0]).includes(exit)) resolve({ code: exit, stdout, stderr });
      else {
        const tail = stderr.trim().split('\n').slice(-5).join('\n');
        reject(Object.assign(new AppError('Internal', `${command.split(/[\\/]/).pop()} failed (exit ${exit})${tail ? `: ${tail}` : ''}`), { result: { code: exit, stdout, stderr } }));
      }
    });
  });
}

/** Whether a process with this id exists (EPERM: it exists but belongs to someone else). */
export function processIsAlive(pid: number | null): boolean {
  if (!pid) return false; // jobs from before owners were recorded
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
