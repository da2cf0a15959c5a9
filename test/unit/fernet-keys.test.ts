import crypto from 'node:crypto';
import { FernetKey, MultiFernet, InvalidToken, urlSafeBase64Padded } from '../../src-main/core/keys/fernet';
import { AppError } from '../../src-main/core/common/errors';

/** Threat: a mangled key accepted leniently would encrypt data nobody can later decrypt. */
const K1 = urlSafeBase64Padded(Buffer.alloc(32, 1));
const K2 = urlSafeBase64Padded(Buffer.alloc(32, 2));

function keyInvalid(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).kind).toBe('KeyInvalid');
    return e as AppError;
  }
  throw new Error('expected KeyInvalid, nothing was thrown');
}

/** A key whose standard base64 contains "+" or "/" (so its url-safe form has "-" or "_"). */
function keyWithStdChars(): { urlsafe: string; std: string } {
  for (;;) {
    const raw = crypto.randomBytes(32);
    const std = raw.toString('base64');
    if (/[+/]/.test(std)) return { urlsafe: urlSafeBase64Padded(raw), std };
  }
}

describe('malformed keys are KeyInvalid', () => {
  it('wrong length (too short, too long)', () => {
    keyInvalid(() => FernetKey.parse(K1.slice(0, 43)));
    keyInvalid(() => FernetKey.parse(urlSafeBase64Padded(Buffer.alloc(31, 1))));
    keyInvalid(() => FernetKey.parse(urlSafeBase64Padded(Buffer.alloc(33, 1))));
  });

  it('non-url-safe characters (+ and /)', () => {
    const { std } = keyWithStdChars();
    const e = keyInvalid(() => FernetKey.parse(std));
    expect(e.message).toMatch(/url-safe/);
  });

  it('trailing data after the padding', () => {
    keyInvalid(() => FernetKey.parse(K1 + 'AAAA'));
    keyInvalid(() => FernetKey.parse(K1 + 'x'));
  });

  it('whitespace inside the key', () => {
    keyInvalid(() => FernetKey.parse(K1.slice(0, 20) + ' ' + K1.slice(21)));
    keyInvalid(() => FernetKey.parse(K1.slice(0, 20) + '\n' + K1.slice(20, 43)));
  });

  it('a k1,k2 list whose second key is bad names "Key 2 of 2"', () => {
    const e = keyInvalid(() => MultiFernet.parse(`${K1},${K2.slice(0, 40)}`));
    expect(e.message).toContain('Key 2 of 2');
  });

  it('empty list entries', () => {
    keyInvalid(() => MultiFernet.parse(`${K1},`));
    keyInvalid(() => MultiFernet.parse(''));
  });

  it('never echoes the key in the error', () => {
    const bad = K1.slice(0, 43) + '+';
    const e = keyInvalid(() => FernetKey.parse(bad));
    expect(`${e.message} ${e.hint}`).not.toContain(bad.slice(0, 20));
  });

  it('accepts a good url-safe key with - or _ and surrounding whitespace', () => {
    const { urlsafe } = keyWithStdChars();
    expect(() => FernetKey.parse(`  ${urlsafe}\n`)).not.toThrow();
  });
});

describe('MultiFernet', () => {
  it('encrypts with the first key; every key decrypts', () => {
    const list = MultiFernet.parse(`${K1},${K2}`);
    const token = list.encrypt('Jane Doe');
    expect(MultiFernet.parse(K1).decrypt(token).toString()).toBe('Jane Doe');
    expect(() => MultiFernet.parse(K2).decrypt(token)).toThrow(InvalidToken);

    const old = MultiFernet.parse(K2).encrypt('older note');
    const r = list.decryptWithIndex(old);
    expect(r.plaintext.toString()).toBe('older note');
    expect(r.keyIndex).toBe(1);
  });

  it('decrypts a token stored as bytea (Buffer of its ASCII text)', () => {
    const list = MultiFernet.parse(K1);
    expect(list.decrypt(Buffer.from(list.encrypt('1990-04-01'), 'ascii')).toString()).toBe('1990-04-01');
  });

  it('rejects a tampered token (flipped ciphertext bit, flipped MAC bit)', () => {
    const list = MultiFernet.parse(K1);
    const raw = Buffer.from(list.encrypt('secret note'), 'base64url');
    for (const at of [30, raw.length - 1]) {
      const t = Buffer.from(raw);
      t[at]! ^= 0x01;
      expect(() => list.decrypt(urlSafeBase64Padded(t))).toThrow(InvalidToken);
    }
  });

  it('rejects a token that is not a Fernet token at all', () => {
    expect(() => MultiFernet.parse(K1).decrypt('not a token')).toThrow(InvalidToken);
  });
});
