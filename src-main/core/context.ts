import type { LogDb } from '../store/log-store';
import type { SettingsStore } from '../store/settings';
import type { KeyVault } from './keys/vault';
import type { JobRunner } from './jobs/runner';

/**
 * Everything a core service needs, passed explicitly (no globals), so tests build a context with
 * an in-memory log and vault and the app / CLI / preview build the real one (see create-core.ts).
 */
export interface CoreContext {
  /** The data folder (CUSTODIAN_HOME or the OS default). */
  home: string;
  env: NodeJS.ProcessEnv;
  log: LogDb;
  settings: SettingsStore;
  vault: KeyVault;
  jobs: JobRunner;
  /** True when served by the web preview (dev/test tool), false in Electron and the CLI. */
  preview: boolean;
  version: string;
}
