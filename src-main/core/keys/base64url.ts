/**
 * Padded url-safe base64 (Fernet's encoding) between byte buffers, for the batch path: no string
 * per value, and exactly as strict as fernet.ts's decodeUrlSafeBase64Strict (tested side by side).
 */

const EQ = 0x3d; // '='
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ENC = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const DEC = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) DEC[ENC[i]!] = i;

/**
 * Decodes src[s, e) as padded url-safe base64 into dst at `at`, with fernet.ts's rules: length a
 * multiple of 4, only A–Z a–z 0–9 - _, at most two trailing '=', and canonical (the unused bits of
 * the last character are zero). Returns the decoded length, or -1 on any deviation.
 */
export function decodeBase64UrlInto(src: Uint8Array, s: number, e: number, dst: Uint8Array, at: number): number {
  const len = e - s;
  if (len % 4 !== 0) return -1;
  let data = len;
  if (len > 0 && src[e - 1] === EQ) data -= src[e - 2] === EQ ? 2 : 1;
  const quads = data >> 2;
  let p = s;
  let q = at;
  for (let i = 0; i < quads; i++, p += 4, q += 3) {
    const a = DEC[src[p]!]!, b = DEC[src[p + 1]!]!, c = DEC[src[p + 2]!]!, d = DEC[src[p + 3]!]!;
    if ((a | b | c | d) < 0) return -1;
    dst[q] = (a << 2) | (b >> 4);
    dst[q + 1] = ((b & 15) << 4) | (c >> 2);
    dst[q + 2] = ((c & 3) << 6) | d;
  }
  const rest = data & 3; // 0, 2 or 3 (a '=' left in the data part is rejected by the table)
  if (rest === 2) {
    const a = DEC[src[p]!]!, b = DEC[src[p + 1]!]!;
    if ((a | b) < 0 || (b & 15) !== 0) return -1;
    dst[q++] = (a << 2) | (b >> 4);
  } else if (rest === 3) {
    const a = DEC[src[p]!]!, b = DEC[src[p + 1]!]!, c = DEC[src[p + 2]!]!;
    if ((a | b | c) < 0 || (c & 3) !== 0) return -1;
    dst[q++] = (a << 2) | (b >> 4);
    dst[q++] = ((b & 15) << 4) | (c >> 2);
  }
  return q - at;
}

/** Encodes src[s, e) as url-safe base64 with '=' padding into dst at `at`; returns the length written. */
export function encodeBase64UrlInto(src: Uint8Array, s: number, e: number, dst: Uint8Array, at: number): number {
  let q = at;
  let p = s;
  for (; e - p >= 3; p += 3, q += 4) {
    const v = (src[p]! << 16) | (src[p + 1]! << 8) | src[p + 2]!;
    dst[q] = ENC[v >>> 18]!;
    dst[q + 1] = ENC[(v >>> 12) & 63]!;
    dst[q + 2] = ENC[(v >>> 6) & 63]!;
    dst[q + 3] = ENC[v & 63]!;
  }
  if (e - p === 1) {
    const v = src[p]!;
    dst[q] = ENC[v >>> 2]!;
    dst[q + 1] = ENC[(v & 3) << 4]!;
    dst[q + 2] = EQ;
    dst[q + 3] = EQ;
    q += 4;
  } else if (e - p === 2) {
    const v = (src[p]! << 8) | src[p + 1]!;
    dst[q] = ENC[v >>> 10]!;
    dst[q + 1] = ENC[(v >>> 4) & 63]!;
    dst[q + 2] = ENC[(v & 15) << 2]!;
    dst[q + 3] = EQ;
    q += 4;
  }
  return q - at;
}
