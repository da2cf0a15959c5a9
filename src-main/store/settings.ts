import Conf from 'conf';
import { SettingsSchema, type Settings } from '../contract/channels';

/**
 * Settings: a small JSON file (settings.json) in the data folder. The CLI reads it through
 * `conf`; the Electron app through electron-store, which is `conf` underneath and is pointed at the
 * same folder and name, so both see one file. Never a secret in here.
 */
export interface SettingsStore {
  get(): Settings;
  update(patch: Partial<Settings>): Settings;
}

export const SETTINGS_FILE_NAME = 'settings';

export function openSettings(home: string): SettingsStore {
  const conf = new Conf<Record<string, unknown>>({ cwd: home, configName: SETTINGS_FILE_NAME, projectName: 'custodian' });
  const read = (): Settings => {
    const parsed = SettingsSchema.safeParse(conf.store);
    // A hand-edited or older file falls back to defaults field by field rather than failing.
    return parsed.success ? parsed.data : SettingsSchema.parse({});
  };
  return {
    get: read,
    update(patch) {
      const next = SettingsSchema.parse({ ...read(), ...patch });
      conf.store = next as unknown as Record<string, unknown>;
      return next;
    },
  };
}
