import fs from 'node:fs';
import crypto from 'node:crypto';
import { AsyncEntry } from '@napi-rs/keyring';
import { AppError } from '../common/errors';
import type { KeyVault } from './vault';

/**
 * The production KeyVault: the OS keychain through @napi-rs/keyring (Windows Credential Manager,
 * macOS Keychain, Secret Service on Linux).
 *
 * Why the probe: on Linux the library silently answers "nothing stored" to a read when no Secret
 * Service is reachable, which would look exactly like a lost key. So before the first read or write
 * we prove the keychain works with a throwaway entry, and refuse (KeychainUnavailable) otherwise.
 */

const PROBE_ACCOUNT = '__custodian_probe__';

export function keychainServiceName(env: NodeJS.ProcessEnv): string {
  return env.CUSTODIAN_KEYCHAIN_SERVICE?.trim() || 'Custodian';
}

function backendName(platform: NodeJS.Platform): string {
  if (platform === 'win32') return 'Windows Credential Manager';
  if (platform === 'darwin') return 'macOS Keychain';
  return 'Secret Service';
}

const LINUX_HOW =
  'Custodian keeps keys in the desktop keychain. Log into a desktop session (GNOME or KDE), make sure GNOME Keyring (package gnome-keyring) or KWallet is installed and running, then try again.';
const UNLOCK_HOW = 'Unlock your keychain (log out and back in, or open your keyring manager and unlock the "login" keyring), then try again.';

/** The library's error text without its Rust backtrace; it names the store, never the secret. */
function libraryReason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]!.replace(/^Couldn't access platform storage:\s*/, '').trim() || 'unknown error';
}

function looksLocked(reason: string): boolean {
  return /locked|prompt|dismiss|interaction is not allowed|user canceled|cancelled/i.test(reason);
}

/** Maps a library failure to KeychainUnavailable with the fix; `what` says which operation failed. */
export function keychainError(e: unknown, what: string, platform: NodeJS.Platform = process.platform): AppError {
  const reason = libraryReason(e);
  if (looksLocked(reason)) {
    return new AppError('KeychainUnavailable', `The keychain is locked, so Custodian could not ${what} (${reason}).`, UNLOCK_HOW);
  }
  if (platform === 'linux' && /no result found|object does not exist/i.test(reason)) {
    return new AppError(
      'KeychainUnavailable',
      `The Secret Service has no default keyring, so Custodian could not ${what}.`,
      'Open your keyring manager (Seahorse "Passwords and Keys", or KWallet) and create or unlock a default "login" keyring, or log into a desktop session; then try again.',
    );
  }
  const hint = platform === 'linux' ? LINUX_HOW : UNLOCK_HOW;
  return new AppError('KeychainUnavailable', `The OS keychain did not work, so Custodian could not ${what} (${reason}).`, hint);
}

/** On Linux, a session bus whose socket files are all missing cannot host a Secret Service. */
function busLooksReachable(address: string): boolean {
  const paths = address
    .split(';')
    .map((a) => /(?:^|[,:])path=([^,]+)/.exec(a)?.[1])
    .filter((p): p is string => !!p);
  if (paths.length === 0) return true; // abstract sockets / tcp: only the probe can tell
  return paths.some((p) => {
    try {
      return fs.statSync(decodeURIComponent(p)).isSocket();
    } catch {
      return false;
    }
  });
}

export function createKeyringVault(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): KeyVault {
  const service = keychainServiceName(env);
  let ready: Promise<void> | null = null;

  const entry = (account: string) => new AsyncEntry(service, account);

  async function probe(): Promise<void> {
    if (platform === 'linux') {
      const bus = env.DBUS_SESSION_BUS_ADDRESS;
      if (!bus || !busLooksReachable(bus)) {
        throw new AppError('KeychainUnavailable', 'No Secret Service is reachable (there is no desktop session bus), so keys could not be stored safely.', LINUX_HOW);
      }
    }
    const value = crypto.randomBytes(16).toString('hex');
    const e = entry(PROBE_ACCOUNT);
    try {
      await e.setPassword(value);
    } catch (err) {
      throw keychainError(err, 'store a test entry', platform);
    }
    let readBack: string | null | undefined;
    try {
      readBack = await e.getPassword();
    } catch (err) {
      throw keychainError(err, 'read a test entry back', platform);
    } finally {
      await e.deleteCredential().catch(() => false);
    }
    if (readBack !== value) {
      throw new AppError('KeychainUnavailable', 'The keychain accepted a test entry but did not give it back, so it would not keep keys.', platform === 'linux' ? LINUX_HOW : UNLOCK_HOW);
    }
  }

  const vault: KeyVault = {
    backend: backendName(platform),
    assertAvailable() {
      // Success is cached for the life of the vault; a failure is retried next time (the user may fix it).
      ready ??= probe().catch((e) => {
        ready = null;
        throw e;
      });
      return ready;
    },
    async get(account) {
      await vault.assertAvailable();
      try {
        return (await entry(account).getPassword()) ?? null;
      } catch (e) {
        throw keychainError(e, 'read from the keychain', platform);
      }
    },
    async set(account, secret) {
      await vault.assertAvailable();
      try {
        await entry(account).setPassword(secret);
      } catch (e) {
        throw keychainError(e, 'save to the keychain', platform);
      }
    },
    async delete(account) {
      await vault.assertAvailable();
      try {
        return await entry(account).deleteCredential();
      } catch (e) {
        throw keychainError(e, 'delete from the keychain', platform);
      }
    },
  };
  return vault;
}
