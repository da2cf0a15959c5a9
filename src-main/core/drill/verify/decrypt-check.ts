import type { Client } from 'pg';
import type { CheckResult, ColumnDecrypt } from '../../../contract/drills';
import type { JobContext } from '../../jobs/runner';
import type { MultiFernet } from '../../keys/fernet';
import { discoverEncryptedColumns, sampleSql } from '../../keys/encrypted-columns';
import { keysForSchema } from '../../keys/key-verify';
import { pkType, readBatch } from '../../keys/rotation/column-scan';

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
    const judge = (pk: string, value: Buffer | null) => {
      if (value === null || value.length === 0) return void stats.empty++; // KoNote's "no value" is ''::bytea
      stats.checked++;
      try {
        keys.decrypt(value);
        stats.decrypted++;
      } catch {
        stats.failed++;
        if (stats.failedPks.length < MAX_FAILED_PKS) stats.failedPks.push(pk);
      }
    };
    if (o.full) {
      const typed = { ...col, primaryKey: col.primaryKey, pkType: await pkType(client, col) };
      let after: string | null = null;
      for (;;) {
        const rows = await readBatch(client, typed, after, BATCH);
        if (rows.length === 0) break;
        for (const r of rows) judge(r.pk, r.value);
        after = rows[rows.length - 1]!.pk;
        o.job?.throwIfCancelled();
      }
    } else {
      const { text, values } = sampleSql(col, o.sample);
      for (const r of (await client.query<{ id: string; value: Buffer | null }>(text, values)).rows) judge(r.id, r.value);
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
