import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decrypter } from 'age-encryption';
import { createAgeIdentity, decryptStream } from '../../src-main/core/backup/age-stream';
import type { Benchmark } from './run';

/**
 * Decrypt throughput of a backup file: our decryptStream (header by the age-encryption library,
 * payload by node:crypto) versus the library decrypting the whole file (pure JS, what
 * decryptStream used before), on the same file of random bytes (BENCH_AGE_MB, default 250 MB)
 * encrypted by Debian's `age` CLI. Both read the file from disk into a sink that drops the bytes.
 */

const MB = Number(process.env.BENCH_AGE_MB ?? 250);

async function timed(open: () => Promise<Readable>): Promise<{ s: number; bytes: number }> {
  let bytes = 0;
  const t = performance.now();
  await pipeline(await open(), new Writable({ write(c: Buffer, _e, cb) { bytes += c.length; cb(); } }));
  return { s: (performance.now() - t) / 1000, bytes };
}

const bench: Benchmark = {
  name: `age decrypt: node:crypto payload vs age-encryption library (${MB} MB)`,
  // With the 64 KiB reads of a default file stream (what restores use) about 5–6× here; reading in
  // 1 MiB pieces (backup verification does) lifts it further.
  goal: '≥ 4× the library’s throughput',
  minRatio: 4,
  async run() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-age-'));
    try {
      const { identity, recipient } = await createAgeIdentity();
      const plain = path.join(dir, 'plain');
      const fd = fs.openSync(plain, 'w', 0o600);
      for (let left = MB * 1024 * 1024; left > 0; left -= 1 << 20) fs.writeSync(fd, crypto.randomBytes(Math.min(left, 1 << 20)));
      fs.closeSync(fd);
      const file = path.join(dir, 'x.age');
      const r = spawnSync('age', ['-r', recipient, '-o', file, plain]);
      if (r.status !== 0) throw new Error(`age -r failed (is Debian's age installed?): ${r.stderr?.toString() ?? r.error?.message}`);
      fs.rmSync(plain);
      const lib = await timed(async () => {
        const d = new Decrypter();
        d.addIdentity(identity);
        const web = await d.decrypt(Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array>);
        return Readable.fromWeb(web as unknown as import('node:stream/web').ReadableStream<Uint8Array>);
      });
      const ours = await timed(() => decryptStream(fs.createReadStream(file), [identity]));
      if (ours.bytes !== lib.bytes) throw new Error(`decrypted sizes differ: ${ours.bytes} vs ${lib.bytes}`);
      const rate = (x: { s: number; bytes: number }) => x.bytes / 1e6 / x.s;
      return {
        ratio: rate(ours) / rate(lib),
        detail: `decryptStream ${rate(ours).toFixed(0)} MB/s (${ours.s.toFixed(2)} s), library ${rate(lib).toFixed(0)} MB/s (${lib.s.toFixed(2)} s) for ${(lib.bytes / 1e6).toFixed(0)} MB`,
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;
