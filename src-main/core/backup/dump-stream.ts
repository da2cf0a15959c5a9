import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../common/errors';
import { commitPartial } from '../common/atomic-file';
import { encryptStream } from './age-stream';

export interface DumpToFileRequest {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Final path; data goes to `<file>.partial` and is renamed only on success. */
  file: string;
  recipients: string[] | null;
  signal: AbortSignal;
  onStderrLine(line: string): void;
  onBytes(plaintextBytes: number): void;
}

export interface DumpToFileResult {
  bytes: number;
  sha256: string;
  plaintextBytes: number;
  plaintextSha256: string;
  warnings: string[];
}

/** Hashes what flows through, without buffering. */
function hasher(): { stream: Transform; digest(): { hex: string; bytes: number } } {
  const h = crypto.createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _e, cb) {
      h.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  return { stream, digest: () => ({ hex: h.digest('hex'), bytes }) };
}

/**
 * pg_dump's stdout → SHA-256 (plaintext) → age (optional) → SHA-256 (stored bytes) → `.partial`
 * file, fsync, rename. pg_dump runs in its own process while this process hashes and encrypts, so
 * the two cores overlap. On cancel or failure the child is killed and the `.partial` file removed:
 * nothing that looks complete is left behind. A warning on stderr is not an error; a non-zero exit
 * always is.
 */
export async function dumpToFile(req: DumpToFileRequest): Promise<DumpToFileResult> {
  const partial = `${req.file}.partial`;
  const warnings: string[] = [];
  const errors: string[] = [];
  const child = spawn(req.command, req.args, { env: req.env, shell: false, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new AppError('ToolMissing', `pg_dump was not found at ${req.command}.`, 'Install the PostgreSQL client tools or set their folder in Settings.') : e),
    );
    child.on('close', (code, sig) => resolve(code ?? (sig ? 128 : 1)));
  });
  let rest = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    rest += chunk;
    const lines = rest.split(/\r?\n/);
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (/\b(error|fatal):/i.test(line)) errors.push(line);
      else if (/\bwarning:/i.test(line)) warnings.push(line);
      req.onStderrLine(line);
    }
  });
  const onAbort = () => child.kill('SIGTERM');
  req.signal.addEventListener('abort', onAbort, { once: true });

  const plain = hasher();
  const stored = hasher();
  let plainBytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      plainBytes += chunk.length;
      req.onBytes(plainBytes);
      cb(null, chunk);
    },
  });
  try {
    const source: Readable = child.stdout.pipe(counter).pipe(plain.stream);
    const payload = req.recipients ? await encryptStream(source, req.recipients) : source.pipe(new PassThrough());
    const out = fs.createWriteStream(partial, { mode: 0o600 });
    await pipeline(payload, stored.stream, out, { signal: req.signal });
    const code = await exited;
    if (req.signal.aborted) throw new AppError('Cancelled', 'The backup was cancelled.');
    if (code !== 0) {
      throw new AppError('Internal', `pg_dump failed (exit ${code}): ${errors.slice(-3).join(' ') || rest.trim() || 'no message'}`, 'See the job log for pg_dump’s own words; nothing was kept from this run.');
    }
    commitPartial(partial, req.file);
    const p = plain.digest();
    const s = stored.digest();
    return { bytes: s.bytes, sha256: s.hex, plaintextBytes: p.bytes, plaintextSha256: p.hex, warnings };
  } catch (e) {
    child.kill('SIGKILL');
    await exited.catch(() => 0);
    fs.rmSync(partial, { force: true });
    if (req.signal.aborted) throw new AppError('Cancelled', 'The backup was cancelled; its unfinished files were removed.', 'Start it again when ready.');
    if (e instanceof AppError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    if (/ENOSPC/.test(msg)) throw new AppError('Conflict', 'The backup folder ran out of space.', 'Free space or choose another folder; nothing was kept from this run.');
    if (/EACCES|EPERM|EROFS/.test(msg)) throw new AppError('Forbidden', 'Custodian cannot write to the backup folder.', 'Choose a folder you can write to, or fix its permissions.');
    throw e;
  } finally {
    req.signal.removeEventListener('abort', onAbort);
  }
}
