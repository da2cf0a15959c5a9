import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { PitrRole, WalStreamStatus } from '../../contract/pitr';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { runChild } from '../jobs/runner';
import { AppError } from '../common/errors';
import { resolveProfile } from '../connections/profile-store';
import { endpointConnectionConfig, withClient } from '../connections/pg-client';
import { pickTool } from '../connections/tool-discovery';
import { judgeSetup, readServerFacts } from './setup-check';
import { listArchive } from './wal-archive';
import { archiveDirOf } from './window';

/**
 * `custodian pitr stream`: continuous WAL streaming to this computer with pg_receivewal, for small
 * deployments without a server-side archive. The folder it fills is an ordinary WAL archive for
 * `pitr window` and `pitr recover`:
 *
 * - pg_receivewal writes the segment it is receiving as `<name>.partial` and renames it to `<name>`
 *   only once the segment is complete. The archive listing only accepts exact 24-hex names and
 *   restore_command copies exactly `%f`, so a `.partial` file is never taken for a complete
 *   segment: the newest changes (those still in the `.partial` file) become recoverable when the
 *   server switches to the next WAL file (16 MB of changes, archive_timeout, or pg_switch_wal()).
 * - A physical replication slot keeps the server from recycling WAL that was not received yet, so
 *   stopping Custodian for a while loses nothing; the slot stays after a stop on purpose. Its cost:
 *   WAL piles up on the server until streaming resumes (drop the slot when giving up streaming).
 */

const STOP_GRACE_MS = 5000;
const POLL_MS = 1000;

/** Pure: slot names allow lower-case letters, digits and _ only (at most 63). */
export function defaultSlotName(profile: string, role: PitrRole): string {
  return `custodian_${profile.toLowerCase().replace(/[^a-z0-9_]+/g, '_')}_${role}`.slice(0, 63);
}

/** Pure: the two invocations (create the slot and exit; then stream). The password goes in PGPASSWORD, never here. */
export function buildReceiveWalArgs(o: { dir: string; slot: string; host: string; port: number; user: string }): { createSlot: string[]; stream: string[] } {
  const conn = ['-h', o.host, '-p', String(o.port), '-U', o.user, '--no-password'];
  // pg_receivewal --create-slot creates the slot and exits (unlike pg_basebackup -C): two runs.
  return { createSlot: ['--slot', o.slot, '--create-slot', '--if-not-exists', ...conn], stream: ['-D', o.dir, '--slot', o.slot, '--verbose', ...conn] };
}

/** Pure: what a streaming folder holds, from its file names. */
export function readStreamFolder(dir: string, segSize: number): { complete: string[]; partial: string | null } {
  const complete = listArchive(dir, segSize).segments.map((s) => s.name);
  const partial = fs.readdirSync(dir).filter((n) => /^[0-9A-F]{24}\.partial$/.test(n)).sort().at(-1) ?? null;
  return { complete, partial };
}

/** Pure: pg_receivewal's stderr → a typed error with the fix. */
export function receiveWalError(stderr: string, user: string, code: number | null): AppError {
  const tail = stderr.trim().split('\n').slice(-3).join(' ').replace(/^pg_receivewal: (error: )?/gm, '');
  const hba = `add a line like \`host replication ${user} <this computer's address>/32 scram-sha-256\` to pg_hba.conf and reload`;
  if (/must be superuser or replication role|permission denied to start WAL sender|must have the REPLICATION attribute/i.test(stderr)) {
    return new AppError('Forbidden', `The user "${user}" may not stream WAL: it lacks the REPLICATION right.`, `As a superuser run ALTER ROLE "${user}" REPLICATION; and ${hba} (\`custodian pitr setup-check\` shows both).`);
  }
  if (/no pg_hba\.conf entry for replication connection/i.test(stderr)) return new AppError('Forbidden', `The server refuses replication logins from this computer for "${user}".`, `On the server, ${hba}.`);
  if (/replication slot .* is active/i.test(stderr)) return new AppError('Conflict', `WAL is already being streamed through this slot: ${tail}`, 'Stop the other streaming (another Custodian, or a second `pitr stream`) first, or give this one its own --slot.');
  if (/password authentication failed|no password supplied/i.test(stderr)) return new AppError('PgAuth', `The server refused the password for "${user}".`, 'Update the password in the profile (`custodian profile set-password`).');
  if (/could not connect|Connection refused|timeout expired/i.test(stderr)) return new AppError('PgConnect', `pg_receivewal could not reach the server: ${tail}`, 'Check that the server is running and reachable from this computer.');
  return new AppError('Internal', `pg_receivewal stopped (exit ${code ?? '?'})${tail ? `: ${tail}` : ''}`, 'Check the job log; start streaming again once the cause is fixed.');
}

interface StreamTarget {
  profile: string;
  role: PitrRole;
  dir: string;
  slot: string;
}

export function streamTarget(ctx: CoreContext, o: { profile: string | null; role: PitrRole; dir?: string | null; slot?: string | null }): StreamTarget {
  const profile = resolveProfile(ctx, o.profile);
  const dir = path.resolve(o.dir ?? archiveDirOf(ctx, profile.name, o.role));
  return { profile: profile.name, role: o.role, dir, slot: o.slot ?? defaultSlotName(profile.name, o.role) };
}

/** What the folder holds now, for the CLI's summary and the page's status (no server contact). */
export function walStreamStatus(t: StreamTarget, segSize = 16 * 1024 * 1024, extra: Partial<Pick<WalStreamStatus, 'receivedBytes' | 'startedAt' | 'stoppedAt'>> = {}): WalStreamStatus {
  const f = fs.existsSync(t.dir) ? readStreamFolder(t.dir, segSize) : { complete: [], partial: null };
  return { ...t, completeSegments: f.complete.length, lastCompleteSegment: f.complete.at(-1) ?? null, partialSegment: f.partial, receivedBytes: 0, startedAt: null, stoppedAt: null, ...extra };
}

/** Checks the user may stream (reusing the setup check's judgement and fixes) before starting pg_receivewal. */
async function checkMayStream(ctx: CoreContext, t: StreamTarget): Promise<{ major: number; segSize: number; user: string }> {
  const facts = await withClient(ctx, t.profile, t.role, readServerFacts);
  const checks = Object.fromEntries(judgeSetup(facts, { dir: null, readable: false, files: 0, newestAt: null }).map((c) => [c.id, c]));
  for (const id of ['replication_role', 'wal_level', 'max_wal_senders']) {
    const c = checks[id];
    if (c?.status !== 'FAIL') continue;
    const kind = id === 'replication_role' ? 'Forbidden' : 'Validation';
    throw new AppError(kind, `WAL streaming is not possible yet: ${c.detail}`, c.hint);
  }
  return { major: Number.parseInt(facts.settings.server_version ?? '0', 10), segSize: Number(facts.settings.wal_segment_size ?? 16 * 1024 * 1024), user: facts.user };
}

export async function runWalStream(ctx: CoreContext, o: { profile: string; role: PitrRole; dir: string | null; slot: string | null }, job: JobContext): Promise<WalStreamStatus> {
  const t = streamTarget(ctx, o);
  const facts = await checkMayStream(ctx, t);
  const tool = await pickTool(ctx, 'pg_receivewal', { atLeastMajor: facts.major });
  fs.mkdirSync(t.dir, { recursive: true, mode: 0o700 });
  const conn = await endpointConnectionConfig(ctx, t.profile, t.role);
  const args = buildReceiveWalArgs({ dir: t.dir, slot: t.slot, host: conn.endpoint.host, port: conn.endpoint.port, user: conn.endpoint.user });
  const env = { ...conn.env, LC_ALL: 'C' };
  job.progress(null, `Creating replication slot ${t.slot} (if missing)`);
  try {
    await runChild(tool, args.createSlot, { env }, job.signal);
  } catch (e) {
    if (e instanceof AppError && e.kind === 'Cancelled') throw e;
    throw receiveWalError((e as { result?: { stderr?: string } }).result?.stderr ?? String(e), conn.endpoint.user, null);
  }
  job.throwIfCancelled();

  const startedAt = new Date().toISOString();
  const before = new Set(readStreamFolder(t.dir, facts.segSize).complete);
  let received = 0;
  const report = () => {
    const f = readStreamFolder(t.dir, facts.segSize);
    received = f.complete.filter((n) => !before.has(n)).length * facts.segSize;
    const last = f.complete.at(-1);
    job.progress(null, `Streaming WAL into ${t.dir}: ${last ? `last complete file ${last}` : 'no complete file yet'}, ${Math.round(received / 1048576)} MB received${f.partial ? `; receiving ${f.partial}` : ''}`);
  };
  job.log('info', `pg_receivewal from ${conn.endpoint.host}:${conn.endpoint.port} as ${conn.endpoint.user} into ${t.dir} through slot ${t.slot}`);
  const stderr: string[] = [];
  const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    const child = spawn(tool, args.stream, { env, shell: false, stdio: ['ignore', 'ignore', 'pipe'], windowsHide: true });
    let rest = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      rest += chunk;
      const lines = rest.split(/\r?\n/);
      rest = lines.pop() ?? '';
      for (const l of lines.filter((x) => x.trim())) {
        stderr.push(l);
        if (stderr.length > 50) stderr.shift();
        job.log(/disconnected|error|could not/i.test(l) ? 'warn' : 'info', l.trim());
        if (/finished segment/.test(l)) report();
      }
    });
    const timer = setInterval(report, POLL_MS);
    let killTimer: NodeJS.Timeout | null = null;
    // SIGINT is pg_receivewal's documented clean stop: it flushes the .partial file and exits 0.
    // (On Windows Node cannot deliver SIGINT to a child and this ends it at once; the .partial
    // file is then completed on the next start.) SIGKILL only if it hangs.
    const stop = () => {
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    };
    if (job.signal.aborted) stop();
    else job.signal.addEventListener('abort', stop, { once: true });
    child.on('error', (error) => resolve({ code: null, error }));
    child.on('close', (code) => {
      clearInterval(timer);
      if (killTimer) clearTimeout(killTimer);
      job.signal.removeEventListener('abort', stop);
      resolve({ code });
    });
  });
  if (exit.error) throw new AppError('ToolMissing', `Could not start ${tool}: ${exit.error.message}`, 'Install the PostgreSQL client tools, or set the tool folder in Settings.');
  report();
  const summary = walStreamStatus(t, facts.segSize, { receivedBytes: received, startedAt, stoppedAt: new Date().toISOString() });
  job.log('info', `Streaming stopped: ${summary.completeSegments} complete WAL files in ${t.dir}${summary.partialSegment ? `; ${summary.partialSegment} is incomplete and not used by recovery until it is finished` : ''}.`);
  // A stop the user asked for ends here (the runner marks the job cancelled); any other exit is a fault.
  if (!job.signal.aborted) throw receiveWalError(stderr.join('\n'), conn.endpoint.user, exit.code);
  return summary;
}
