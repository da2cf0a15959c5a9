import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../common/errors';

/**
 * Haven's `.enc` layout (haven-reference.md), all integers big-endian:
 *   u32 IV length (12) | 12-byte data IV | u32 wrapped-DEK length (60) |
 *   60-byte wrapped DEK = 12-byte wrap IV ‖ AES-GCM(master, DEK) 32 bytes ‖ 16-byte tag |
 *   body = AES-256-GCM(DEK, data IV, plaintext) ‖ 16-byte tag.
 * No magic, version, key id or AAD; file size = plaintext size + 96.
 */

export const IV_LEN = 12;
export const WRAPPED_LEN = 60;
export const TAG_LEN = 16;
export const HEADER_LEN = 4 + IV_LEN + 4 + WRAPPED_LEN;
export const OVERHEAD = HEADER_LEN + TAG_LEN;

export interface EncHeader {
  dataIv: Buffer;
  wrapped: Buffer;
}

export function damaged(file: string, what: string): AppError {
  return new AppError('Validation', `${file} is not a complete Haven bundle: ${what}.`, 'Download the bundle again from Haven; a truncated or altered file cannot be repaired. Nothing was written.');
}

/** Checks the fixed-size header; throws a Validation error naming what is wrong. */
export function parseHeader(file: string, head: Buffer, size: number): EncHeader {
  if (size < OVERHEAD) throw damaged(file, `it is ${size} bytes, shorter than the ${OVERHEAD} bytes every bundle has (truncated?)`);
  const ivLen = head.readUInt32BE(0);
  if (ivLen !== IV_LEN) throw damaged(file, `its IV length field says ${ivLen}, Haven always writes ${IV_LEN} (not a Haven .enc file?)`);
  const wrappedLen = head.readUInt32BE(4 + IV_LEN);
  if (wrappedLen !== WRAPPED_LEN) throw damaged(file, `its wrapped-key length field says ${wrappedLen}, Haven always writes ${WRAPPED_LEN}`);
  return { dataIv: head.subarray(4, 4 + IV_LEN), wrapped: head.subarray(8 + IV_LEN, HEADER_LEN) };
}

export function buildHeader(dataIv: Buffer, wrapped: Buffer): Buffer {
  const h = Buffer.alloc(HEADER_LEN);
  h.writeUInt32BE(IV_LEN, 0);
  dataIv.copy(h, 4);
  h.writeUInt32BE(WRAPPED_LEN, 4 + IV_LEN);
  wrapped.copy(h, 8 + IV_LEN);
  return h;
}

/** The GCM cipher for a master key of 16, 24 or 32 bytes (Haven accepts a short key silently). */
export const masterCipher = (key: Buffer) => `aes-${key.length * 8}-gcm` as 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm';

/** The DEK, or null when this master key does not open the wrapped key (wrong key or altered header). */
export function unwrapDek(master: Buffer, wrapped: Buffer): Buffer | null {
  const d = createDecipheriv(masterCipher(master), master, wrapped.subarray(0, IV_LEN));
  d.setAuthTag(wrapped.subarray(IV_LEN + 32));
  try {
    const dek = Buffer.concat([d.update(wrapped.subarray(IV_LEN, IV_LEN + 32)), d.final()]);
    return dek.length === 32 ? dek : null;
  } catch {
    return null;
  }
}

export function wrapDek(master: Buffer, dek: Buffer, iv: Buffer = randomBytes(IV_LEN)): Buffer {
  const c = createCipheriv(masterCipher(master), master, iv);
  const ct = Buffer.concat([c.update(dek), c.final()]);
  return Buffer.concat([iv, ct, c.getAuthTag()]);
}

/** Tries each key in order; returns the DEK and which key opened it. */
export function unwrapWithAny(keys: Buffer[], wrapped: Buffer): { dek: Buffer; index: number } | null {
  for (let i = 0; i < keys.length; i++) {
    const dek = unwrapDek(keys[i]!, wrapped);
    if (dek) return { dek, index: i };
  }
  return null;
}

export function wrongKey(file: string): AppError {
  return new AppError(
    'KeyMismatch',
    `No Haven master key in the keychain opens the data key of ${file}.`,
    'Either the bundle was made under another master key (import it with `custodian haven key set`; the previous key stays available), or its header was altered. Nothing was written.',
  );
}
