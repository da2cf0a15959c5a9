import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { havenBundleTools } from '../helpers/haven-bundles';
import { createCoreDispatcher } from '../../src-main/core/handlers';
import { HAVEN_VAULT_ACCOUNT } from '../../src-main/core/haven/master-key';
import type { Dispatcher } from '../../src-main/core/ipc/dispatcher';
import type { HavenDecryptResult, HavenKeyStatus, HavenRewrapReport, HavenVerifyReport } from '../../src-main/contract/haven';
import type { Result } from '../../src-main/contract/errors';

/**
 * The Haven channels and the `haven.rewrap` job as the app calls them (dispatcher: schema →
 * handler → output schema), on real `.enc` files built by Python's AESGCM in Haven's layout.
 * Threats covered: the master key leaking back to the window; a relative path landing in the
 * app's working folder; a tampered bundle yielding a ZIP; a cancelled re-wrap leaving a half file.
 */

const KEY_A = 'a1'.repeat(32);
const KEY_B = '5c'.repeat(32);
const trusted = { trusted: true, description: 'test window' };
const PYTHON = { timeout: 60_000 };

let ctx: TestContext;
let d: Dispatcher;
let dir: string;
let tools: ReturnType<typeof havenBundleTools>;

async function call<T>(channel: string, input: unknown): Promise<Result<T>> {
  return (await d.dispatch(channel, input, trusted)) as Result<T>;
}
async function ok<T>(channel: string, input: unknown): Promise<T> {
  const r = await call<T>(channel, input);
  if (!r.ok) throw new Error(`${channel}: ${r.error.kind} ${r.error.message}`);
  return r.value;
}

beforeAll(() => {
  tools = havenBundleTools();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-ipc-'));
  ctx = makeTestContext({ memoryLog: true });
  d = createCoreDispatcher(ctx);
});
afterAll(async () => {
  await ctx.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('haven.key.*', () => {
  it('status, then set from a pasted env line: fingerprint and warnings come back, never the key', async () => {
    expect(await ok<HavenKeyStatus>('haven.key.status', {})).toEqual({ present: false, fingerprint: null, bits: null, previous: [], warnings: [], warningCodes: [] });

    const s = await ok<HavenKeyStatus>('haven.key.set', { hex: `KMS_MASTER_KEY_HEX=${KEY_A}\n` });
    expect(s).toMatchObject({ present: true, bits: 256, previous: [], warningCodes: [] });
    expect(s.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(s)).not.toContain(KEY_A.slice(0, 16));
    expect(await ctx.vault.get(HAVEN_VAULT_ACCOUNT)).toContain(KEY_A);

    // A bad key is refused and the stored one is kept.
    const bad = await call('haven.key.set', { hex: 'abc123' });
    expect(bad).toMatchObject({ ok: false, error: { kind: 'KeyInvalid' } });
    expect(await ok<HavenKeyStatus>('haven.key.status', {})).toEqual(s);
    // Strict input: nothing else travels with the key.
    expect(await call('haven.key.set', { hex: KEY_A, log: true })).toMatchObject({ ok: false, error: { kind: 'Validation' } });
  });

  it('flags Haven’s all-zero default and a 16-byte key by code and in words; the replaced key stays as "previous"', async () => {
    const c = makeTestContext({ memoryLog: true });
    const dd = createCoreDispatcher(c);
    try {
      const zero = await dd.dispatch('haven.key.set', { hex: '0'.repeat(64) }, trusted);
      expect(zero).toMatchObject({ ok: true, value: { warningCodes: ['all-zero'], bits: 256 } });
      const short = await dd.dispatch('haven.key.set', { hex: '7e'.repeat(16) }, trusted);
      expect(short).toMatchObject({ ok: true, value: { warningCodes: ['aes-128'], bits: 128 } });
      if (!short.ok) return;
      const v = short.value as HavenKeyStatus;
      expect(v.warnings.join(' ')).toMatch(/16 bytes/);
      expect(v.previous).toHaveLength(1);
    } finally {
      await c.dispose();
    }
  });
});

describe('haven.decrypt / haven.verify on real files', PYTHON, () => {
  beforeAll(async () => {
    await ok('haven.key.set', { hex: KEY_A });
  });

  it('decrypts a Python-built bundle to exactly its ZIP; refuses relative paths and existing outputs', async () => {
    const file = path.join(dir, 'export.enc');
    const [zipLen] = tools.build([{ path: file, masterHex: KEY_A, repeat: 200 }]);
    const out = path.join(dir, 'export.zip');
    const r = await ok<HavenDecryptResult>('haven.decrypt', { file, out });
    expect(r).toMatchObject({ file, out, bytes: zipLen, keyUsed: 'current', warnings: [] });
    expect(fs.readFileSync(out).equals(fs.readFileSync(`${file}.expected.zip`))).toBe(true);

    expect(await call('haven.decrypt', { file, out })).toMatchObject({ ok: false, error: { kind: 'Conflict' } });
    const rel = await call('haven.decrypt', { file: 'export.enc', out: path.join(dir, 'rel.zip') });
    expect(rel).toMatchObject({ ok: false, error: { kind: 'Validation', message: expect.stringMatching(/not a full path/) } });
    expect(await call('haven.decrypt', { file, out: 'rel.zip' })).toMatchObject({ ok: false, error: { kind: 'Validation' } });
    expect(fs.existsSync(path.join(process.cwd(), 'rel.zip'))).toBe(false);
    expect(await call('haven.decrypt', { file: '', out })).toMatchObject({ ok: false, error: { kind: 'Validation' } });
  });

  it('a tampered bundle: decrypt fails typed with nothing written, verify reports the failed integrity check', async () => {
    const file = path.join(dir, 'tampered.enc');
    tools.build([{ path: file, masterHex: KEY_A }]);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 30]! ^= 0x01;
    fs.writeFileSync(file, bytes);
    const out = path.join(dir, 'tampered.zip');
    const r = await call('haven.decrypt', { file, out });
    expect(r).toMatchObject({ ok: false, error: { kind: 'Validation', message: expect.stringMatching(/integrity/) } });
    if (!r.ok) expect(r.error.hint).toMatch(/Download the bundle again/);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(`${out}.partial`)).toBe(false);
    const v = await ok<HavenVerifyReport>('haven.verify', { file });
    expect(v.ok).toBe(false);
    expect(v.checks.find((c) => c.id === 'integrity')).toMatchObject({ status: 'fail' });
  });

  it('verify: passes what can be checked, names what cannot, and fails a CSV whose hash disagrees', async () => {
    const good = path.join(dir, 'v-good.enc');
    const bad = path.join(dir, 'v-bad.enc');
    tools.build([{ path: good, masterHex: KEY_A }, { path: bad, masterHex: KEY_A, badHash: true }]);
    const g = await ok<HavenVerifyReport>('haven.verify', { file: good });
    expect(g.ok).toBe(true);
    const by = Object.fromEntries(g.checks.map((c) => [c.id, c.status]));
    expect(by).toMatchObject({ integrity: 'pass', 'hash:Client.csv': 'pass', 'manifest.sha256': 'not-verifiable', signature: 'not-verifiable' });
    const b = await ok<HavenVerifyReport>('haven.verify', { file: bad });
    expect(b.ok).toBe(false);
    expect(b.checks.find((c) => c.id === 'hash:Services.csv')).toMatchObject({ status: 'fail' });
  });
});

describe('haven.rewrap job', PYTHON, () => {
  it('dry run changes nothing; the real run re-wraps under the new key (Python opens it with that key only)', async () => {
    await ok('haven.key.set', { hex: KEY_A });
    const rdir = fs.mkdtempSync(path.join(dir, 'rw-'));
    const files = ['a.enc', 'b.enc'].map((n) => path.join(rdir, n));
    tools.build(files.map((p) => ({ path: p, masterHex: KEY_A })));
    await ok('haven.key.set', { hex: KEY_B });
    const before = files.map((f) => fs.readFileSync(f));

    const { jobId: dryId } = await ok<{ jobId: string }>('jobs.start', { kind: 'haven.rewrap', dir: rdir, dryRun: true });
    const dry = await ctx.jobs.wait(dryId);
    expect(dry.state).toBe('succeeded');
    expect(dry.progress.fraction).toBe(1);
    const dryReport = dry.result as HavenRewrapReport;
    expect(dryReport.files.map((f) => [path.basename(f.file), f.action])).toEqual([['a.enc', 'would-rewrap'], ['b.enc', 'would-rewrap']]);
    files.forEach((f, i) => expect(fs.readFileSync(f).equals(before[i]!)).toBe(true));
    expect(ctx.jobs.logAfter(dryId).map((l) => l.text)).toEqual(expect.arrayContaining(['would-rewrap: a.enc', 'would-rewrap: b.enc']));

    const { jobId } = await ok<{ jobId: string }>('jobs.start', { kind: 'haven.rewrap', dir: rdir, dryRun: false });
    const run = await ctx.jobs.wait(jobId);
    expect(run.state).toBe('succeeded');
    expect((run.result as HavenRewrapReport).files.every((f) => f.action === 'rewrapped')).toBe(true);
    for (const f of files) {
      const withB = tools.open(f, KEY_B);
      expect(withB.ok).toBe(true);
      expect(Buffer.from(withB.plainHex!, 'hex').equals(fs.readFileSync(`${f}.expected.zip`))).toBe(true);
      expect(tools.open(f, KEY_A)).toMatchObject({ ok: false, error: 'InvalidTag' });
    }
  });

  it('cancel stops between files: the first bundle is re-wrapped whole, the others untouched, no partial file', async () => {
    await ok('haven.key.set', { hex: KEY_A });
    const rdir = fs.mkdtempSync(path.join(dir, 'rw-cancel-'));
    const files = ['a.enc', 'b.enc', 'c.enc'].map((n) => path.join(rdir, n));
    tools.build(files.map((p) => ({ path: p, masterHex: KEY_A })));
    await ok('haven.key.set', { hex: KEY_B });
    const before = files.map((f) => fs.readFileSync(f));

    let jobId = '';
    const off = ctx.jobs.onEvent((e) => {
      if (e.type === 'log' && e.jobId === jobId && e.line.text === 'rewrapped: a.enc') ctx.jobs.cancel(jobId);
    });
    try {
      jobId = (await ok<{ jobId: string }>('jobs.start', { kind: 'haven.rewrap', dir: rdir, dryRun: false })).jobId;
      const job = await ctx.jobs.wait(jobId);
      expect(job.state).toBe('cancelled');
    } finally {
      off();
    }
    expect(tools.open(files[0]!, KEY_B).ok).toBe(true);
    expect(fs.readFileSync(files[1]!).equals(before[1]!)).toBe(true);
    expect(fs.readFileSync(files[2]!).equals(before[2]!)).toBe(true);
    expect(fs.readdirSync(rdir).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('a relative or missing folder fails the job with a typed error', async () => {
    const rel = await ctx.jobs.wait(ctx.jobs.start({ kind: 'haven.rewrap', dir: 'bundles', dryRun: true }));
    expect(rel).toMatchObject({ state: 'failed', error: { kind: 'Validation' } });
    const missing = await ctx.jobs.wait(ctx.jobs.start({ kind: 'haven.rewrap', dir: path.join(dir, 'nope'), dryRun: true }));
    expect(missing).toMatchObject({ state: 'failed', error: { kind: 'NotFound' } });
  });
});
