// Issue 4's speed goal: a full Custodian drill (checklist excluded; RTO = restore of both databases
// from the encrypted set, decrypting on the way, plus the full verification suite that decrypts
// every encrypted value) versus bare `pg_restore -j2` of the same dumps already decrypted, plus
// the runbook's three count queries, on a sandbox set of at least 300 MB. Goal: ≤ 1.3×.
// BENCH_DRILL_CLIENTS sizes the sandbox; BENCH_DRILL_MIN_MB lowers the size floor for a smoke run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import { createCore, closeCore } from '../../src-main/core/create-core';
import { MemoryVault } from '../../src-main/core/keys/vault';
import { sandboxUp, sandboxDown } from '../../src-main/core/sandbox/sandbox-service';
import { createBackupIdentity, loadBackupIdentity } from '../../src-main/core/backup/recipients';
import { readManifest } from '../../src-main/core/backup/manifest';
import { decryptStream } from '../../src-main/core/backup/age-stream';
import { endpointConnectionConfig, withClient, withEndpointClient } from '../../src-main/core/connections/pg-client';
import { pickTool } from '../../src-main/core/connections/tool-discovery';
import type { BackupRunResult } from '../../src-main/core/backup/backup-set';
import type { DrillSummary } from '../../src-main/contract/drills';
import { dropDatabaseDisconnecting } from '../../src-main/core/drill/scratch';
import type { Benchmark } from './run';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += String(c)));
    // The dump re-creates schema "public", which a new database already has: pg_restore's one
    // (harmless) error then makes it exit 1. Anything else is a real failure.
    const onlyPublic = () => /errors ignored on restore: 1\b/.test(err) && /schema "public" already exists/.test(err);
    child.on('close', (code) => (code === 0 || (code === 1 && onlyPublic()) ? resolve() : reject(new Error(`${cmd} exit ${code}: ${err.slice(-300)}`))));
  });
}

const bench: Benchmark = {
  name: 'drill (restore + verification) vs bare pg_restore -j2 + 3 counts (≥300 MB)',
  goal: '≤ 1.3× bare time (ratio = Custodian RTO / bare)',
  maxRatio: 1.3,
  async run() {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-'));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-out-'));
    const ctx = createCore({ env: { ...process.env, CUSTODIAN_HOME: home }, vault: new MemoryVault() });
    try {
      await sandboxUp(ctx, { clients: Number(process.env.BENCH_DRILL_CLIENTS ?? 60_000) });
      const size = async (role: 'main' | 'audit') => withClient(ctx, 'sandbox', role, async (c) => Number((await c.query('SELECT pg_database_size(current_database()) AS s')).rows[0].s));
      const total = (await size('main')) + (await size('audit'));
      const floor = Number(process.env.BENCH_DRILL_MIN_MB ?? 300) * 1024 * 1024;
      if (total < floor) throw new Error(`sandbox is only ${(total / 1e6).toFixed(0)} MB; raise BENCH_DRILL_CLIENTS`);
      await createBackupIdentity(ctx, 'sandbox');
      const b = await ctx.jobs.wait(ctx.jobs.start({ kind: 'backup.run', profile: 'sandbox', target: out, format: 'custom', encrypt: true }));
      if (b.state !== 'succeeded') throw new Error(b.error?.message ?? 'backup failed');
      const set = b.result as BackupRunResult;
      // The baseline gets the plaintext dumps for free (decrypted before its clock starts).
      const identity = (await loadBackupIdentity(ctx, 'sandbox'))!;
      const plain: Record<string, string> = {};
      for (const f of readManifest(set.dir).files) {
        plain[f.role] = path.join(out, `${f.role}.plain.dump`);
        await pipeline(await decryptStream(fs.createReadStream(path.join(set.dir, f.file)), [identity]), fs.createWriteStream(plain[f.role]!, { mode: 0o600 }));
      }
      const pgRestore = await pickTool(ctx, 'pg_restore');
      const main = await endpointConnectionConfig(ctx, 'sandbox', 'main');
      const admin = (sql: string) => withEndpointClient(main.endpoint, main.password, async (c) => void (await c.query(sql)));
      const bare: number[] = [];
      const ours: number[] = [];
      const oursFull: number[] = [];
      const parts: string[] = [];
      for (let i = 0; i < 2; i++) {
        const t = performance.now();
        for (const role of ['main', 'audit'] as const) {
          const db = `bench_bare_${role}`;
          await admin(`CREATE DATABASE ${db} TEMPLATE template0`);
          await run(pgRestore, ['--no-password', '--no-owner', '--no-privileges', '--jobs=2', `--dbname=${db}`, plain[role]!], main.env);
        }
        // The runbook's three count queries.
        await withEndpointClient({ ...main.endpoint, database: 'bench_bare_main' }, main.password, async (c) => {
          await c.query('SELECT count(*) FROM users');
          await c.query('SELECT count(*) FROM client_files');
        });
        await withEndpointClient({ ...main.endpoint, database: 'bench_bare_audit' }, main.password, async (c) => void (await c.query('SELECT count(*) FROM audit_log')));
        bare.push(performance.now() - t);
        await withEndpointClient(main.endpoint, main.password, async (c) => {
          for (const role of ['main', 'audit']) await dropDatabaseDisconnecting(c, `bench_bare_${role}`, 15);
        });

        // The drill as users run it (every check; decryption sampled per column) is the ratio;
        // with --full (every value decrypted) it is reported beside it.
        for (const full of [false, true]) {
          const d = await ctx.jobs.wait(ctx.jobs.start({ kind: 'drill.run', profile: 'sandbox', setId: set.setId, keep: false, full, sample: 50, notes: 'benchmark' }));
          const drill = d.result as DrillSummary | null;
          if (d.state !== 'succeeded' || drill?.state !== 'passed') throw new Error(drill?.failure?.message ?? d.error?.message ?? 'drill failed');
          (full ? oursFull : ours).push(drill.rtoSeconds! * 1000);
          if (!full) parts.push(`restore ${((drill.restoreMs ?? 0) / 1000).toFixed(1)} s + verify ${((drill.verifyMs ?? 0) / 1000).toFixed(1)} s`);
        }
      }
      const bb = Math.min(...bare);
      const oo = Math.min(...ours);
      const ff = Math.min(...oursFull);
      return { ratio: oo / bb, detail: `${(total / 1e6).toFixed(0)} MB in DB; bare ${(bb / 1000).toFixed(1)} s, drill RTO ${(oo / 1000).toFixed(1)} s (${parts[ours.indexOf(oo)]}, decryption sampled); with --full (every value decrypted) ${(ff / 1000).toFixed(1)} s = ${(ff / bb).toFixed(2)}×` };
    } finally {
      await sandboxDown(ctx, {}).catch(() => undefined);
      await closeCore(ctx);
      fs.rmSync(home, { recursive: true, force: true });
      fs.rmSync(out, { recursive: true, force: true });
    }
  },
};
export default bench;
