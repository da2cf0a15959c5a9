import type { Client } from 'pg';
import type { CheckResult, ColumnDecrypt } from '../../../contract/drills';
import type { JobContext } from '../../jobs/runner';
import type { MultiFernet } from '../../keys/fernet';
import { discoverEncryptedColumns, sampleSql } from '../../keys/encrypted-columns';
import { keysForSchema } from '../../keys/key-verify';
import { pkType, readBatch } from '../../keys/rotation/column-scan';
import { openBatch } from '../../keys/fernet-batch';

/**
 * Decrypts every encrypted column found in the catalog, a sample (oldest and newest rows by key)
 * or every row (`full`, keyset pagination so no table is held in memory). Unlike KoNote's own
 * check this really uses the key list in custody and reports the primary keys of failures.
 */

export const MAX_FAILED_PKS = 100;
const BATCH = 2000;

type Progress = Pick<JobContext, 'progress' | 'log' | 'throwIfCancelled' | 'signal'>;

export interface DecryptOptions {
  keys: MultiFernet;
  full: boolean;
  sample: number;
  job?: Progress;
  /** Maps this step's 0..1 onto the caller's progress bar. */
  onFraction?: (f: number, message: string) => void;
}

export async function decryptColumns(client: Client, schemas: string[], o: DecryptOptions): Promise<{ check: CheckResult; columns: ColumnDecrypt[] }> {
  const found = await discoverEncryptedColumns(client, schemas);
  const columns: ColumnDecrypt[] = [];
  const cache = new Map<string, MultiFernet>();
  const skipped: string[] = [];
  for (const [i, col] of found.entries()) {
    o.job?.throwIfCancelled();
    const label = `${col.schema}.${col.table}.${col.column}`;
    o.onFraction?.(i / Math.max(1, found.length), `Decrypting ${label}`);
    if (!col.primaryKey) {
      skipped.push(label);
      continue;
    }
    const keys = await keysForSchema(client, o.keys, col.schema, cache, o.job);
    const stats: ColumnDecrypt = { schema: col.schema, table: col.table, column: col.column, checked: 0, decrypted: 0, empty: 0, failed: 0, failedPks: [] };
    // A whole page at a time (fernet-batch.ts): a value counts as decrypted when a key in the list
    // opens it — MAC and padding checked, as MultiFernet.decrypt does — without keeping plaintext.
    const judge = (pks: readonly string[], lens: ArrayLike<number>, keyIndex: Int32Array) => {
      pks.forEach((pk, i) => {
        if (lens[i]! <= 0) return void stats.empty++; // KoNote's "no value" is ''::bytea (or NULL)
        stats.checked++;
        if (keyIndex[i]! >= 0) return void stats.decrypted++;
        stats.failed++;
        if (stats.failedPks.length < MAX_FAILED_PKS) stats.failedPks.push(pk);
      });
    };
    if (o.full) {
      const typed = { ...col, primaryKey: col.primaryKey, pkType: await pkType(client, col) };
      let after: string | null = null;
      for (;;) {
        const page = await readBatch(client, typed, after, BATCH);
        if (page.pks.length === 0) break;
        judge(page.pks, page.len, openBatch(keys, page, { plaintexts: false }).keyIndex);
        after = page.pks[page.pks.length - 1]!;
        o.job?.throwIfCancelled();
      }
    } else {
      const { text, values } = sampleSql(col, o.sample);
      const rows = (await client.query<{ id: string; value: Buffer | null }>(text, values)).rows;
      const vals = rows.map((r) => r.value);
      judge(rows.map((r) => r.id), vals.map((v) => v?.length ?? -1), openBatch(keys, vals, { plaintexts: false }).keyIndex);
    }
    if (stats.failed) o.job?.log('warn', `${label}: ${stats.failed} of ${stats.checked} values did not decrypt.`);
    columns.push(stats);
  }
  const checked = columns.reduce((s, c) => s + c.checked, 0);
  const failed = columns.reduce((s, c) => s + c.failed, 0);
  const how = o.full ? 'every row' : `a sample of up to ${o.sample} rows per column`;
  let check: CheckResult;
  if (found.length === 0) {
    check = { id: 'decrypt', title: 'Encrypted columns decrypt', status: 'FAIL', detail: 'No encrypted columns were found.', hint: 'A KoNote database always has encrypted columns: this is the wrong database, or the restore left it empty.' };
  } else if (failed > 0) {
    const worst = columns.filter((c) => c.failed > 0).map((c) => `${c.table}.${c.column} ${c.failed}/${c.checked} (ids ${c.failedPks.slice(0, 5).join(', ')}${c.failedPks.length > 5 ? ', …' : ''})`);
    check = {
      id: 'decrypt',
      title: 'Encrypted columns decrypt',
      status: 'FAIL',
      detail: `${failed} of ${checked} values did not decrypt (${how}): ${worst.join('; ')}.`,
      hint: 'KoNote would show [DECRYPTION ERROR] for these. Use the key list that was active when the backup was taken (its fingerprint is on the set), recovering it from escrow if needed.',
    };
  } else if (skipped.length > 0) {
    check = { id: 'decrypt', title: 'Encrypted columns decrypt', status: 'WARN', detail: `${checked} values in ${columns.length} columns decrypt (${how}); ${skipped.length} column(s) skipped (no single-column primary key): ${skipped.join(', ')}.` };
  } else {
    check = { id: 'decrypt', title: 'Encrypted columns decrypt', status: 'PASS', detail: `All ${checked} values in ${columns.length} encrypted columns decrypt with the key list in custody (${how}).` };
  }
  return { check, columns };
}
