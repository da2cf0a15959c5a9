import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AppError } from '../common/errors';
import { runChild } from '../jobs/runner';
import { pickToolIn, type ToolSearch } from '../connections/tool-discovery';

/**
 * A local, throwaway PostgreSQL cluster in a folder the caller chooses: the practice sandbox and
 * the integration tests' clusters. It listens on 127.0.0.1 only, on a free port, with its unix
 * socket beside the data folder. initdb and pg_ctl refuse to run as root, so when we are root
 * (CI, containers) they run as the `postgres` user through runuser and the folder is theirs.
 *
 * Layout of `dir`: data/ (PGDATA), run/ (socket), postgres.log.
 */

export interface ClusterLayout {
  dir: string;
  dataDir: string;
  socketDir: string;
  logFile: string;
}
export interface ServerBinaries {
  binDir: string;
  initdb: string;
  pgCtl: string;
  postgres: string;
  major: number;
}
export interface ClusterInfo {
  dir: string;
  dataDir: string;
  host: '127.0.0.1';
  port: number;
  /** Null where there is no unix socket (Windows, or a path too long for one). */
  socketDir: string | null;
  major: number;
}
export interface ClusterStartOptions {
  /** Where to look for initdb/pg_ctl/postgres (tool discovery). */
  search: ToolSearch;
  /** Use this port if free; otherwise (and by default) a free one is chosen. */
  port?: number;
  /** fsync=off makes tests fast; never for a sandbox people practise restores on. Default true. */
  fsync?: boolean;
  /** Extra postgresql.conf settings (e.g. archive_mode for PITR tests). */
  settings?: Record<string, string | number | boolean>;
  /** Preferred major for a new cluster (default 15, falling back to the newest found). */
  preferMajor?: number;
  signal?: AbortSignal;
}
export interface ClusterStatus {
  exists: boolean;
  running: boolean;
  port: number | null;
  major: number | null;
}

const CONF_FILE = 'custodian.conf';
/** Unix socket paths are limited to ~107 bytes; keep a margin for ".s.PGSQL.NNNNN". */
const MAX_SOCKET_DIR = 90;

export function clusterLayout(dir: string): ClusterLayout {
  const abs = path.resolve(dir);
  return { dir: abs, dataDir: path.join(abs, 'data'), socketDir: path.join(abs, 'run'), logFile: path.join(abs, 'postgres.log') };
}

const isRoot = () => process.platform !== 'win32' && process.getuid?.() === 0;

/** uid/gid of the `postgres` user, read from /etc/passwd (no shell, no extra package). */
function postgresIds(): { uid: number; gid: number } {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new AppError('ToolMissing', 'Running as root, but there is no "postgres" user to run PostgreSQL as.', 'Create a postgres user (installing the PostgreSQL server package does), or run Custodian as a normal user.');
  const parts = line.split(':');
  return { uid: Number(parts[2]), gid: Number(parts[3]) };
}

/** As root: hand the folder to postgres and make sure postgres can walk down to it (o+x only, no listing). */
export function prepareOwnership(dir: string): void {
  if (!isRoot()) return;
  const { uid, gid } = postgresIds();
  const chownTree = (p: string) => {
    fs.chownSync(p, uid, gid);
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e));
  };
  chownTree(dir);
  for (let p = path.dirname(dir); ; p = path.dirname(p)) {
    const st = fs.statSync(p);
    if ((st.mode & 0o001) === 0) fs.chmodSync(p, (st.mode & 0o7777) | 0o001);
    if (path.dirname(p) === p) break;
  }
}

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  env.LC_ALL = 'C';
  return env;
}

/** Runs a server program, as postgres when we are root. */
export async function runServerTool(file: string, args: string[], signal?: AbortSignal) {
  const env = childEnv();
  if (isRoot()) return runChild('runuser', ['-u', 'postgres', '--', file, ...args], { env }, signal);
  return runChild(file, args, { env }, signal);
}

export async function findServerBinaries(search: ToolSearch, req: { exactMajor?: number; preferMajor?: number } = {}): Promise<ServerBinaries> {
  let initdb;
  if (req.exactMajor !== undefined) initdb = await pickToolIn(search, 'initdb', { exactMajor: req.exactMajor });
  else {
    initdb = await pickToolIn(search, 'initdb', { exactMajor: req.preferMajor ?? 15 }).catch(() => pickToolIn(search, 'initdb', { atLeastMajor: 12 }));
  }
  // pg_ctl and postgres must come from the same installation as initdb.
  // Resolve symlinks (e.g. /usr/local/bin/initdb) so pg_ctl and postgres come from the real installation.
  const binDir = path.dirname(fs.realpathSync(initdb.path));
  const exe = (n: string) => path.join(binDir, search.platform === 'win32' ? `${n}.exe` : n);
  for (const n of ['pg_ctl', 'postgres']) {
    if (!fs.existsSync(exe(n))) throw new AppError('ToolMissing', `${n} is missing beside ${initdb.path}.`, 'Install the PostgreSQL server package (not only the client tools), then try again.');
  }
  return { binDir, initdb: exe('initdb'), pgCtl: exe('pg_ctl'), postgres: exe('postgres'), major: initdb.major };
}

export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function readPidFile(dataDir: string): { pid: number; port: number | null } | null {
  try {
    const lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number.parseInt(lines[0] ?? '', 10);
    const port = Number.parseInt(lines[3] ?? '', 10);
    return Number.isFinite(pid) ? { pid, port: Number.isFinite(port) ? port : null } : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function configuredPort(dataDir: string): number | null {
  try {
    const m = /^port\s*=\s*(\d+)/m.exec(fs.readFileSync(path.join(dataDir, CONF_FILE), 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function dataMajor(dataDir: string): number | null {
  try {
    return Number.parseInt(fs.readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim(), 10);
  } catch {
    return null;
  }
}

export function clusterStatus(dir: string): ClusterStatus {
  const l = clusterLayout(dir);
  const major = dataMajor(l.dataDir);
  if (major === null) return { exists: false, running: false, port: null, major: null };
  const pid = readPidFile(l.dataDir);
  const running = pid !== null && alive(pid.pid);
  return { exists: true, running, port: running ? (pid!.port ?? configuredPort(l.dataDir)) : configuredPort(l.dataDir), major };
}

function confValue(v: string | number | boolean): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return `'${v.replace(/'/g, "''")}'`;
}

function writeConf(l: ClusterLayout, port: number, opts: ClusterStartOptions): string | null {
  const socketDir = process.platform === 'win32' || l.socketDir.length > MAX_SOCKET_DIR ? null : l.socketDir;
  const fsync = opts.fsync ?? true;
  const settings: Record<string, string | number | boolean> = {
    listen_addresses: '127.0.0.1',
    port,
    unix_socket_directories: socketDir ?? '',
    max_connections: 40,
    fsync,
    // Without fsync a crash can corrupt the cluster anyway; these only make throwaway clusters faster.
    ...(fsync ? {} : { synchronous_commit: false, full_page_writes: false }),
    ...opts.settings,
  };
  const body = Object.entries(settings)
    .map(([k, v]) => `${k} = ${confValue(v)}`)
    .join('\n');
  fs.writeFileSync(path.join(l.dataDir, CONF_FILE), `# Written by Custodian at each start; edit the caller, not this file.\n${body}\n`);
  if (isRoot()) {
    const { uid, gid } = postgresIds();
    fs.chownSync(path.join(l.dataDir, CONF_FILE), uid, gid);
  }
  return socketDir;
}

/**
 * Creates a new cluster in `dir` (which must not hold one yet) with superuser `postgres` whose
 * password is `superuserPassword` (used for TCP logins; local socket logins are trusted), then
 * starts it.
 */
export async function createCluster(dir: string, superuserPassword: string, opts: ClusterStartOptions): Promise<ClusterInfo> {
  const l = clusterLayout(dir);
  if (dataMajor(l.dataDir) !== null) throw new AppError('Conflict', `A PostgreSQL cluster already exists in ${l.dir}.`, 'Start it instead, or remove the folder first.');
  const bins = await findServerBinaries(opts.search, { preferMajor: opts.preferMajor });
  fs.mkdirSync(l.dir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(l.socketDir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(l.dir, `.pwfile-${process.pid}`);
  fs.writeFileSync(pwfile, superuserPassword + '\n', { mode: 0o600 });
  try {
    prepareOwnership(l.dir);
    await runServerTool(
      bins.initdb,
      ['-D', l.dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', ...(opts.fsync === false ? ['--no-sync'] : [])],
      opts.signal,
    );
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
  fs.appendFileSync(path.join(l.dataDir, 'postgresql.conf'), `\ninclude_if_exists = '${CONF_FILE}'\n`);
  return startCluster(dir, opts);
}

/** Starts an existing cluster (no-op when it already runs). Reuses its last port when that is free. */
export async function startCluster(dir: string, opts: ClusterStartOptions): Promise<ClusterInfo> {
  const l = clusterLayout(dir);
  const status = clusterStatus(dir);
  if (!status.exists || status.major === null) throw new AppError('NotFound', `There is no PostgreSQL cluster in ${l.dir}.`, 'Create one first (`custodian sandbox up`).');
  const socketFor = () => (process.platform === 'win32' || l.socketDir.length > MAX_SOCKET_DIR ? null : l.socketDir);
  if (status.running && status.port) return { dir: l.dir, dataDir: l.dataDir, host: '127.0.0.1', port: status.port, socketDir: socketFor(), major: status.major };
  const bins = await findServerBinaries(opts.search, { exactMajor: status.major });
  const wanted = opts.port ?? status.port ?? undefined;
  const port = wanted !== undefined && (await isPortFree(wanted)) ? wanted : await freePort();
  const socketDir = writeConf(l, port, opts);
  if (isRoot()) prepareOwnership(l.socketDir);
  try {
    await runServerTool(bins.pgCtl, ['-D', l.dataDir, '-l', l.logFile, '-w', '-t', '60', 'start'], opts.signal);
  } catch (e) {
    const tail = readTail(l.logFile);
    throw new AppError('Internal', `PostgreSQL did not start in ${l.dir}.${tail ? ` Its log says: ${tail}` : ''}`, `Look at ${l.logFile}; if the folder is damaged, remove it and create the cluster again.`, { cause: e });
  }
  return { dir: l.dir, dataDir: l.dataDir, host: '127.0.0.1', port, socketDir, major: status.major };
}

function readTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' ');
  } catch {
    return '';
  }
}

/** Stops the cluster (fast shutdown: disconnects clients, no crash recovery needed later). */
export async function stopCluster(dir: string, opts: { search: ToolSearch; signal?: AbortSignal }): Promise<void> {
  const l = clusterLayout(dir);
  const status = clusterStatus(dir);
  if (!status.running || status.major === null) return;
  const bins = await findServerBinaries(opts.search, { exactMajor: status.major });
  await runServerTool(bins.pgCtl, ['-D', l.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'], opts.signal);
}

/** Stops the cluster if it runs, then deletes the whole folder. */
export async function removeCluster(dir: string, opts: { search: ToolSearch }): Promise<void> {
  await stopCluster(dir, opts);
  fs.rmSync(clusterLayout(dir).dir, { recursive: true, force: true });
}
