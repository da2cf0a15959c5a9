import { describe, it, expect } from 'vitest';
import { FernetKey, MultiFernet } from '../../src-main/core/keys/fernet';
import { FullTableJudge } from '../../src-main/core/drill/verify/decrypt-full';

/** PostgreSQL's binary COPY framing: signature, flags, header extension, rows, -1. */
function binaryCopy(rows: (Buffer | null)[][]): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (const r of rows) {
    const n = Buffer.alloc(2);
    n.writeInt16BE(r.length);
    parts.push(n);
    for (const v of r) {
      const l = Buffer.alloc(4);
      l.writeInt32BE(v === null ? -1 : v.length);
      parts.push(l);
      if (v) parts.push(v);
    }
  }
  const end = Buffer.alloc(2);
  end.writeInt16BE(-1);
  parts.push(end);
  return Buffer.concat(parts);
}

describe('full decryption of a table from its binary COPY', () => {
  const key = FernetKey.generate();
  const keys = MultiFernet.parse(key);
  const other = MultiFernet.parse(FernetKey.generate());
  const tok = (s: string, k = keys) => Buffer.from(k.encrypt(s), 'ascii');
  const table = { schema: 'public', table: 'client_files', primaryKey: 'id', columns: ['_first_name_encrypted', '_last_name_encrypted'] };
  const rows: (Buffer | null)[][] = [];
  for (let i = 1; i <= 60; i++) {
    const last = i === 17 || i === 42 ? tok(`Last ${i}`, other) : i % 10 === 0 ? Buffer.alloc(0) : tok(`Last ${i} ${'x'.repeat(i)}`);
    rows.push([Buffer.from(String(i)), i % 7 === 0 ? null : tok(`First ${i}`), last]);
  }
  rows.push([Buffer.from('61'), Buffer.from('plain text, not a token'), tok('ok')]);
  const data = binaryCopy(rows);

  const judge = (chunks: Buffer[]) => {
    const j = new FullTableJudge(table, keys);
    for (const c of chunks) j.push(c);
    return j.finish();
  };

  it('counts decrypted, empty and failed values per column and names the failures, however the stream is cut', () => {
    const expected = [
      { column: '_first_name_encrypted', checked: 53, decrypted: 52, empty: 8, failed: 1, failedPks: ['61'] },
      { column: '_last_name_encrypted', checked: 55, decrypted: 53, empty: 6, failed: 2, failedPks: ['17', '42'] },
    ];
    for (const size of [1, 3, 19, 50, 333, data.length]) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < data.length; i += size) pieces.push(data.subarray(i, i + size));
      expect(judge(pieces), `chunks of ${size}`).toMatchObject(expected);
    }
  });

  it('refuses a stream that stops early or is not a binary COPY', () => {
    expect(() => judge([data.subarray(0, data.length - 2)])).toThrow(/ended early/);
    expect(() => judge([Buffer.from('id,value\n1,abc\n'.repeat(3))])).toThrow(/not a binary COPY/);
  });
});
