// Issue 3's speed goal: a Custodian backup set (pg_dump -Fc of both databases, streamed through
// SHA-256 and age encryption) versus bare `pg_dump -Fc` of both databases to files, on the same
// sandbox of at least 300 MB, in the same run. Goal: ≤ 1.05× the bare wall time. Verification
// (re-read, decrypt, pg_restore --list) is timed and reported separately.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createCore, closeCore } from '../../src-main/core/create-core';
import { MemoryVault } from '../../src-main/core/keys/vault';
import { sandboxUp, sandboxDown } from '../../src-main/core/sandbox/sandbox-service';
import { createBackupIdentity } from '../../src-main/core/backup/recipients';
import { endpointConnectionConfig, withClient } from '../../src-main/core/connections/pg-client';
import { pickTool } from '../../src-main/core/connections/tool-discovery';
import type { BackupRunResult } from '../../src-main/core/backup/backup-set';
import type { Benchmark } from './run';

const MIN_BYTES = 300 * 1024 * 1024;

function runToFile(cmd: string, args: string[], env: NodeJS.ProcessEnv, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', fs.openSync(file, 'w'), 'ignore'] });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exit ${code}`))));
  });
}

const bench: Benchmark = {
  name: 'backup set vs bare pg_dump -Fc (≥300 MB)',
  goal: '≤ 1.05× bare time (ratio = Custodian / bare)',
  maxRatio: 1.05,
  async run() {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-'));
    const ctx = createCore({ env: { ...process.env, CUSTODIAN_HOME: home }, vault: new MemoryVault() });
    try {
      const clients = Number(process.env.BENCH_BACKUP_CLIENTS ?? 60_000);
      await sandboxUp(ctx, { clients });
      const size = async (role: 'main' | 'audit') => withClient(ctx, 'sandbox', role, async (c) => Number((await c.query('SELECT pg_database_size(current_database()) AS s')).rows[0].s));
      const total = (await size('main')) + (await size('audit'));
      if (total < MIN_BYTES) throw new Error(`sandbox is only ${(total / 1e6).toFixed(0)} MB; raise BENCH_BACKUP_CLIENTS`);
      await createBackupIdentity(ctx, 'sandbox');
      const pgDump = await pickTool(ctx, 'pg_dump');
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-out-'));
      // Alternate bare and Custodian runs and take the best of three each, to damp noise.
      const bare: number[] = [];
      const ours: number[] = [];
      const verify: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        for (const role of ['main', 'audit'] as const) {
          const conn = await endpointConnectionConfig(ctx, 'sandbox', role);
          await runToFile(pgDump, ['-Fc', '--no-password'], conn.env, path.join(out, `${role}-${i}.dump`));
        }
        bare.push(performance.now() - t);
        const id = ctx.jobs.start({ kind: 'backup.run', profile: 'sandbox', target: out, format: 'custom', encrypt: true });
        const done = await ctx.jobs.wait(id);
        if (done.state !== 'succeeded') throw new Error(done.error?.message ?? 'backup failed');
        const result = done.result as BackupRunResult;
        // The goal compares the dump phase (with SHA-256 and age); verification is reported apart.
        ours.push(result.timings.dumpMs);
        verify.push(result.timings.verifyMs);
        if (!result.verified) throw new Error('the benchmark set did not verify');
      }
      const b = Math.min(...bare);
      const o = Math.min(...ours);
      fs.rmSync(out, { recursive: true, force: true });
      return { ratio: o / b, detail: `${(total / 1e6).toFixed(0)} MB in DB; bare ${(b / 1000).toFixed(1)} s, Custodian ${(o / 1000).toFixed(1)} s; verification ${(Math.min(...verify) / 1000).toFixed(1)} s more` };
    } finally {
      await sandboxDown(ctx, {}).catch(() => undefined);
      await closeCore(ctx);
      fs.rmSync(home, { recursive: true, force: true });
    }
  },
};
export default bench;
