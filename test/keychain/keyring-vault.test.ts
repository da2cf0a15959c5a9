import crypto from 'node:crypto';
import { createKeyringVault } from '../../src-main/core/keys/keyring-vault';
import { AppError } from '../../src-main/core/common/errors';

/**
 * The real OS keychain adapter against a real Secret Service (run under dbus-run-session with an
 * unlocked gnome-keyring-daemon; scripts/run-tests.mjs sets that up). Each run uses its own service
 * name so it never touches a real "Custodian" entry.
 */
const service = `Custodian-test-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
const env: NodeJS.ProcessEnv = { ...process.env, CUSTODIAN_KEYCHAIN_SERVICE: service };
const accounts: string[] = [];

function account(name: string): string {
  const a = `${name}-${crypto.randomBytes(4).toString('hex')}`;
  accounts.push(a);
  return a;
}

afterAll(async () => {
  const vault = createKeyringVault(env);
  for (const a of accounts) await vault.delete(a).catch(() => false);
});

describe('keyring vault (Secret Service)', () => {
  it('needs a session bus (the test must run under dbus-run-session)', () => {
    expect(process.env.DBUS_SESSION_BUS_ADDRESS, 'run under dbus-run-session with an unlocked gnome-keyring-daemon').toBeTruthy();
  });

  it('is available, and set / get / delete round-trip', async () => {
    const vault = createKeyringVault(env);
    await vault.assertAvailable();
    expect(vault.backend).toBe('Secret Service');
    const a = account('roundtrip');
    const secret = `${crypto.randomBytes(32).toString('base64url')}=,x`;
    expect(await vault.get(a)).toBeNull();
    await vault.set(a, secret);
    expect(await vault.get(a)).toBe(secret);
    await vault.set(a, 'second value');
    expect(await vault.get(a)).toBe('second value');
    expect(await vault.delete(a)).toBe(true);
    expect(await vault.get(a)).toBeNull();
    expect(await vault.delete(a)).toBe(false);
  });

  it('a second vault instance reads what the first wrote (persisted by the keychain, not in memory)', async () => {
    const a = account('persist');
    await createKeyringVault(env).set(a, 'kept by the keychain');
    const other = createKeyringVault({ ...env });
    expect(await other.get(a)).toBe('kept by the keychain');
    // and a different service name does not see it
    expect(await createKeyringVault({ ...env, CUSTODIAN_KEYCHAIN_SERVICE: `${service}-other` }).get(a)).toBeNull();
  });

  it('leaves no probe entry behind', async () => {
    const { findCredentialsAsync } = await import('@napi-rs/keyring');
    const vault = createKeyringVault({ ...env, CUSTODIAN_KEYCHAIN_SERVICE: `${service}-probe` });
    await vault.assertAvailable();
    expect(await findCredentialsAsync(`${service}-probe`)).toEqual([]);
  });

  describe('without a reachable Secret Service', () => {
    const saved = process.env.DBUS_SESSION_BUS_ADDRESS;
    const nowhere = `unix:path=/nonexistent/custodian-test/bus-${process.pid}`;
    beforeEach(() => {
      process.env.DBUS_SESSION_BUS_ADDRESS = nowhere; // in case the library reads process.env itself
    });
    afterEach(() => {
      process.env.DBUS_SESSION_BUS_ADDRESS = saved;
    });

    async function expectUnavailable(p: Promise<unknown>): Promise<AppError> {
      const e = await p.then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).kind).toBe('KeychainUnavailable');
      expect((e as AppError).hint).toMatch(/GNOME Keyring|KWallet/);
      return e as AppError;
    }

    it('refuses when the bus address points nowhere, and nothing is written', async () => {
      const vault = createKeyringVault({ ...env, DBUS_SESSION_BUS_ADDRESS: nowhere });
      const a = account('nobus');
      await expectUnavailable(vault.assertAvailable());
      const e = await expectUnavailable(vault.set(a, 'TOP-SECRET-VALUE'));
      expect(e.message).not.toContain('TOP-SECRET-VALUE');
      // get must not answer "nothing stored" (that would look like a lost key): it refuses.
      await expectUnavailable(vault.get(a));
      process.env.DBUS_SESSION_BUS_ADDRESS = saved;
      expect(await createKeyringVault(env).get(a)).toBeNull();
    });

    it('refuses when there is no session bus at all', async () => {
      const noBus = { ...env };
      delete noBus.DBUS_SESSION_BUS_ADDRESS;
      await expectUnavailable(createKeyringVault(noBus).assertAvailable());
    });
  });
});
