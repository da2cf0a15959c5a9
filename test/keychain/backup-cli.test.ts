import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { createKeyringVault } from '../../src-main/core/keys/keyring-vault';
import { sandboxDown, sandboxUp } from '../../src-main/core/sandbox/sandbox-service';
import { createBackupIdentity } from '../../src-main/core/backup/recipients';
import { readManifest } from '../../src-main/core/backup/manifest';
import { forgetKeys } from '../../src-main/core/keys/key-service';
import { vaultAccounts } from '../../src-main/core/keys/vault';

/**
 * The real `custodian` command (bin/custodian.mjs, a separate process) backing up the practice
 * sandbox (a real PostgreSQL 15 cluster with KoNote-shaped data), with its database passwords and
 * the backup identity in the real Secret Service. What a scheduler or an IT person runs, checked
 * from the outside: the JSON it prints must match the files on disk byte for byte.
 */
const ROOT = path.resolve(__dirname, '../..');
const service = `Custodian-test-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-backup-cli-'));
const target = path.join(home, 'my backups');
const env: NodeJS.ProcessEnv = { ...process.env, CUSTODIAN_HOME: home, CUSTODIAN_KEYCHAIN_SERVICE: service };
const ctxFor = (): TestContext => makeTestContext({ home, env, vault: createKeyringVault(env) });
let identity = '';

interface FileJson {
  role: string;
  file: string;
  bytes: number;
  sha256: string;
}
interface CheckJson {
  file: string;
  check: string;
  ok: boolean;
  detail: string;
}
interface SetJson {
  id: string;
  dir: string;
  state: string;
  totalBytes: number;
  encrypted: boolean;
}
/** The union of the fields the three verbs print; each assertion reads the ones its verb has. */
interface CliJson {
  verified?: boolean;
  decrypted?: boolean;
  profile?: string;
  setId: string;
  dir: string;
  files: FileJson[];
  checks: CheckJson[];
  sets: SetJson[];
  error?: { kind: string; message: string };
}

function cli(...args: string[]): Promise<{ code: number | null; out: string; err: string; json: CliJson }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/custodian.mjs'), ...args], { env, cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      let json = {} as CliJson;
      try {
        json = JSON.parse(out) as CliJson;
      } catch {
        // asserted below: --json must print exactly one JSON document
      }
      resolve({ code, out, err, json });
    });
  });
}

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

beforeAll(async () => {
  const ctx = ctxFor();
  try {
    await sandboxUp(ctx, { clients: 30, fsync: false });
    identity = (await createBackupIdentity(ctx, 'sandbox')).identity;
  } finally {
    await ctx.dispose();
  }
}, 240_000);

afterAll(async () => {
  const ctx = ctxFor();
  await sandboxDown(ctx, {}).catch(() => undefined);
  await forgetKeys(ctx, 'sandbox').catch(() => undefined);
  for (const a of [vaultAccounts.ageIdentity('sandbox'), vaultAccounts.dbPassword('sandbox', 'main'), vaultAccounts.dbPassword('sandbox', 'audit')]) await ctx.vault.delete(a).catch(() => false);
  await ctx.dispose();
  fs.rmSync(home, { recursive: true, force: true });
}, 120_000);

describe('custodian backup run | list | verify --json (real CLI, real cluster, real keychain)', () => {
  it('run prints a verified set whose files, sizes and SHA-256 match the disk; list and verify agree', async () => {
    const run = await cli('backup', 'run', '--target', target, '--json');
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out.trim().startsWith('{') && run.out.trim().endsWith('}')).toBe(true);
    const r = run.json;
    expect(r.verified).toBe(true);
    expect(r.profile).toBe('sandbox');
    expect(r.setId).toMatch(/^sandbox_\d{8}T\d{6}Z/);
    expect(r.dir).toBe(path.join(target, r.setId));
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.files.map((f) => f.role)).toEqual(['main', 'audit', 'globals']);
    for (const f of r.files) {
      const onDisk = path.join(r.dir, f.file);
      // The two databases as custom-format archives; the roles file (pg_dumpall) as SQL. All encrypted.
      expect(f.file).toMatch(f.role === 'globals' ? /^globals_.*\.sql\.age$/ : /\.dump\.age$/);
      expect(f.bytes).toBe(fs.statSync(onDisk).size);
      expect(f.bytes).toBeGreaterThan(f.role === 'globals' ? 200 : 1024);
      expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(f.sha256).toBe(sha256(onDisk));
    }
    // The manifest (written last) says the same, and nothing secret reached the output.
    expect(readManifest(r.dir).files.map((f) => [f.file, f.bytes, f.sha256])).toEqual(r.files.map((f) => [f.file, f.bytes, f.sha256]));
    expect(run.out + run.err).not.toContain(identity);
    expect(run.out + run.err).not.toMatch(/AGE-SECRET-KEY/);

    const list = await cli('backup', 'list', '--json');
    expect(list.code).toBe(0);
    const listed = list.json.sets.find((s) => s.id === r.setId);
    expect(listed).toMatchObject({ state: 'verified', encrypted: true, dir: r.dir, totalBytes: r.files.reduce((s, f) => s + f.bytes, 0) });

    const verify = await cli('backup', 'verify', r.setId, '--json');
    expect(verify.code, verify.out + verify.err).toBe(0);
    expect(verify.json).toMatchObject({ setId: r.setId, dir: r.dir, verified: true, decrypted: true });
    // Decrypted and listed with pg_restore, file by file.
    const checksByFile = verify.json.checks.filter((c) => c.file.endsWith('.age'));
    for (const f of r.files) expect(checksByFile.filter((c) => c.file === f.file).every((c) => c.ok)).toBe(true);
    expect([...new Set(checksByFile.map((c) => c.check))].sort()).toEqual(['archive', 'decrypt', 'sha256']);
    expect(checksByFile.filter((c) => c.check === 'decrypt').map((c) => c.detail)).toEqual(r.files.map(() => expect.stringMatching(/decrypts to the recorded plaintext/)));
  }, 240_000);

  it('verify reports a damaged set as NOT verified (exit 1), and an unknown id as NotFound', async () => {
    const list = await cli('backup', 'list', '--json');
    const set = list.json.sets.find((s) => s.state === 'verified')!;
    const file = fs.readdirSync(set.dir).find((f) => f.startsWith('audit_'))!;
    const bytes = fs.readFileSync(path.join(set.dir, file));
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    fs.writeFileSync(path.join(set.dir, file), bytes);
    const v = await cli('backup', 'verify', set.id, '--json');
    expect(v.code).toBe(1);
    expect(v.json.verified).toBe(false);
    expect(v.json.checks.find((c) => c.file === file && !c.ok)?.detail).toMatch(/SHA-256/);
    expect((await cli('backup', 'list', '--json')).json.sets.find((s) => s.id === set.id)?.state).toBe('unverified');

    const missing = await cli('backup', 'verify', 'sandbox_19990101T000000Z', '--json');
    expect(missing.code).toBe(1);
    expect(missing.json.error).toMatchObject({ kind: 'NotFound' });
  }, 240_000);
});
