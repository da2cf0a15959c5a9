import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decrypter, Encrypter } from 'age-encryption';
import { createAgeIdentity, decryptStream } from '../../src-main/core/backup/age-stream';
import { AgePayloadDecrypter } from '../../src-main/core/backup/age-payload';
import type { BackupFile } from '../../src-main/core/backup/manifest';
import { verifyBackupFile } from '../../src-main/core/backup/verify-file';

/**
 * decryptStream (header by the age-encryption library, payload by node:crypto) against the
 * library's own decryption and Debian's `age` CLI, on files made by both, and on damaged files.
 */

const SEALED = 65536 + 16;
let dir: string;
let identity: string;
let recipient: string;
let idFile: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-age-payload-'));
  ({ identity, recipient } = await createAgeIdentity());
  idFile = path.join(dir, 'id.txt');
  fs.writeFileSync(idFile, identity + '\n', { mode: 0o600 });
  expect(spawnSync('age', ['--version']).error, 'Debian package age must be installed').toBeUndefined();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function cliEncrypt(data: Buffer): Buffer {
  const r = spawnSync('age', ['-r', recipient], { input: data, maxBuffer: 1 << 27 });
  expect(r.status, r.stderr?.toString()).toBe(0);
  return r.stdout;
}
function cliDecrypt(ct: Buffer): Buffer {
  const r = spawnSync('age', ['-d', '-i', idFile], { input: ct, maxBuffer: 1 << 27 });
  expect(r.status, r.stderr?.toString()).toBe(0);
  return r.stdout;
}
async function libEncrypt(data: Buffer): Promise<Buffer> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  return Buffer.from(await e.encrypt(new Uint8Array(data)));
}
async function libDecrypt(ct: Buffer): Promise<Buffer> {
  const d = new Decrypter();
  d.addIdentity(identity);
  return Buffer.from(await d.decrypt(new Uint8Array(ct)));
}
/** The ciphertext in pieces of random sizes (1 byte to ~200 KB), so chunk edges fall anywhere. */
function randomPieces(buf: Buffer): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0; at < buf.length; ) {
    const n = Math.min(buf.length - at, crypto.randomInt(0, 4) === 0 ? crypto.randomInt(1, 40) : crypto.randomInt(1, 200_000));
    pieces.push(buf.subarray(at, at + n));
    at += n;
  }
  return Readable.from(pieces, { objectMode: false });
}
/** Everything the stream gave before it ended or failed, and how it ended. */
async function drain(r: Readable): Promise<{ out: Buffer; error: unknown }> {
  const chunks: Buffer[] = [];
  try {
    await pipeline(r, new Writable({ write(c: Buffer, _e, cb) { chunks.push(Buffer.from(c)); cb(); } }));
    return { out: Buffer.concat(chunks), error: null };
  } catch (error) {
    return { out: Buffer.concat(chunks), error };
  }
}
async function ours(ct: Buffer, ids = [identity], source: 'pieces' | 'file' = 'pieces'): Promise<{ out: Buffer; error: unknown }> {
  let src: Readable;
  if (source === 'file') {
    const f = path.join(dir, `ct-${crypto.randomUUID()}.age`);
    fs.writeFileSync(f, ct);
    src = fs.createReadStream(f);
  } else src = randomPieces(ct);
  return drain(await decryptStream(src, ids));
}
function flip(buf: Buffer, at: number, mask: number): void {
  buf.writeUInt8(buf.readUInt8(at) ^ mask, at);
}
/** Header length: through the "--- mac" line and its newline. */
function headerLength(ct: Buffer): number {
  return ct.indexOf(0x0a, ct.indexOf('\n---') + 1) + 1;
}

const randomSize = crypto.randomInt(0, 3 * 65536);
const SIZES = [0, 1, 65535, 65536, 65537, 2 * 65536, 3 * 1024 * 1024 + 7, randomSize];

describe('decryptStream: byte-identical to the age-encryption library and the age CLI', () => {
  for (const size of SIZES) {
    it(`${size} bytes${size === randomSize ? ' (random size)' : ''}, files made by the age CLI and by the library`, async () => {
      const data = crypto.randomBytes(size);
      for (const [maker, ct] of [['cli', cliEncrypt(data)], ['library', await libEncrypt(data)]] as const) {
        for (const source of ['pieces', 'file'] as const) {
          const r = await ours(ct, [identity], source);
          expect(r.error, `${maker}/${source}`).toBeNull();
          expect(r.out.equals(data), `${maker}/${source}: ${r.out.length} bytes out`).toBe(true);
        }
        expect((await libDecrypt(ct)).equals(data), maker).toBe(true);
        expect(cliDecrypt(ct).equals(data), maker).toBe(true);
      }
    });
  }

  it('tries every identity given: the matching one opens the file', async () => {
    const other = await createAgeIdentity();
    const data = crypto.randomBytes(70_000);
    const r = await ours(cliEncrypt(data), [other.identity, identity]);
    expect(r.error).toBeNull();
    expect(r.out.equals(data)).toBe(true);
  });
});

describe('decryptStream: damaged files are refused with a typed AppError', () => {
  const data = crypto.randomBytes(3 * 65536 + 100);
  let ct: Buffer;
  let body: number; // offset of the first chunk
  beforeAll(() => {
    ct = cliEncrypt(data);
    body = headerLength(ct) + 16;
    expect(ct.length).toBe(body + 3 * SEALED + 100 + 16);
  });
  const damaged = { kind: 'Validation', message: expect.stringMatching(/^This backup file is damaged or incomplete: /), hint: expect.stringMatching(/another backup set/) };

  it('truncated at a chunk edge: refused as cut short; only whole authentic chunks came out', async () => {
    for (const chunks of [1, 2, 3]) {
      const r = await ours(ct.subarray(0, body + chunks * SEALED));
      expect(r.error, `${chunks} chunks`).toMatchObject({ ...damaged, message: expect.stringMatching(/cut short/) });
      // The last chunk kept is held back (it might have been the final one); nothing is made up.
      expect(r.out.equals(data.subarray(0, (chunks - 1) * 65536)), `${chunks} chunks`).toBe(true);
    }
  });

  it('truncated mid-chunk, right after the nonce, inside the nonce, inside the header, or empty', async () => {
    for (const cut of [body + SEALED + 1000, body + 3 * SEALED + 50, body + 3 * SEALED + 10, body, body - 5, headerLength(ct) - 3, 30, 0]) {
      const r = await ours(ct.subarray(0, cut)).catch((error: unknown) => ({ out: Buffer.alloc(0), error }));
      expect(r.error, `cut at ${cut}`).toMatchObject(damaged);
      expect(data.subarray(0, r.out.length).equals(r.out), `cut at ${cut}`).toBe(true);
      expect(r.out.length).toBeLessThan(data.length);
    }
  });

  it('a flipped byte in a tag or in the ciphertext of any chunk: refused, and nothing of that chunk comes out', async () => {
    const spots = [
      { at: body + SEALED - 1, chunk: 1, what: 'tag of chunk 1' },
      { at: body + 5, chunk: 1, what: 'ciphertext of chunk 1' },
      { at: body + SEALED + 40_000, chunk: 2, what: 'ciphertext of chunk 2' },
      { at: body + 3 * SEALED + 50, chunk: 4, what: 'ciphertext of the final chunk' },
      { at: ct.length - 1, chunk: 4, what: 'tag of the final chunk' },
    ];
    for (const s of spots) {
      const bad = Buffer.from(ct);
      flip(bad, s.at, 0x01);
      const r = await ours(bad);
      expect(r.error, s.what).toMatchObject({ ...damaged, message: expect.stringContaining(`chunk ${s.chunk} `) });
      expect(r.out.equals(data.subarray(0, (s.chunk - 1) * 65536)), s.what).toBe(true);
    }
  });

  it('a flipped byte in the header (its MAC or a stanza) or the nonce: refused', async () => {
    const h = headerLength(ct);
    for (const at of [h - 3, 40, h + 3]) {
      const bad = Buffer.from(ct);
      flip(bad, at, 0x01);
      const r = await ours(bad).catch((error: unknown) => ({ out: Buffer.alloc(0), error }));
      expect(r.error, `byte ${at}`).toMatchObject({ kind: expect.stringMatching(/^(Validation|KeyMismatch)$/) });
      expect(r.out.length, `byte ${at}`).toBe(0);
    }
    // The MAC line: the header is refused as damaged, not as the wrong key.
    const mac = Buffer.from(ct);
    flip(mac, h - 3, 0x01);
    await expect(ours(mac)).rejects.toMatchObject({ ...damaged, message: expect.stringMatching(/header/) });
  });

  it('extra bytes after the final chunk (short or full-size final chunk): refused', async () => {
    for (const extra of [Buffer.from([0]), crypto.randomBytes(16), crypto.randomBytes(SEALED), Buffer.from(ct.subarray(body, body + SEALED))]) {
      const r = await ours(Buffer.concat([ct, extra]));
      expect(r.error, `${extra.length} bytes appended`).toMatchObject(damaged);
      expect(r.out.length).toBeLessThan(data.length);
    }
    const full = crypto.randomBytes(2 * 65536);
    const fullCt = cliEncrypt(full);
    for (const extra of [Buffer.from('x'), crypto.randomBytes(100)]) {
      const r = await ours(Buffer.concat([fullCt, extra]));
      expect(r.error).toMatchObject({ ...damaged, message: expect.stringMatching(/unexpected bytes follow/) });
      expect(r.out.equals(full.subarray(0, 65536))).toBe(true);
    }
  });

  it('the wrong identity is KeyMismatch with the same message and hint as before; nothing is read past the header', async () => {
    const other = await createAgeIdentity();
    await expect(ours(ct, [other.identity])).rejects.toMatchObject({
      kind: 'KeyMismatch',
      message: 'This backup file cannot be opened with the backup identity in custody.',
      hint: 'Use the identity that was active when the set was made (see the set’s recipients), or recover it from escrow.',
    });
    await expect(ours(ct, [])).rejects.toMatchObject({ kind: 'KeyMismatch' });
    await expect(ours(ct, ['AGE-SECRET-KEY-1NOTAKEY'])).rejects.toMatchObject({ kind: 'KeyInvalid' });
  });

  it('a file that is not an age file at all: refused as damaged at once', async () => {
    await expect(ours(Buffer.from('PGDMP\x01\x0e\x00 a plain custom-format dump'.repeat(1000)))).rejects.toMatchObject({ ...damaged, message: expect.stringMatching(/does not start like an age file/) });
  });
});

describe('AgePayloadDecrypter: the rules of the STREAM construction, on hand-made chunks', () => {
  const key = crypto.randomBytes(32);
  const seal = (counter: bigint, last: boolean, plain: Buffer): Buffer => {
    const nonce = Buffer.alloc(12);
    for (let i = 10, c = counter; i >= 0; i--, c >>= 8n) nonce[i] = Number(c & 0xffn);
    nonce[11] = last ? 1 : 0;
    const c = crypto.createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    const out = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([out, c.getAuthTag()]);
  };
  const run = (parts: Buffer[], first = 0n) => drain(Readable.from([Buffer.concat(parts)]).pipe(new AgePayloadDecrypter(key, first)));

  it('an empty plaintext is one empty final chunk; an empty final chunk after data is refused', async () => {
    expect(await run([seal(0n, true, Buffer.alloc(0))])).toEqual({ out: Buffer.alloc(0), error: null });
    const full = crypto.randomBytes(65536);
    const r = await run([seal(0n, false, full), seal(1n, true, Buffer.alloc(0))]);
    expect(r.error).toMatchObject({ kind: 'Validation', message: expect.stringMatching(/empty chunk/) });
    // With no chunk at all (not even the empty final one) the file is cut short.
    expect((await run([])).error).toMatchObject({ kind: 'Validation' });
  });

  it('a middle chunk flagged last, or a final chunk not flagged last, is refused', async () => {
    const a = crypto.randomBytes(65536);
    const b = crypto.randomBytes(10);
    expect((await run([seal(0n, false, a), seal(1n, true, b)])).out.equals(Buffer.concat([a, b]))).toBe(true);
    expect((await run([seal(0n, true, a), seal(1n, true, b)])).error).toMatchObject({ kind: 'Validation' });
    expect((await run([seal(0n, false, a), seal(1n, false, b)])).error).toMatchObject({ kind: 'Validation' });
    // Chunks swapped or repeated: the counter is part of the nonce.
    expect((await run([seal(1n, false, a), seal(0n, true, b)])).error).toMatchObject({ kind: 'Validation' });
    expect((await run([seal(0n, false, a), seal(0n, false, a), seal(1n, true, b)])).error).toMatchObject({ kind: 'Validation' });
  });

  it('the 11-byte counter: its last value works for a final chunk; a middle chunk there (overflow) is refused', async () => {
    const max = (1n << 88n) - 1n;
    const b = crypto.randomBytes(100);
    expect((await run([seal(max, true, b)], max)).out.equals(b)).toBe(true);
    const a = crypto.randomBytes(65536);
    const r = await run([seal(max, false, a), seal(0n, true, b)], max);
    expect(r.error).toMatchObject({ kind: 'Validation', message: expect.stringMatching(/more chunks than an age file can hold/) });
    expect(r.out.length).toBe(0);
    // Counting carries across bytes: 0x00..00ff → 0x00..0100.
    expect((await run([seal(255n, false, a), seal(256n, true, b)], 255n)).out.equals(Buffer.concat([a, b]))).toBe(true);
  });
});

describe('decryptStream: streaming behaviour', () => {
  it('respects backpressure: a consumer that stops reading stops the file from being read (bounded memory)', async () => {
    const data = crypto.randomBytes(16 * 1024 * 1024);
    const ct = cliEncrypt(data);
    let served = 0;
    const src = new Readable({
      read() {
        const n = Math.min(65536, ct.length - served);
        this.push(n > 0 ? ct.subarray(served, served + n) : null);
        served += n;
      },
    });
    const out = await decryptStream(src, [identity]);
    let got = 0;
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) => {
      const onData = (c: Buffer) => {
        chunks.push(c);
        got += c.length;
        if (got >= 1024 * 1024) {
          out.pause();
          out.off('data', onData);
          resolve();
        }
      };
      out.on('data', onData);
    });
    await new Promise((r) => setTimeout(r, 200));
    const ahead = served - got;
    expect(ahead, `${served} bytes read for ${got} consumed`).toBeLessThan(512 * 1024);
    out.on('data', (c: Buffer) => chunks.push(c));
    out.resume();
    await new Promise<void>((r) => out.on('end', () => r()));
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('a consumer that gives up closes the file; a read error of the file reaches the consumer', async () => {
    const f = path.join(dir, 'big.age');
    fs.writeFileSync(f, cliEncrypt(crypto.randomBytes(4 * 1024 * 1024)));
    const src = fs.createReadStream(f);
    const out = await decryptStream(src, [identity]);
    await new Promise((r) => out.once('data', r));
    out.destroy();
    await new Promise<void>((r) => src.once('close', () => r())); // times out if the file stays open
    expect(src.destroyed).toBe(true);

    const ct = fs.readFileSync(f);
    let sent = false;
    const failing = new Readable({
      read() {
        if (!sent) {
          sent = true;
          this.push(ct.subarray(0, 300_000));
        } else this.destroy(new Error('EIO: i/o error, read'));
      },
    });
    const r = await drain(await decryptStream(failing, [identity]));
    expect(r.error).toMatchObject({ message: 'EIO: i/o error, read' });
  });
});

describe('backup verification of an encrypted file whose payload is damaged (manifest hash rewritten to match)', () => {
  const PLAIN = Buffer.concat([Buffer.from('--\n-- PostgreSQL database dump\n--\n'), Buffer.from(crypto.randomBytes(200_000).toString('hex')), Buffer.from('\n-- PostgreSQL database dump complete\n')]);
  const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
  const entry = (file: string, stored: Buffer, format: 'plain' | 'custom'): BackupFile => ({
    role: 'main', file, format, encrypted: true, bytes: stored.length, sha256: sha(stored), plaintextSha256: sha(PLAIN), plaintextBytes: PLAIN.length,
    database: 'konote', pgDumpVersion: '15', serverVersion: '15', tableEstimates: {}, counts: {},
  });

  it('intact: sha256, decrypt and archive pass; one flipped byte in chunk 2: a failed decrypt check and no archive verdict', async () => {
    const ct = cliEncrypt(PLAIN);
    fs.writeFileSync(path.join(dir, 'ok.sql.age'), ct);
    const ok = await verifyBackupFile(dir, entry('ok.sql.age', ct, 'plain'), { identities: [identity], pgRestore: null });
    expect(ok.map((c) => [c.check, c.ok])).toEqual([['sha256', true], ['decrypt', true], ['archive', true]]);

    const bad = Buffer.from(ct);
    flip(bad, headerLength(ct) + 16 + SEALED + 100, 0x80);
    fs.writeFileSync(path.join(dir, 'bad.sql.age'), bad);
    const checks = await verifyBackupFile(dir, entry('bad.sql.age', bad, 'plain'), { identities: [identity], pgRestore: null });
    expect(checks.map((c) => [c.check, c.ok])).toEqual([['sha256', true], ['decrypt', false]]);
    expect(checks[1]!.detail).toMatch(/damaged or incomplete: chunk 2 /);
  });

  it('the same through `pg_restore --list` (custom format): the check fails (pg_restore is stopped, not waited on)', async () => {
    const pgRestore = ['/usr/bin/pg_restore', '/usr/lib/postgresql/15/bin/pg_restore'].find((p) => fs.existsSync(p));
    expect(pgRestore, 'PostgreSQL client tools must be installed').toBeDefined();
    const bad = cliEncrypt(PLAIN);
    flip(bad, bad.length - 5, 0x01);
    fs.writeFileSync(path.join(dir, 'bad.dump.age'), bad);
    const checks = await verifyBackupFile(dir, entry('bad.dump.age', bad, 'custom'), { identities: [identity], pgRestore: pgRestore! });
    expect(checks.map((c) => [c.check, c.ok])).toEqual([['sha256', true], ['decrypt', false]]);
    expect(checks[1]!.detail).toMatch(/damaged or incomplete/);
  });
});
