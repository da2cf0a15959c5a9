import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCipheriv, randomBytes } from 'node:crypto';
import { registerHavenCommands } from '../../src-main/cli/haven';
import { memoryCore } from '../helpers/memory-core';
import { cliRunner } from '../helpers/cli-harness';

/** `custodian haven ...` on an in-memory core: --json documents, exit codes, the key never printed. */
const KEY = 'c3'.repeat(32);

function gcm(key: Buffer, iv: Buffer, data: Buffer) {
  const c = createCipheriv(`aes-${key.length * 8}-gcm` as 'aes-256-gcm', key, iv);
  return Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
}
/** Haven's layout, written out field by field (the Python interop test covers independent code). */
function encBundle(master: Buffer, plain: Buffer): Buffer {
  const dek = randomBytes(32);
  const wrapIv = randomBytes(12);
  const iv = randomBytes(12);
  const u32 = (n: number) => Buffer.from([0, 0, 0, n]);
  return Buffer.concat([u32(12), iv, u32(60), wrapIv, gcm(master, wrapIv, dek), gcm(dek, iv, plain)]);
}

async function setup() {
  const core = memoryCore();
  const run = cliRunner(core, registerHavenCommands);
  return { core, run };
}

describe('custodian haven', () => {
  it('stores the key from a file, decrypts and verifies with --json, and never prints the key', async () => {
    const { run } = await setup();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-haven-'));
    fs.writeFileSync(path.join(dir, 'haven.env'), `KMS_MASTER_KEY_HEX=${KEY}\n`);
    const set = await run('haven', 'key', 'set', '--from-file', path.join(dir, 'haven.env'), '--json');
    expect(set.code).toBe(0);
    expect(set.json()).toMatchObject({ present: true, bits: 256, warnings: [] });
    expect(set.out).not.toContain(KEY);
    fs.writeFileSync(path.join(dir, 'b.enc'), encBundle(Buffer.from(KEY, 'hex'), Buffer.from('not really a zip')));
    const dec = await run('haven', 'decrypt', path.join(dir, 'b.enc'), '--out', path.join(dir, 'b.zip'), '--json');
    expect(dec.code).toBe(0);
    expect(dec.json()).toMatchObject({ bytes: 16, keyUsed: 'current' });
    expect(fs.readFileSync(path.join(dir, 'b.zip'), 'utf8')).toBe('not really a zip');
    const ver = await run('haven', 'verify', path.join(dir, 'b.enc'), '--json');
    expect(ver.code).toBe(1);
    const report = ver.json() as { ok: boolean; checks: Array<{ id: string; status: string }> };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === 'integrity')!.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'zip')!.status).toBe('fail');
    const missing = await run('haven', 'decrypt', path.join(dir, 'nope.enc'), '--out', path.join(dir, 'n.zip'), '--json');
    expect(missing.code).toBe(1);
    expect(missing.json()).toMatchObject({ error: { kind: 'NotFound' } });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('warns on an all-zero key', async () => {
    const { run } = await setup();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-haven-'));
    fs.writeFileSync(path.join(dir, 'k'), '0'.repeat(64));
    const r = await run('haven', 'key', 'set', '--from-file', path.join(dir, 'k'));
    expect(r.out).toMatch(/WARNING: .*all zeros/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
