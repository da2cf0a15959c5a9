import type { KeyCustody, KeyFact } from '../../contract/keys';
import type { CoreContext } from '../context';
import { AppError } from '../common/errors';
import { FernetKey, MultiFernet } from './fernet';
import { keyFingerprint, keyListFingerprint } from './fingerprint';
import { custodyFor, deleteCustody, readKeyListRecord, recordKeyList } from './custody';
import { vaultAccounts } from './vault';

/**
 * Key custody operations: import, generate, load, forget. The order of every write is fixed:
 * validate everything first (nothing written on bad input), check the keychain works, then the
 * keychain entry, then the custody record — so a custody record never claims a key the keychain
 * was not given.
 */

export interface ImportOptions {
  source: KeyFact['source'];
  replace?: boolean;
}

interface ParsedList {
  canonical: string;
  list: MultiFernet;
  fingerprints: string[];
  listFingerprint: string;
}

/** Strict parse plus the facts we record; rejects a key that appears twice. */
function parseKeyList(listText: string): ParsedList {
  const list = MultiFernet.parse(listText); // throws KeyInvalid naming "Key 2 of 2" etc.
  const parts = listText.trim().split(',').map((k) => k.trim());
  const fingerprints = parts.map(keyFingerprint);
  const seen = fingerprints.findIndex((fp, i) => fingerprints.indexOf(fp) !== i);
  if (seen >= 0) {
    const first = fingerprints.indexOf(fingerprints[seen]!);
    throw new AppError('KeyInvalid', `Key ${seen + 1} of ${parts.length} is the same as key ${first + 1}.`, 'List each key once, the encrypting (newest) key first.');
  }
  const canonical = parts.join(',');
  return { canonical, list, fingerprints, listFingerprint: keyListFingerprint(canonical) };
}

export async function importKeyList(ctx: CoreContext, profile: string, listText: string, options: ImportOptions): Promise<KeyCustody> {
  const parsed = parseKeyList(listText);
  await ctx.vault.assertAvailable();
  const account = vaultAccounts.fernetKeys(profile);
  const record = readKeyListRecord(ctx.log, profile);
  const stored = await ctx.vault.get(account);
  const storedFp = stored === null ? null : safeListFingerprint(stored);

  // Putting back the very list custody already records (e.g. recovery from escrow) is always safe.
  const restoringSameList = record?.listFingerprint === parsed.listFingerprint && (stored === null || storedFp === parsed.listFingerprint);
  if (!restoringSameList && (record || stored !== null) && !options.replace) {
    throw new AppError(
      'Conflict',
      `Profile "${profile}" already has a key list (fingerprint ${record?.listFingerprint ?? storedFp ?? 'unknown'}).`,
      'To change keys without losing data, use key rotation, which re-encrypts the database. Use --replace only if you are sure the new list is the one the database is encrypted with.',
    );
  }
  await ctx.vault.set(account, parsed.canonical);
  recordKeyList(ctx.log, profile, parsed, options.source);
  return custodyFor(ctx, profile);
}

export async function generateKey(ctx: CoreContext, profile: string): Promise<KeyCustody> {
  await ctx.vault.assertAvailable();
  const existing = readKeyListRecord(ctx.log, profile) ?? (await ctx.vault.get(vaultAccounts.fernetKeys(profile)));
  if (existing) {
    throw new AppError(
      'Conflict',
      `Profile "${profile}" already has a key list; a new key would make its data unreadable.`,
      'To replace a key, use key rotation, which re-encrypts the database with the new key.',
    );
  }
  return importKeyList(ctx, profile, FernetKey.generate(), { source: 'generated' });
}

/** Loads the key list for use; never invents a key when the keychain has lost it. */
export async function loadKeyList(ctx: CoreContext, profile: string): Promise<MultiFernet> {
  const stored = await ctx.vault.get(vaultAccounts.fernetKeys(profile));
  const record = readKeyListRecord(ctx.log, profile);
  if (stored === null) {
    if (record) {
      throw new AppError(
        'KeyMissing',
        `The keychain no longer holds the key list for "${profile}" (custody record ${record.listFingerprint}).`,
        'Recover it from your escrow copy (key file, printed sheet or shares) with `custodian key import` or the Keys page. Never generate a new key: data encrypted with the old one would be lost.',
      );
    }
    throw new AppError('KeyMissing', `No encryption key is set up for "${profile}".`, "Import the deployment's FIELD_ENCRYPTION_KEY with `custodian key import`, or generate one for a new deployment with `custodian key generate`.");
  }
  let list: MultiFernet;
  try {
    list = MultiFernet.parse(stored);
  } catch {
    throw new AppError('KeyMismatch', `The keychain entry for "${profile}" is damaged: it is not a valid key list.`, 'Import the key list again from your escrow copy with `custodian key import --replace`.');
  }
  if (record && keyListFingerprint(stored) !== record.listFingerprint) {
    throw new AppError(
      'KeyMismatch',
      `The keychain holds a different key list (${keyListFingerprint(stored)}) from the one recorded for "${profile}" (${record.listFingerprint}).`,
      'Someone changed the keychain entry outside Custodian. Import the recorded list from your escrow copy with `custodian key import --replace`, or check which list the database really uses with `custodian key verify`.',
    );
  }
  return list;
}

/** Forgets a profile's keys entirely. Only `sandbox down` uses this (throwaway practice keys). */
export async function forgetKeys(ctx: CoreContext, profile: string): Promise<void> {
  await ctx.vault.delete(vaultAccounts.fernetKeys(profile));
  await ctx.vault.delete(vaultAccounts.retiredFernetKeys(profile));
  deleteCustody(ctx.log, profile);
}

/**
 * Keeps keys a rotation drops in a separate keychain entry: backups taken before the rotation
 * still hold data (and tenant_keys tokens) under them, so "retired" must not mean "gone".
 */
export async function retainRetiredKeys(ctx: CoreContext, profile: string, keys: string[]): Promise<number> {
  const account = vaultAccounts.retiredFernetKeys(profile);
  const stored = await ctx.vault.get(account);
  const all = [...(stored ? stored.split(',').map((k) => k.trim()).filter(Boolean) : []), ...keys.map((k) => k.trim())];
  const unique = [...new Map(all.map((k) => [keyFingerprint(k), k])).values()];
  if (unique.length === 0) return 0;
  await ctx.vault.set(account, unique.join(','));
  return unique.length;
}

/** Retired keys still held (for opening old backups); empty when none were kept. */
export async function loadRetiredKeys(ctx: CoreContext, profile: string): Promise<string[]> {
  const stored = await ctx.vault.get(vaultAccounts.retiredFernetKeys(profile));
  return stored ? stored.split(',').map((k) => k.trim()).filter(Boolean) : [];
}

function safeListFingerprint(text: string): string | null {
  try {
    return keyListFingerprint(text);
  } catch {
    return null;
  }
}

/**
 * Decrypts a sample of real rows (see key-verify.ts). Loaded lazily so this module, and its unit
 * tests, do not pull in the PostgreSQL client.
 */
export async function verifyKeys(...args: Parameters<typeof import('./key-verify').verifyKeys>): ReturnType<typeof import('./key-verify').verifyKeys> {
  const { verifyKeys: run } = await import('./key-verify');
  return run(...args);
}
