import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupFile } from '../backup/manifest';
import { decryptStream } from '../backup/age-stream';
import { AppError } from '../common/errors';
import { buildPgRestoreArgs, buildPsqlRestoreArgs } from './restore-args';
import { diagnoseAll } from './troubleshoot';

/**
 * Restores one file of a backup set into one database: ciphertext → age → SHA-256 of the plaintext
 * → pg_restore (or psql for plain SQL). Custom-format archives go through a temporary decrypted
 * file when `workDir` is given, so pg_restore can load tables in parallel (-j); the file is 0600 in
 * a private folder and always deleted, also on failure and cancel (and a crash is cleaned on the
 * next start). Without `workDir` the plaintext streams into pg_restore's stdin and never touches disk.
 */

export interface RestoreFileRequest {
  dir: string;
  file: BackupFile;
  identity: string | null;
  /** pg_restore for custom format, psql for plain. */
  tool: string;
  /** Tool environment for the target server (PGHOST, PGUSER, PGPASSWORD...). */
  env: NodeJS.ProcessEnv;
  database: string;
  jobs: number;
  clean: boolean;
  /** A private folder for the temporary decrypted archive (parallel restore), or null to stream. */
  workDir: string | null;
  signal: AbortSignal;
  onTable?: (table: string) => void;
  onLog?: (level: 'info' | 'warn' | 'error', text: string) => void;
}

export interface RestoreFileResult {
  ms: number;
  parallel: boolean;
  errors: string[];
  warnings: string[];
}

export async function restoreFile(req: RestoreFileRequest): Promise<RestoreFileResult> {
  const t0 = performance.now();
  const plainSource = async (): Promise<Readable> => {
    // 1 MiB reads: the age decrypter and the hash work per chunk, so fewer, larger chunks are faster.
    const raw = fs.createReadStream(path.join(req.dir, req.file.file), { highWaterMark: 1 << 20 });
    if (!req.file.encrypted) return raw;
    if (!req.identity) throw new AppError('KeyMissing', 'This backup set is encrypted and the backup identity is not in the keychain.', 'Put the identity back from its escrow copy, then run the drill again.');
    return decryptStream(raw, [req.identity]);
  };
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(c: Buffer, _e, cb) {
      hash.update(c);
      bytes += c.length;
      cb(null, c);
    },
  });
  const checkHash = () => {
    if (hash.digest('hex') !== req.file.plaintextSha256 || bytes !== req.file.plaintextBytes) {
      throw new AppError('Validation', `${req.file.file} decrypted to different content than was backed up.`, 'The set is damaged; use another backup set.');
    }
  };

  const parallel = req.file.format === 'custom' && req.workDir !== null && req.jobs > 1;
  let temp: string | null = null;
  try {
    if (parallel) {
      fs.mkdirSync(req.workDir!, { recursive: true, mode: 0o700 });
      temp = path.join(req.workDir!, `${req.file.role}.dump`);
      await pipeline(await plainSource(), tap, fs.createWriteStream(temp, { mode: 0o600 }), { signal: req.signal });
      checkHash(); // before pg_restore reads a byte of it
      const out = await runTool(req, buildPgRestoreArgs({ database: req.database, jobs: req.jobs, file: temp, clean: req.clean }), null);
      return { ms: Math.round(performance.now() - t0), parallel, ...out };
    }
    const args = req.file.format === 'custom' ? buildPgRestoreArgs({ database: req.database, jobs: 1, file: null, clean: req.clean }) : buildPsqlRestoreArgs(req.database);
    const source = (await plainSource()).pipe(tap);
    const out = await runTool(req, args, source);
    checkHash();
    return { ms: Math.round(performance.now() - t0), parallel, ...out };
  } catch (e) {
    if (req.signal.aborted) throw new AppError('Cancelled', 'The restore was cancelled.', 'Start it again when ready.');
    if (e instanceof AppError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    if (/ENOSPC/.test(msg)) throw new AppError('Conflict', 'The work folder ran out of space while decrypting the dump.', 'Free disk space in Custodian’s data folder, or run again: without room Custodian streams the restore instead.');
    throw e;
  } finally {
    if (temp) fs.rmSync(temp, { force: true });
  }
}

/** What runTool needs: the target, the tool, and a file name for messages. */
type ToolRun = Pick<RestoreFileRequest, 'tool' | 'env' | 'database' | 'signal' | 'onTable' | 'onLog'> & { file: { file: string } };

/**
 * pg_restore of a plaintext custom-format archive already on disk (e.g. a dump of a recovered PITR
 * copy), judged like a set's files: harmless errors ("role does not exist") pass, others fail.
 */
export async function restoreArchiveFile(req: Omit<ToolRun, 'file'> & { path: string; jobs: number; clean: boolean }): Promise<{ errors: string[]; warnings: string[] }> {
  return runTool({ ...req, file: { file: path.basename(req.path) } }, buildPgRestoreArgs({ database: req.database, jobs: req.jobs, file: req.path, clean: req.clean }), null);
}

/** Runs pg_restore/psql, feeding `stdin` when given; a non-zero exit is a failure with the recognised cause. */
async function runTool(req: ToolRun, args: string[], stdin: Readable | null): Promise<{ errors: string[]; warnings: string[] }> {
  const child = spawn(req.tool, args, { env: req.env, shell: false, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], windowsHide: true });
  const errors: string[] = [];
  const warnings: string[] = [];
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new AppError('ToolMissing', `${req.tool} was not found.`, 'Install the PostgreSQL client tools or set their folder in Settings.') : e));
    child.on('close', (code, sig) => resolve(code ?? (sig ? 128 : 1)));
  });
  let rest = '';
  const onLine = (line: string) => {
    const table = /processing data for table "?([^"\s]+)"?/.exec(line);
    if (table) req.onTable?.(table[1]!);
    if (/\b(error|fatal):|^ERROR:|^psql:.*ERROR:/i.test(line)) errors.push(line);
    else if (/\bwarning:/i.test(line)) warnings.push(line);
  };
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    rest += c;
    const lines = rest.split(/\r?\n/);
    rest = lines.pop() ?? '';
    lines.forEach(onLine);
  });
  child.stdout!.resume();
  const onAbort = () => child.kill('SIGTERM');
  req.signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (stdin) {
      // pg_restore may stop reading early on a fatal error: its exit code then tells the story.
      child.stdin!.on('error', () => undefined);
      await pipeline(stdin, child.stdin!, { signal: req.signal }).catch((e) => {
        if (req.signal.aborted) throw e;
      });
    }
    const code = await exited;
    if (rest) onLine(rest);
    if (req.signal.aborted) throw new AppError('Cancelled', 'The restore was cancelled.');
    const diagnoses = diagnoseAll(errors);
    const harmful = errors.filter((l) => {
      const d = diagnoseAll([l]);
      return d.length === 0 || !d[0]!.harmless;
    });
    for (const d of diagnoses) req.onLog?.(d.harmless ? 'info' : 'warn', `${d.cause} ${d.fix}`);
    // psql exits 0 even after errors (ON_ERROR_STOP=0), pg_restore exits 1 after "errors ignored":
    // judge by the errors that matter, not only the exit code.
    if (harmful.length > 0 || (code !== 0 && errors.length === 0)) {
      const first = diagnoses.find((d) => !d.harmless);
      throw new AppError(
        'Internal',
        `${path.basename(req.tool)} could not restore ${req.file.file} into ${req.database} (exit ${code}): ${harmful.slice(0, 3).join(' ') || rest.trim() || 'no message'}`,
        first ? `${first.cause} ${first.fix}` : 'See the job log for the tool’s own words.',
      );
    }
    return { errors, warnings };
  } catch (e) {
    child.kill('SIGKILL');
    await exited.catch(() => 0);
    throw e;
  } finally {
    req.signal.removeEventListener('abort', onAbort);
  }
}
