import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { getProfile, listProfiles, removeProfile, resolveProfile, saveProfile } from '../../src-main/core/connections/profile-store';
import { vaultAccounts } from '../../src-main/core/keys/vault';
import { AppError } from '../../src-main/core/common/errors';
import type { ProfileInput } from '../../src-main/contract/profiles';

let ctx: TestContext;
beforeEach(() => {
  ctx = makeTestContext({ memoryLog: true });
});
afterEach(async () => {
  await ctx.dispose();
});

const good = (over: Record<string, unknown> = {}): ProfileInput =>
  ({
    name: 'prod',
    main: { host: 'db.example.org', port: 5432, database: 'konote', user: 'konote', sslmode: 'require' },
    audit: { host: 'db.example.org', port: 5432, database: 'konote_audit', user: 'audit_writer', sslmode: 'require' },
    schemas: ['public'],
    mainPassword: 'main-secret',
    auditPassword: 'audit-secret',
    ...over,
  }) as ProfileInput;

async function expectKind(p: Promise<unknown>, kind: string) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).kind).toBe(kind);
  expect((err as AppError).hint).toBeTruthy();
}

describe('profile validation writes nothing on bad input', () => {
  it.each([
    ['a host with a space', { main: { host: 'db example', port: 5432, database: 'konote', user: 'konote', sslmode: 'require' } }],
    ['an empty host', { audit: { host: '', port: 5432, database: 'konote_audit', user: 'audit_writer', sslmode: 'require' } }],
    ['port 0', { main: { host: 'db', port: 0, database: 'konote', user: 'konote', sslmode: 'require' } }],
    ['port 70000', { main: { host: 'db', port: 70000, database: 'konote', user: 'konote', sslmode: 'require' } }],
    ['a port that is not a number', { main: { host: 'db', port: Number.NaN, database: 'konote', user: 'konote', sslmode: 'require' } }],
    ['an unknown sslmode', { audit: { host: 'db', port: 5432, database: 'konote_audit', user: 'audit_writer', sslmode: 'required' } }],
    ['a bad schema name', { schemas: ['Public; DROP'] }],
    ['a bad profile name', { name: '../etc' }],
  ])('%s → Validation', async (_label, over) => {
    await expectKind(saveProfile(ctx, good(over)), 'Validation');
    expect(listProfiles(ctx)).toEqual([]);
    expect(await ctx.vault.get(vaultAccounts.dbPassword('prod', 'main'))).toBeNull();
  });
});

describe('profile store', () => {
  it('keeps passwords in the vault, never in SQLite', async () => {
    const p = await saveProfile(ctx, good());
    expect(p).toMatchObject({ name: 'prod', sandbox: false, schemas: ['public'] });
    expect(await ctx.vault.get(vaultAccounts.dbPassword('prod', 'main'))).toBe('main-secret');
    expect(await ctx.vault.get(vaultAccounts.dbPassword('prod', 'audit'))).toBe('audit-secret');
    // Threat: a password in the SQLite log is readable by anyone with a copy of the data folder.
    const raw = JSON.stringify(ctx.log.prepare('SELECT * FROM profiles').all());
    expect(raw).not.toContain('secret');
    expect(getProfile(ctx, 'prod')).toEqual(p);
  });

  it('an update without passwords keeps the stored ones and the creation time', async () => {
    const first = await saveProfile(ctx, good());
    const { mainPassword: _m, auditPassword: _a, ...noPw } = good();
    const updated = await saveProfile(ctx, { ...noPw, main: { ...noPw.main, port: 6432 } });
    expect(updated.main.port).toBe(6432);
    expect(updated.createdAt).toBe(first.createdAt);
    expect(await ctx.vault.get(vaultAccounts.dbPassword('prod', 'main'))).toBe('main-secret');
  });

  it('remove deletes the row and both passwords', async () => {
    await saveProfile(ctx, good());
    expect(await removeProfile(ctx, 'prod')).toBe(true);
    expect(listProfiles(ctx)).toEqual([]);
    expect(await ctx.vault.get(vaultAccounts.dbPassword('prod', 'main'))).toBeNull();
    expect(await ctx.vault.get(vaultAccounts.dbPassword('prod', 'audit'))).toBeNull();
    expect(await removeProfile(ctx, 'prod')).toBe(false);
  });

  it('resolveProfile: none → NotFound, one → it, several → Validation naming them', async () => {
    expect(() => resolveProfile(ctx)).toThrow(expect.objectContaining({ kind: 'NotFound' }));
    await saveProfile(ctx, good());
    expect(resolveProfile(ctx).name).toBe('prod');
    await saveProfile(ctx, good({ name: 'staging' }));
    let err: AppError | null = null;
    try {
      resolveProfile(ctx);
    } catch (e) {
      err = e as AppError;
    }
    expect(err?.kind).toBe('Validation');
    expect(err?.message).toContain('prod');
    expect(err?.message).toContain('staging');
    expect(err?.hint).toContain('--profile');
    expect(resolveProfile(ctx, 'staging').name).toBe('staging');
    expect(() => resolveProfile(ctx, 'nope')).toThrow(expect.objectContaining({ kind: 'NotFound' }));
  });
});
