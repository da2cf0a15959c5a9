import crypto from 'node:crypto';
import type { FernetKey, MultiFernet } from './fernet';
import { decodeBase64UrlInto, encodeBase64UrlInto } from './base64url';
import { HmacSha256Key, wordsEqual, writeWords } from './hmac-sha256';

export { decodeBase64UrlInto } from './base64url';

/**
 * Fernet for many values at once (key rotation, its dry run and verification, the drill's full
 * decryption check). Same tokens, same strictness and same answers as FernetKey/MultiFernet in
 * fernet.ts — test/unit/fernet-batch.test.ts holds the two side by side — but per-value native
 * calls are replaced by a few calls per batch:
 * - AES-CBC decryption is parallel across blocks (P_i = AES-ECB-decrypt(C_i) XOR C_{i-1}, C_0 =
 *   the IV), so one ECB pass per key decrypts every ciphertext block of the batch;
 * - CBC encryption is sequential within a token but independent across tokens, so it runs
 *   "round by round": block r of every token that has one, in one ECB pass per round;
 * - one random draw for all IVs, HMAC-SHA256 with precomputed key states (hmac-sha256.ts), and
 *   base64url decoding/encoding in a char-code loop exactly as strict as fernet.ts's rules;
 * - tokens sit in one buffer each way, laid out so every IV and cipher block is 16-byte aligned:
 *   XORs and block copies are four 32-bit operations, and no per-value Buffer is made unless a
 *   caller asks for one (openBatch/sealBatch work on offsets; decryptBatch/encryptBatch wrap them).
 * The MAC is always verified (no early exit) before a block is decrypted, and a value that fails
 * MAC, TTL or padding under every key is simply "not opened" (keyIndex -1), as in MultiFernet.
 */

const VERSION = 0x80;
const HEADER = 1 + 8 + 16;
const MAC = 32;
const MIN_TOKEN = HEADER + 16 + MAC;

interface KeyState {
  hmac: HmacSha256Key;
}
const states = new WeakMap<FernetKey, KeyState>();
function stateOf(key: FernetKey): KeyState {
  let s = states.get(key);
  if (!s) states.set(key, (s = { hmac: new HmacSha256Key(key.signingKey) }));
  return s;
}

export type TokenInput = Buffer | string | null | undefined;

export interface BatchDecryptOptions {
  /** Return the plaintexts (default). Without them only each ciphertext's last block is decrypted, enough to check its padding. */
  plaintexts?: boolean;
  ttlSeconds?: number;
  now?: number;
}

/** Per value: which key opened it and where its plaintext lies (src[i], bytes off[i] .. off[i]+len[i]). */
export interface OpenedBatch {
  /** Index in the key list of the key that opened the value, or -1 (not a token, or no key opens it). */
  keyIndex: Int32Array;
  src: (Uint8Array | undefined)[];
  off: Int32Array;
  len: Int32Array;
}

/** Tokens as ASCII text back to back in `text`: token i is text[off[i], off[i]+len[i]). */
export interface SealedBatch {
  text: Buffer;
  off: Int32Array;
  len: Int32Array;
}

/** A zeroed buffer on its own ArrayBuffer (offset 0), so 32-bit views over it are aligned. */
function alignedBytes(size: number): Buffer {
  return Buffer.from(new ArrayBuffer(size));
}

/**
 * Reusable aligned work space for buffers that never leave a call (decoded tokens, gathered
 * ciphertext, tokens being sealed, one CBC round): a fresh ~1 MB per batch would make the garbage
 * collector run for the external memory alone. Calls are synchronous, so one set is enough.
 * Only ciphertext is left in them: plaintext is encrypted in place before a call returns.
 */
const scratch: Buffer[] = [];
function work(slot: number, size: number): Buffer {
  const have = scratch[slot];
  if (have && have.length >= size) return have.subarray(0, size);
  const b = alignedBytes(Math.max(size, 2 * (have?.length ?? 0), 4096));
  scratch[slot] = b;
  return b.subarray(0, size);
}
const ARENA = 0, GATHER = 1, RAW = 2, ROUND = 3;

function words32(b: Uint8Array): Uint32Array {
  return new Uint32Array(b.buffer, b.byteOffset, b.length >> 2);
}

/** Cipher output with a 4-aligned offset (it normally has one; copied if not). */
function aligned(b: Buffer): Buffer {
  if ((b.byteOffset & 3) === 0) return b;
  const c = alignedBytes(b.length);
  c.set(b);
  return c;
}

/**
 * Tokens packed in one buffer, as readBatch returns a page: token i is blob[off[i], off[i]+len[i]),
 * len -1 meaning NULL. Saves making a Buffer per value.
 */
export interface PackedTokens {
  blob: Uint8Array;
  off: ArrayLike<number>;
  len: ArrayLike<number>;
}

function asBytes(t: TokenInput): Uint8Array | null {
  if (t === null || t === undefined) return null;
  // UTF-8 turns any non-ASCII character into bytes >= 0x80, which the decoder rejects (latin1 could
  // fold a wide character onto an ASCII one).
  return typeof t === 'string' ? Buffer.from(t, 'utf8') : t;
}

// Token slots start at 7 mod 16, so the IV (slot + 9) and the cipher blocks (slot + 25) are aligned.
const SLOT = 7;
const slotAfter = (end: number) => end + ((SLOT - (end & 15) + 16) & 15);

/** Decodes every value into one aligned buffer; returns slot offsets and decoded lengths (-1: not a Fernet token). */
function decodeAll(tokens: readonly TokenInput[] | PackedTokens): { n: number; arena: Buffer; off: Int32Array; len: Int32Array } {
  const packed = Array.isArray(tokens) ? null : (tokens as PackedTokens);
  const list = packed ? null : (tokens as readonly TokenInput[]);
  const n = packed ? packed.off.length : list!.length;
  let total = SLOT + 16;
  if (packed) total += (packed.blob.length >> 2) * 3 + 16 * n;
  else for (const t of list!) if (t) total += (t.length >> 2) * 3 * (typeof t === 'string' ? 3 : 1) + 16;
  const arena = work(ARENA, total);
  const off = new Int32Array(n);
  const len = new Int32Array(n).fill(-1);
  let at = SLOT;
  for (let i = 0; i < n; i++) {
    let d: number;
    if (packed) {
      const l = packed.len[i]!;
      if (l < 0) continue;
      d = decodeBase64UrlInto(packed.blob, packed.off[i]!, packed.off[i]! + l, arena, at);
    } else {
      const b = asBytes(list![i]);
      if (!b) continue;
      d = decodeBase64UrlInto(b, 0, b.length, arena, at);
    }
    if (d < MIN_TOKEN || (d - HEADER - MAC) % 16 !== 0 || arena[at] !== VERSION) continue;
    off[i] = at;
    len[i] = d;
    at = slotAfter(at + d);
  }
  return { n, arena, off, len };
}

function ttlOk(arena: Buffer, o: number, ttlSeconds: number | undefined, nowS: number): boolean {
  if (ttlSeconds === undefined) return true;
  const ts = Number(arena.readBigUInt64BE(o + 1));
  return !(ts + ttlSeconds < nowS || ts > nowS + 60);
}

/**
 * Opens a batch of tokens with a key list (first key that opens a token wins, as in MultiFernet).
 * Empty or null values are not tokens (keyIndex -1); callers that treat them apart check first.
 */
export function openBatch(keys: MultiFernet | readonly FernetKey[], tokens: readonly TokenInput[] | PackedTokens, opts: BatchDecryptOptions = {}): OpenedBatch {
  const list: readonly FernetKey[] = Array.isArray(keys) ? keys : (keys as MultiFernet).keys;
  const wantPlain = opts.plaintexts !== false;
  const nowS = Math.floor((opts.now ?? Date.now()) / 1000);
  const { n, arena, off, len } = decodeAll(tokens);
  const keyIndex = new Int32Array(n).fill(-1);
  const src = new Array<Uint8Array | undefined>(n);
  const pOff = new Int32Array(n);
  const pLen = new Int32Array(n);
  const a32 = words32(arena);
  let pending: number[] = [];
  for (let i = 0; i < n; i++) if (len[i]! > 0) pending.push(i);
  const words = new Int32Array(8);
  for (let k = 0; k < list.length && pending.length > 0; k++) {
    const key = list[k]!;
    const { hmac } = stateOf(key);
    // 1. MAC (and TTL) first: nothing is decrypted for a token this key did not sign.
    const signed: number[] = [];
    let ctBytes = 0;
    for (const i of pending) {
      const o = off[i]!;
      const body = len[i]! - MAC;
      hmac.macWords(arena, o, body, words);
      if (!wordsEqual(words, arena, o + body) || !ttlOk(arena, o, opts.ttlSeconds, nowS)) continue;
      signed.push(i);
      ctBytes += wantPlain ? body - HEADER : 16;
    }
    if (signed.length === 0) continue;
    // 2. One ECB pass over the gathered ciphertext blocks (all of them, or each token's last).
    const gather = work(GATHER, ctBytes);
    const g32 = words32(gather);
    let g = 0;
    for (const i of signed) {
      const end = (off[i]! + len[i]! - MAC) >> 2;
      for (let w = wantPlain ? (off[i]! + HEADER) >> 2 : end - 4; w < end; w++) g32[g++] = a32[w]!;
    }
    const decipher = crypto.createDecipheriv('aes-128-ecb', key.encryptionKey, null).setAutoPadding(false);
    const out = aligned(decipher.update(gather));
    decipher.final();
    const o32 = words32(out);
    // 3. XOR each block with the previous ciphertext block (or the IV), then check PKCS#7 padding.
    g = 0;
    for (const i of signed) {
      const ctLen = len[i]! - HEADER - MAC;
      const start = g;
      let prev = ((off[i]! + 9) >> 2) + (wantPlain ? 0 : (ctLen - 16) >> 2); // IV, or the block before the last
      for (let b = wantPlain ? 0 : ctLen - 16; b < ctLen; b += 16, g += 16, prev += 4) {
        const w = g >> 2;
        o32[w]! ^= a32[prev]!;
        o32[w + 1]! ^= a32[prev + 1]!;
        o32[w + 2]! ^= a32[prev + 2]!;
        o32[w + 3]! ^= a32[prev + 3]!;
      }
      const pad = out[g - 1]!;
      let bad = pad === 0 || pad > 16 ? 1 : 0;
      for (let j = 1; j <= 16; j++) if (j <= pad) bad |= out[g - j]! ^ pad;
      if (bad !== 0) continue; // as in FernetKey.tryDecrypt: this key does not open it, try the next
      keyIndex[i] = k;
      if (wantPlain) {
        src[i] = out;
        pOff[i] = start;
        pLen[i] = g - start - pad;
      }
    }
    pending = pending.filter((i) => keyIndex[i] === -1);
  }
  return { keyIndex, src, off: pOff, len: pLen };
}

export interface BatchDecryptResult {
  /** Per value: index in the key list of the key that opened it, or -1 (not a token, or no key opens it). */
  keyIndex: Int32Array;
  /** Per value (when asked for): the plaintext, or null where keyIndex is -1. */
  plaintexts: (Buffer | null)[];
}

/** openBatch with each plaintext as a Buffer. */
export function decryptBatch(keys: MultiFernet | readonly FernetKey[], tokens: readonly TokenInput[] | PackedTokens, opts: BatchDecryptOptions = {}): BatchDecryptResult {
  const o = openBatch(keys, tokens, opts);
  const plaintexts = Array.from(o.keyIndex, (k, i) => {
    const s = o.src[i];
    return k >= 0 && s ? Buffer.from(s.buffer, s.byteOffset + o.off[i]!, o.len[i]!) : null;
  });
  return { keyIndex: o.keyIndex, plaintexts };
}

export interface BatchEncryptOptions {
  /** 16 bytes per plaintext (spec vectors); default one random draw for the batch. */
  ivs?: Buffer;
  now?: number;
  /**
   * Gives the buffer to write the tokens into (`text` is then a view of it), at least `size`
   * bytes: callers that seal batch after batch reuse buffers instead of allocating ~100 kB each.
   */
  out?: (size: number) => Buffer;
}

/**
 * Encrypts plaintexts src[i][off[i], off[i]+len[i]) with one key. The tokens come back as ASCII
 * text back to back — KoNote's storage form, ready to send as one parameter.
 */
export function sealBatch(key: FernetKey, src: readonly Uint8Array[], off: ArrayLike<number>, len: ArrayLike<number>, opts: BatchEncryptOptions = {}): SealedBatch {
  const n = src.length;
  const ivs = opts.ivs ?? crypto.randomBytes(16 * n);
  if (ivs.length !== 16 * n) throw new Error(`sealBatch needs ${16 * n} IV bytes, got ${ivs.length}.`);
  const ts = Buffer.allocUnsafe(8);
  ts.writeBigUInt64BE(BigInt(Math.floor((opts.now ?? Date.now()) / 1000)));
  // Layout per token, in aligned slots: version | timestamp | IV | padded plaintext (encrypted in place) | MAC.
  const slot = new Int32Array(n);
  const blocks = new Int32Array(n);
  let total = SLOT;
  let maxBlocks = 0;
  for (let i = 0; i < n; i++) {
    const b = (len[i]! >> 4) + 1;
    blocks[i] = b;
    if (b > maxBlocks) maxBlocks = b;
    slot[i] = total;
    total = slotAfter(total + HEADER + b * 16 + MAC);
  }
  const raw = work(RAW, total);
  const r32 = words32(raw);
  for (let i = 0; i < n; i++) {
    const o = slot[i]!;
    raw[o] = VERSION;
    for (let j = 0; j < 8; j++) raw[o + 1 + j] = ts[j]!;
    for (let j = 0; j < 16; j++) raw[o + 9 + j] = ivs[i * 16 + j]!;
    const s = src[i]!;
    const from = off[i]!;
    const l = len[i]!;
    const at = o + HEADER;
    if (l > 48) raw.set(s.subarray(from, from + l), at);
    else for (let j = 0; j < l; j++) raw[at + j] = s[from + j]!;
    const padded = blocks[i]! * 16;
    for (let j = l; j < padded; j++) raw[at + j] = padded - l;
  }
  // CBC round by round: block r of every token that has one, XORed with the block before it.
  const cipher = crypto.createCipheriv('aes-128-ecb', key.encryptionKey, null).setAutoPadding(false);
  const round = work(ROUND, 16 * n);
  const q32 = words32(round);
  let active: number[] = Array.from({ length: n }, (_, i) => i);
  for (let r = 0; r < maxBlocks; r++) {
    let g = 0;
    for (const i of active) {
      const pos = ((slot[i]! + HEADER) >> 2) + r * 4;
      q32[g] = r32[pos]! ^ r32[pos - 4]!; // r = 0: the IV, which sits just before the first block
      q32[g + 1] = r32[pos + 1]! ^ r32[pos - 3]!;
      q32[g + 2] = r32[pos + 2]! ^ r32[pos - 2]!;
      q32[g + 3] = r32[pos + 3]! ^ r32[pos - 1]!;
      g += 4;
    }
    const e32 = words32(aligned(cipher.update(round.subarray(0, g * 4))));
    g = 0;
    for (const i of active) {
      const pos = ((slot[i]! + HEADER) >> 2) + r * 4;
      r32[pos] = e32[g]!;
      r32[pos + 1] = e32[g + 1]!;
      r32[pos + 2] = e32[g + 2]!;
      r32[pos + 3] = e32[g + 3]!;
      g += 4;
    }
    active = active.filter((i) => blocks[i]! > r + 1);
  }
  cipher.final();
  const { hmac } = stateOf(key);
  const words = new Int32Array(8);
  const tOff = new Int32Array(n);
  const tLen = new Int32Array(n);
  let textTotal = 0;
  for (let i = 0; i < n; i++) {
    const body = HEADER + blocks[i]! * 16;
    hmac.macWords(raw, slot[i]!, body, words);
    writeWords(words, raw, slot[i]! + body);
    tOff[i] = textTotal;
    tLen[i] = Math.ceil((body + MAC) / 3) * 4;
    textTotal += tLen[i]!;
  }
  const text = opts.out ? opts.out(textTotal).subarray(0, textTotal) : Buffer.allocUnsafe(textTotal);
  for (let i = 0; i < n; i++) encodeBase64UrlInto(raw, slot[i]!, slot[i]! + HEADER + blocks[i]! * 16 + MAC, text, tOff[i]!);
  return { text, off: tOff, len: tLen };
}

/** sealBatch for whole plaintexts; returns each token's ASCII text as a Buffer. */
export function encryptBatch(key: FernetKey, plaintexts: readonly (Buffer | string)[], opts: BatchEncryptOptions = {}): Buffer[] {
  const plain = plaintexts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p));
  const sealed = sealBatch(key, plain, new Int32Array(plain.length), plain.map((p) => p.length), opts);
  return Array.from(sealed.off, (o, i) => sealed.text.subarray(o, o + sealed.len[i]!));
}
