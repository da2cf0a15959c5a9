import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { havenBundleTools } from '../helpers/haven-bundles';
import { memoryCore } from '../helpers/memory-core';
import { havenKeyStatus, setHavenKey } from '../../src-main/core/haven/master-key';
import { havenDecrypt, havenRewrap, havenVerify } from '../../src-main/core/haven/haven-service';
import type { CoreContext } from '../../src-main/core/context';

/**
 * Haven bundles built by independent code — Python `cryptography`'s AESGCM and `zipfile`, in
 * exactly Haven's layout — read back by Custodian, and Custodian's re-wrapped files read back by
 * Python. Threats covered: a truncated or altered bundle yielding a plausible ZIP; a re-wrap that
 * changes the body or leaves a half-written file; weak master keys passing unnoticed.
 */

// Each case spawns Python a few times; on a shared 2-core machine that can take seconds.
const PYTHON = { timeout: 60_000 };
const KEY_A = 'a1'.repeat(32);
const KEY_B = '5c'.repeat(32);
let tools: ReturnType<typeof havenBundleTools>;
let dir: string;
let ctx: CoreContext;

const build: ReturnType<typeof havenBundleTools>['build'] = (bundles) => tools.build(bundles);
const pyOpen: ReturnType<typeof havenBundleTools>['open'] = (p, masterHex) => tools.open(p, masterHex);
const errorOf = async (p: Promise<unknown>) => p.then(() => null, (e: { kind?: string; message?: string }) => e);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  tools = havenBundleTools();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-'));
  ctx = memoryCore();
  await setHavenKey(ctx, KEY_A);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('haven decrypt', PYTHON, () => {
  it('turns a Python-built .enc into exactly its ZIP (file size = ZIP + 96)', async () => {
    const file = path.join(dir, 'export-1.enc');
    const [zipLen] = build([{ path: file, masterHex: KEY_A, repeat: 500 }]);
    expect(fs.statSync(file).size).toBe(zipLen! + 96);
    const r = await havenDecrypt(ctx, file, path.join(dir, 'out-1.zip'));
    expect(r).toMatchObject({ bytes: zipLen, keyUsed: 'current', warnings: [] });
    expect(fs.readFileSync(path.join(dir, 'out-1.zip')).equals(fs.readFileSync(`${file}.expected.zip`))).toBe(true);
    expect(fs.statSync(path.join(dir, 'out-1.zip')).mode & 0o077).toBe(0);
    expect(await errorOf(havenDecrypt(ctx, file, path.join(dir, 'out-1.zip')))).toMatchObject({ kind: 'Conflict' });
  });

  it('truncated, tampered, wrong key: typed errors and no output written', async () => {
    const file = path.join(dir, 'export-2.enc');
    build([{ path: file, masterHex: KEY_A }]);
    const bytes = fs.readFileSync(file);
    const cases: Array<[string, Buffer, string, RegExp]> = [
      ['truncated-body', bytes.subarray(0, bytes.length - 40), 'Validation', /integrity/],
      ['truncated-header', bytes.subarray(0, 50), 'Validation', /truncated/],
      ['tampered-body', Buffer.concat([bytes.subarray(0, 200), Buffer.from([bytes[200]! ^ 1]), bytes.subarray(201)]), 'Validation', /integrity/],
      ['tampered-dek', Buffer.concat([bytes.subarray(0, 40), Buffer.from([bytes[40]! ^ 1]), bytes.subarray(41)]), 'KeyMismatch', /master key/],
      ['bad-iv-length', Buffer.concat([Buffer.from([0, 0, 0, 16]), bytes.subarray(4)]), 'Validation', /IV length/],
    ];
    for (const [name, content, kind, msg] of cases) {
      const f = path.join(dir, `${name}.enc`);
      fs.writeFileSync(f, content);
      const out = path.join(dir, `${name}.zip`);
      const e = await errorOf(havenDecrypt(ctx, f, out));
      expect(e, name).toMatchObject({ kind });
      expect(e!.message, name).toMatch(msg);
      expect(fs.existsSync(out), name).toBe(false);
      expect(fs.existsSync(`${out}.partial`), name).toBe(false);
    }
    const other = memoryCore();
    await setHavenKey(other, KEY_B);
    expect(await errorOf(havenDecrypt(other, file, path.join(dir, 'wrong.zip')))).toMatchObject({ kind: 'KeyMismatch' });
    expect(await errorOf(havenDecrypt(memoryCore(), file, path.join(dir, 'nokey.zip')))).toMatchObject({ kind: 'KeyMissing' });
  });

  it('warns on Haven’s all-zero default and on a 16-byte key, and still opens their bundles', async () => {
    for (const [hex, pattern] of [['0'.repeat(64), /all zeros/], ['7e'.repeat(16), /16 bytes/]] as const) {
      const c = memoryCore();
      const status = await setHavenKey(c, hex);
      expect(status.warnings.join(' ')).toMatch(pattern);
      const f = path.join(dir, `weak-${hex.length}.enc`);
      build([{ path: f, masterHex: hex }]);
      const r = await havenDecrypt(c, f, `${f}.zip`);
      expect(r.warnings.join(' ')).toMatch(pattern);
      expect(fs.readFileSync(`${f}.zip`).equals(fs.readFileSync(`${f}.expected.zip`))).toBe(true);
    }
    expect(await errorOf(setHavenKey(memoryCore(), 'abc'))).toMatchObject({ kind: 'KeyInvalid' });
    expect(await errorOf(setHavenKey(memoryCore(), 'zz'.repeat(32)))).toMatchObject({ kind: 'KeyInvalid' });
  });
});

describe('haven verify', PYTHON, () => {
  it('passes what can be checked and calls manifest.sha256 and signature.txt not verifiable', async () => {
    const file = path.join(dir, 'verify-ok.enc');
    build([{ path: file, masterHex: KEY_A }]);
    const r = await havenVerify(ctx, file);
    expect(r.ok).toBe(true);
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
    expect(by).toMatchObject({ layout: 'pass', 'data-key': 'pass', integrity: 'pass', zip: 'pass', contents: 'pass', 'hash:Client.csv': 'pass', 'hash:Enrollment.csv': 'pass', 'hash:Services.csv': 'pass', 'manifest.sha256': 'not-verifiable', signature: 'not-verifiable' });
    expect(r.entries.map((e) => e.name).sort()).toEqual(['Client.csv', 'Enrollment.csv', 'Services.csv', 'manifest.json', 'manifest.sha256', 'signature.txt']);
  });

  it('fails a CSV whose hash disagrees with manifest.json, and a tampered bundle', async () => {
    const file = path.join(dir, 'verify-bad.enc');
    build([{ path: file, masterHex: KEY_A, badHash: true }]);
    const r = await havenVerify(ctx, file);
    expect(r.ok).toBe(false);
    expect(r.checks.find((c) => c.id === 'hash:Services.csv')!.status).toBe('fail');
    expect(r.checks.find((c) => c.id === 'hash:Client.csv')!.status).toBe('pass');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 3]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    const t = await havenVerify(ctx, file);
    expect(t.ok).toBe(false);
    expect(t.checks.find((c) => c.id === 'integrity')!.status).toBe('fail');
    expect(t.entries).toEqual([]);
  });
});

describe('haven rewrap', PYTHON, () => {
  it('dry run, then re-wraps every bundle under the new key: body untouched, Python opens it with the new key only', async () => {
    const rdir = fs.mkdtempSync(path.join(dir, 'rewrap-'));
    const files = ['a.enc', 'b.enc', 'c.enc'].map((n) => path.join(rdir, n));
    build(files.map((p) => ({ path: p, masterHex: KEY_A })));
    const damaged = path.join(rdir, 'd-damaged.enc');
    const good = fs.readFileSync(files[0]!);
    fs.writeFileSync(damaged, good.subarray(0, good.length - 5));
    fs.symlinkSync(files[0]!, path.join(rdir, 'e-link.enc'));
    const c = memoryCore();
    await setHavenKey(c, KEY_A);
    const status = await setHavenKey(c, KEY_B);
    expect(status.previous).toHaveLength(1);
    expect((await havenKeyStatus(c)).fingerprint).not.toBe(status.previous[0]!.fingerprint);

    const original = new Map(files.map((f) => [f, fs.readFileSync(f)]));
    const dry = await havenRewrap(c, rdir, true);
    expect(dry.files.map((f) => [path.basename(f.file), f.action])).toEqual([['a.enc', 'would-rewrap'], ['b.enc', 'would-rewrap'], ['c.enc', 'would-rewrap'], ['d-damaged.enc', 'failed'], ['e-link.enc', 'skipped']]);
    for (const f of files) expect(fs.readFileSync(f).equals(original.get(f)!)).toBe(true);

    const run = await havenRewrap(c, rdir, false);
    expect(run.files.filter((f) => f.action === 'rewrapped')).toHaveLength(3);
    expect(run.failed).toBe(1);
    expect(fs.readFileSync(damaged).equals(good.subarray(0, good.length - 5))).toBe(true);
    expect(fs.readdirSync(rdir).filter((n) => n.endsWith('.partial'))).toEqual([]);
    for (const f of files) {
      const now = fs.readFileSync(f);
      const before = original.get(f)!;
      expect(now.length).toBe(before.length);
      expect(sha(now.subarray(80))).toBe(sha(before.subarray(80)));
      expect(now.subarray(0, 20).equals(before.subarray(0, 20))).toBe(true);
      expect(now.subarray(20, 80).equals(before.subarray(20, 80))).toBe(false);
      const withB = pyOpen(f, KEY_B);
      expect(withB.ok).toBe(true);
      expect(Buffer.from(withB.plainHex!, 'hex').equals(fs.readFileSync(`${f}.expected.zip`))).toBe(true);
      expect(pyOpen(f, KEY_A)).toMatchObject({ ok: false, error: 'InvalidTag' });
    }
    const again = await havenRewrap(c, rdir, false);
    expect(again.files.filter((f) => f.action === 'already-current')).toHaveLength(3);
  });
});
