import { readFileSync } from 'node:fs';
import { dataFolder, ensureDir } from './common/paths';
import { openLogStore } from '../store/log-store';
import { openSettings } from '../store/settings';
import { JobRunner } from './jobs/runner';
import type { CoreContext } from './context';
import type { KeyVault } from './keys/vault';
import { createKeyringVault } from './keys/keyring-vault';
import { defineAllJobs } from './jobs/definitions';

export interface CreateCoreOptions {
  env?: NodeJS.ProcessEnv;
  /** Inject a vault (tests); otherwise the OS keychain. */
  vault?: KeyVault;
  preview?: boolean;
}

export function appVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Builds the one core every surface (Electron, preview, CLI) runs on. */
export function createCore(options: CreateCoreOptions = {}): CoreContext {
  const env = options.env ?? process.env;
  const home = ensureDir(dataFolder(env));
  const log = openLogStore(home);
  const ctx: CoreContext = {
    home,
    env,
    log,
    settings: openSettings(home),
    vault: options.vault ?? createKeyringVault(env),
    jobs: new JobRunner(log),
    preview: options.preview ?? false,
    version: appVersion(),
  };
  defineAllJobs(ctx);
  return ctx;
}

export async function closeCore(ctx: CoreContext): Promise<void> {
  await ctx.jobs.shutdown();
  ctx.log.close();
}
