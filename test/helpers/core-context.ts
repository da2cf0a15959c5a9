import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CoreContext } from '../../src-main/core/context';
import { openLogStore, openMemoryLogStore } from '../../src-main/store/log-store';
import { openSettings } from '../../src-main/store/settings';
import { MemoryVault, type KeyVault } from '../../src-main/core/keys/vault';
import { JobRunner } from '../../src-main/core/jobs/runner';
import { defineAllJobs } from '../../src-main/core/jobs/definitions';

export interface TestContextOptions {
  /** Use this folder as CUSTODIAN_HOME (default: a new temp folder). */
  home?: string;
  /** SQLite log on disk in `home` (default) or in memory. */
  memoryLog?: boolean;
  vault?: KeyVault;
  env?: NodeJS.ProcessEnv;
}

export interface TestContext extends CoreContext {
  /** Closes the log and deletes the temp home (when this helper created it). */
  dispose(): Promise<void>;
}

/** A real core context for tests: temp data folder, in-memory vault, real log and job runner. */
export function makeTestContext(opts: TestContextOptions = {}): TestContext {
  const ownHome = !opts.home;
  const home = opts.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-test-'));
  const log = opts.memoryLog ? openMemoryLogStore() : openLogStore(home);
  const ctx: CoreContext = {
    home,
    env: opts.env ?? { ...process.env, CUSTODIAN_HOME: home },
    log,
    settings: openSettings(home),
    vault: opts.vault ?? new MemoryVault(),
    jobs: new JobRunner(log),
    preview: false,
    version: 'test',
  };
  // Every job kind, as createCore registers them, so tests run jobs exactly as the app does.
  defineAllJobs(ctx);
  return Object.assign(ctx, {
    async dispose() {
      await ctx.jobs.shutdown();
      log.close();
      if (ownHome) fs.rmSync(home, { recursive: true, force: true });
    },
  });
}
