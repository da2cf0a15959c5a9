import crypto from 'node:crypto';
import { AppError } from '../common/errors';

/**
 * Fernet (https://github.com/fernet/spec) on node:crypto, strict about its inputs:
 * keys and tokens are url-safe base64 with `=` padding, nothing else (no standard-alphabet
 * characters, no whitespace, no trailing data). KoNote stores the token's ASCII text in bytea.
 */

const VERSION = 0x80;
const HEADER = 1 + 8 + 16; // version | timestamp | iv
const MAC = 32;
const STRICT_URLSAFE_B64 = /^[A-Za-z0-9_-]*={0,2}$/;

/** Decodes url-safe base64 strictly; returns null on any deviation (so callers choose the error). */
export function decodeUrlSafeBase64Strict(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !STRICT_URLSAFE_B64.test(text)) return null;
  const buf = Buffer.from(text, 'base64url');
  // Round-trip check rejects non-canonical encodings (e.g. stray bits in the last character).
  if (buf.toString('base64url') !== text.replace(/=+$/, '')) return null;
  return buf;
}

export class FernetKey {
  readonly signingKey: Buffer;
  readonly encryptionKey: Buffer;

  private constructor(raw: Buffer) {
    this.signingKey = raw.subarray(0, 16);
    this.encryptionKey = raw.subarray(16, 32);
  }

  /** Parses one 44-character key; throws KeyInvalid with the fix, never echoing the key itself. */
  static parse(text: string, label = 'The key'): FernetKey {
    const trimmed = text.trim();
    if (trimmed.length !== 44) {
      throw new AppError(
        'KeyInvalid',
        `${label} is ${trimmed.length} characters long; a Fernet key is exactly 44.`,
        'Copy the whole FIELD_ENCRYPTION_KEY value again, including the trailing "=".',
      );
    }
    const raw = decodeUrlSafeBase64Strict(trimmed);
    if (!raw || raw.length !== 32) {
      throw new AppError(
        'KeyInvalid',
        `${label} is not url-safe base64 (only A–Z, a–z, 0–9, "-", "_" and a final "=" are allowed).`,
        'Check that nothing was changed when copying: "+" and "/" are not used in Fernet keys.',
      );
    }
    return new FernetKey(raw);
  }

  static generate(): string {
    return urlSafeBase64Padded(crypto.randomBytes(32));
  }

  /** Encrypts and returns the token's ASCII text. `iv`/`now` are injectable for the spec vectors. */
  encrypt(plaintext: Buffer | string, opts: { iv?: Buffer; now?: number } = {}): string {
    const iv = opts.iv ?? crypto.randomBytes(16);
    const seconds = BigInt(Math.floor((opts.now ?? Date.now()) / 1000));
    const header = Buffer.alloc(HEADER);
    header[0] = VERSION;
    header.writeBigUInt64BE(seconds, 1);
    iv.copy(header, 9);
    const cipher = crypto.createCipheriv('aes-128-cbc', this.encryptionKey, iv);
    const body = Buffer.concat([header, cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
    const mac = crypto.createHmac('sha256', this.signingKey).update(body).digest();
    return urlSafeBase64Padded(Buffer.concat([body, mac]));
  }

  /** Returns the plaintext, or null when this key cannot open the token (wrong key or tampered). */
  tryDecrypt(decoded: Buffer, ttlSeconds?: number, now?: number): Buffer | null {
    const body = decoded.subarray(0, decoded.length - MAC);
    const mac = decoded.subarray(decoded.length - MAC);
    const expected = crypto.createHmac('sha256', this.signingKey).update(body).digest();
    if (!crypto.timingSafeEqual(mac, expected)) return null;
    if (ttlSeconds !== undefined) {
      const ts = Number(decoded.readBigUInt64BE(1));
      const nowS = Math.floor((now ?? Date.now()) / 1000);
      if (ts + ttlSeconds < nowS || ts > nowS + 60) return null;
    }
    try {
      const decipher = crypto.createDecipheriv('aes-128-cbc', this.encryptionKey, decoded.subarray(9, 25));
      return Buffer.concat([decipher.update(decoded.subarray(HEADER, decoded.length - MAC)), decipher.final()]);
    } catch {
      return null; // bad padding after a valid MAC cannot happen with honest tokens
    }
  }
}

/** Fernet's encoding: url-safe alphabet, with `=` padding (Node's base64url drops the padding). */
export function urlSafeBase64Padded(buf: Buffer): string {
  return buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Checks a token's shape (encoding, version, length) and returns its bytes, or null. */
export function decodeToken(token: Buffer | string): Buffer | null {
  const text = typeof token === 'string' ? token : token.toString('latin1');
  const decoded = decodeUrlSafeBase64Strict(text);
  if (!decoded) return null;
  if (decoded.length < HEADER + 16 + MAC || (decoded.length - HEADER - MAC) % 16 !== 0) return null;
  if (decoded[0] !== VERSION) return null;
  return decoded;
}

export class InvalidToken extends Error {
  constructor(message = 'This value could not be decrypted with any key in the list.') {
    super(message);
    this.name = 'InvalidToken';
  }
}

/**
 * MultiFernet as KoNote configures it: `k1,k2,...`; the first key encrypts, every key is tried in
 * order to decrypt. Parsing is strict for every key in the list (KoNote's own check only passes
 * `k1,k2` by accident of lenient decoding).
 */
export class MultiFernet {
  readonly keys: FernetKey[];

  constructor(keys: FernetKey[]) {
    if (keys.length === 0) throw new AppError('KeyInvalid', 'The key list is empty.', 'Enter at least one Fernet key.');
    this.keys = keys;
  }

  static parse(list: string): MultiFernet {
    const parts = list.trim().split(',');
    return new MultiFernet(parts.map((p, i) => FernetKey.parse(p, parts.length > 1 ? `Key ${i + 1} of ${parts.length}` : 'The key')));
  }

  encrypt(plaintext: Buffer | string): string {
    return this.keys[0]!.encrypt(plaintext);
  }

  /** Decrypts with the first key that opens the token; also reports which key (0 = primary). */
  decryptWithIndex(token: Buffer | string, ttlSeconds?: number, now?: number): { plaintext: Buffer; keyIndex: number } {
    const decoded = decodeToken(token);
    if (!decoded) throw new InvalidToken('This value is not a Fernet token.');
    for (let i = 0; i < this.keys.length; i++) {
      const out = this.keys[i]!.tryDecrypt(decoded, ttlSeconds, now);
      if (out) return { plaintext: out, keyIndex: i };
    }
    throw new InvalidToken();
  }

  decrypt(token: Buffer | string, ttlSeconds?: number, now?: number): Buffer {
    return this.decryptWithIndex(token, ttlSeconds, now).plaintext;
  }
}
