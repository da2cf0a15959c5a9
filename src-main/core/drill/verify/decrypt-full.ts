import type { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { ColumnDecrypt } from '../../../contract/drills';
import type { MultiFernet } from '../../keys/fernet';
import { openBatch } from '../../keys/fernet-batch';
import { quoteIdent } from '../../keys/encrypted-columns';
import { copyRowsStart } from '../../common/binary-copy';

/**
 * `--full` decryption of one table: every value of all its encrypted columns in one binary COPY
 * (physical order: a check needs no order, so no index walk and no page queries), judged straight
 * from the COPY buffers a network chunk at a time (fernet-batch.ts reads the tokens where they
 * lie). About ten times faster than paging each column by primary key, which read every table
 * once per encrypted column.
 */

export interface FullTable {
  schema: string;
  table: string;
  primaryKey: string;
  columns: string[];
}

export const MAX_FAILED_PKS = 100;


export function fullTableCopySql(t: FullTable): string {
  const cols = [`${quoteIdent(t.primaryKey)}::text`, ...t.columns.map(quoteIdent)].join(', ');
  return `COPY (SELECT ${cols} FROM ${quoteIdent(t.schema)}.${quoteIdent(t.table)}) TO STDOUT (FORMAT binary)`;
}

/** Reads the binary COPY of fullTableCopySql and tallies each column as ColumnDecrypt. */
export class FullTableJudge {
  readonly stats: ColumnDecrypt[];
  private rest: Buffer = Buffer.alloc(0);
  private headerDone = false;
  private ended = false;
  private readonly fields: number;

  constructor(
    private readonly t: FullTable,
    private readonly keys: MultiFernet,
  ) {
    this.fields = 1 + t.columns.length;
    this.stats = t.columns.map((column) => ({ schema: t.schema, table: t.table, column, checked: 0, decrypted: 0, empty: 0, failed: 0, failedPks: [] }));
  }

  /** Rows judged so far (progress). */
  rows = 0;

  push(chunk: Buffer): void {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    let pos = 0;
    if (!this.headerDone) {
      const start = copyRowsStart(buf);
      if (start === null) return void (this.rest = buf);
      pos = start;
      this.headerDone = true;
    }
    // Field positions of the complete rows in this buffer: off/len per field, row by row.
    const off: number[][] = Array.from({ length: this.fields }, () => []);
    const len: number[][] = Array.from({ length: this.fields }, () => []);
    while (!this.ended && buf.length - pos >= 2) {
      const n = buf.readInt16BE(pos);
      if (n === -1) {
        this.ended = true;
        pos += 2;
        break;
      }
      if (n !== this.fields) throw new Error(`expected ${this.fields} fields per row, got ${n}`);
      let p = pos + 2;
      const rowOff: number[] = [];
      const rowLen: number[] = [];
      for (let f = 0; f < n; f++) {
        if (p + 4 > buf.length) break;
        const l = buf.readInt32BE(p);
        p += 4;
        if (l > 0 && p + l > buf.length) break;
        rowOff.push(p);
        rowLen.push(l);
        if (l > 0) p += l;
      }
      if (rowOff.length < n) break; // the row continues in the next chunk
      for (let f = 0; f < n; f++) {
        off[f]!.push(rowOff[f]!);
        len[f]!.push(rowLen[f]!);
      }
      pos = p;
    }
    this.judge(buf, off, len);
    this.rest = this.ended ? Buffer.alloc(0) : buf.subarray(pos);
  }

  finish(): ColumnDecrypt[] {
    if (!this.ended) throw new Error('the COPY stream ended early');
    return this.stats;
  }

  private judge(buf: Buffer, off: number[][], len: number[][]): void {
    const rows = off[0]!.length;
    if (rows === 0) return;
    this.rows += rows;
    for (let c = 0; c < this.t.columns.length; c++) {
      const s = this.stats[c]!;
      const lens = len[c + 1]!;
      const { keyIndex } = openBatch(this.keys, { blob: buf, off: off[c + 1]!, len: lens }, { plaintexts: false });
      for (let i = 0; i < rows; i++) {
        if (lens[i]! <= 0) {
          s.empty++; // KoNote's "no value" is ''::bytea (or NULL)
          continue;
        }
        s.checked++;
        if (keyIndex[i]! >= 0) s.decrypted++;
        else {
          s.failed++;
          if (s.failedPks.length < MAX_FAILED_PKS) s.failedPks.push(buf.toString('utf8', off[0]![i]!, off[0]![i]! + len[0]![i]!));
        }
      }
    }
  }
}

/** Decrypts every value of the table's encrypted columns; `onRows` reports rows done and may throw to cancel. */
export async function decryptTableFull(client: Client, t: FullTable, keys: MultiFernet, onRows?: (rows: number) => void): Promise<ColumnDecrypt[]> {
  const judge = new FullTableJudge(t, keys);
  let reported = 0;
  for await (const chunk of client.query(copyTo(fullTableCopySql(t)))) {
    judge.push(chunk as Buffer);
    if (judge.rows - reported >= 20_000) {
      reported = judge.rows;
      onRows?.(reported);
    }
  }
  return judge.finish();
}
