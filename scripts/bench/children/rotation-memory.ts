/**
 * One key rotation in a process of its own, for the rotation-memory benchmark: a fresh Node
 * process has nothing from earlier runs in its heap or its RSS high-water mark, so its peaks
 * belong to this rotation alone. Reads its request (database, port, password and the two keys)
 * from stdin — never argv — and prints one JSON line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createCore, closeCore } from '../../../src-main/core/create-core';
import { MemoryVault } from '../../../src-main/core/keys/vault';
import { saveProfile } from '../../../src-main/core/connections/profile-store';
import { importKeyList } from '../../../src-main/core/keys/key-service';
import { runRotation, startRotation } from '../../../src-main/core/keys/rotation/rotation-service';

interface Request { database: string; port: number; password: string; oldKey: string; newKey: string }

function fullGc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

const req = JSON.parse(fs.readFileSync(0, 'utf8')) as Request;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-rotmem-'));
const ctx = createCore({ env: { ...process.env, CUSTODIAN_HOME: home }, vault: new MemoryVault() });
try {
  const ep = { host: '127.0.0.1', port: req.port, database: req.database, user: 'postgres', sslmode: 'disable' as const };
  await saveProfile(ctx, { name: 'bench', main: ep, audit: { ...ep, database: 'postgres' }, schemas: ['public'], mainPassword: req.password, auditPassword: req.password });
  await importKeyList(ctx, 'bench', req.oldKey, { source: 'imported' });
  const rot = await startRotation(ctx, 'bench', null, { newKey: req.newKey });
  fullGc();
  const base = v8.getHeapStatistics().used_heap_size;
  const rssBase = process.memoryUsage().rss;
  // Every collection's heap before and after it: the largest "before" is the true peak of the
  // used heap (it only grows between collections), the largest "after" the most ever kept alive.
  const profiler = new v8.GCProfiler();
  profiler.start();
  const t = performance.now();
  await runRotation(ctx, rot.id);
  const ms = performance.now() - t;
  const end = v8.getHeapStatistics().used_heap_size;
  const stats = profiler.stop();
  fullGc();
  const kept = v8.getHeapStatistics().used_heap_size - base; // still held once the rotation is over
  const used = (s: { heapSpaceStatistics: Array<{ spaceUsedSize: number }> }) => s.heapSpaceStatistics.reduce((a, x) => a + x.spaceUsedSize, 0);
  let peak = end;
  let live = 0;
  for (const s of stats.statistics) {
    peak = Math.max(peak, used(s.beforeGC));
    // Only a full collection leaves nothing but live objects (after a scavenge the old space
    // still holds garbage awaiting the next full one).
    if (s.gcType === 'MarkSweepCompact') live = Math.max(live, used(s.afterGC));
  }
  const out = {
    ms,
    gcs: stats.statistics.length,
    peakHeap: peak - base,
    fullGcs: stats.statistics.filter((s) => s.gcType === 'MarkSweepCompact').length,
    liveHeap: Math.max(0, live - base),
    keptHeap: kept,
    peakRss: process.resourceUsage().maxRSS * 1024,
    rssBase,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
} finally {
  await closeCore(ctx).catch(() => undefined);
  fs.rmSync(home, { recursive: true, force: true });
}
