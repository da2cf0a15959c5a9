import crypto from 'node:crypto';
import { FernetKey, MultiFernet, decodeUrlSafeBase64Strict } from './fernet';

/**
 * Fingerprints name a key (or an ordered key list) in custody records, backup labels and the UI
 * without revealing it: a SHA-256 digest, shortened to 64 bits and shown as "ab12-cd34-ef56-7890".
 * 64 bits are enough to tell a deployment's handful of keys apart; a digest cannot be reversed.
 */

function rawKeyBytes(keyText: string, label?: string): Buffer {
  FernetKey.parse(keyText, label); // validates strictly (throws KeyInvalid) before we hash anything
  return decodeUrlSafeBase64Strict(keyText.trim())!;
}

function keyDigest(keyText: string, label?: string): Buffer {
  return crypto.createHash('sha256').update(rawKeyBytes(keyText, label)).digest();
}

export function formatFingerprint(digest: Buffer): string {
  const hex = digest.subarray(0, 8).toString('hex');
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}`;
}

/** Fingerprint of one Fernet key: SHA-256 over its 32 raw bytes. */
export function keyFingerprint(keyText: string): string {
  return formatFingerprint(keyDigest(keyText));
}

/** Splits a list the way MultiFernet.parse does (after validating it the same strict way). */
export function splitKeyList(listText: string): string[] {
  MultiFernet.parse(listText);
  return listText
    .trim()
    .split(',')
    .map((k) => k.trim());
}

/**
 * Fingerprint of an ordered key list: SHA-256 over the concatenated full SHA-256 digests of its
 * keys. Order matters (the first key encrypts), so a reordered list is a different list.
 */
export function keyListFingerprint(listText: string): string {
  const keys = splitKeyList(listText);
  const h = crypto.createHash('sha256');
  keys.forEach((k, i) => h.update(keyDigest(k, `Key ${i + 1} of ${keys.length}`)));
  return formatFingerprint(h.digest());
}
