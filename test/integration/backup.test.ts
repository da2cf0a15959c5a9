import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { sandboxUp, sandboxDown } from '../../src-main/core/sandbox/sandbox-service';
import { createBackupIdentity, loadBackupIdentity } from '../../src-main/core/backup/recipients';
import { readManifest } from '../../src-main/core/backup/manifest';
import { setStore } from '../../src-main/core/backup/set-store';
import { checkpointStore } from '../../src-main/core/audit/checkpoint-store';
import { verifyBackupSet } from '../../src-main/core/backup/verify-set';
import { pruneBackups } from '../../src-main/core/backup/prune';
import { listAlerts, checkMissedBackup } from '../../src-main/core/backup/alerts';
import { endpointConnectionConfig } from '../../src-main/core/connections/pg-client';
import { saveProfile, getProfile } from '../../src-main/core/connections/profile-store';
import type { BackupRunResult } from '../../src-main/core/backup/backup-set';
import type { JobSummary } from '../../src-main/contract/jobs';

let ctx: TestContext;
let target: string;

async function backup(spec: { profile?: string; target?: string; format?: 'custom' | 'plain'; encrypt?: boolean } = {}): Promise<JobSummary & { value: BackupRunResult }> {
  const id = ctx.jobs.start({ kind: 'backup.run', profile: spec.profile ?? 'sandbox', target: spec.target ?? target, format: spec.format ?? 'custom', encrypt: spec.encrypt ?? true });
  const done = await ctx.jobs.wait(id);
  return Object.assign(done, { value: done.result as BackupRunResult });
}

async function mainClient(): Promise<pg.Client> {
  const c = new pg.Client((await endpointConnectionConfig(ctx, 'sandbox', 'main')).clientConfig);
  await c.connect();
  return c;
}

const filesIn = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String) : []);

describe('backup sets against a real PostgreSQL (sandbox)', () => {
  beforeAll(async () => {
    ctx = makeTestContext();
    target = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-backups-'));
    await sandboxUp(ctx, { clients: 40 });
  });
  afterAll(async () => {
    await sandboxDown(ctx, {}).catch(() => undefined);
    await ctx.dispose();
    fs.rmSync(target, { recursive: true, force: true });
  });

  it('refuses to back up when no encryption recipient is configured, and writes nothing', async () => {
    const r = await backup();
    expect(r.state).toBe('failed');
    expect(r.error?.kind).toBe('Validation');
    expect(r.error?.hint).toMatch(/identity/);
    expect(filesIn(target)).toEqual([]);
  });

  it('makes a verified, encrypted set whose manifest matches the database and which Debian’s age + pg_restore read', async () => {
    const { identity } = await createBackupIdentity(ctx, 'sandbox');
    const r = await backup();
    expect(r.state, JSON.stringify(r.error)).toBe('succeeded');
    expect(r.value.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.value.verified).toBe(true);
    const m = readManifest(r.value.dir);
    // The server's roles too, taken by the non-superuser KoNote role (no role passwords).
    expect(m.files.map((f) => f.role)).toEqual(['main', 'audit', 'globals']);
    expect(m.keyListFingerprint).toMatch(/^[0-9a-f]{4}-/);
    expect(m.encryption?.recipients).toHaveLength(1);
    // Exact counts in the manifest equal the database's.
    const c = await mainClient();
    const clients = Number((await c.query('SELECT count(*) FROM client_files')).rows[0].count);
    await c.end();
    expect(m.files[0]!.counts.client_files).toBe(clients);
    expect(m.files[1]!.counts.audit_log).toBeGreaterThan(1000);
    expect(m.files[1]!.maxAuditId).toBeGreaterThan(0);
    // No .partial leftovers; the files are what the manifest says.
    expect(filesIn(r.value.dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
    // Interop: `age -d | pg_restore --list` with the identity, outside Custodian.
    const idFile = path.join(target, 'id.txt');
    fs.writeFileSync(idFile, identity + '\n', { mode: 0o600 });
    const plain = execFileSync('age', ['-d', '-i', idFile, path.join(r.value.dir, m.files[0]!.file)], { maxBuffer: 1 << 28 });
    const roles = execFileSync('age', ['-d', '-i', idFile, path.join(r.value.dir, m.files[2]!.file)], { encoding: 'utf8' });
    fs.rmSync(idFile);
    expect(roles).toMatch(/CREATE ROLE konote;/);
    expect(roles).toMatch(/CREATE ROLE audit_writer;/);
    expect(roles).not.toMatch(/PASSWORD|SCRAM-SHA-256/);
    expect(plain.subarray(0, 5).toString()).toBe('PGDMP');
    const list = spawnSync('/usr/lib/postgresql/15/bin/pg_restore', ['--list'], { input: plain, encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/TABLE DATA public client_files/);
    expect(setStore.get(ctx, r.value.setId)?.state).toBe('verified');
    // The set is labelled, and KoNote's own reminder date was set.
    const c2 = await mainClient();
    const stamp = (await c2.query('SELECT backup_last_exported_at FROM organization_profiles WHERE id = 1')).rows[0]?.backup_last_exported_at;
    await c2.end();
    expect(r.value.konoteReminderUpdated).toBe(stamp ? true : false);
    // Issue 7: each verified backup is followed by an audit-log checkpoint (tamper evidence).
    const cp = checkpointStore.latest(ctx, 'sandbox');
    expect(cp?.reason).toBe('backup');
    expect(Number(cp?.toId)).toBeGreaterThan(0);
  });

  it('writes a plain SQL set without encryption when asked, verified by header and trailer', async () => {
    const r = await backup({ format: 'plain', encrypt: false });
    expect(r.value.verified).toBe(true);
    const m = readManifest(r.value.dir);
    expect(m.encryption).toBeNull();
    const text = fs.readFileSync(path.join(r.value.dir, m.files[1]!.file), 'utf8');
    expect(text).toContain('PostgreSQL database dump complete');
    expect(fs.readFileSync(path.join(r.value.dir, m.files[2]!.file), 'utf8')).toContain('PostgreSQL database cluster dump complete');
  });

  it('verify detects a changed file, and a folder of foreign .dump files is refused', async () => {
    const r = await backup();
    const m = readManifest(r.value.dir);
    const file = path.join(r.value.dir, m.files[1]!.file);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
    fs.writeFileSync(file, bytes);
    const v = await verifyBackupSet(ctx, r.value.setId);
    expect(v.verified).toBe(false);
    expect(v.checks.find((c) => !c.ok)?.detail).toMatch(/SHA-256/);
    expect(setStore.get(ctx, r.value.setId)?.state).toBe('unverified');
    const foreign = fs.mkdtempSync(path.join(os.tmpdir(), 'foreign-'));
    fs.writeFileSync(path.join(foreign, 'main_2026-01-01_0200.dump'), 'PGDMP...');
    await expect(verifyBackupSet(ctx, foreign)).rejects.toMatchObject({ kind: 'NotFound', message: expect.stringMatching(/no Custodian manifest/) });
    fs.rmSync(foreign, { recursive: true, force: true });
  });

  it('cancel stops pg_dump and leaves no file that looks complete', async () => {
    const id = ctx.jobs.start({ kind: 'backup.run', profile: 'sandbox', target, format: 'custom', encrypt: true });
    // Cancel as soon as the dump is under way.
    await new Promise<void>((resolve) => {
      const off = ctx.jobs.onEvent((e) => {
        if (e.jobId === id && e.type === 'state' && ['succeeded', 'failed', 'cancelled'].includes(e.job.state)) {
          off();
          resolve();
        }
        if (e.jobId === id && e.type === 'log' && /Dumping the main/.test(e.line.text)) {
          off();
          ctx.jobs.cancel(id);
          resolve();
        }
      });
    });
    const done = await ctx.jobs.wait(id);
    expect(done.state).toBe('cancelled');
    const record = setStore.list(ctx, 'sandbox').find((s) => s.jobId === id)!;
    expect(record.state).toBe('failed');
    expect(fs.existsSync(record.dir)).toBe(false);
    expect(spawnSync('pgrep', ['-f', 'pg_dump.*--snapshot=']).status).not.toBe(0);
  });

  it('a killed pg_dump (server-side failure) is a failure with its cause, never a success', async () => {
    // Hold a lock pg_dump needs, so it is certainly mid-run when we kill it (deterministic).
    const locker = new pg.Client((await endpointConnectionConfig(ctx, 'sandbox', 'audit')).clientConfig);
    locker.on('error', () => undefined); // the cluster may stop under it at teardown
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE django_migrations IN ACCESS EXCLUSIVE MODE');
    const id = ctx.jobs.start({ kind: 'backup.run', profile: 'sandbox', target, format: 'custom', encrypt: true });
    await new Promise<void>((resolve) => {
      const off = ctx.jobs.onEvent((e) => {
        if (e.jobId === id && e.type === 'log' && /Dumping the audit/.test(e.line.text)) {
          off();
          const kill = () => (spawnSync('pkill', ['-KILL', '-f', "pg_dump.*dbname='konote_audit'"]).status === 0 ? resolve() : setTimeout(kill, 50));
          setTimeout(kill, 200);
        }
      });
    });
    const done = await ctx.jobs.wait(id);
    await locker.query('ROLLBACK');
    await locker.end();
    const record = setStore.list(ctx, 'sandbox').find((s) => s.jobId === id)!;
    expect(done.state).toBe('failed');
    expect(record.state).toBe('failed');
    expect(record.failure?.message).toMatch(/pg_dump failed/);
    expect(fs.existsSync(record.dir)).toBe(false);
    expect(listAlerts(ctx, { profile: 'sandbox' }).some((a) => a.kind === 'backup-failed')).toBe(true);
  });

  it('a wrong password is PgAuth, and an unwritable or in-data-folder target is refused before anything is written', async () => {
    const sandbox = getProfile(ctx, 'sandbox');
    await saveProfile(ctx, { name: 'wrongpw', main: sandbox.main, audit: sandbox.audit, schemas: sandbox.schemas, mainPassword: 'not-the-password', auditPassword: 'not-the-password' });
    ctx.log.prepare(`INSERT INTO backup_recipients SELECT 'wrongpw', recipient, label, created_at, 0 FROM backup_recipients WHERE profile = 'sandbox'`).run();
    const r = await backup({ profile: 'wrongpw' });
    expect(r.error?.kind).toBe('PgAuth');
    expect(filesIn(path.join(target)).some((f) => f.startsWith('wrongpw'))).toBe(false);

    const aFile = path.join(target, 'not-a-folder');
    fs.writeFileSync(aFile, 'x');
    const r2 = await backup({ target: path.join(aFile, 'sub') });
    expect(r2.error?.kind).toBe('Forbidden');
    expect(r2.error?.hint).toMatch(/folder/);

    // Inside the sandbox server's own data folder: refused, and nothing is created there.
    const dataDir = path.join(ctx.home, 'sandbox', 'data');
    expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
    const inData = path.join(dataDir, 'custodian-backups');
    const r3 = await backup({ target: inData });
    expect(r3.error?.kind).toBe('Validation');
    expect(r3.error?.message).toMatch(/inside a PostgreSQL data folder/);
    expect(fs.existsSync(inData)).toBe(false);
  });

  it('a set under half the previous size is not verified and raises a "small" alert', async () => {
    // A plain (uncompressed) set came in between: the size is compared with the last custom set.
    expect(setStore.lastVerified(ctx, 'sandbox')?.format).toBe('plain');
    const last = setStore.lastVerified(ctx, 'sandbox', 'custom')!;
    ctx.log.prepare('UPDATE backup_sets SET total_bytes = ? WHERE id = ?').run((last.totalBytes ?? 0) * 10, last.id);
    const r = await backup();
    expect(r.value.verified).toBe(false);
    expect(r.value.checks.find((c) => c.check === 'size')?.ok).toBe(false);
    expect(listAlerts(ctx, { profile: 'sandbox' })[0]?.kind).toBe('backup-small');
  });

  it('prune keeps pinned and newest verified sets, dry run deletes nothing', async () => {
    const sets = setStore.list(ctx, 'sandbox').filter((s) => s.state === 'verified' || s.state === 'unverified');
    expect(sets.length).toBeGreaterThanOrEqual(2);
    // Age every set by two years so only pins and "newest verified" protect them.
    ctx.log.prepare(`UPDATE backup_sets SET created_at = '2024-03-12T02:00:00.000Z' WHERE profile = 'sandbox'`).run();
    const pinned = sets.at(-1)!;
    setStore.setPins(ctx, pinned.id, ['pre-upgrade']);
    const dry = pruneBackups(ctx, 'sandbox', { dryRun: true });
    expect(dry.entries.find((e) => e.setId === pinned.id)?.action).toBe('keep');
    for (const s of sets) expect(fs.existsSync(s.dir)).toBe(true);
    const real = pruneBackups(ctx, 'sandbox', { dryRun: false });
    const kept = real.entries.filter((e) => e.action === 'keep').map((e) => e.setId);
    expect(kept).toContain(pinned.id);
    expect(kept.length).toBeGreaterThanOrEqual(2); // the pinned one and the newest verified one
    for (const e of real.entries) expect(fs.existsSync(sets.find((s) => s.id === e.setId)!.dir)).toBe(e.action === 'keep');
  });

  it('raises a missed-backup alert once when no verified set is within the RPO + 2 h', async () => {
    const now = new Date(Date.now() + 3 * 24 * 3_600_000);
    const a = await checkMissedBackup(ctx, 'sandbox', now);
    expect(a?.kind).toBe('backup-missed');
    expect(await checkMissedBackup(ctx, 'sandbox', now)).toBeNull();
    expect(await loadBackupIdentity(ctx, 'sandbox')).toMatch(/^AGE-SECRET-KEY-1/);
  });
});
