import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FernetKey, MultiFernet, InvalidToken, decodeUrlSafeBase64Strict, urlSafeBase64Padded } from '../../src-main/core/keys/fernet';
import { decodeBase64UrlInto, decryptBatch, encryptBatch, openBatch, sealBatch, type TokenInput } from '../../src-main/core/keys/fernet-batch';
import { HmacSha256Key } from '../../src-main/core/keys/hmac-sha256';

/**
 * The batch Fernet path (rotation, dry run, verification, drill decrypt check) must give exactly
 * the single-value answers: the spec vectors, thousands of random values at every block edge,
 * multi-key lists, tampering, bad padding under a valid MAC, wrong keys and non-tokens.
 */
const vectorDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/test-vectors/fernet');
const load = <T>(name: string): T[] => JSON.parse(fs.readFileSync(path.join(vectorDir, name), 'utf8')) as T[];

/** What MultiFernet says about a value: the key index, the plaintext, or -1. */
function single(list: MultiFernet, t: TokenInput, ttl?: number, now?: number): { k: number; p: string | null } {
  try {
    const r = list.decryptWithIndex(t ?? '', ttl, now);
    return { k: r.keyIndex, p: r.plaintext.toString('hex') };
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidToken);
    return { k: -1, p: null };
  }
}

function batch(list: MultiFernet, tokens: TokenInput[], ttl?: number, now?: number): { k: number; p: string | null }[] {
  const r = decryptBatch(list, tokens, { ttlSeconds: ttl, now });
  const lastOnly = openBatch(list, tokens, { ttlSeconds: ttl, now, plaintexts: false });
  expect(Array.from(lastOnly.keyIndex)).toEqual(Array.from(r.keyIndex)); // the cheap counting mode agrees
  return Array.from(r.keyIndex, (k, i) => ({ k, p: r.plaintexts[i]?.toString('hex') ?? null }));
}

/** A two-block token with the given last plaintext block, validly MACed (needs the key to forge). */
function lastBlockToken(key: FernetKey, last: Buffer): string {
  const iv = crypto.randomBytes(16);
  const c = crypto.createCipheriv('aes-128-cbc', key.encryptionKey, iv).setAutoPadding(false);
  const body = Buffer.concat([Buffer.from([0x80]), Buffer.alloc(8, 1), iv, c.update(Buffer.concat([Buffer.alloc(16, 7), last])), c.final()]);
  return urlSafeBase64Padded(Buffer.concat([body, crypto.createHmac('sha256', key.signingKey).update(body).digest()]));
}
const block = (...tail: number[]) => Buffer.concat([Buffer.alloc(16 - tail.length, 7), Buffer.from(tail)]);

describe('fernet spec vectors through the batch API', () => {
  const generate = load<{ token: string; now: string; iv: number[]; src: string; secret: string }>('generate.json');
  const verify = load<{ token: string; now: string; ttl_sec: number; src: string; secret: string }>('verify.json');
  const invalid = load<{ desc: string; token: string; now: string; ttl_sec: number; secret: string }>('invalid.json');

  it('generate: the exact tokens, with the injected IV and time', () => {
    for (const v of generate) {
      const key = FernetKey.parse(v.secret);
      // The same vector three times in one batch: each token is computed independently.
      const out = encryptBatch(key, [v.src, v.src, v.src], { ivs: Buffer.concat([Buffer.from(v.iv), Buffer.from(v.iv), Buffer.from(v.iv)]), now: Date.parse(v.now) });
      expect(out.map((t) => t.toString('ascii'))).toEqual([v.token, v.token, v.token]);
    }
  });

  it('verify: decrypts within the TTL', () => {
    for (const v of verify) {
      const r = decryptBatch(MultiFernet.parse(v.secret), [v.token], { ttlSeconds: v.ttl_sec, now: Date.parse(v.now) });
      expect(r.keyIndex[0]).toBe(0);
      expect(r.plaintexts[0]!.toString('utf8')).toBe(v.src);
    }
  });

  it.each(invalid.map((v) => [v.desc, v] as const))('rejects: %s', (_d, v) => {
    const list = MultiFernet.parse(v.secret);
    expect(batch(list, [v.token, Buffer.from(v.token, 'latin1')], v.ttl_sec, Date.parse(v.now))).toEqual([{ k: -1, p: null }, { k: -1, p: null }]);
  });
});

describe('batch == single-value results', () => {
  const keys = [FernetKey.generate(), FernetKey.generate(), FernetKey.generate()];
  const parsed = keys.map((k) => FernetKey.parse(k));
  const list = MultiFernet.parse(keys.join(','));
  const lengths = Array.from({ length: 201 }, (_, i) => i); // every length to 200: all block edges

  it('random plaintexts of length 0..200 under each key of a three-key list, mixed in one batch', () => {
    const tokens: TokenInput[] = [];
    for (const n of lengths) for (const k of parsed) tokens.push(Buffer.from(k.encrypt(crypto.randomBytes(n)), 'ascii'));
    const want = tokens.map((t) => single(list, t));
    expect(want.every((w) => w.k >= 0)).toBe(true);
    expect(batch(list, tokens)).toEqual(want);
    // Reversed key order changes which index opens a token, never whether it opens.
    const reversed = new MultiFernet([...parsed].reverse());
    expect(batch(reversed, tokens)).toEqual(tokens.map((t) => single(reversed, t)));
  });

  it('encryptBatch tokens open with the single-value API, at every length, with fresh IVs', () => {
    const plain = lengths.map((n) => crypto.randomBytes(n));
    const out = encryptBatch(parsed[1]!, plain);
    expect(out.map((t) => single(list, t))).toEqual(plain.map((p) => ({ k: 1, p: p.toString('hex') })));
    const ivs = new Set(out.map((t) => decodeUrlSafeBase64Strict(t.toString('ascii'))!.subarray(9, 25).toString('hex')));
    expect(ivs.size).toBe(plain.length);
    // sealBatch with offsets into a shared buffer gives tokens that open to the same slices.
    const shared = Buffer.concat(plain);
    const offs: number[] = [];
    plain.reduce((at, p) => (offs.push(at), at + p.length), 0);
    const sealed = sealBatch(parsed[2]!, plain.map(() => shared), offs, plain.map((p) => p.length));
    const texts = Array.from(sealed.off, (o, i) => sealed.text.subarray(o, o + sealed.len[i]!));
    expect(texts.map((t) => single(list, t))).toEqual(plain.map((p) => ({ k: 2, p: p.toString('hex') })));
    expect(encryptBatch(parsed[0]!, [])).toEqual([]);
  });

  it('tampered MACs, bodies and headers, bad padding under a valid MAC, wrong keys, non-tokens, empty values', () => {
    const good = parsed[0]!.encrypt('Jane Doe, 1987-03-14');
    const raw = decodeUrlSafeBase64Strict(good)!;
    const flip = (i: number) => {
      const b = Buffer.from(raw);
      b[i]! ^= 1;
      return urlSafeBase64Padded(b);
    };
    const { std } = (() => {
      for (;;) {
        const t = parsed[0]!.encrypt(crypto.randomBytes(20));
        if (/[-_]/.test(t)) return { std: t.replace(/-/g, '+').replace(/_/g, '/') };
      }
    })();
    const lastChar = good.replace(/=+$/, '');
    const nonCanonical = lastChar.slice(0, -1) + String.fromCharCode(lastChar.charCodeAt(lastChar.length - 1) + 1) + good.slice(lastChar.length);
    const values: TokenInput[] = [
      good,
      flip(raw.length - 1), // MAC
      flip(30), // ciphertext
      flip(3), // timestamp
      flip(12), // IV
      urlSafeBase64Padded(Buffer.concat([Buffer.from([0x81]), raw.subarray(1)])), // version
      lastBlockToken(parsed[0]!, block(0)), // bad padding under a valid MAC
      lastBlockToken(parsed[0]!, block(17)),
      lastBlockToken(parsed[0]!, Buffer.alloc(16, 17)),
      lastBlockToken(parsed[2]!, block(200)),
      lastBlockToken(parsed[2]!, block(3, 2, 3)),
      lastBlockToken(parsed[1]!, block(15)),
      lastBlockToken(parsed[1]!, block(2, 2)), // valid padding: opens, with key 1
      lastBlockToken(parsed[1]!, Buffer.alloc(16, 16)), // a whole padding block: opens too
      FernetKey.parse(FernetKey.generate()).encrypt('wrong key'),
      std, // standard base64 alphabet
      good.replace(/=+$/, ''), // padding missing
      good + '=', // extra padding
      good + 'AAAA', // trailing data
      ` ${good}`,
      good.slice(0, 40) + '\n' + good.slice(41),
      nonCanonical,
      good.slice(0, 20) + 'é' + good.slice(21), // a non-ASCII character in a string
      Buffer.from(good.slice(0, 20) + '\u00e9' + good.slice(21), 'latin1'),
      urlSafeBase64Padded(raw.subarray(0, 72)), // too short
      urlSafeBase64Padded(raw.subarray(0, raw.length - 1)), // not a multiple of the block size
      'plain text that is not a token',
      Buffer.from([0xff, 0x00, 0x80, 0x5c]),
      '',
      Buffer.alloc(0),
      null,
      undefined,
    ];
    const want = values.map((v) => single(list, v));
    expect(want.filter((w) => w.k >= 0).map((w) => w.k)).toEqual([0, 1, 1]); // only good and the two valid paddings
    expect(batch(list, values)).toEqual(want);
    // Many random corruptions of real tokens (any byte, any position) agree too.
    const fuzz: TokenInput[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = Buffer.from(parsed[i % 3]!.encrypt(crypto.randomBytes(i % 70)), 'ascii');
      if (i % 4 !== 0) t[crypto.randomInt(t.length)] = crypto.randomInt(256);
      fuzz.push(i % 7 === 0 ? t.subarray(0, crypto.randomInt(t.length)) : t);
    }
    expect(batch(list, fuzz)).toEqual(fuzz.map((v) => single(list, v)));
  });

  it('packed tokens (one buffer + offsets, -1 for NULL) give the same answers as separate values', () => {
    const values = [parsed[0]!.encrypt('a'), null, parsed[2]!.encrypt(crypto.randomBytes(33)), '', 'junk'].map((v) => (v === null ? null : Buffer.from(v, 'latin1')));
    const blob = Buffer.concat(values.flatMap((v) => (v ? [v] : [])));
    const off: number[] = [];
    const len: number[] = [];
    values.reduce((at, v) => (off.push(at), len.push(v ? v.length : -1), at + (v?.length ?? 0)), 0);
    const packed = decryptBatch(list, { blob, off, len });
    const separate = decryptBatch(list, values);
    expect(Array.from(packed.keyIndex)).toEqual([0, -1, 2, -1, -1]);
    expect(Array.from(packed.keyIndex)).toEqual(Array.from(separate.keyIndex));
    expect(packed.plaintexts.map((p) => p?.toString('hex') ?? null)).toEqual(separate.plaintexts.map((p) => p?.toString('hex') ?? null));
  });

  it('large batches and long values (many CBC rounds, buffers reused between calls)', () => {
    const plain = Array.from({ length: 3000 }, (_, i) => crypto.randomBytes(i % 5 === 0 ? 3000 + i : i % 300));
    const tokens = encryptBatch(parsed[0]!, plain);
    const again = encryptBatch(parsed[1]!, plain.slice(0, 10)); // a second call must not disturb the first's tokens
    const r = decryptBatch(list, [...tokens, ...again]);
    expect(r.plaintexts.map((p) => p!.toString('hex'))).toEqual([...plain, ...plain.slice(0, 10)].map((p) => p.toString('hex')));
    expect(Array.from(r.keyIndex)).toEqual([...plain.map(() => 0), ...again.map(() => 1)]);
  });
});

describe('batch building blocks', () => {
  it('HMAC-SHA256 equals node:crypto for every message length 0..300 and key lengths 0..64', () => {
    for (const keyLen of [0, 1, 16, 32, 63, 64]) {
      const key = crypto.randomBytes(keyLen);
      const h = new HmacSha256Key(key);
      for (let n = 0; n <= 300; n++) {
        const msg = crypto.randomBytes(n);
        expect(h.mac(msg).toString('hex')).toBe(crypto.createHmac('sha256', key).update(msg).digest('hex'));
      }
    }
  });

  it('HMAC-SHA256: RFC 4231 test cases 1 and 2', () => {
    expect(new HmacSha256Key(Buffer.alloc(20, 0x0b)).mac(Buffer.from('Hi There')).toString('hex')).toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    expect(new HmacSha256Key(Buffer.from('Jefe')).mac(Buffer.from('what do ya want for nothing?')).toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('base64url decoding is exactly as strict as fernet.ts (random and edge strings)', () => {
    const samples: string[] = ['', 'AA==', 'AB==', 'AAA=', 'AAB=', 'AAAA', 'A===', '====', 'AA=A', 'A', 'AAAAA', 'AA+A', 'AA/A', 'AA-_', 'Zm9v', 'Zm9=', 'Zm8=', 'Zg==', 'Zh==', '\u00e9AAA'];
    for (let i = 0; i < 3000; i++) {
      const b = urlSafeBase64Padded(crypto.randomBytes(i % 40));
      const chars = b.split('');
      if (i % 2 === 0 && chars.length) chars[crypto.randomInt(chars.length)] = 'A-_=+/ \n\u00e9'[crypto.randomInt(10)]!;
      samples.push(i % 5 === 0 ? chars.join('').replace(/=+$/, '') : chars.join(''));
    }
    for (const s of samples) {
      const want = decodeUrlSafeBase64Strict(s);
      const src = Buffer.from(s, 'utf8');
      const dst = Buffer.alloc(src.length + 3);
      const n = decodeBase64UrlInto(src, 0, src.length, dst, 0);
      expect({ s, got: n < 0 ? null : dst.subarray(0, n).toString('hex') }).toEqual({ s, got: want ? want.toString('hex') : null });
    }
  });
});

describe('rotation classification', () => {
  it('classifyBatch on a packed page gives classify()\'s answer for every value (empty, already new, to re-encrypt, undecryptable)', async () => {
    const { classify, classifyBatch } = await import('../../src-main/core/keys/rotation/column-scan');
    const [oldK, newK, stranger] = [FernetKey.generate(), FernetKey.generate(), FernetKey.generate()];
    const keys = MultiFernet.parse(`${oldK},${newK}`); // as the rotation probes: old first, new last
    const values: (Buffer | null)[] = [];
    for (let i = 0; i < 400; i++) {
      const k = [oldK, newK, stranger][i % 3]!;
      values.push(i % 10 === 0 ? null : i % 10 === 1 ? Buffer.alloc(0) : i % 10 === 2 ? crypto.randomBytes(i % 50) : Buffer.from(MultiFernet.parse(k).encrypt(crypto.randomBytes(i % 90)), 'ascii'));
    }
    const off: number[] = [];
    const len: number[] = [];
    values.reduce((at, v) => (off.push(at), len.push(v ? v.length : -1), at + (v?.length ?? 0)), 0);
    const page = { pks: values.map((_, i) => String(i)), versions: new Float64Array(values.length), blob: Buffer.concat(values.flatMap((v) => (v ? [v] : []))), off: Int32Array.from(off), len: Int32Array.from(len) };
    for (const newIndex of [1, -1]) {
      const { cls, opened } = classifyBatch(page, keys, newIndex, true);
      const want = values.map((v) => classify(v, keys, newIndex));
      expect(cls).toEqual(want.map((w) => w.cls));
      want.forEach((w, i) => {
        if (w.cls === 'toReencrypt') expect(Buffer.from(opened.src[i]!.buffer, opened.src[i]!.byteOffset + opened.off[i]!, opened.len[i]!).equals(w.plaintext!)).toBe(true);
      });
      expect(new Set(cls)).toEqual(new Set(['empty', 'undecryptable', 'toReencrypt', ...(newIndex === 1 ? ['alreadyNew'] : [])]));
    }
  });
});
