import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { saveProfile, getProfile } from '../../src-main/core/connections/profile-store';
import { pitrStore } from '../../src-main/core/pitr/pitr-store';
import { azureWindow, AZURE_FOLLOW_UPS } from '../../src-main/core/pitr/azure/azure-restore';
import { freePort } from '../../src-main/core/sandbox/local-cluster';
import type { AzureRestoreResult } from '../../src-main/contract/pitr';
import type { AppErrorData } from '../../src-main/contract/errors';

/**
 * Azure Flexible Server restores through the az CLI. These tests put a FAKE `az`
 * (test/fixtures/fake-az/az) first on PATH: it records its argv and answers with recorded JSON,
 * so they prove which az commands Custodian runs and how it reads the answers — not Azure itself.
 */

const FAKE_AZ_DIR = path.resolve(__dirname, '../fixtures/fake-az');
let ctx: TestContext;
let work: string;
let logFile: string;

const calls = (): string[][] => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]) : []);

async function setup(extraEnv: Record<string, string> = {}) {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-fakeaz-'));
  logFile = path.join(work, 'az-calls.jsonl');
  ctx = makeTestContext({
    env: { ...process.env, PATH: `${FAKE_AZ_DIR}:${process.env.PATH}`, FAKE_AZ_LOG: logFile, FAKE_AZ_RESPONSES: path.join(FAKE_AZ_DIR, 'responses'), CUSTODIAN_AZ_POLL_MS: '10', ...extraEnv },
  });
  // A closed port: the restored "server" (127.0.0.1 in the recording) refuses connections at once.
  const port = await freePort();
  const ep = (database: string) => ({ host: 'konote-db.postgres.database.azure.com', port, database, user: 'konote', sslmode: 'require' as const });
  await saveProfile(ctx, { name: 'azure', main: ep('konote'), audit: { ...ep('konote_audit'), host: 'konote-audit.postgres.database.azure.com', user: 'audit_writer' }, schemas: ['public'] });
  pitrStore.setAzure(ctx, 'azure', { resourceGroup: 'konote-rg', mainServer: 'konote-db', auditServer: 'konote-audit', subscription: null });
}

describe('Azure Flexible Server PITR through a fake az', () => {
  beforeEach(async () => setup());
  afterEach(async () => {
    await ctx.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('reads each server’s earliest restore point and retention with `az postgres flexible-server show`', async () => {
    const w = await azureWindow(ctx, 'azure');
    expect(w.servers.map((s) => [s.role, s.server, s.earliestRestore, s.retentionDays, s.state])).toEqual([
      ['main', 'konote-db', '2026-11-23T15:02:11.395Z', 7, 'Ready'],
      ['audit', 'konote-audit', '2026-11-16T15:05:40.000Z', 14, 'Ready'],
    ]);
    expect(calls()).toEqual([
      ['postgres', 'flexible-server', 'show', '--resource-group', 'konote-rg', '--name', 'konote-db', '--output', 'json', '--only-show-errors'],
      ['postgres', 'flexible-server', 'show', '--resource-group', 'konote-rg', '--name', 'konote-audit', '--output', 'json', '--only-show-errors'],
    ]);
  });

  it('refuses a time before the earliest restore point, saying what is restorable, and starts nothing', async () => {
    const id = ctx.jobs.start({ kind: 'pitr.azureRestore', profile: 'azure', targetUtc: '2026-11-20T12:00:00Z', newMainServer: 'konote-db-restored', newAuditServer: 'konote-audit-restored', updateProfile: true });
    const done = await ctx.jobs.wait(id);
    expect(done.state).toBe('failed');
    expect(done.error?.kind).toBe('Validation');
    expect(done.error?.message).toMatch(/before the earliest restore point of konote-db/);
    expect(done.error?.hint).toMatch(/7 days of retention/);
    expect(calls().some((c) => c[2] === 'restore')).toBe(false);
  });

  it('restores both servers to new ones, polls until Ready, re-points the profile and lists the follow-ups', async () => {
    const target = new Date(Date.now() - 3600_000).toISOString();
    const id = ctx.jobs.start({ kind: 'pitr.azureRestore', profile: 'azure', targetUtc: target, newMainServer: 'konote-db-restored', newAuditServer: 'konote-audit-restored', updateProfile: true });
    const done = await ctx.jobs.wait(id);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    const r = done.result as AzureRestoreResult;
    const restores = calls().filter((c) => c[2] === 'restore');
    expect(restores).toEqual([
      ['postgres', 'flexible-server', 'restore', '--resource-group', 'konote-rg', '--name', 'konote-db-restored', '--source-server', 'konote-db', '--restore-time', target, '--no-wait', '--output', 'json', '--only-show-errors'],
      ['postgres', 'flexible-server', 'restore', '--resource-group', 'konote-rg', '--name', 'konote-audit-restored', '--source-server', 'konote-audit', '--restore-time', target, '--no-wait', '--output', 'json', '--only-show-errors'],
    ]);
    // Polled through Creating/Updating (main) and Provisioning (audit) until Ready.
    expect(calls().filter((c) => c[2] === 'show' && c[6] === 'konote-db-restored')).toHaveLength(3);
    expect(calls().filter((c) => c[2] === 'show' && c[6] === 'konote-audit-restored')).toHaveLength(2);
    expect(r.servers.map((s) => [s.role, s.restored, s.state])).toEqual([
      ['main', 'konote-db-restored', 'Ready'],
      ['audit', 'konote-audit-restored', 'Ready'],
    ]);
    expect(r.profileUpdated).toBe(true);
    expect(getProfile(ctx, 'azure').main.host).toBe('127.0.0.1');
    // Nothing listens there: lockdown and verification are reported as failed checks with a fix, not hidden.
    expect(r.lockdown.map((c) => [c.id, c.status])).toEqual([
      ['lockdown', 'FAIL'],
      ['verification', 'FAIL'],
    ]);
    expect(r.followUps).toEqual(AZURE_FOLLOW_UPS);
    expect(r.followUps.join(' ')).toMatch(/Firewall rules/);
  }, 60_000);

  it('a separate audit server needs a name for its restored copy', async () => {
    const id = ctx.jobs.start({ kind: 'pitr.azureRestore', profile: 'azure', targetUtc: new Date(Date.now() - 60_000).toISOString(), newMainServer: 'konote-db-restored', newAuditServer: null, updateProfile: false });
    const done = await ctx.jobs.wait(id);
    expect(done.error?.kind).toBe('Validation');
    expect(done.error?.hint).toMatch(/--new-audit-server/);
  });

  it('an unknown server and a signed-out az become typed errors', { timeout: 30_000 }, async () => {
    pitrStore.setAzure(ctx, 'azure', { resourceGroup: 'konote-rg', mainServer: 'no-such-server', auditServer: null, subscription: null });
    const e = await azureWindow(ctx, 'azure').then(() => null, (x: AppErrorData) => x);
    expect(e?.kind).toBe('NotFound');
    await ctx.dispose();
    fs.rmSync(work, { recursive: true, force: true });
    await setup({ FAKE_AZ_LOGGED_OUT: '1' });
    const e2 = await azureWindow(ctx, 'azure').then(() => null, (x: AppErrorData) => x);
    expect(e2?.kind).toBe('PgAuth');
    expect(e2?.hint).toMatch(/az login/);
  });

  it('without az on PATH the error says how to install it', async () => {
    await ctx.dispose();
    fs.rmSync(work, { recursive: true, force: true });
    await setup({ PATH: '/nonexistent' });
    const e = await azureWindow(ctx, 'azure').then(() => null, (x: AppErrorData) => x);
    expect(e?.kind).toBe('ToolMissing');
  });
});
