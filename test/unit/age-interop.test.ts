import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createAgeIdentity, decryptStream, encryptStream } from '../../src-main/core/backup/age-stream';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-age-'));

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

describe('age encryption of backups interoperates with Debian’s age CLI', () => {
  it('a file we encrypt (several chunks) decrypts with `age -d`', async () => {
    const dir = tmp();
    const { identity, recipient } = await createAgeIdentity();
    expect(recipient).toMatch(/^age1/);
    const idFile = path.join(dir, 'id.txt');
    fs.writeFileSync(idFile, identity + '\n', { mode: 0o600 });
    const data = crypto.randomBytes(3 * 65536 + 123);
    await pipeline(await encryptStream(Readable.from([data]), [recipient]), fs.createWriteStream(path.join(dir, 'x.age')));
    const r = spawnSync('age', ['-d', '-i', idFile, path.join(dir, 'x.age')], { maxBuffer: 1 << 24 });
    expect(r.error, 'Debian package age must be installed').toBeUndefined();
    expect(r.status, r.stderr?.toString()).toBe(0);
    expect(Buffer.compare(r.stdout, data)).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a file `age` encrypts decrypts with our stream, and a wrong identity is KeyMismatch', async () => {
    const dir = tmp();
    const { identity, recipient } = await createAgeIdentity();
    const data = crypto.randomBytes(100_000);
    fs.writeFileSync(path.join(dir, 'plain'), data);
    const r = spawnSync('age', ['-r', recipient, '-o', path.join(dir, 'p.age'), path.join(dir, 'plain')]);
    expect(r.status, r.stderr?.toString()).toBe(0);
    const out = await collect(await decryptStream(fs.createReadStream(path.join(dir, 'p.age')), [identity]));
    expect(out.equals(data)).toBe(true);
    const other = await createAgeIdentity();
    await expect(decryptStream(fs.createReadStream(path.join(dir, 'p.age')), [other.identity]).then(collect)).rejects.toMatchObject({ kind: 'KeyMismatch' });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to encrypt to nobody or to a malformed recipient', async () => {
    await expect(encryptStream(Readable.from([Buffer.from('x')]), [])).rejects.toMatchObject({ kind: 'Validation' });
    await expect(encryptStream(Readable.from([Buffer.from('x')]), ['age1notakey'])).rejects.toMatchObject({ kind: 'Validation' });
  });
});
