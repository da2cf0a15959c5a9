import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSettings } from '../../src-main/store/settings';
import { dataFolder } from '../../src-main/core/common/paths';

describe('settings file', () => {
  it('is one settings.json in the data folder, shared by every opener, with defaults', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-settings-'));
    const a = openSettings(dir);
    expect(a.get()).toEqual({ language: 'en', activeProfile: null, toolOverrides: {}, smtp: null, rpoHours: 24 });
    a.update({ language: 'fr', activeProfile: 'sandbox' });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8'))).toMatchObject({ language: 'fr', activeProfile: 'sandbox' });
    expect(openSettings(dir).get().language).toBe('fr');
    expect(() => a.update({ language: 'de' as 'en' })).toThrow();
    expect(openSettings(dir).get().language).toBe('fr');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('CUSTODIAN_HOME overrides the data folder; otherwise the OS convention', () => {
    expect(dataFolder({ CUSTODIAN_HOME: '/tmp/x' }, 'linux')).toBe('/tmp/x');
    expect(dataFolder({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toMatch(/Custodian$/);
    expect(dataFolder({}, 'darwin')).toMatch(/Library[\\/]Application Support[\\/]Custodian$/);
    expect(dataFolder({ XDG_CONFIG_HOME: '/home/a/.config' }, 'linux')).toBe(path.join('/home/a/.config', 'Custodian'));
  });
});
