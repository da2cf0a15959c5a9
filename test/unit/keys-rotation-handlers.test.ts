import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyHandlers } from '../../src-main/core/keys/handlers';
import { contract } from '../../src-main/contract/channels';
import { JobSpecSchema } from '../../src-main/contract/jobs';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { FernetKey } from '../../src-main/core/keys/fernet';
import { importKeyList } from '../../src-main/core/keys/key-service';
import { vaultAccounts } from '../../src-main/core/keys/vault';
import { memoryCore } from '../helpers/memory-core';

/** Escrow / recovery / rotation channels: inputs validated by the contract, outputs match it, no key in any reply. */
const K1 = FernetKey.generate();
const endpoint = { host: 'localhost', port: 5432, database: 'konote', user: 'konote', sslmode: 'disable' as const };

describe('escrow and rotation IPC handlers', () => {
  it('sheet and split through the contract, recover from shares, history and status', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-h-'));
    try {
      const ctx = memoryCore();
      await saveProfile(ctx, { name: 'p', main: endpoint, audit: endpoint, schemas: ['public'] });
      await importKeyList(ctx, 'p', K1, { source: 'imported' });
      const h = keyHandlers(ctx);
      const call = async <C extends keyof typeof contract>(ch: C, input: unknown) => {
        const parsed = contract[ch].input.parse(input);
        const out = await (h as Record<string, (i: unknown) => Promise<unknown>>)[ch]!(parsed);
        expect(JSON.stringify(out)).not.toContain(K1.slice(0, 16));
        return contract[ch].output.parse(out);
      };
      await call('keys.escrow.sheet', { profile: 'p', path: path.join(dir, 'sheet.pdf') });
      const split = (await call('keys.escrow.split', { profile: 'p', path: path.join(dir, 's.pdf'), threshold: 2, holders: ['A', 'B', 'C'], textDir: dir })) as { files: string[] };
      const shares = split.files.slice(1, 3).map((f) => fs.readFileSync(f, 'utf8').split('\n')[1]!);
      await ctx.vault.delete(vaultAccounts.fernetKeys('p'));
      const rec = await call('keys.recover', { profile: 'p', source: { kind: 'shares', shares }, checkDatabase: false });
      expect(rec).toMatchObject({ imported: true, matchedCustody: true });
      expect(await ctx.vault.get(vaultAccounts.fernetKeys('p'))).toBe(K1);
      const hist = (await call('keys.history', { profile: 'p' })) as { custody: { escrow: unknown[] } };
      expect(hist.custody.escrow).toHaveLength(2);
      expect(await call('keys.rotation.status', { profile: 'p' })).toBeNull();
      // A short passphrase and a drop-old without confirmation are refused by the contract itself.
      expect(() => contract['keys.escrow.file'].input.parse({ profile: 'p', path: 'x', passphrase: 'short' })).toThrow();
      expect(() => contract['keys.rotation.dropOld'].input.parse({ profile: 'p', agency: null, confirm: false })).toThrow();
      // The rotation job kinds are part of the job contract.
      expect(JobSpecSchema.parse({ kind: 'keys.rotate', profile: 'p' })).toMatchObject({ agency: null, resume: false, incident: false, batchSize: 2000 });
      expect(JobSpecSchema.parse({ kind: 'keys.rotationDryRun', profile: 'p' })).toMatchObject({ agency: null });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
