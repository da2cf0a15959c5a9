import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupFile } from './manifest';
import { decryptStream } from './age-stream';
import { isAppError } from '../common/errors';

export interface FileCheck {
  file: string;
  check: 'sha256' | 'decrypt' | 'archive';
  ok: boolean;
  detail: string;
}

const PLAIN_HEADER = '--\n-- PostgreSQL database dump\n--';
const PLAIN_TRAILER = '-- PostgreSQL database dump complete';
// pg_dumpall's (the roles file) says "cluster dump".
const GLOBALS_HEADER = '--\n-- PostgreSQL database cluster dump\n--';
const GLOBALS_TRAILER = '-- PostgreSQL database cluster dump complete';

async function sha256OfStream(stream: Readable): Promise<{ hex: string; bytes: number }> {
  const h = crypto.createHash('sha256');
  let bytes = 0;
  await pipeline(stream, new Writable({ write(c: Buffer, _e, cb) { h.update(c); bytes += c.length; cb(); } }));
  return { hex: h.digest('hex'), bytes };
}

/**
 * Re-reads one stored file and checks it three ways: its SHA-256 against the manifest; when the
 * age identity is at hand, that it decrypts to the plaintext whose SHA-256 the manifest recorded;
 * and that the archive is readable — `pg_restore --list` for custom format, header and trailer for
 * plain SQL. Each check is reported; none is assumed.
 */
export async function verifyBackupFile(dir: string, f: BackupFile, opts: { identities: string[] | null; pgRestore: string | null; signal?: AbortSignal }): Promise<FileCheck[]> {
  const file = path.join(dir, f.file);
  const checks: FileCheck[] = [];
  if (!fs.existsSync(file)) return [{ file: f.file, check: 'sha256', ok: false, detail: 'The file is missing.' }];
  const stored = await sha256OfStream(fs.createReadStream(file));
  const hashOk = stored.hex === f.sha256 && stored.bytes === f.bytes;
  checks.push({ file: f.file, check: 'sha256', ok: hashOk, detail: hashOk ? `SHA-256 matches (${stored.bytes} bytes)` : `SHA-256 or size differs from the manifest (${stored.bytes} bytes on disk, ${f.bytes} expected): the file was changed or damaged.` });
  if (!hashOk) return checks;

  if (f.encrypted && !opts.identities?.length) {
    checks.push({ file: f.file, check: 'decrypt', ok: true, detail: 'Not decrypted: the backup identity is kept offline (the SHA-256 check still proves the file is intact).' });
    return checks;
  }
  // Bigger reads on the decrypting path: fewer, larger chunks keep node:crypto busy.
  const open = async (): Promise<Readable> => (f.encrypted ? decryptStream(fs.createReadStream(file, { highWaterMark: 1 << 20 }), opts.identities!) : fs.createReadStream(file));

  // One pass: hash the plaintext while feeding the archive check.
  const h = crypto.createHash('sha256');
  let bytes = 0;
  let head = '';
  let tail = '';
  const tap = new Transform({
    transform(c: Buffer, _e, cb) {
      h.update(c);
      bytes += c.length;
      if (head.length < 64) head += c.subarray(0, 64).toString('utf8');
      tail = (tail + c.subarray(Math.max(0, c.length - 256)).toString('utf8')).slice(-256);
      cb(null, c);
    },
  });
  let plain: Readable;
  try {
    plain = await open();
  } catch (e) {
    checks.push({ file: f.file, check: 'decrypt', ok: false, detail: e instanceof Error ? e.message : String(e) });
    return checks;
  }
  // The payload failed its integrity check part way (decryptStream's 'Validation' AppError): a
  // failed decrypt check, and nothing of the file reported as good. Anything else is thrown.
  const payloadFailed = (e: unknown): FileCheck[] => {
    if (!f.encrypted || !isAppError(e) || e.kind !== 'Validation') throw e;
    checks.push({ file: f.file, check: 'decrypt', ok: false, detail: e.message });
    return checks;
  };
  let archive: FileCheck;
  if (f.format === 'custom' && opts.pgRestore) {
    const child = spawn(opts.pgRestore, ['--list'], { shell: false, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out = (out + c).slice(-100_000)));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const exit = new Promise<number>((res) => child.on('close', (code) => res(code ?? 1)));
    // pg_restore --list stops reading once it has the table of contents; the rest of the stream
    // must still be read (and hashed) to the end, so writes after that are dropped, not failed.
    let stdinOpen = true;
    const closeStdin = () => (stdinOpen = false);
    child.stdin.on('error', closeStdin).on('close', closeStdin);
    const forward = new Writable({
      write(c: Buffer, _e, cb) {
        if (!stdinOpen) return cb();
        child.stdin.write(c, () => cb());
      },
      final(cb) {
        if (stdinOpen) child.stdin.end();
        cb();
      },
    });
    try {
      await pipeline(plain, tap, forward, opts.signal ? { signal: opts.signal } : {});
    } catch (e) {
      child.kill('SIGKILL');
      await exit;
      return payloadFailed(e);
    }
    const code = await exit;
    const entries = out.split('\n').filter((l) => /^\d+;/.test(l)).length;
    archive = { file: f.file, check: 'archive', ok: code === 0 && entries > 0, detail: code === 0 ? `pg_restore --list reads ${entries} entries` : `pg_restore --list failed: ${err.trim().split('\n').pop() ?? ''}` };
  } else {
    try {
      await pipeline(plain, tap, new Writable({ write(_c, _e, cb) { cb(); } }));
    } catch (e) {
      return payloadFailed(e);
    }
    if (f.format === 'plain') {
      const ok = f.role === 'globals' ? head.startsWith(GLOBALS_HEADER) && tail.includes(GLOBALS_TRAILER) : head.startsWith(PLAIN_HEADER) && tail.includes(PLAIN_TRAILER);
      archive = { file: f.file, check: 'archive', ok, detail: ok ? 'plain SQL header and completion trailer present' : 'plain SQL dump is truncated (no completion trailer) or not a pg_dump file' };
    } else {
      archive = { file: f.file, check: 'archive', ok: false, detail: 'pg_restore was not found, so the archive could not be listed.' };
    }
  }
  const plainOk = h.digest('hex') === f.plaintextSha256 && bytes === f.plaintextBytes;
  if (f.encrypted) checks.push({ file: f.file, check: 'decrypt', ok: plainOk, detail: plainOk ? 'decrypts to the recorded plaintext (SHA-256 matches)' : 'decrypted content differs from what was dumped' });
  else if (!plainOk) checks.push({ file: f.file, check: 'sha256', ok: false, detail: 'content hash differs from the manifest' });
  checks.push(archive);
  return checks;
}
