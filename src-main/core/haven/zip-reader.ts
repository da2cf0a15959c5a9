import zlib from 'node:zlib';

/**
 * A minimal ZIP reader for a bundle already in memory: central directory, stored and deflated
 * entries, CRC-32 checked. Enough for Haven's six-file bundles; ZIP64 and encryption are refused.
 */

export interface ZipEntry {
  name: string;
  size: number;
  data(): Buffer;
}

export class ZipError extends Error {}

export function readZip(buf: Buffer): ZipEntry[] {
  const min = Math.max(0, buf.length - 65_557);
  let eocd = -1;
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('not a ZIP archive (no end-of-directory record)');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) throw new ZipError('ZIP64 archives are not supported');
  if (cdOffset + cdSize > buf.length) throw new ZipError('the central directory lies outside the archive');
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new ZipError('damaged central directory');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString(flags & 0x800 ? 'utf8' : 'latin1');
    p += 46 + nameLen + extraLen + commentLen;
    if (flags & 1) throw new ZipError(`${name} is encrypted inside the ZIP`);
    entries.push({
      name,
      size: usize,
      data() {
        if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) throw new ZipError(`${name}: damaged local header`);
        const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
        const raw = buf.subarray(start, start + csize);
        let out: Buffer;
        if (method === 0) out = Buffer.from(raw);
        else if (method === 8) out = zlib.inflateRawSync(raw);
        else throw new ZipError(`${name}: compression method ${method} is not supported`);
        if (out.length !== usize || zlib.crc32(out) >>> 0 !== crc) throw new ZipError(`${name}: CRC or size mismatch`);
        return out;
      },
    });
  }
  return entries;
}
