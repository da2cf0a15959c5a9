import { FernetKey, urlSafeBase64Padded } from '../../src-main/core/keys/fernet';
import { MemoryVault, vaultAccounts, type KeyVault } from '../../src-main/core/keys/vault';
import { importKeyList, generateKey, loadKeyList, forgetKeys } from '../../src-main/core/keys/key-service';
import { custodyFor, recordKeyList, readCustodyRecord } from '../../src-main/core/keys/custody';
import { keyFingerprint, keyListFingerprint } from '../../src-main/core/keys/fingerprint';
import { AppError } from '../../src-main/core/common/errors';
import type { ErrorKind } from '../../src-main/contract/errors';
import { memoryCore } from '../helpers/memory-core';

const K1 = urlSafeBase64Padded(Buffer.alloc(32, 1));
const K2 = urlSafeBase64Padded(Buffer.alloc(32, 2));
const K3 = urlSafeBase64Padded(Buffer.alloc(32, 3));
const P = 'agency';
const account = vaultAccounts.fernetKeys(P);

async function rejects(p: Promise<unknown>, kind: ErrorKind): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  expect((e as AppError).kind).toBe(kind);
  return e as AppError;
}

function tableCounts(ctx: ReturnType<typeof memoryCore>) {
  const n = (t: string) => (ctx.log.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  return { custody: n('key_custody'), lists: n('key_lists') };
}

describe('fingerprints', () => {
  it('are stable, formatted, order-sensitive and do not contain the key', () => {
    expect(keyFingerprint(K1)).toMatch(/^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$/);
    expect(keyFingerprint(K1)).toBe(keyFingerprint(` ${K1}\n`));
    // sha256(32 bytes of 0x01), first 8 bytes: pinned so a change of algorithm is noticed
    expect(keyFingerprint(K1)).toBe('72cd-6e84-22c4-07fb');
    expect(keyListFingerprint(`${K1},${K2}`)).not.toBe(keyListFingerprint(`${K2},${K1}`));
    expect(keyListFingerprint(`${K1}, ${K2}`)).toBe(keyListFingerprint(`${K1},${K2}`));
    expect(keyListFingerprint(K1)).not.toBe(keyFingerprint(K1));
  });
});

describe('key service', () => {
  it('imports a list: keychain holds it, custody records fingerprints in order, primary first', async () => {
    const ctx = memoryCore();
    const c = await importKeyList(ctx, P, ` ${K1}, ${K2}\n`, { source: 'imported' });
    expect(await ctx.vault.get(account)).toBe(`${K1},${K2}`);
    expect(c.listFingerprint).toBe(keyListFingerprint(`${K1},${K2}`));
    expect(c.inKeychain).toBe(true);
    expect(c.keys.map((k) => [k.fingerprint, k.position, k.primary, k.source])).toEqual([
      [keyFingerprint(K1), 0, true, 'imported'],
      [keyFingerprint(K2), 1, false, 'imported'],
    ]);
    expect(c.primaryAgeDays).toBe(0);
    expect(c.keys[0]!.becamePrimaryAt).not.toBeNull();
    expect(c.keys[1]!.becamePrimaryAt).toBeNull();
    // Threat: key bytes in the SQLite log. Nothing stored there contains the key text.
    const dump = JSON.stringify(ctx.log.prepare(`SELECT * FROM key_custody`).all()) + JSON.stringify(ctx.log.prepare(`SELECT * FROM key_lists`).all());
    expect(dump).not.toContain(K1.slice(0, 16));
    const list = await loadKeyList(ctx, P);
    expect(list.decrypt(FernetKey.parse(K2).encrypt('hi')).toString()).toBe('hi');
  });

  it('bad input writes nothing (keychain and custody untouched), naming the bad key', async () => {
    const ctx = memoryCore();
    const e = await rejects(importKeyList(ctx, P, `${K1},${K2.slice(0, 43)}+`, { source: 'imported' }), 'KeyInvalid');
    expect(e.message).toContain('Key 2 of 2');
    await rejects(importKeyList(ctx, P, `${K1},${K1}`, { source: 'imported' }), 'KeyInvalid');
    expect(await ctx.vault.get(account)).toBeNull();
    expect(tableCounts(ctx)).toEqual({ custody: 0, lists: 0 });
  });

  it('refuses to overwrite an existing list without replace (Conflict), and generate refuses too', async () => {
    const ctx = memoryCore();
    await importKeyList(ctx, P, K1, { source: 'imported' });
    const e = await rejects(importKeyList(ctx, P, K2, { source: 'imported' }), 'Conflict');
    expect(e.hint).toMatch(/rotation/);
    expect(e.hint).toMatch(/--replace/);
    await rejects(generateKey(ctx, P), 'Conflict');
    expect(await ctx.vault.get(account)).toBe(K1);
    // Importing the same list again is harmless.
    await expect(importKeyList(ctx, P, K1, { source: 'imported' })).resolves.toMatchObject({ listFingerprint: keyListFingerprint(K1) });
  });

  it('generate refuses when only the keychain has a list (custody lost), never overwriting it', async () => {
    const ctx = memoryCore();
    await ctx.vault.set(account, K3);
    await rejects(generateKey(ctx, P), 'Conflict');
    await rejects(importKeyList(ctx, P, K1, { source: 'imported' }), 'Conflict');
    expect(await ctx.vault.get(account)).toBe(K3);
  });

  it('replace records the new list, keeps history and retires dropped keys', async () => {
    const ctx = memoryCore();
    await importKeyList(ctx, P, `${K1},${K2}`, { source: 'imported' });
    const c = await importKeyList(ctx, P, `${K3},${K1}`, { source: 'imported', replace: true });
    expect(await ctx.vault.get(account)).toBe(`${K3},${K1}`);
    const byFp = Object.fromEntries(c.keys.map((k) => [k.fingerprint, k]));
    expect(byFp[keyFingerprint(K3)]).toMatchObject({ position: 0, primary: true, retiredAt: null });
    expect(byFp[keyFingerprint(K1)]).toMatchObject({ position: 1, primary: false, retiredAt: null });
    expect(byFp[keyFingerprint(K2)]).toMatchObject({ primary: false });
    expect(byFp[keyFingerprint(K2)]!.retiredAt).not.toBeNull();
    expect(c.listFingerprint).toBe(keyListFingerprint(`${K3},${K1}`));
  });

  it('generate creates one fresh key and records it as generated', async () => {
    const ctx = memoryCore();
    const c = await generateKey(ctx, P);
    const stored = await ctx.vault.get(account);
    expect(stored).not.toBeNull();
    expect(() => FernetKey.parse(stored!)).not.toThrow();
    expect(c.keys).toHaveLength(1);
    expect(c.keys[0]).toMatchObject({ fingerprint: keyFingerprint(stored!), source: 'generated', primary: true });
  });

  it('KeyMissing with the escrow recovery hint when the keychain lost a recorded list; recovery restores it', async () => {
    const ctx = memoryCore();
    await importKeyList(ctx, P, `${K1},${K2}`, { source: 'imported' });
    await ctx.vault.delete(account);
    const e = await rejects(loadKeyList(ctx, P), 'KeyMissing');
    expect(e.hint).toMatch(/escrow/);
    expect(e.hint).toMatch(/custodian key import/);
    expect(e.hint).toMatch(/[Nn]ever generate/);
    // Never a new key: generate is refused while custody says keys exist.
    await rejects(generateKey(ctx, P), 'Conflict');
    expect(await ctx.vault.get(account)).toBeNull();
    expect((await custodyFor(ctx, P)).inKeychain).toBe(false);
    // Putting back the recorded list (from escrow) works without --replace.
    const c = await importKeyList(ctx, P, `${K1},${K2}`, { source: 'recovered' });
    expect(c.inKeychain).toBe(true);
    await expect(loadKeyList(ctx, P)).resolves.toBeDefined();
  });

  it('KeyMissing saying import or generate when nothing was ever set up', async () => {
    const ctx = memoryCore();
    const e = await rejects(loadKeyList(ctx, P), 'KeyMissing');
    expect(e.hint).toMatch(/import/);
    expect(e.hint).toMatch(/generate/);
  });

  it('KeyMismatch when the keychain holds a different list from the custody record', async () => {
    const ctx = memoryCore();
    await importKeyList(ctx, P, `${K1},${K2}`, { source: 'imported' });
    await ctx.vault.set(account, `${K2},${K1}`); // changed outside Custodian
    await rejects(loadKeyList(ctx, P), 'KeyMismatch');
    await ctx.vault.set(account, 'garbage');
    await rejects(loadKeyList(ctx, P), 'KeyMismatch');
  });

  it('an unavailable keychain gives KeychainUnavailable and nothing is written', async () => {
    const inner = new MemoryVault();
    const vault: KeyVault = {
      backend: 'broken',
      assertAvailable: async () => {
        throw new AppError('KeychainUnavailable', 'No Secret Service is reachable.', 'Log into a desktop session.');
      },
      get: (a) => inner.get(a),
      set: (a, s) => inner.set(a, s),
      delete: (a) => inner.delete(a),
    };
    const ctx = memoryCore({ vault });
    await rejects(importKeyList(ctx, P, K1, { source: 'imported' }), 'KeychainUnavailable');
    await rejects(generateKey(ctx, P), 'KeychainUnavailable');
    expect(await inner.get(account)).toBeNull();
    expect(tableCounts(ctx)).toEqual({ custody: 0, lists: 0 });
  });

  it('forgetKeys removes the keychain entry and every custody row', async () => {
    const ctx = memoryCore();
    await importKeyList(ctx, P, K1, { source: 'generated' });
    await importKeyList(ctx, 'other', K2, { source: 'imported' });
    await forgetKeys(ctx, P);
    expect(await ctx.vault.get(account)).toBeNull();
    expect((await custodyFor(ctx, P)).keys).toEqual([]);
    expect((await custodyFor(ctx, 'other')).keys).toHaveLength(1);
    await rejects(loadKeyList(ctx, P), 'KeyMissing');
    expect((await loadKeyList(ctx, 'other')).keys).toHaveLength(1);
  });

  it('primary age counts from when the key became primary; escrow lists copies of the current list', () => {
    const ctx = memoryCore();
    const fps = [keyFingerprint(K1)];
    const listFp = keyListFingerprint(K1);
    recordKeyList(ctx.log, P, { fingerprints: fps, listFingerprint: listFp }, 'imported', new Date('2026-01-01T00:00:00Z'));
    ctx.log.prepare(`INSERT INTO escrow_copies (profile, kind, list_fingerprint, created_at) VALUES (?, 'paper', ?, '2026-01-02T00:00:00Z'), (?, 'file', 'old-list', '2025-01-01T00:00:00Z')`).run(P, listFp, P);
    const c = readCustodyRecord(ctx.log, P, true, new Date('2026-01-31T12:00:00Z'));
    expect(c.primaryAgeDays).toBe(30);
    expect(c.escrow).toEqual([{ kind: 'paper', createdAt: '2026-01-02T00:00:00Z', lastTestedAt: null }]);
  });
});
