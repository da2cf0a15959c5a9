import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Client } from 'pg';
import { createCore, closeCore } from '../../src-main/core/create-core';
import { MemoryVault } from '../../src-main/core/keys/vault';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { withEndpointClient } from '../../src-main/core/connections/pg-client';
import { FernetKey, MultiFernet } from '../../src-main/core/keys/fernet';
import { importKeyList } from '../../src-main/core/keys/key-service';
import { runRotation, startRotation } from '../../src-main/core/keys/rotation/rotation-service';
import { startTestCluster } from '../../test/helpers/pg-cluster';
import type { Benchmark } from './run';

/**
 * Key rotation: Custodian's batched rotation (keyset pages, one transaction per batch, optimistic
 * UPDATE ... FROM unnest) versus how KoNote's rotate_encryption_key works — Python `cryptography`
 * + psycopg 3, decrypt / encrypt / UPDATE one row at a time in one transaction — on the same
 * number of values in the same cluster. Ratio = Python time / Custodian time (higher is better).
 * (Memory is rotation-memory.ts.)
 */
const COUNT = Number(process.env.BENCH_ROTATION_VALUES ?? 200_000);

const PY = `
import json, sys, time
import psycopg
from cryptography.fernet import Fernet, MultiFernet
req = json.loads(sys.stdin.read())
old = Fernet(req["old"].encode()); new = Fernet(req["new"].encode())
mf = MultiFernet([new, old])
start = time.perf_counter()
with psycopg.connect(req["dsn"]) as conn:
    with conn.cursor() as cur, conn.cursor() as upd:
        cur.execute("SELECT id, notes FROM py_copy ORDER BY id")
        for (id_, v) in cur:
            plain = mf.decrypt(bytes(v))
            upd.execute("UPDATE py_copy SET notes = %s WHERE id = %s", (new.encrypt(plain), id_))
    conn.commit()
print(json.dumps({"seconds": time.perf_counter() - start}))
`;

function findPython(): string {
  for (const c of ['/usr/bin/python3', 'python3']) if (spawnSync(c, ['-c', 'import psycopg, cryptography.fernet'], { stdio: 'ignore' }).status === 0) return c;
  throw new Error('python3 with psycopg 3 and cryptography is needed (apt-get install python3-psycopg python3-cryptography).');
}

async function fill(c: Client, table: string, column: string, n: number, key: MultiFernet): Promise<void> {
  await c.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, ${column} bytea NOT NULL)`);
  for (let from = 1; from <= n; from += 10_000) {
    const ids = Array.from({ length: Math.min(10_000, n - from + 1) }, (_, i) => from + i);
    await c.query(`INSERT INTO ${table} SELECT * FROM unnest($1::bigint[], $2::bytea[])`, [ids, ids.map((i) => Buffer.from(key.encrypt(`Progress note ${i}: discussed housing and next steps.`), 'ascii'))]);
  }
  await c.query(`ANALYZE ${table}`);
}

const bench: Benchmark = {
  name: 'key rotation vs per-row Python (KoNote style)',
  goal: '>= 20 (Python per-row time / Custodian time)',
  minRatio: 20,
  async run() {
    const python = findPython();
    const cluster = await startTestCluster({ settings: { shared_buffers: '128MB' } });
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-rot-'));
    const ctx = createCore({ env: { ...process.env, CUSTODIAN_HOME: home }, vault: new MemoryVault() });
    const ep = (database: string) => ({ host: '127.0.0.1', port: cluster.port, database, user: 'postgres', sslmode: 'disable' as const });
    try {
      const OLD = FernetKey.generate();
      const NEW = FernetKey.generate();
      const old = MultiFernet.parse(OLD);
      await withEndpointClient(ep('postgres'), cluster.password, (c) => c.query('CREATE DATABASE speed'));
      await withEndpointClient(ep('speed'), cluster.password, async (c) => {
        await fill(c, 'progress_notes', '_notes_text_encrypted', COUNT, old);
        await fill(c, 'py_copy', 'notes', COUNT, old); // not named like an encrypted column: Custodian leaves it alone
      });
      const rotate = async (db: string): Promise<{ ms: number }> => {
        await saveProfile(ctx, { name: db, main: ep(db), audit: ep('postgres'), schemas: ['public'], mainPassword: cluster.password, auditPassword: cluster.password });
        await importKeyList(ctx, db, OLD, { source: 'imported' });
        const rot = await startRotation(ctx, db, null, { newKey: NEW });
        const t = performance.now();
        await runRotation(ctx, rot.id); // the product's default batch size, as users get it
        return { ms: performance.now() - t };
      };
      const ours = await rotate('speed');
      const py = spawnSync(python, ['-c', PY], {
        input: JSON.stringify({ old: OLD, new: NEW, dsn: `host=127.0.0.1 port=${cluster.port} dbname=speed user=postgres password=${cluster.password}` }),
        encoding: 'utf8',
      });
      if (py.status !== 0) throw new Error(`python failed: ${py.stderr}`);
      const pySeconds = (JSON.parse(py.stdout) as { seconds: number }).seconds;
      return {
        ratio: pySeconds / (ours.ms / 1000),
        detail: `${COUNT / 1000}k values: Python per-row ${pySeconds.toFixed(1)} s, Custodian ${(ours.ms / 1000).toFixed(1)} s`,
      };
    } finally {
      await closeCore(ctx).catch(() => undefined);
      fs.rmSync(home, { recursive: true, force: true });
      await cluster.stop();
    }
  },
};
export default bench;
