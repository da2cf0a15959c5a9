import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createCluster, removeCluster, type ClusterStartOptions } from '../../src-main/core/sandbox/local-cluster';
import type { ToolSearch } from '../../src-main/core/connections/tool-discovery';

export interface TestCluster {
  host: '127.0.0.1';
  port: number;
  superuser: 'postgres';
  password: string;
  dataDir: string;
  /** Stops the server and deletes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

export function testToolSearch(): ToolSearch {
  return { platform: process.platform, env: process.env, overrides: {} };
}

const started = new Set<TestCluster>();

/**
 * A throwaway PostgreSQL cluster for one test file: temp folder, fsync off, free port on
 * 127.0.0.1, superuser `postgres` with a random password. Call `stop()` in afterAll; as a safety
 * net any cluster still running when the process exits is stopped too.
 */
export async function startTestCluster(opts: Pick<ClusterStartOptions, 'settings'> = {}): Promise<TestCluster> {
  // Short base path keeps the unix socket path under its length limit.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpg-'));
  const password = randomBytes(18).toString('base64url');
  const search = testToolSearch();
  const info = await createCluster(dir, password, { search, fsync: false, settings: { shared_buffers: '32MB', ...opts.settings } });
  let stopped = false;
  const cluster: TestCluster = {
    host: '127.0.0.1',
    port: info.port,
    superuser: 'postgres',
    password,
    dataDir: info.dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      started.delete(cluster);
      await removeCluster(dir, { search });
    },
  };
  started.add(cluster);
  return cluster;
}

process.once('beforeExit', () => {
  for (const c of started) void c.stop();
});
