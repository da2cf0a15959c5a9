import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { Client } from 'pg';
import { startTestCluster, type TestCluster } from '../helpers/pg-cluster';
import { makeTestContext } from '../helpers/core-context';
import { createKeyringVault } from '../../src-main/core/keys/keyring-vault';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { withEndpointClient } from '../../src-main/core/connections/pg-client';
import { importKeyList, forgetKeys } from '../../src-main/core/keys/key-service';
import { FernetKey, MultiFernet } from '../../src-main/core/keys/fernet';
import { vaultAccounts } from '../../src-main/core/keys/vault';
import { startRotation } from '../../src-main/core/keys/rotation/rotation-service';
import { activeRotation } from '../../src-main/core/keys/rotation/rotation-store';

/**
 * The real thing: `custodian key rotate --resume` as a separate process, SIGKILLed at random
 * moments of its re-encryption, ten times (keys in the real Secret Service, data in real
 * PostgreSQL). Threat: a crash, power cut or killed terminal mid-rotation. After every kill each
 * value must still open under "new,old"; the last run must finish with every value under the new key.
 */
const ROOT = path.resolve(__dirname, '../..');
const service = `Custodian-test-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-kill-'));
const env: NodeJS.ProcessEnv = { ...process.env, CUSTODIAN_HOME: home, CUSTODIAN_KEYCHAIN_SERVICE: service };
const OLD = FernetKey.generate();
const ROWS = 3000;
let cluster: TestCluster;
const ep = () => ({ host: '127.0.0.1', port: cluster.port, database: 'konote', user: 'postgres', sslmode: 'disable' as const });
const db = <T>(fn: (c: Client) => Promise<T>) => withEndpointClient(ep(), cluster.password, fn);
const ctxFor = () => makeTestContext({ home, env, vault: createKeyringVault(env) });

beforeAll(async () => {
  cluster = await startTestCluster();
  await withEndpointClient({ ...ep(), database: 'postgres' }, cluster.password, (c) => c.query('CREATE DATABASE konote'));
  const old = MultiFernet.parse(OLD);
  await db(async (c) => {
    await c.query(`CREATE TABLE progress_notes (id bigint PRIMARY KEY, _notes_text_encrypted bytea NOT NULL, _summary_encrypted bytea NOT NULL)`);
    const ids = Array.from({ length: ROWS }, (_, i) => i + 1);
    await c.query(`INSERT INTO progress_notes SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[])`, [
      ids,
      ids.map((i) => Buffer.from(old.encrypt(`note ${i}`), 'ascii')),
      ids.map((i) => (i % 4 === 0 ? Buffer.alloc(0) : Buffer.from(old.encrypt(`summary ${i}`), 'ascii'))),
    ]);
  });
  const ctx = ctxFor();
  await saveProfile(ctx, { name: 'konote', main: ep(), audit: { ...ep(), database: 'postgres' }, schemas: ['public'], mainPassword: cluster.password, auditPassword: cluster.password });
  await importKeyList(ctx, 'konote', OLD, { source: 'imported' });
  await startRotation(ctx, 'konote', null);
  await ctx.dispose();
}, 120_000);

afterAll(async () => {
  const ctx = ctxFor();
  await forgetKeys(ctx, 'konote').catch(() => undefined);
  for (const role of ['main', 'audit'] as const) await ctx.vault.delete(vaultAccounts.dbPassword('konote', role)).catch(() => false);
  await ctx.dispose();
  fs.rmSync(home, { recursive: true, force: true });
  await cluster?.stop();
});

function runCli(args: string[], killAfterProgress: { lines: number; delayMs: number } | null): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/custodian.mjs'), ...args], { env, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    let progress = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      progress += (String(d).match(/Re-encrypting/g) ?? []).length;
      if (killAfterProgress && progress >= killAfterProgress.lines && !child.killed) setTimeout(() => child.kill('SIGKILL'), killAfterProgress.delayMs);
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function valuesOpenWith(keys: MultiFernet): Promise<{ opened: number; underFirst: number }> {
  return db(async (c) => {
    let opened = 0;
    let underFirst = 0;
    const rows = (await c.query<{ a: Buffer; b: Buffer }>(`SELECT _notes_text_encrypted AS a, _summary_encrypted AS b FROM progress_notes ORDER BY id`)).rows;
    rows.forEach((r, i) => {
      for (const [v, expected] of [[r.a, `note ${i + 1}`], [r.b, `summary ${i + 1}`]] as const) {
        if (v.length === 0) continue;
        const out = keys.decryptWithIndex(v); // throws if any value became unreadable
        expect(out.plaintext.toString()).toBe(expected);
        opened++;
        if (out.keyIndex === 0) underFirst++;
      }
    });
    return { opened, underFirst };
  });
}

describe('rotation killed with SIGKILL at random points, then resumed', () => {
  it('10 kills: always readable under "new,old"; the last resume finishes under the new key alone', async () => {
    const vault = createKeyringVault(env);
    const list = (await vault.get(vaultAccounts.fernetKeys('konote')))!;
    expect(list.split(',')).toHaveLength(2);
    const both = MultiFernet.parse(list);
    const total = ROWS + ROWS - ROWS / 4;
    let killed = 0;
    let progressSeen = 0;
    for (let i = 0; i < 10; i++) {
      const r = await runCli(['key', 'rotate', '--resume', '--batch-size', '25'], { lines: 1, delayMs: crypto.randomInt(0, 120) });
      if (r.signal === 'SIGKILL') killed++;
      const now = await valuesOpenWith(both);
      expect(now.opened).toBe(total);
      expect(now.underFirst).toBeGreaterThanOrEqual(progressSeen); // progress is never undone
      progressSeen = now.underFirst;
      if (r.signal !== 'SIGKILL') break; // it finished before we could kill it
    }
    expect(killed).toBeGreaterThanOrEqual(5);
    const last = await runCli(['key', 'rotate', '--resume', '--batch-size', '25', '--json'], null);
    expect(last.code, last.stderr).toBe(0);
    const result = JSON.parse(last.stdout);
    expect(result.verify).toMatchObject({ ok: true, failed: [] });
    const newOnly = MultiFernet.parse(list.split(',')[0]!);
    expect((await valuesOpenWith(newOnly)).underFirst).toBe(total);
    const ctx = ctxFor();
    expect(activeRotation(ctx.log, 'konote')?.state).toBe('verified');
    await ctx.dispose();
    // The key never reached the child's argv or output.
    expect(last.stdout + last.stderr).not.toContain(OLD);
  }, 300_000);
});
