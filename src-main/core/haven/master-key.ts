import { createHash } from 'node:crypto';
import type { CoreContext } from '../context';
import type { HavenKeyStatus, HavenKeyWarning } from '../../contract/haven';
import { AppError } from '../common/errors';

/**
 * Haven's KMS master key (`KMS_MASTER_KEY_HEX`) in the OS keychain, never anywhere else. The
 * previous keys are kept (with the date they were replaced) because SOP-005 keeps the old key for
 * 30 days and bundles not yet re-wrapped still need it.
 */

export const HAVEN_VAULT_ACCOUNT = 'haven:master-keys';

interface Stored {
  current: string;
  previous: Array<{ key: string; retiredAt: string }>;
}

export function parseMasterKeyHex(text: string): Buffer {
  const hex = text.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]*$/.test(hex) || ![32, 48, 64].includes(hex.length)) {
    throw new AppError('KeyInvalid', `A Haven master key is 64 hexadecimal characters (got ${hex.length} characters${/^[0-9a-fA-F]*$/.test(hex) ? '' : ', not all hexadecimal'}).`, 'Copy haven.kms.master-key (KMS_MASTER_KEY_HEX) exactly from Haven’s configuration.');
  }
  return Buffer.from(hex, 'hex');
}

/**
 * What the user pasted: the bare hex, or a `KMS_MASTER_KEY_HEX=...` line copied from Haven's
 * environment file (the CLI and the app's form accept both).
 */
export function extractMasterKeyHex(text: string): string {
  return (/KMS_MASTER_KEY_HEX\s*=\s*["']?([0-9a-fA-Fx]+)/.exec(text)?.[1] ?? text).trim();
}

/** Weaknesses as codes, so the app can word them in the user's language. */
export function keyWarningCodes(key: Buffer): HavenKeyWarning[] {
  const codes: HavenKeyWarning[] = [];
  if (key.every((b) => b === 0)) codes.push('all-zero');
  if (key.length === 16) codes.push('aes-128');
  if (key.length === 24) codes.push('aes-192');
  return codes;
}

/** Haven ships 64 zeros as its default and silently accepts a 32-hex (AES-128) key. */
export function keyWarnings(key: Buffer): string[] {
  const w: string[] = [];
  if (key.every((b) => b === 0)) w.push('This master key is all zeros — Haven’s shipped default. Anyone with Haven’s source can decrypt these bundles: set a random 64-hex key in Haven and re-wrap (SOP-005).');
  if (key.length === 16) w.push('This master key is 16 bytes (AES-128). Haven accepts it silently, but its design calls for a 32-byte (64-hex) key: rotate to a 64-hex key and re-wrap.');
  if (key.length === 24) w.push('This master key is 24 bytes (AES-192), not the 32 bytes (64 hex) Haven’s design calls for.');
  return w;
}

export const keyFingerprint = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 16);

async function readStored(ctx: CoreContext): Promise<Stored | null> {
  const raw = await ctx.vault.get(HAVEN_VAULT_ACCOUNT);
  if (raw === null) return null;
  try {
    const s = JSON.parse(raw) as Stored;
    parseMasterKeyHex(s.current);
    return { current: s.current, previous: Array.isArray(s.previous) ? s.previous : [] };
  } catch {
    throw new AppError('KeyMismatch', 'The Haven master key entry in the keychain is damaged.', 'Set it again with `custodian haven key set` (the key from Haven’s configuration, on standard input).');
  }
}

/** Current key first, then previous keys newest first: the order every decrypt tries them in. */
export async function loadHavenKeys(ctx: CoreContext): Promise<{ keys: Buffer[]; warnings: string[] }> {
  const s = await readStored(ctx);
  if (!s) throw new AppError('KeyMissing', 'No Haven master key is in the keychain.', 'Store it first: `custodian haven key set` and paste KMS_MASTER_KEY_HEX on standard input (never on the command line).');
  const current = Buffer.from(s.current, 'hex');
  return { keys: [current, ...s.previous.map((p) => Buffer.from(p.key, 'hex'))], warnings: keyWarnings(current) };
}

/** Stores a new current key; the one it replaces becomes "previous" (still used to decrypt). */
export async function setHavenKey(ctx: CoreContext, hex: string): Promise<HavenKeyStatus> {
  const key = parseMasterKeyHex(hex);
  await ctx.vault.assertAvailable();
  const s = await readStored(ctx);
  const normalized = key.toString('hex');
  let next: Stored;
  if (!s) next = { current: normalized, previous: [] };
  else if (s.current === normalized) next = s;
  else next = { current: normalized, previous: [{ key: s.current, retiredAt: new Date().toISOString() }, ...s.previous.filter((p) => p.key !== normalized)] };
  await ctx.vault.set(HAVEN_VAULT_ACCOUNT, JSON.stringify(next));
  return havenKeyStatus(ctx);
}

export async function havenKeyStatus(ctx: CoreContext): Promise<HavenKeyStatus> {
  const s = await readStored(ctx);
  if (!s) return { present: false, fingerprint: null, bits: null, previous: [], warnings: [], warningCodes: [] };
  const cur = Buffer.from(s.current, 'hex');
  return { present: true, fingerprint: keyFingerprint(cur), bits: cur.length * 8, previous: s.previous.map((p) => ({ fingerprint: keyFingerprint(Buffer.from(p.key, 'hex')), retiredAt: p.retiredAt })), warnings: keyWarnings(cur), warningCodes: keyWarningCodes(cur) };
}

/** Forgets previous keys older than `days` (SOP-005 keeps them 30 days). */
export async function dropPreviousHavenKeys(ctx: CoreContext, olderThanDays: number): Promise<HavenKeyStatus> {
  const s = await readStored(ctx);
  if (s) {
    const limit = Date.now() - olderThanDays * 86_400_000;
    await ctx.vault.set(HAVEN_VAULT_ACCOUNT, JSON.stringify({ ...s, previous: s.previous.filter((p) => new Date(p.retiredAt).getTime() > limit) }));
  }
  return havenKeyStatus(ctx);
}
