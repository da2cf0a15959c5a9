import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { testToolSearch } from '../helpers/pg-cluster';
import { sandboxUp, sandboxDown } from '../../src-main/core/sandbox/sandbox-service';
import { createCluster, clusterStatus } from '../../src-main/core/sandbox/local-cluster';
import { createBackupIdentity } from '../../src-main/core/backup/recipients';
import { readManifest } from '../../src-main/core/backup/manifest';
import { endpointConnectionConfig } from '../../src-main/core/connections/pg-client';
import { drillStore } from '../../src-main/core/drill/drill-store';
import { cleanupInterrupted } from '../../src-main/core/drill/drill-run';
import { drillHandlers } from '../../src-main/core/drill/handlers';
import { localDrillRoot } from '../../src-main/core/drill/local-target';
import { renderDrillReportHtml } from '../../src-main/core/drill/report';
import type { BackupRunResult } from '../../src-main/core/backup/backup-set';
import type { DrillSummary } from '../../src-main/contract/drills';
import type { JobSpec, JobSummary } from '../../src-main/contract/jobs';

/**
 * Drills on a local throwaway instance (`drill run --local`): a real set of the sandbox restored
 * into a fresh PostgreSQL cluster made with the installed server programs, verified, recorded with
 * that target, and the cluster removed afterwards — also when the drill is cancelled or killed.
 */

let ctx: TestContext;
let target: string;
let set: BackupRunResult;

async function runJob<T>(spec: JobSpec): Promise<JobSummary & { value: T }> {
  const done = await ctx.jobs.wait(ctx.jobs.start(spec));
  return Object.assign(done, { value: done.result as T });
}
const localDirs = () => (fs.existsSync(localDrillRoot(ctx)) ? fs.readdirSync(localDrillRoot(ctx)) : []);
async function sandboxScratchDbs(): Promise<string[]> {
  const c = new pg.Client((await endpointConnectionConfig(ctx, 'sandbox', 'main')).clientConfig);
  await c.connect();
  try {
    return (await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'custodian_drill_%'`)).rows.map((r) => r.datname);
  } finally {
    await c.end();
  }
}

describe('restore drills on a local throwaway PostgreSQL instance', () => {
  beforeAll(async () => {
    ctx = makeTestContext();
    target = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-drill-local-'));
    await sandboxUp(ctx, { clients: 40, fsync: false });
    await createBackupIdentity(ctx, 'sandbox');
    const b = await runJob<BackupRunResult>({ kind: 'backup.run', profile: 'sandbox', target, format: 'custom', encrypt: true });
    expect(b.state, JSON.stringify(b.error)).toBe('succeeded');
    set = b.value;
  });
  afterAll(async () => {
    await sandboxDown(ctx, {}).catch(() => undefined);
    await ctx.dispose();
    fs.rmSync(target, { recursive: true, force: true });
  });

  it('the wizard checklist for a local drill checks the server programs, not the profile’s server', async () => {
    const pre = await drillHandlers(ctx)['drills.preflight']({ profile: 'sandbox', setId: set.setId, local: true });
    expect(pre.ok).toBe(true);
    expect(pre.checks.find((c) => c.id === 'target')).toMatchObject({ status: 'PASS', detail: expect.stringMatching(/local throwaway PostgreSQL \d+ instance/) });
    expect(localDirs()).toEqual([]); // nothing started for a preview
  });

  it('restores the set into a local instance, verifies it against the manifest, records the target and removes the instance', async () => {
    const sandboxPort = (await endpointConnectionConfig(ctx, 'sandbox', 'main')).endpoint.port;
    let seenDir: string | null = null;
    const id = ctx.jobs.start({ kind: 'drill.run', profile: 'sandbox', setId: set.setId, keep: false, local: true, full: true, sample: 20, notes: 'local drill' });
    const off = ctx.jobs.onEvent((e) => {
      if (e.jobId === id && e.type === 'log' && /Restoring main_/.test(e.line.text) && !seenDir) seenDir = localDirs()[0] ?? null;
    });
    const r = await ctx.jobs.wait(id);
    off();
    expect(r.state, JSON.stringify(r.error)).toBe('succeeded');
    const d = r.result as DrillSummary;
    expect(d.state, JSON.stringify([d.failure, d.preflight.filter((c) => c.status !== 'PASS')])).toBe('passed');
    // The restore really went to another server: a cluster existed during the drill, on its own port.
    expect(seenDir).toBe(d.id);
    expect(d.scratch).toMatchObject({ local: true, kept: false, server: expect.stringMatching(/^a local throwaway PostgreSQL \d+ instance \(127\.0\.0\.1:\d+, removed after the drill\)$/) });
    expect(d.scratch!.server).not.toContain(`:${sandboxPort},`);
    expect(d.scratch!.droppedAt).toBeTruthy();
    expect(d.verification?.target.main).toMatch(/@127\.0\.0\.1:\d+\/custodian_drill_.*_main$/);
    expect(d.verification?.target.main).not.toContain(`:${sandboxPort}/`);
    const m = readManifest(set.dir);
    expect(d.verification?.counts.client_files).toBe(m.files[0]!.counts.client_files);
    expect(d.verification?.checks.find((c) => c.id === 'decrypt')?.status).toBe('PASS');
    expect(d.preflight.find((c) => c.id === 'target')?.detail).toMatch(/local throwaway/);
    // Nothing on the profile's server; the local instance and its folder are gone.
    expect(await sandboxScratchDbs()).toEqual([]);
    expect(localDirs()).toEqual([]);
    expect(renderDrillReportHtml(d)).toContain('a local throwaway PostgreSQL');
    expect(drillStore.get(ctx, d.id)?.scratch?.local).toBe(true);
  });

  it('--keep with --local is refused before anything is recorded', async () => {
    const before = drillStore.list(ctx, 'sandbox').length;
    const r = await runJob<DrillSummary>({ kind: 'drill.run', profile: 'sandbox', setId: set.setId, keep: true, local: true, full: false, sample: 5, notes: '' });
    expect(r.state).toBe('failed');
    expect(r.error?.kind).toBe('Validation');
    expect(drillStore.list(ctx, 'sandbox').length).toBe(before);
    expect(localDirs()).toEqual([]);
  });

  it('cancelling mid-restore removes the local instance and records no pass', async () => {
    const id = ctx.jobs.start({ kind: 'drill.run', profile: 'sandbox', setId: set.setId, keep: false, local: true, full: false, sample: 5, notes: '' });
    let running = false;
    await new Promise<void>((resolve) => {
      const off = ctx.jobs.onEvent((e) => {
        if (e.jobId !== id) return;
        if ((e.type === 'log' && /Restoring main_/.test(e.line.text)) || (e.type === 'state' && ['succeeded', 'failed', 'cancelled'].includes(e.job.state))) {
          const dir = localDirs()[0];
          running = !!dir && clusterStatus(path.join(localDrillRoot(ctx), dir)).running;
          off();
          ctx.jobs.cancel(id);
          resolve();
        }
      });
    });
    const done = await ctx.jobs.wait(id);
    expect(running).toBe(true);
    expect(done.state).toBe('cancelled');
    expect(drillStore.list(ctx, 'sandbox').find((x) => x.jobId === id)?.state).toBe('cancelled');
    expect(localDirs()).toEqual([]);
  });

  it('a local instance left by a killed drill is stopped and removed on the next start', async () => {
    const dir = path.join(localDrillRoot(ctx), 'drill_killed_local');
    await createCluster(dir, 'unused-password', { search: testToolSearch(), fsync: false });
    expect(clusterStatus(dir).running).toBe(true);
    drillStore.insert(ctx, { id: 'drill_killed_local', kind: 'drill', profile: 'sandbox', setId: set.setId, startedAt: new Date().toISOString(), rpoSeconds: 1, keyListFingerprint: null, notes: '', jobId: 'job-of-a-dead-process' });
    drillStore.update(ctx, 'drill_killed_local', { scratch: { server: 'a local throwaway PostgreSQL 15 instance', main: 'custodian_drill_k_main', audit: 'custodian_drill_k_audit', kept: false, droppedAt: null, local: true } });
    const cleaned = await cleanupInterrupted(ctx);
    expect(cleaned).toContain('local instance drill_killed_local');
    expect(fs.existsSync(dir)).toBe(false);
    const d = drillStore.get(ctx, 'drill_killed_local')!;
    expect(d.state).toBe('failed');
    expect(d.scratch?.droppedAt).toBeTruthy();
  });
});
