import { keyHandlers } from '../../src-main/core/keys/handlers';
import { contract } from '../../src-main/contract/channels';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { urlSafeBase64Padded } from '../../src-main/core/keys/fernet';
import { AppError } from '../../src-main/core/common/errors';
import { memoryCore } from '../helpers/memory-core';

/** The Keys page's IPC handlers: outputs satisfy the contract and never carry the key back. */
const K1 = urlSafeBase64Padded(Buffer.alloc(32, 9));
const endpoint = { host: 'localhost', port: 5432, database: 'konote', user: 'konote', sslmode: 'disable' as const };

describe('key IPC handlers', () => {
  it('import → custody, matching the contract, without the key in the reply', async () => {
    const ctx = memoryCore();
    await saveProfile(ctx, { name: 'agency', main: endpoint, audit: endpoint, schemas: ['public'] });
    const h = keyHandlers(ctx);
    const input = contract['keys.import'].input.parse({ profile: 'agency', keyList: K1 });
    const out = await h['keys.import'](input);
    expect(contract['keys.import'].output.parse(out)).toEqual(out);
    expect(JSON.stringify(out)).not.toContain(K1.slice(0, 12));
    const custody = await h['keys.custody']({ profile: 'agency' });
    expect(custody).toMatchObject({ profile: 'agency', inKeychain: true, listFingerprint: out.listFingerprint });
    await expect(h['keys.generate']({ profile: 'agency' })).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.kind === 'Conflict');
  });

  it('an unknown profile is NotFound and nothing is stored', async () => {
    const ctx = memoryCore();
    const h = keyHandlers(ctx);
    await expect(h['keys.import']({ profile: 'ghost', keyList: K1, replace: false })).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.kind === 'NotFound');
    expect((ctx.log.prepare('SELECT count(*) AS n FROM key_lists').get() as { n: number }).n).toBe(0);
  });
});
