import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { sandboxUp, sandboxDown } from '../../src-main/core/sandbox/sandbox-service';
import { createBackupIdentity } from '../../src-main/core/backup/recipients';
import { readManifest, writeManifest } from '../../src-main/core/backup/manifest';
import { setStore } from '../../src-main/core/backup/set-store';
import { endpointConnectionConfig } from '../../src-main/core/connections/pg-client';
import { getProfile } from '../../src-main/core/connections/profile-store';
import { importKeyList } from '../../src-main/core/keys/key-service';
import { FernetKey } from '../../src-main/core/keys/fernet';
import { vaultAccounts } from '../../src-main/core/keys/vault';
import { drillStore } from '../../src-main/core/drill/drill-store';
import { cleanupInterrupted } from '../../src-main/core/drill/drill-run';
import { createScratch, dropScratch } from '../../src-main/core/drill/scratch';
import { scratchNames } from '../../src-main/core/drill/restore-args';
import { runPreflight, workRoot } from '../../src-main/core/drill/checklist';
import { applyLockdown, checkLockdown } from '../../src-main/core/drill/lockdown';
import { renderDrillReportHtml } from '../../src-main/core/drill/report';
import { takeCheckpoint } from '../../src-main/core/audit/checkpoint';
import { checkpointStore } from '../../src-main/core/audit/checkpoint-store';
import { dashboardHealth } from '../../src-main/core/dashboard/health';
import type { BackupRunResult } from '../../src-main/core/backup/backup-set';
import type { DrillSummary, VerificationReport } from '../../src-main/contract/drills';
import type { JobSpec, JobSummary } from '../../src-main/contract/jobs';
import { Command } from 'commander';
import type { CliEnv } from '../../src-main/cli/main';
import { printError } from '../../src-main/cli/output';
import { registerDrillCommands } from '../../src-main/cli/drill';
import { registerVerifyCommand } from '../../src-main/cli/verify';
import { registerLockdownCommand } from '../../src-main/cli/lockdown';
import { registerRestoreCommand } from '../../src-main/cli/restore';

/** Runs a `custodian` verb on the test core; returns the parsed JSON document and the exit code. */
async function cli(...args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  const env: CliEnv = {
    core: () => ctx,
    async action(opts, body) {
      try {
        if ((await body(ctx)) === false) process.exitCode = 1;
      } catch (e) {
        printError(opts, e);
        process.exitCode = 1;
      }
    },
  };
  const program = new Command('custodian').exitOverride();
  registerDrillCommands(program, env);
  registerVerifyCommand(program, env);
  registerLockdownCommand(program, env);
  registerRestoreCommand(program, env);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'custodian', ...args, '--json']);
  } finally {
    spy.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, json: JSON.parse(out) as Record<string, unknown> };
}

let ctx: TestContext;
let target: string;

async function runJob<T>(spec: JobSpec): Promise<JobSummary & { value: T }> {
  const done = await ctx.jobs.wait(ctx.jobs.start(spec));
  return Object.assign(done, { value: done.result as T });
}
const backup = () => runJob<BackupRunResult>({ kind: 'backup.run', profile: 'sandbox', target, format: 'custom', encrypt: true });
const drill = (o: Partial<Extract<JobSpec, { kind: 'drill.run' }>> = {}) => runJob<DrillSummary>({ kind: 'drill.run', profile: 'sandbox', keep: false, full: false, sample: 20, notes: '', ...o });

async function client(role: 'main' | 'audit'): Promise<pg.Client> {
  const c = new pg.Client((await endpointConnectionConfig(ctx, 'sandbox', role)).clientConfig);
  c.on('error', () => undefined);
  await c.connect();
  return c;
}
async function query<T extends pg.QueryResultRow>(role: 'main' | 'audit', sql: string, params: unknown[] = []): Promise<T[]> {
  const c = await client(role);
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}
const scratchDbs = async () => (await query<{ datname: string }>('main', `SELECT datname FROM pg_database WHERE datname LIKE 'custodian_drill_%' ORDER BY 1`)).map((r) => r.datname);
const workFiles = () => (fs.existsSync(workRoot(ctx)) ? fs.readdirSync(workRoot(ctx), { recursive: true }).map(String) : []);

describe('restore drills, verification, lockdown and real restores against a real PostgreSQL (sandbox)', () => {
  let firstSet: BackupRunResult;

  beforeAll(async () => {
    ctx = makeTestContext();
    target = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-drill-backups-'));
    await sandboxUp(ctx, { clients: 40, fsync: false });
    await createBackupIdentity(ctx, 'sandbox');
    const b = await backup();
    expect(b.state, JSON.stringify(b.error)).toBe('succeeded');
    firstSet = b.value;
  });
  afterAll(async () => {
    await sandboxDown(ctx, {}).catch(() => undefined);
    await ctx.dispose();
    fs.rmSync(target, { recursive: true, force: true });
  });

  it('verify on the live databases checks every part and pinpoints a value that does not decrypt', async () => {
    const ok = await runJob<VerificationReport>({ kind: 'verify.run', profile: 'sandbox', full: false, sample: 10 });
    expect(ok.state, JSON.stringify(ok.error)).toBe('succeeded');
    const byId = Object.fromEntries(ok.value.checks.map((c) => [c.id, c]));
    expect(ok.value.status).not.toBe('FAIL');
    for (const id of ['connect.main', 'connect.audit', 'tables.main', 'tables.audit', 'counts.main', 'migrations.main', 'migrations.audit', 'decrypt', 'audit.count', 'audit.gaps', 'audit.order']) expect(byId[id]?.status, id).toBe('PASS');
    for (const fk of ['fk.progress_notes.client_file_id', 'fk.plan_targets.plan_section_id', 'fk.plan_targets.client_file_id', 'fk.plan_sections.client_file_id']) expect(byId[fk]?.status, fk).toBe('PASS');
    const n = (await query<{ n: string }>('main', 'SELECT count(*) AS n FROM client_files'))[0]!.n;
    expect(ok.value.counts.client_files).toBe(Number(n));
    expect(ok.value.columns.length).toBeGreaterThan(20);

    // One damaged value: --full finds it and names its primary key.
    const [victim] = await query<{ id: string; v: Buffer }>('main', 'SELECT id::text AS id, _last_name_encrypted AS v FROM client_files ORDER BY id OFFSET 17 LIMIT 1');
    await query('main', 'UPDATE client_files SET _last_name_encrypted = $1 WHERE id = $2', [Buffer.from(FernetKey.parse(FernetKey.generate()).encrypt('Someone')), victim!.id]);
    try {
      const bad = await runJob<VerificationReport>({ kind: 'verify.run', profile: 'sandbox', full: true, sample: 10 });
      expect(bad.value.status).toBe('FAIL');
      const col = bad.value.columns.find((c) => c.table === 'client_files' && c.column === '_last_name_encrypted')!;
      expect(col.failed).toBe(1);
      expect(col.failedPks).toEqual([victim!.id]);
      expect(col.checked).toBe(Number(n));
      expect(bad.value.checks.find((c) => c.id === 'decrypt')?.status).toBe('FAIL');
    } finally {
      await query('main', 'UPDATE client_files SET _last_name_encrypted = $1 WHERE id = $2', [victim!.v, victim!.id]);
    }
  });

  it('a drill restores the set into scratch databases, verifies every row against the manifest, records RTO/RPO and drops them', async () => {
    const r = await drill({ full: true, notes: 'monthly drill' });
    expect(r.state, JSON.stringify(r.error)).toBe('succeeded');
    const d = r.value;
    expect(d.state, JSON.stringify(d.failure)).toBe('passed');
    expect(d.setId).toBe(firstSet.setId);
    expect(d.preflight.every((c) => c.status === 'PASS'), JSON.stringify(d.preflight)).toBe(true);
    expect(d.verification?.mode).toBe('full');
    expect(d.verification?.againstManifest).toBe(firstSet.setId);
    const m = readManifest(firstSet.dir);
    expect(d.verification?.counts.client_files).toBe(m.files[0]!.counts.client_files);
    expect(d.verification?.counts.audit_log).toBe(m.files[1]!.counts.audit_log);
    expect(d.verification?.checks.find((c) => c.id === 'counts.main')?.status).toBe('PASS');
    expect(d.verification?.checks.find((c) => c.id === 'decrypt')?.status).toBe('PASS');
    expect(d.verification?.target.main).toMatch(/custodian_drill_.*_main$/);
    expect(d.rtoSeconds).toBeGreaterThan(0);
    expect(d.rtoSeconds! * 1000).toBeGreaterThanOrEqual(d.restoreMs!);
    expect(d.rpoSeconds).toBeGreaterThanOrEqual(0);
    expect(d.scratch?.droppedAt).toBeTruthy();
    expect(await scratchDbs()).toEqual([]);
    expect(workFiles()).toEqual([]);
    expect(setStore.get(ctx, firstSet.setId)?.pins).toContain('drill-verified');
    // The log, the report and the dashboard tell the same story; the report holds no secret or PII.
    expect(drillStore.list(ctx, 'sandbox')[0]?.id).toBe(d.id);
    const html = renderDrillReportHtml(d);
    expect(html).toContain('PASSED');
    expect(html).toContain(d.keyListFingerprint!);
    expect(html).not.toMatch(/gAAAAA|AGE-SECRET-KEY/);
    const tile = (await dashboardHealth(ctx, 'sandbox')).find((t) => t.id === 'lastDrill')!;
    expect(tile).toMatchObject({ status: 'ok', messageKey: 'health.lastDrill.ok', values: { days: 0, goal: 30 } });
  });

  it('audit checkpoints are re-hashed on the restored copy and on the live log, and a changed row fails', async () => {
    // Backups already take one (reason "backup"); make sure there is at least one either way.
    await takeCheckpoint(ctx, { profile: 'sandbox', reason: 'manual', file: null, settleSeconds: 0, now: new Date(Date.now() + 365 * 86_400_000) });
    expect(checkpointStore.latest(ctx, 'sandbox')).not.toBeNull();
    const d = (await drill({ setId: firstSet.setId })).value;
    expect(d.verification?.checks.find((c) => c.id === 'audit.checkpoints')).toMatchObject({ status: 'PASS' });
    const [row] = await query<{ id: string; action: string }>('audit', 'SELECT id::text AS id, action FROM audit_log ORDER BY id OFFSET 10 LIMIT 1');
    await query('audit', 'GRANT UPDATE ON audit_log TO audit_writer'); // the owner can; KoNote's weakness
    await query('audit', `UPDATE audit_log SET action = 'tampered' WHERE id = $1`, [row!.id]);
    try {
      const v = await runJob<VerificationReport>({ kind: 'verify.run', profile: 'sandbox', full: false, sample: 5 });
      expect(v.value.status).toBe('FAIL');
      expect(v.value.checks.find((c) => c.id === 'audit.checkpoints')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining(`rows ${Math.floor(Number(row!.id) / 100) * 100}–`) });
    } finally {
      await query('audit', 'UPDATE audit_log SET action = $1 WHERE id = $2', [row!.action, row!.id]);
      await query('audit', 'REVOKE UPDATE ON audit_log FROM audit_writer');
    }
  });

  it('--keep leaves the scratch databases for inspection; cleanup --kept drops them', async () => {
    const d = (await drill({ keep: true })).value;
    expect(d.state).toBe('passed');
    expect(await scratchDbs()).toEqual([d.scratch!.audit, d.scratch!.main].sort());
    expect(await cleanupInterrupted(ctx)).toEqual([]); // kept ones stay without --kept
    expect((await cleanupInterrupted(ctx, undefined, true)).sort()).toEqual([d.scratch!.audit, d.scratch!.main].sort());
    expect(await scratchDbs()).toEqual([]);
  });

  it('a tampered set is refused by the checklist before anything is restored', async () => {
    const second = (await backup()).value;
    const m = readManifest(second.dir);
    const file = path.join(second.dir, m.files[0]!.file);
    const bytes = fs.readFileSync(file);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = bytes[mid]! ^ 0x01;
    fs.writeFileSync(file, bytes);
    const d = (await drill({ setId: second.setId })).value;
    expect(d.state).toBe('failed');
    expect(d.preflight.find((c) => c.id === 'set.file.main')).toMatchObject({ status: 'FAIL', detail: expect.stringMatching(/SHA-256/) });
    expect(d.preflight.find((c) => c.id === 'set.file.audit')?.status).toBe('PASS');
    expect(d.failure?.message).toMatch(/nothing was restored/);
    expect(d.scratch).toBeNull();
    expect(d.restoreMs).toBeNull();
    expect(await scratchDbs()).toEqual([]);
  });

  it('a plain SQL set without encryption streams through psql into the scratch databases and passes', async () => {
    const plain = await runJob<BackupRunResult>({ kind: 'backup.run', profile: 'sandbox', target, format: 'plain', encrypt: false });
    expect(plain.value.verified).toBe(true);
    const d = (await drill({ setId: plain.value.setId })).value;
    expect(d.state, JSON.stringify([d.failure, d.preflight])).toBe('passed');
    expect(d.preflight.find((c) => c.id === 'tools')?.title).toMatch(/psql/);
    expect(d.verification?.checks.find((c) => c.id === 'audit.count')?.status).toBe('PASS');
    expect(await scratchDbs()).toEqual([]);
  });

  it('a truncated dump whose checksums were rewritten to match is caught by pg_restore: failed with the cause, nothing left', async () => {
    const raw = (await runJob<BackupRunResult>({ kind: 'backup.run', profile: 'sandbox', target, format: 'custom', encrypt: false })).value;
    const m = readManifest(raw.dir);
    const main = m.files.find((f) => f.role === 'main')!;
    const file = path.join(raw.dir, main.file);
    const cut = fs.readFileSync(file).subarray(0, Math.floor(main.bytes * 0.6));
    fs.writeFileSync(file, cut);
    const sha = crypto.createHash('sha256').update(cut).digest('hex');
    writeManifest(raw.dir, { ...m, files: m.files.map((f) => (f.role === 'main' ? { ...f, sha256: sha, plaintextSha256: sha, bytes: cut.length, plaintextBytes: cut.length } : f)) });
    const d = (await drill({ setId: raw.setId })).value;
    expect(d.state).toBe('failed');
    expect(d.preflight.every((c) => c.status !== 'FAIL')).toBe(true); // the checklist cannot know: the files match the manifest
    expect(d.failure?.message).toMatch(/pg_restore could not restore main_/);
    expect(d.failure?.hint, d.failure?.message).toMatch(/truncated or damaged/);
    expect(d.verification).toBeNull();
    expect(await scratchDbs()).toEqual([]);
    expect(workFiles()).toEqual([]);
  });

  it('refuses before restoring when the key list or the right age identity is missing, or a scratch name is taken', async () => {
    const keys = (await ctx.vault.get(vaultAccounts.fernetKeys('sandbox')))!;
    const identity = (await ctx.vault.get(vaultAccounts.ageIdentity('sandbox')))!;
    try {
      await ctx.vault.delete(vaultAccounts.fernetKeys('sandbox'));
      const other = await import('age-encryption').then((a) => a.generateX25519Identity());
      await ctx.vault.set(vaultAccounts.ageIdentity('sandbox'), other);
      const d = (await drill({ setId: firstSet.setId })).value;
      expect(d.state).toBe('failed');
      expect(d.preflight.find((c) => c.id === 'keys')).toMatchObject({ status: 'FAIL', hint: expect.stringMatching(/escrow/) });
      expect(d.preflight.find((c) => c.id === 'identity')).toMatchObject({ status: 'FAIL', detail: expect.stringMatching(/not one this set was encrypted to/) });
      expect(d.scratch).toBeNull();
    } finally {
      await ctx.vault.set(vaultAccounts.fernetKeys('sandbox'), keys);
      await ctx.vault.set(vaultAccounts.ageIdentity('sandbox'), identity);
    }
    const taken = scratchNames('taken');
    const conn = await endpointConnectionConfig(ctx, 'sandbox', 'main');
    await createScratch({ endpoint: conn.endpoint, password: conn.password }, [taken.main], ['konote', 'konote_audit']);
    const pre = await runPreflight(ctx, getProfile(ctx, 'sandbox'), setStore.get(ctx, firstSet.setId)!, { kind: 'drill', scratch: taken });
    expect(pre.ok).toBe(false);
    expect(pre.checks.find((c) => c.id === 'target')).toMatchObject({ status: 'FAIL', detail: expect.stringContaining(taken.main) });
    await dropScratch({ endpoint: conn.endpoint, password: conn.password }, [taken.main], ['konote', 'konote_audit']);
    // Production names are refused outright, before any connection.
    await expect(dropScratch({ endpoint: conn.endpoint, password: conn.password }, ['konote'], ['konote', 'konote_audit'])).rejects.toMatchObject({ kind: 'Forbidden' });
    expect((await query<{ n: string }>('main', 'SELECT count(*) AS n FROM client_files'))[0]!.n).not.toBe('0');
  });

  it('with the wrong key list in the keychain the decryption check fails and the drill is recorded as failed', async () => {
    const original = (await ctx.vault.get(vaultAccounts.fernetKeys('sandbox')))!;
    await importKeyList(ctx, 'sandbox', FernetKey.generate(), { source: 'imported', replace: true });
    try {
      const d = (await drill({ setId: firstSet.setId })).value;
      expect(d.state).toBe('failed');
      expect(d.preflight.find((c) => c.id === 'keys')?.status).toBe('WARN');
      const dec = d.verification!.checks.find((c) => c.id === 'decrypt')!;
      expect(dec.status).toBe('FAIL');
      expect(dec.hint).toMatch(/key list that was active/);
      expect(d.verification!.columns.every((c) => c.checked === 0 || c.failed === c.checked)).toBe(true);
      expect(d.failure?.message).toMatch(/Verification failed/);
      expect(await scratchDbs()).toEqual([]);
      expect((await dashboardHealth(ctx, 'sandbox')).find((t) => t.id === 'lastDrill')?.status).toBe('fail');
    } finally {
      await importKeyList(ctx, 'sandbox', original, { source: 'imported', replace: true });
    }
  });

  it('cancelling mid-restore drops the scratch databases and never records a pass', async () => {
    const id = ctx.jobs.start({ kind: 'drill.run', profile: 'sandbox', setId: firstSet.setId, keep: true, full: false, sample: 5, notes: '' });
    await new Promise<void>((resolve) => {
      const off = ctx.jobs.onEvent((e) => {
        if (e.jobId !== id) return;
        if ((e.type === 'log' && /Restoring main_/.test(e.line.text)) || (e.type === 'state' && ['succeeded', 'failed', 'cancelled'].includes(e.job.state))) {
          off();
          ctx.jobs.cancel(id);
          resolve();
        }
      });
    });
    const done = await ctx.jobs.wait(id);
    expect(done.state).toBe('cancelled');
    const d = drillStore.list(ctx, 'sandbox').find((x) => x.jobId === id)!;
    expect(d.state).toBe('cancelled');
    expect(await scratchDbs()).toEqual([]);
    expect(workFiles()).toEqual([]);
  });

  it('a drill interrupted by a dead process is recorded as failed and its scratch databases dropped on the next start', async () => {
    const names = scratchNames('dead1');
    const conn = await endpointConnectionConfig(ctx, 'sandbox', 'main');
    await createScratch({ endpoint: conn.endpoint, password: conn.password }, [names.main, names.audit], ['konote', 'konote_audit']);
    drillStore.insert(ctx, { id: 'drill_dead1', kind: 'drill', profile: 'sandbox', setId: firstSet.setId, startedAt: new Date().toISOString(), rpoSeconds: 1, keyListFingerprint: null, notes: '', jobId: 'job-of-a-dead-process' });
    drillStore.update(ctx, 'drill_dead1', { scratch: { server: 'x', main: names.main, audit: names.audit, kept: true, droppedAt: null } });
    fs.mkdirSync(path.join(workRoot(ctx), 'drill_dead1'), { recursive: true });
    fs.writeFileSync(path.join(workRoot(ctx), 'drill_dead1', 'main.dump'), 'PGDMP decrypted leftovers');
    const dropped = await cleanupInterrupted(ctx);
    expect(dropped.sort()).toEqual([names.audit, names.main].sort());
    expect(drillStore.get(ctx, 'drill_dead1')?.state).toBe('failed');
    expect(await scratchDbs()).toEqual([]);
    expect(workFiles()).toEqual([]);
  });

  it('lockdown --check finds UPDATE/DELETE granted back; lockdown makes them impossible for the writer', async () => {
    await query('audit', 'GRANT UPDATE, DELETE ON audit_log TO audit_writer'); // the owner can: KoNote's weakness
    const before = await checkLockdown(ctx, 'sandbox');
    expect(before.status).toBe('FAIL');
    expect((await dashboardHealth(ctx, 'sandbox')).find((t) => t.id === 'auditLockdown')?.status).toBe('fail');
    expect(before.writerPrivileges).toEqual(expect.arrayContaining(['UPDATE', 'DELETE']));
    expect(before.writerIsOwner).toBe(true);
    await query('audit', 'UPDATE audit_log SET action = action WHERE id = 1'); // really possible now

    const after = await applyLockdown(ctx, 'sandbox');
    expect(after.applied[0]).toBe('REVOKE ALL ON audit_log FROM "audit_writer"');
    expect(after.writerPrivileges.sort()).toEqual(['INSERT', 'SELECT']);
    expect(after.status).toBe('WARN'); // still the owner: it could re-grant, and the check says how to fix that
    expect(after.findings.find((f) => f.id === 'lockdown.owner')?.hint).toMatch(/NOLOGIN/);
    expect(after.readerPrivileges).toEqual(['SELECT']);
    await expect(query('audit', 'UPDATE audit_log SET action = action WHERE id = 1')).rejects.toMatchObject({ code: '42501' });
    await expect(query('audit', 'DELETE FROM audit_log WHERE id = 1')).rejects.toMatchObject({ code: '42501' });
    // The dashboard shows the latest check: locked down, with the ownership weakness.
    expect((await dashboardHealth(ctx, 'sandbox')).find((t) => t.id === 'auditLockdown')).toMatchObject({ status: 'warn', messageKey: 'health.auditLockdown.weak', values: { writer: 'audit_writer' } });
    await query('audit', `INSERT INTO audit_log (event_timestamp, user_display, action, resource_type, is_demo_context, is_confidential_context, tenant_schema) VALUES (now(), '', 'login', 'auth', false, false, '')`);
  });

  it('a real restore needs the typed database name, takes a safety backup, then restores, locks down and verifies', async () => {
    const setsBefore = setStore.list(ctx, 'sandbox').length;
    const wrong = await runJob<DrillSummary>({ kind: 'restore.run', profile: 'sandbox', setId: firstSet.setId, confirmDatabase: 'konote_audit', full: false, sample: 10, notes: '' });
    expect(wrong.state).toBe('failed');
    expect(wrong.error?.kind).toBe('Validation');
    expect(wrong.error?.hint).toMatch(/konote/);
    expect(setStore.list(ctx, 'sandbox').length).toBe(setsBefore);
    expect(drillStore.list(ctx, 'sandbox').some((d) => d.kind === 'restore')).toBe(false);

    // Production changes after the backup: a renamed program and extra audit rows.
    const name = (await query<{ name: string }>('main', 'SELECT name FROM programs WHERE id = 1'))[0]!.name;
    await query('main', `UPDATE programs SET name = 'Changed after the backup' WHERE id = 1`);
    const r = await runJob<DrillSummary>({ kind: 'restore.run', profile: 'sandbox', setId: firstSet.setId, confirmDatabase: 'konote', full: false, sample: 10, notes: 'restore test' });
    expect(r.state, JSON.stringify(r.error)).toBe('succeeded');
    const d = r.value;
    expect(d.state, JSON.stringify([d.failure, d.verification?.checks.filter((c) => c.status !== 'PASS')])).toBe('passed');
    expect(d.kind).toBe('restore');
    const safety = setStore.get(ctx, d.safetySetId!)!;
    // Intact and readable (sha256, decrypt, archive); only the "smaller than the plain set before" size warning may differ.
    expect(safety.checks.filter((c) => !c.ok && c.check !== 'size')).toEqual([]);
    expect(safety.checks.filter((c) => c.check === 'archive').length).toBe(3); // main, audit and the roles file
    expect(safety.pins).toContain('manual');
    expect((await query<{ name: string }>('main', 'SELECT name FROM programs WHERE id = 1'))[0]!.name).toBe(name);
    const m = readManifest(firstSet.dir);
    const n = (await query<{ n: string }>('audit', 'SELECT count(*) AS n FROM audit_log'))[0]!.n;
    expect(Number(n)).toBe(m.files[1]!.counts.audit_log);
    expect(d.verification?.checks.find((c) => c.id === 'audit.count')?.status).toBe('PASS');
    expect((d.lockdown as { applied: string[] }).applied.length).toBeGreaterThanOrEqual(3);
    await expect(query('audit', 'DELETE FROM audit_log WHERE id = 1')).rejects.toMatchObject({ code: '42501' });
  });

  it('the CLI prints one JSON document per verb and exits non-zero on a failed drill or check', async () => {
    const run = await cli('drill', 'run', '--profile', 'sandbox', '--sample', '5');
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ passed: true, state: 'passed' });
    expect(run.json.rto_seconds).toBeGreaterThan(0);
    expect(typeof run.json.rpo_seconds).toBe('number');
    const list = await cli('drill', 'list', '--profile', 'sandbox');
    expect((list.json.drills as DrillSummary[])[0]!.id).toBe(run.json.id);
    const out = path.join(target, 'report.html');
    const report = await cli('drill', 'report', String(run.json.id), '--out', out);
    expect(report.json.reportFile).toBe(out);
    expect(fs.readFileSync(out, 'utf8')).toContain('PASSED');
    const missing = await cli('drill', 'run', '--profile', 'sandbox', '--set', 'no-such-set');
    expect(missing.code).toBe(1);
    expect(missing.json).toMatchObject({ error: { kind: 'NotFound' } });

    expect((await cli('verify', '--profile', 'sandbox', '--sample', '5')).code).toBe(0);
    const lock = await cli('lockdown', '--check', '--profile', 'sandbox');
    expect(lock.code).toBe(0); // WARN (owner) is not a failure
    expect(lock.json).toMatchObject({ status: 'WARN', applied: [] });

    // No terminal and no typed confirmation: refused, nothing done.
    const refused = await cli('restore', '--set', firstSet.setId, '--profile', 'sandbox');
    expect(refused.code).toBe(1);
    expect(refused.json).toMatchObject({ error: { kind: 'Validation', hint: expect.stringMatching(/--confirm-database konote/) } });
    // The spelling works too, and a target other than production is refused before anything runs.
    const wrongTarget = await cli('restore', '--set', firstSet.setId, '--profile', 'sandbox', '--to', 'staging', '--confirm', 'konote');
    expect(wrongTarget.json).toMatchObject({ error: { kind: 'Validation', hint: expect.stringMatching(/drill run/) } });
    const wrongName = await cli('restore', '--set', firstSet.setId, '--profile', 'sandbox', '--to', 'production', '--confirm', 'konote_typo');
    expect(wrongName.code).toBe(1);
    expect(wrongName.json).toMatchObject({ error: { kind: 'Validation' } });

    // A failing verification exits 1: damage one value, verify every row.
    const [victim] = await query<{ id: string; v: Buffer }>('main', 'SELECT id::text AS id, _notes_text_encrypted AS v FROM progress_notes ORDER BY id LIMIT 1');
    await query('main', `UPDATE progress_notes SET _notes_text_encrypted = 'not a token'::bytea WHERE id = $1`, [victim!.id]);
    try {
      const bad = await cli('verify', '--profile', 'sandbox', '--full');
      expect(bad.code).toBe(1);
      expect(bad.json.status).toBe('FAIL');
    } finally {
      await query('main', 'UPDATE progress_notes SET _notes_text_encrypted = $1 WHERE id = $2', [victim!.v, victim!.id]);
    }
  });
});
