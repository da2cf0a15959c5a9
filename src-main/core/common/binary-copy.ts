/**
 * PostgreSQL's binary COPY framing, shared by the readers that parse it (audit checkpoints, full
 * decryption): an 11-byte signature, 32-bit flags and a header extension, then rows, then -1.
 */

const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** Microseconds from 1970 to 2000, the origin of PostgreSQL's binary timestamps. */
export const PG_EPOCH_US = 946_684_800_000_000;

/** Where the rows start, or null while the header is not all here; throws on anything else. */
export function copyRowsStart(buf: Buffer): number | null {
  if (buf.length < 19) return null;
  if (!buf.subarray(0, 11).equals(COPY_SIGNATURE)) throw new Error('not a binary COPY stream');
  const end = 19 + buf.readUInt32BE(15);
  return buf.length < end ? null : end;
}
