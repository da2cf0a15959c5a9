import crypto from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../common/errors';

/**
 * The payload of an age v1 file (https://age-encryption.org/v1, "Payload"), decrypted with
 * node:crypto's ChaCha20-Poly1305 (OpenSSL): 5–9× faster than the pure-JS cipher of the
 * age-encryption library (restore drills wait on it), which stays in charge of the header (see
 * age-stream.ts).
 *
 * After the header come a 16-byte nonce and the STREAM chunks: 64 KiB of plaintext + a 16-byte tag
 * each, under key = HKDF-SHA256(file key, salt = nonce, info = "payload"); the ChaCha20-Poly1305
 * nonce is an 11-byte big-endian chunk counter and a last-chunk flag byte (1 only on the final
 * chunk). Nothing is emitted before its tag checked out, so a consumer never sees forged bytes; a
 * chunk is known to be the last only when the input ends after it, hence one chunk of look-ahead.
 */

export const AGE_NONCE_BYTES = 16;
const CHUNK = 64 * 1024;
const TAG = 16;
const SEALED = CHUNK + TAG;

/** The payload key for a file key and the nonce that follows the header. */
export function agePayloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', fileKey, nonce, 'payload', 32));
}

export function damagedBackupError(detail: string, cause?: unknown): AppError {
  return new AppError('Validation', `This backup file is damaged or incomplete: ${detail}`, 'Use another backup set; run `custodian backup verify` on your sets to find the good ones.', cause === undefined ? undefined : { cause });
}

/** Returns the plaintext of one sealed chunk, or null when its tag does not match. */
function open(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer | null {
  const d = crypto.createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  const plain = d.update(sealed.subarray(0, sealed.length - TAG));
  try {
    d.final();
  } catch {
    return null;
  }
  return plain;
}

/**
 * A Transform from the payload chunks (everything after the 16-byte nonce) to the plaintext. It
 * holds at most one sealed chunk (64 KiB + 16) besides what the stream machinery buffers, and
 * fails with a typed AppError ('Validation') on a wrong tag, a truncation, trailing bytes or an
 * empty final chunk after data.
 */
export class AgePayloadDecrypter extends Transform {
  private readonly key: Buffer;
  /** 11-byte big-endian counter + last-chunk flag. */
  private readonly nonce = Buffer.alloc(12);
  private readonly held = Buffer.allocUnsafe(SEALED);
  private used = 0;
  private chunks = 0;

  /** `firstCounter` is for tests of the counter's end; real files start at 0. */
  constructor(payloadKey: Uint8Array, firstCounter = 0n) {
    super();
    this.key = Buffer.from(payloadKey);
    if (firstCounter < 0n || firstCounter >= 1n << 88n) throw new RangeError('counter out of range');
    for (let i = 10, c = firstCounter; i >= 0; i--, c >>= 8n) this.nonce[i] = Number(c & 0xffn);
  }

  override _transform(data: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let at = 0;
    while (at < data.length) {
      // A full chunk followed by more input cannot be the last one: open it now.
      if (this.used === SEALED) {
        const err = this.openHeld(false);
        if (err) return cb(err);
      }
      const n = Math.min(SEALED - this.used, data.length - at);
      data.copy(this.held, this.used, at, at + n);
      this.used += n;
      at += n;
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (this.used === 0) return cb(damagedBackupError('it ends right after its header, with no encrypted content.'));
    if (this.used < TAG) return cb(damagedBackupError('its last encrypted chunk is cut short.'));
    if (this.used === TAG && this.chunks > 0) return cb(damagedBackupError('it ends with an empty chunk after the data (not a valid age file).'));
    cb(this.openHeld(true));
  }

  private openHeld(last: boolean): AppError | null {
    this.nonce[11] = last ? 1 : 0;
    const sealed = this.held.subarray(0, this.used);
    const plain = open(this.key, this.nonce, sealed);
    if (plain === null) return this.diagnose(last, sealed);
    // A middle chunk at the highest counter could have no successor: only a forged file does that.
    if (!last && !this.increment()) return damagedBackupError('it has more chunks than an age file can hold.');
    this.push(plain);
    this.used = 0;
    this.chunks++;
    return null;
  }

  /** Why a chunk did not open, in words: tries the other flag to tell a cut or a tail from damage. */
  private diagnose(last: boolean, sealed: Buffer): AppError {
    const where = `chunk ${this.chunks + 1} (around byte ${(this.chunks * SEALED).toLocaleString('en-US')} of the encrypted content)`;
    this.nonce[11] = last ? 0 : 1;
    const other = sealed.length === SEALED ? open(this.key, this.nonce, sealed) : null;
    if (other !== null && last) return damagedBackupError(`it was cut short after ${this.chunks + 1} chunks of 64 KiB (the final chunk is missing).`);
    if (other !== null) return damagedBackupError(`unexpected bytes follow the end of the encrypted content (after chunk ${this.chunks + 1}).`);
    return damagedBackupError(`${where} does not match its integrity tag: the file was changed, cut short or has bytes appended.`);
  }

  /** Increments the 11-byte counter; false when it wraps (2^88 chunks: only a forged file). */
  private increment(): boolean {
    for (let i = 10; i >= 0; i--) {
      this.nonce[i] = (this.nonce[i]! + 1) & 0xff;
      if (this.nonce[i] !== 0) return true;
    }
    return false;
  }
}
