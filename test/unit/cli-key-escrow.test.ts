import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerKeyCommands } from '../../src-main/cli/key';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { FernetKey } from '../../src-main/core/keys/fernet';
import { keyListFingerprint } from '../../src-main/core/keys/fingerprint';
import { importKeyList } from '../../src-main/core/keys/key-service';
import { vaultAccounts } from '../../src-main/core/keys/vault';
import { memoryCore } from '../helpers/memory-core';
import { cliRunner } from '../helpers/cli-harness';
import { defineKeyJobs } from '../../src-main/core/keys/jobs';

/** `custodian key escrow|recover|drop-old|history` on an in-memory core: secrets only from files/stdin, never printed. */
const K1 = FernetKey.generate();
const K2 = FernetKey.generate();
const endpoint = { host: 'localhost', port: 5432, database: 'konote', user: 'konote', sslmode: 'disable' as const };
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-cli-escrow-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function setup() {
  const core = memoryCore();
  await saveProfile(core, { name: 'only', main: endpoint, audit: { ...endpoint, database: 'konote_audit' }, schemas: ['public'] });
  await importKeyList(core, 'only', `${K1},${K2}`, { source: 'imported' });
  const run = cliRunner(core, registerKeyCommands);
  return { core, run };
}

describe('custodian key escrow / recover', () => {
  it('escrow file|sheet|split write copies; recover from the file or two shares puts the list back', async () => {
    const { core, run } = await setup();
    const pass = path.join(dir, 'pass.txt');
    fs.writeFileSync(pass, 'a long enough passphrase\n');
    const outs: string[] = [];
    const file = await run('key', 'escrow', 'file', '--out', path.join(dir, 'k.age'), '--passphrase-file', pass, '--json');
    expect(file.code, file.out).toBe(0);
    expect(JSON.parse(file.out)).toMatchObject({ kind: 'file', listFingerprint: keyListFingerprint(`${K1},${K2}`) });
    const sheet = await run('key', 'escrow', 'sheet', '--out', path.join(dir, 'k.pdf'));
    expect(sheet.code).toBe(0);
    expect(sheet.out).toContain('Printable key sheet');
    const split = await run('key', 'escrow', 'split', '--holders', 'Director,Treasurer,IT', '--threshold', '2', '--out', path.join(dir, 's.pdf'), '--text-dir', dir, '--json');
    expect(split.code, split.out).toBe(0);
    const shareFiles: string[] = JSON.parse(split.out).files.slice(1);
    expect(shareFiles).toHaveLength(3);
    outs.push(file.out, sheet.out, split.out);

    await core.vault.delete(vaultAccounts.fernetKeys('only'));
    const one = await run('key', 'recover', '--shares', shareFiles[0]!, '--skip-db-check', '--json');
    expect(one.code).toBe(1);
    expect(JSON.parse(one.out).error).toMatchObject({ kind: 'Validation', message: expect.stringMatching(/2 different shares/) });
    expect(await core.vault.get(vaultAccounts.fernetKeys('only'))).toBeNull();
    const two = await run('key', 'recover', '--shares', shareFiles[0]!, shareFiles[2]!, '--skip-db-check', '--json');
    expect(two.code, two.out).toBe(0);
    expect(JSON.parse(two.out)).toMatchObject({ imported: true, matchedCustody: true, databaseCheck: null });
    expect(await core.vault.get(vaultAccounts.fernetKeys('only'))).toBe(`${K1},${K2}`);
    // Typed from paper: each share over several lines as printed, in one file.
    const typed = path.join(dir, 'typed.txt');
    fs.writeFileSync(typed, [shareFiles[1]!, shareFiles[2]!].map((f) => fs.readFileSync(f, 'utf8').split('\n')[1]!.match(/.{1,64}/g)!.join('\n')).join('\n\n'));
    const typedRun = await run('key', 'recover', '--shares', typed, '--skip-db-check', '--test-only', '--json');
    expect(typedRun.code, typedRun.out).toBe(0);
    expect(JSON.parse(typedRun.out)).toMatchObject({ imported: false, listFingerprint: keyListFingerprint(`${K1},${K2}`) });

    const wrong = path.join(dir, 'wrong.txt');
    fs.writeFileSync(wrong, 'not the right passphrase\n');
    const bad = await run('key', 'recover', '--from-file', path.join(dir, 'k.age'), '--passphrase-file', wrong, '--skip-db-check', '--json');
    expect(JSON.parse(bad.out).error.kind).toBe('KeyMismatch');
    const test = await run('key', 'recover', '--from-file', path.join(dir, 'k.age'), '--passphrase-file', pass, '--skip-db-check', '--test-only');
    expect(test.code, test.out).toBe(0);
    expect(test.out).toMatch(/nothing was changed/);

    const history = await run('key', 'history', '--json');
    const h = JSON.parse(history.out);
    expect(h.custody.escrow.map((e: { kind: string }) => e.kind).sort()).toEqual(['file', 'sheet', 'split:2of3']);
    expect(h.custody.escrow.find((e: { kind: string }) => e.kind === 'file').lastTestedAt).not.toBeNull();
    expect(h.rotations).toEqual([]);
    outs.push(one.out, two.out, bad.out, test.out, history.out);
    for (const o of outs) {
      expect(o).not.toContain(K1.slice(0, 16));
      expect(o).not.toContain(K2.slice(0, 16));
    }
  }, 60_000);

  it('recover needs exactly one source; drop-old needs --yes; rotate --batch-size is validated', async () => {
    const { core, run } = await setup();
    defineKeyJobs(core); // the rotation verbs run as jobs, as in the app
    expect(JSON.parse((await run('key', 'recover', '--json')).out).error.kind).toBe('Validation');
    expect(JSON.parse((await run('key', 'drop-old', '--json')).out).error.kind).toBe('Validation');
    expect(JSON.parse((await run('key', 'drop-old', '--yes', '--json')).out).error.kind).toBe('NotFound');
    expect(JSON.parse((await run('key', 'rotate', '--batch-size', '0', '--json')).out).error.kind).toBe('Validation');
    // Preparing starts a rotation; resuming continues one: both at once is refused before any work.
    const both = JSON.parse((await run('key', 'rotate', '--prepare', '--resume', '--json')).out).error;
    expect(both).toMatchObject({ kind: 'Validation', hint: expect.stringContaining('--resume') });
    // With no rotation behind it there is nothing to back up after.
    const post = await run('key', 'post-rotation-backup', '--json');
    expect(post.code).toBe(1);
    expect(JSON.parse(post.out).error).toMatchObject({ kind: 'NotFound', hint: expect.stringContaining('key rotate --dry-run') });
  });
});
