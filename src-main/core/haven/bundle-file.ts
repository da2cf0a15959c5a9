import fs from 'node:fs';
import path from 'node:path';
import { createDecipheriv, createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { AppError } from '../common/errors';
import { commitPartial, fsyncDir, fsyncFile } from '../common/atomic-file';
import { HEADER_LEN, TAG_LEN, buildHeader, damaged, parseHeader, unwrapWithAny, wrapDek, wrongKey, type EncHeader } from './enc-format';

/**
 * Reading and rewriting `.enc` files on disk. Bodies are streamed (bundles can be large); output
 * is written to `*.partial` and renamed only after the GCM tag has been checked, so a failure
 * never leaves a plausible-looking ZIP or a half re-wrapped bundle.
 */

export interface OpenedBundle {
  size: number;
  header: EncHeader;
  tag: Buffer;
}

function readAt(fd: number, length: number, position: number): Buffer {
  const b = Buffer.alloc(length);
  const n = fs.readSync(fd, b, 0, length, position);
  return b.subarray(0, n);
}

export function openBundle(file: string): OpenedBundle {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AppError('NotFound', `Cannot open ${file} (${code ?? String(e)}).`, 'Check the path to the .enc file.');
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new AppError('Validation', `${file} is not a file.`, 'Give the path of one .enc bundle.');
    const head = readAt(fd, HEADER_LEN, 0);
    if (head.length < HEADER_LEN) throw damaged(file, `it is only ${st.size} bytes long (truncated?)`);
    const header = parseHeader(file, head, st.size);
    return { size: st.size, header, tag: readAt(fd, TAG_LEN, st.size - TAG_LEN) };
  } finally {
    fs.closeSync(fd);
  }
}

const tamperedError = (file: string, e: unknown) =>
  new AppError('Validation', `${file} failed its integrity check (GCM tag): the bundle was truncated or altered after Haven wrote it.`, 'Download the bundle again from Haven. Nothing was written.', { cause: e });

/** Streams the plaintext into `sink`; throws (tamper/truncation) when the GCM tag does not match. */
async function decryptInto(file: string, b: OpenedBundle, dek: Buffer, sink: Writable): Promise<void> {
  const d = createDecipheriv('aes-256-gcm', dek, b.header.dataIv);
  d.setAuthTag(b.tag);
  const bodyEnd = b.size - TAG_LEN; // exclusive
  try {
    if (bodyEnd > HEADER_LEN) await pipeline(fs.createReadStream(file, { start: HEADER_LEN, end: bodyEnd - 1 }), d, sink);
    else {
      d.final();
      await new Promise<void>((resolve, reject) => sink.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
  } catch (e) {
    throw tamperedError(file, e);
  }
}

export function dekFor(file: string, b: OpenedBundle, keys: Buffer[]): { dek: Buffer; index: number } {
  const u = unwrapWithAny(keys, b.header.wrapped);
  if (!u) throw wrongKey(file);
  return u;
}

/** Decrypts to `out` atomically (0600). Returns the plaintext size and which key opened it. */
export async function decryptBundleToFile(file: string, out: string, keys: Buffer[]): Promise<{ bytes: number; keyIndex: number }> {
  const b = openBundle(file);
  const { dek, index } = dekFor(file, b, keys);
  if (path.resolve(out) === path.resolve(file)) throw new AppError('Validation', 'The output file cannot be the bundle itself.', 'Choose another name, e.g. export.zip.');
  const partial = `${out}.partial`;
  const ws = fs.createWriteStream(partial, { mode: 0o600 });
  try {
    await decryptInto(file, b, dek, ws);
    commitPartial(partial, out);
  } catch (e) {
    fs.rmSync(partial, { force: true });
    throw e;
  }
  return { bytes: b.size - HEADER_LEN - TAG_LEN, keyIndex: index };
}

const MAX_IN_MEMORY = 1024 * 1024 * 1024;

/** Decrypts into memory (for verification). */
export async function decryptBundleToBuffer(file: string, keys: Buffer[]): Promise<{ plaintext: Buffer; keyIndex: number; opened: OpenedBundle }> {
  const b = openBundle(file);
  if (b.size > MAX_IN_MEMORY) throw new AppError('Validation', `${file} is larger than 1 GiB; it is not verified in memory.`, 'Decrypt it to a file with `custodian haven decrypt` and check the ZIP there.');
  const { dek, index } = dekFor(file, b, keys);
  const chunks: Buffer[] = [];
  await decryptInto(file, b, dek, new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }));
  return { plaintext: Buffer.concat(chunks), keyIndex: index, opened: b };
}

async function bodyHash(file: string, size: number): Promise<string> {
  const h = createHash('sha256');
  if (size > HEADER_LEN) await pipeline(fs.createReadStream(file, { start: HEADER_LEN, end: size - 1 }), h);
  return h.digest('hex');
}

/**
 * Re-wraps the DEK of one bundle under `newKey`, body untouched: new header + the same body bytes
 * into `*.partial`, fsync, then prove it (body hash equal, full decrypt under the new key passes
 * its GCM tag) before renaming over the original.
 */
export async function rewrapBundle(file: string, keys: Buffer[], newKey: Buffer, dryRun: boolean): Promise<'rewrapped' | 'would-rewrap' | 'already-current'> {
  const b = openBundle(file);
  if (unwrapWithAny([newKey], b.header.wrapped)) return 'already-current';
  const { dek } = dekFor(file, b, keys);
  // Prove the body is intact before touching anything: a damaged bundle is reported, not re-wrapped.
  await decryptInto(file, b, dek, new Writable({ write: (_c, _e, cb) => cb() }));
  if (dryRun) return 'would-rewrap';
  const partial = `${file}.partial`;
  try {
    const out = fs.openSync(partial, 'w', 0o600);
    try {
      fs.writeSync(out, buildHeader(b.header.dataIv, wrapDek(newKey, dek)));
      fs.closeSync(out);
      await pipeline(fs.createReadStream(file, { start: HEADER_LEN }), fs.createWriteStream(partial, { flags: 'a' }));
      fsyncFile(partial);
    } catch (e) {
      try {
        fs.closeSync(out);
      } catch {
        // already closed
      }
      throw e;
    }
    const [before, after] = await Promise.all([bodyHash(file, b.size), bodyHash(partial, fs.statSync(partial).size)]);
    if (before !== after) throw new AppError('Internal', `The copied body of ${file} differs from the original.`, 'The original is unchanged. Check the disk and try again.');
    const check = openBundle(partial);
    const again = dekFor(partial, check, [newKey]);
    await decryptInto(partial, check, again.dek, new Writable({ write: (_c, _e, cb) => cb() }));
    fs.renameSync(partial, file);
    fsyncDir(file);
    return 'rewrapped';
  } catch (e) {
    fs.rmSync(partial, { force: true });
    throw e;
  }
}
