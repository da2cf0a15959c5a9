import { openMemoryLogStore } from '../../src-main/store/log-store';
import { JobRunner } from '../../src-main/core/jobs/runner';
import { MemoryVault, type KeyVault } from '../../src-main/core/keys/vault';
import { SettingsSchema, type Settings } from '../../src-main/contract/channels';
import type { CoreContext } from '../../src-main/core/context';

/** A CoreContext with an in-memory log, settings and vault (what create-core.ts builds for real). */
export function memoryCore(options: { vault?: KeyVault } = {}): CoreContext {
  const log = openMemoryLogStore();
  let settings: Settings = SettingsSchema.parse({});
  return {
    home: '/nonexistent/custodian-test-home',
    env: {},
    log,
    settings: {
      get: () => settings,
      update: (patch) => (settings = SettingsSchema.parse({ ...settings, ...patch })),
    },
    vault: options.vault ?? new MemoryVault(),
    jobs: new JobRunner(log),
    preview: false,
    version: '0.0.0-test',
  };
}
