import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { startTestCluster, testToolSearch, type TestCluster } from '../helpers/pg-cluster';
import { cliRunner } from '../helpers/cli-harness';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { pickToolIn } from '../../src-main/core/connections/tool-discovery';
import { registerPitrCommands } from '../../src-main/cli/pitr';
import { listArchive } from '../../src-main/core/pitr/wal-archive';
import { restoreCommand } from '../../src-main/core/pitr/scratch-config';
import { checkContinuity, parseWalFileName } from '../../src-main/core/pitr/wal-names';
import { receiveWalError } from '../../src-main/core/pitr/wal-stream';
import { dropWalSlot, walSlotStatus } from '../../src-main/core/pitr/wal-slot';
import type { AppErrorData } from '../../src-main/contract/errors';
import type { WalStreamStatus } from '../../src-main/contract/pitr';

/**
 * Continuous WAL streaming with a real pg_receivewal from a real PostgreSQL 15: complete segments
 * arrive, the `.partial` one is never taken for complete, cancel stops the process and keeps the
 * replication slot, the next start resumes through the slot without a gap, and a user without
 * the REPLICATION right gets a typed error with the fix.
 */

let ctx: TestContext;
let cluster: TestCluster;
let dir: string;
let firstSegment: string;
const SEG = 16 * 1024 * 1024;
const SLOT = 'custodian_prod_main';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ host: cluster.host, port: cluster.port, user: 'postgres', password: cluster.password, database: 'konote' });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (await ok()) return;
  throw new Error(`timed out waiting for ${what}`);
}

/** pg_receivewal processes writing into `folder`, read from /proc (nothing is killed here). */
function receivers(folder: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const args = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return args[0]!.endsWith('pg_receivewal') && args.includes(folder);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Writes some WAL, closes the current segment and returns its name. */
async function writeAndSwitch(n: number): Promise<string> {
  await sql(`CREATE TABLE IF NOT EXISTS t (id int PRIMARY KEY, v text)`);
  await sql(`INSERT INTO t SELECT g, md5(g::text) FROM generate_series($1::int, $1::int + 999) g`, [n * 1000]);
  return (await sql<{ name: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS name'))[0]!.name;
}

const streamingStarted = (jobId: string) => until('pg_receivewal to start', () => receivers(dir).length === 1 && /Streaming WAL/.test(ctx.jobs.get(jobId)?.progress.message ?? ''));

describe('continuous WAL streaming with pg_receivewal (pitr.receiveWal, pitr stream)', () => {
  beforeAll(async () => {
    ctx = makeTestContext();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpg-recv-'));
    cluster = await startTestCluster({ settings: { wal_level: 'replica', max_wal_senders: 5 } });
    const c = new pg.Client({ host: cluster.host, port: cluster.port, user: 'postgres', password: cluster.password, database: 'postgres' });
    await c.connect();
    await c.query('CREATE DATABASE konote');
    await c.query(`CREATE ROLE norep LOGIN PASSWORD 'norep-pw'`);
    await c.end();
    const ep = (user: string) => ({ host: cluster.host, port: cluster.port, database: 'konote', user, sslmode: 'disable' as const });
    await saveProfile(ctx, { name: 'prod', main: ep('postgres'), audit: ep('postgres'), schemas: ['public'], mainPassword: cluster.password, auditPassword: cluster.password });
    await saveProfile(ctx, { name: 'norep', main: ep('norep'), audit: ep('norep'), schemas: ['public'], mainPassword: 'norep-pw', auditPassword: 'norep-pw' });
  });
  afterAll(async () => {
    for (const j of ctx?.jobs.list() ?? []) ctx.jobs.cancel(j.id);
    await ctx?.jobs.shutdown();
    await cluster?.stop();
    await ctx?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('streams complete segments into the folder, keeps the current one as .partial, and stops cleanly on cancel', async () => {
    const id = ctx.jobs.start({ kind: 'pitr.receiveWal', profile: 'prod', role: 'main', dir, slot: null });
    await streamingStarted(id);
    firstSegment = await writeAndSwitch(1);
    await until(`${firstSegment} to arrive complete`, () => fs.existsSync(path.join(dir, firstSegment)));
    expect(fs.statSync(path.join(dir, firstSegment)).size).toBe(SEG);
    await until('the progress message to name it', () => (ctx.jobs.get(id)?.progress.message ?? '').includes(`last complete file ${firstSegment}`));
    expect(ctx.jobs.get(id)!.progress.message).toMatch(/\d+ MB received/);

    // The segment being written is a .partial file: the archive listing (window computation)
    // does not count it, and the restore_command recovery runs cannot fetch it under its name.
    // (pg_receivewal opens the next file when the first bytes of it arrive.)
    await sql(`INSERT INTO t VALUES (-1, 'after the switch')`);
    const findPartial = () => fs.readdirSync(dir).find((n) => n.endsWith('.partial'));
    await until('a .partial file', () => !!findPartial());
    const partial = findPartial();
    const partialName = partial!.replace(/\.partial$/, '');
    expect(parseWalFileName(partialName, SEG)!.segno).toBeGreaterThan(parseWalFileName(firstSegment, SEG)!.segno);
    expect(listArchive(dir, SEG).segments.map((s) => s.name)).toContain(firstSegment);
    expect(listArchive(dir, SEG).segments.map((s) => s.name)).not.toContain(partialName);
    const restore = (name: string) => {
      const dest = path.join(os.tmpdir(), `cpg-restored-${process.pid}`);
      const r = spawnSync('sh', ['-c', restoreCommand(dir, 'linux').replace('%f', name).replace('%p', dest)]);
      fs.rmSync(dest, { force: true });
      return r.status;
    };
    expect(restore(firstSegment)).toBe(0);
    expect(restore(partialName)).not.toBe(0);

    const pids = receivers(dir);
    expect(pids).toHaveLength(1);
    expect(ctx.jobs.cancel(id)).toBe(true);
    const done = await ctx.jobs.wait(id);
    expect(done.state).toBe('cancelled');
    expect(receivers(dir)).toEqual([]);
    expect(() => process.kill(pids[0]!, 0)).toThrow();
    // SIGINT is a clean stop: pg_receivewal keeps what it had of the current segment.
    expect(fs.existsSync(path.join(dir, partial!))).toBe(true);
    const slot = await sql<{ active: boolean; restart_lsn: string | null; slot_type: string }>(`SELECT active, restart_lsn::text, slot_type FROM pg_replication_slots WHERE slot_name = $1`, [SLOT]);
    expect(slot).toHaveLength(1);
    expect(slot[0]!.slot_type).toBe('physical');
    expect(slot[0]!.active).toBe(false);
    expect(slot[0]!.restart_lsn).not.toBeNull();
  });

  it('`pitr stream --json` resumes through the slot without a gap and prints the summary after Ctrl+C', async () => {
    // WAL written while nobody streams is kept by the slot and arrives on the next start.
    const whileStopped = await writeAndSwitch(2);
    const run = cliRunner(ctx, registerPitrCommands);
    const cli = run('pitr', 'stream', '--profile', 'prod', '--dir', dir, '--json');
    await until('the stream job', () => ctx.jobs.list().some((j) => j.kind === 'pitr.receiveWal' && j.state === 'running'));
    const job = ctx.jobs.list().find((j) => j.kind === 'pitr.receiveWal' && j.state === 'running')!;
    await streamingStarted(job.id);
    await until(`${whileStopped} (written while stopped)`, () => fs.existsSync(path.join(dir, whileStopped)));
    const latest = await writeAndSwitch(3);
    await until(`${latest} to arrive complete`, () => fs.existsSync(path.join(dir, latest)));
    await sql(`INSERT INTO t VALUES (-2, 'in the current segment')`);
    const current = () => fs.readdirSync(dir).find((n) => n.endsWith('.partial'));
    await until('the current segment as .partial', () => !!current());
    const partial = current();
    process.emit('SIGINT');
    const out = await cli;
    expect(out.code).toBe(0);
    const s = out.json() as unknown as WalStreamStatus;
    expect(s).toMatchObject({ profile: 'prod', role: 'main', dir, slot: SLOT, lastCompleteSegment: latest });
    expect(s.receivedBytes).toBeGreaterThanOrEqual(2 * SEG);
    expect(s.partialSegment).toBe(partial);
    expect(receivers(dir)).toEqual([]);
    const first = parseWalFileName(firstSegment, SEG)!;
    const chain = checkContinuity(listArchive(dir, SEG).segments, first.segno, 1, SEG);
    expect(chain.missing).toEqual([]);
    expect(chain.lastContiguous?.name).toBe(latest);
  });

  it('the slot: how much WAL the server keeps for it; removal refused while streaming, then done with `pitr slot --drop --yes`', async () => {
    await writeAndSwitch(4); // written while nobody streams: kept for the slot
    const status = await walSlotStatus(ctx, { profile: 'prod', role: 'main' });
    expect(status).toMatchObject({ slot: SLOT, exists: true, active: false });
    expect(status.retainedBytes!).toBeGreaterThan(0);

    const id = ctx.jobs.start({ kind: 'pitr.receiveWal', profile: 'prod', role: 'main', dir, slot: null });
    await streamingStarted(id);
    await until('the slot to be in use', async () => (await walSlotStatus(ctx, { profile: 'prod', role: 'main' })).active);
    await expect(dropWalSlot(ctx, { profile: 'prod', role: 'main' })).rejects.toMatchObject({ kind: 'Conflict', hint: expect.stringContaining('Stop the streaming first') });
    ctx.jobs.cancel(id);
    await ctx.jobs.wait(id);
    await until('the slot to be free', async () => !(await walSlotStatus(ctx, { profile: 'prod', role: 'main' })).active);

    const run = cliRunner(ctx, registerPitrCommands);
    const unconfirmed = await run('pitr', 'slot', '--profile', 'prod', '--drop', '--json');
    expect(unconfirmed.code).toBe(1);
    expect(await sql(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1`, [SLOT])).toHaveLength(1);
    const dropped = await run('pitr', 'slot', '--profile', 'prod', '--drop', '--yes', '--json');
    expect(dropped.code, dropped.out).toBe(0);
    expect(dropped.json()).toMatchObject({ slot: SLOT, exists: false, retainedBytes: null });
    expect(await sql(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1`, [SLOT])).toEqual([]);
    await expect(dropWalSlot(ctx, { profile: 'prod', role: 'main' })).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('a user without the REPLICATION right gets a typed error with the fix, and nothing is started', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'cpg-recv-no-'));
    try {
      const id = ctx.jobs.start({ kind: 'pitr.receiveWal', profile: 'norep', role: 'main', dir: other, slot: 'norep_slot' });
      const done = await ctx.jobs.wait(id);
      expect(done.state).toBe('failed');
      const e = done.error as AppErrorData;
      expect(e.kind).toBe('Forbidden');
      expect(e.message).toMatch(/"norep" has neither REPLICATION nor superuser/);
      expect(e.hint).toContain('ALTER ROLE "norep" REPLICATION');
      expect(await sql(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'norep_slot'`)).toEqual([]);

      // Should the server say it itself (rights changed after the check), pg_receivewal's real
      // message maps to the same typed error.
      const tool = (await pickToolIn(testToolSearch(), 'pg_receivewal')).path;
      const r = spawnSync(tool, ['--slot', 'norep_slot', '--create-slot', '-h', cluster.host, '-p', String(cluster.port), '-U', 'norep', '--no-password'], { env: { ...process.env, PGPASSWORD: 'norep-pw' }, encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      const mapped = receiveWalError(r.stderr, 'norep', r.status);
      expect(mapped.kind).toBe('Forbidden');
      expect(mapped.hint).toContain('ALTER ROLE "norep" REPLICATION');
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
