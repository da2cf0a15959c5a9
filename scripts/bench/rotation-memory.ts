import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Client } from 'pg';
import { withEndpointClient } from '../../src-main/core/connections/pg-client';
import { FernetKey, MultiFernet } from '../../src-main/core/keys/fernet';
import { startTestCluster } from '../../test/helpers/pg-cluster';
import type { Benchmark } from './run';

/**
 * Key rotation memory: the same rotation of 50 k and of 500 k values, each in a fresh process
 * (children/rotation-memory.ts), compared by their peak heap and their peak RSS. Ratio = the
 * larger of the two (500 k / 50 k); the goal (issue 5) is that memory stays flat, within 20 %.
 *
 * The peak is exact, not sampled: V8's GC profiler gives the used heap before every collection,
 * and the heap only grows between collections. (Sampling every 10 ms, as this benchmark once
 * did, caught the young generation at a random fill level and moved the result by ±25 %.)
 */
const SIZES = [50_000, 500_000] as const;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

export interface RotationMemory {
  ms: number;
  gcs: number;
  fullGcs: number;
  /** Used heap at its highest, above the heap before the rotation. */
  peakHeap: number;
  /** The most live after any full collection during the run (0 if there was none). */
  liveHeap: number;
  /** Still held after the run (a full collection then): a leak would show here. */
  keptHeap: number;
  /** The process's RSS high-water mark, and its RSS just before the rotation. */
  peakRss: number;
  rssBase: number;
}

async function fill(c: Client, n: number, key: MultiFernet): Promise<void> {
  await c.query('CREATE TABLE progress_notes (id bigint PRIMARY KEY, _notes_text_encrypted bytea NOT NULL)');
  for (let from = 1; from <= n; from += 10_000) {
    const ids = Array.from({ length: Math.min(10_000, n - from + 1) }, (_, i) => from + i);
    await c.query('INSERT INTO progress_notes SELECT * FROM unnest($1::bigint[], $2::bytea[])', [ids, ids.map((i) => Buffer.from(key.encrypt(`Progress note ${i}: discussed housing and next steps.`), 'ascii'))]);
  }
  await c.query('ANALYZE progress_notes');
}

/** Rotates `database` in a child process (Node's default heap settings, as users run it). */
export function rotateInChild(req: { database: string; port: number; password: string; oldKey: string; newKey: string }): RotationMemory {
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'children', 'rotation-memory.ts')], {
    cwd: root,
    input: JSON.stringify(req),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`the rotation child failed: ${child.stderr.slice(-2000)}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as RotationMemory;
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
const signedMb = (b: number) => `${b < 0 ? '-' : '+'}${mb(Math.abs(b))}`;

const bench: Benchmark = {
  name: 'key rotation memory, 500 k vs 50 k values',
  goal: '<= 1.2 (peak heap and peak RSS, 500 k / 50 k)',
  maxRatio: 1.2,
  async run() {
    const cluster = await startTestCluster({ settings: { shared_buffers: '128MB' } });
    const ep = (database: string) => ({ host: '127.0.0.1', port: cluster.port, database, user: 'postgres', sslmode: 'disable' as const });
    try {
      const oldKey = FernetKey.generate();
      const newKey = FernetKey.generate();
      const old = MultiFernet.parse(oldKey);
      const results: RotationMemory[] = [];
      for (const n of SIZES) {
        const database = `mem${n}`;
        await withEndpointClient(ep('postgres'), cluster.password, (c) => c.query(`CREATE DATABASE ${database}`));
        await withEndpointClient(ep(database), cluster.password, (c) => fill(c, n, old));
        results.push(rotateInChild({ database, port: cluster.port, password: cluster.password, oldKey, newKey }));
      }
      const [small, large] = results as [RotationMemory, RotationMemory];
      const row = (n: number, r: RotationMemory) =>
        `${n / 1000}k: peak heap ${signedMb(r.peakHeap)}, live after full GCs ${signedMb(r.liveHeap)} (${r.fullGcs} of ${r.gcs} GCs), kept after ${signedMb(r.keptHeap)}, peak RSS ${mb(r.peakRss)} (${mb(r.rssBase)} before), ${(r.ms / 1000).toFixed(1)} s`;
      const heap = large.peakHeap / small.peakHeap;
      const rss = large.peakRss / small.peakRss;
      return { ratio: Math.max(heap, rss), detail: `heap ${heap.toFixed(2)}, RSS ${rss.toFixed(2)}; ${row(SIZES[0], small)}; ${row(SIZES[1], large)}` };
    } finally {
      await cluster.stop();
    }
  },
};
export default bench;
