import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerKeyCommands, extractKeyList } from '../../src-main/cli/key';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { urlSafeBase64Padded } from '../../src-main/core/keys/fernet';
import { keyFingerprint } from '../../src-main/core/keys/fingerprint';
import { vaultAccounts } from '../../src-main/core/keys/vault';
import { memoryCore } from '../helpers/memory-core';
import { cliRunner } from '../helpers/cli-harness';

/** `custodian key ...` on an in-memory core: output conventions, and the key never in argv/output. */
const K1 = urlSafeBase64Padded(Buffer.alloc(32, 7));
const K2 = urlSafeBase64Padded(Buffer.alloc(32, 8));
const endpoint = { host: 'localhost', port: 5432, database: 'konote', user: 'konote', sslmode: 'disable' as const };

async function setup() {
  const core = memoryCore();
  await saveProfile(core, { name: 'only', main: endpoint, audit: { ...endpoint, database: 'konote_audit' }, schemas: ['public'] });
  const run = cliRunner(core, registerKeyCommands);
  return { core, run };
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-cli-key-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('custodian key', () => {
  it('import --from-file, then list --json shows fingerprints, never the key', async () => {
    const { core, run } = await setup();
    const file = path.join(dir, 'key.txt');
    fs.writeFileSync(file, `${K1},${K2}\n`);
    const imported = await run('key', 'import', '--from-file', file, '--json');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.out)).toMatchObject({ profile: 'only', inKeychain: true });
    expect(await core.vault.get(vaultAccounts.fernetKeys('only'))).toBe(`${K1},${K2}`);

    const listed = await run('key', 'list', '--json');
    const custody = JSON.parse(listed.out);
    expect(custody.keys.map((k: { fingerprint: string }) => k.fingerprint)).toEqual([keyFingerprint(K1), keyFingerprint(K2)]);
    const human = await run('key', 'list');
    expect(human.out).toContain(keyFingerprint(K1));
    expect(human.out).toContain('primary');
    for (const o of [imported.out, listed.out, human.out]) {
      expect(o).not.toContain(K1.slice(0, 12));
      expect(o).not.toContain(K2.slice(0, 12));
    }
  });

  it('reads FIELD_ENCRYPTION_KEY out of a .env file', async () => {
    expect(extractKeyList(`DEBUG=0\nFIELD_ENCRYPTION_KEY="${K1},${K2}"\nOTHER=1\n`)).toBe(`${K1},${K2}`);
    expect(extractKeyList(`${K1}\n`)).toBe(K1);
  });

  it('a bad key: --json error with kind and hint, exit 1, nothing stored', async () => {
    const { core, run } = await setup();
    const file = path.join(dir, 'key.txt');
    fs.writeFileSync(file, `${K1},${K2.slice(0, 40)}`);
    const r = await run('key', 'import', '--from-file', file, '--json');
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.out);
    expect(error.kind).toBe('KeyInvalid');
    expect(error.message).toContain('Key 2 of 2');
    expect(error.hint).toBeTruthy();
    expect(await core.vault.get(vaultAccounts.fernetKeys('only'))).toBeNull();
  });

  it('has no option that would put a key on the command line', async () => {
    const { run } = await setup();
    await expect(run('key', 'import', '--key', K1)).rejects.toThrow(/unknown option/);
  });

  it('generate, then generate again is a Conflict (exit 1)', async () => {
    const { run } = await setup();
    const first = await run('key', 'generate', '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out).keys[0].source).toBe('generated');
    const second = await run('key', 'generate', '--json');
    expect(second.code).toBe(1);
    expect(JSON.parse(second.out).error.kind).toBe('Conflict');
  });

  it('verify rejects a bad --sample before doing anything', async () => {
    const { run } = await setup();
    const r = await run('key', 'verify', '--sample', 'lots', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).error.kind).toBe('Validation');
  });

  it('an unknown --profile is NotFound', async () => {
    const { run } = await setup();
    const r = await run('key', 'list', '--profile', 'nope', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).error.kind).toBe('NotFound');
  });
});
