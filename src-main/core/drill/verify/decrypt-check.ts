import type { Client } from 'pg';
import type { CheckResult, ColumnDecrypt } from '../../../contract/drills';
import type { JobContext } from '../../jobs/runner';
import type { MultiFernet } from '../../keys/fernet';
import { discoverEncryptedColumns, sampleSql } from '../../keys/encrypted-columns';
import { keysForSchema } from '../../keys/key-verify';
import { openBatch } from '../../keys/fernet-batch';
import { MAX_FAILED_PKS, decryptTableFull, type FullTable } from './decrypt-full';

/**
 * Decrypts every encrypted column found in the catalog, a sample (oldest and newest rows by key)
 * or every row (`full`: one streamed pass per table, so no table is held in memory). Unlike KoNote's own
 * check this really uses the key list in custody and reports the primary keys of failures.
 */

export { MAX_FAILED_PKS } from './decrypt-full';

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
  if (o.full) {
    // One pass per table over all its encrypted columns (decrypt-full.ts).
    const tables = new Map<string, FullTable>();
    for (const col of found) {
      if (!col.primaryKey) {
        skipped.push(`${col.schema}.${col.table}.${col.column}`);
        continue;
      }
      const k = `${col.schema}.${col.table}`;
      const t = tables.get(k) ?? { schema: col.schema, table: col.table, primaryKey: col.primaryKey, columns: [] };
      t.columns.push(col.column);
      tables.set(k, t);
    }
    for (const [i, t] of [...tables.values()].entries()) {
      o.job?.throwIfCancelled();
      o.onFraction?.(i / Math.max(1, tables.size), `Decrypting every value in ${t.schema}.${t.table}`);
      const keys = await keysForSchema(client, o.keys, t.schema, cache, o.job);
      const stats = await decryptTableFull(client, t, keys, () => o.job?.throwIfCancelled());
      for (const s of stats) if (s.failed) o.job?.log('warn', `${s.schema}.${s.table}.${s.column}: ${s.failed} of ${s.checked} values did not decrypt.`);
      columns.push(...stats);
    }
  }
  for (const [i, col] of (o.full ? [] : found).entries()) {
    o.job?.throwIfCancelled();
    const label = `${col.schema}.${col.table}.${col.column}`;
    o.onFraction?.(i / Math.max(1, found.length), `Decrypting ${label}`);
    if (!col.primaryKey) {
      skipped.push(label);
      continue;
    }
    const keys = await keysForSchema(client, o.keys, col.schema, cache, o.job);
    const stats: ColumnDecrypt = { schema: col.schema, table: col.table, column: col.column, checked: 0, decrypted: 0, empty: 0, failed: 0, failedPks: [] };
    // A sample (oldest and newest rows by key) a page at a time (fernet-batch.ts): a value counts
    // as decrypted when a key in the list opens it — MAC and padding checked, as
    // MultiFernet.decrypt does — without keeping plaintext.
    const { text, values } = sampleSql(col, o.sample);
    const rows = (await client.query<{ id: string; value: Buffer | null }>(text, values)).rows;
    const lens = rows.map((r) => r.value?.length ?? -1);
    const keyIndex = openBatch(keys, rows.map((r) => r.value), { plaintexts: false }).keyIndex;
    rows.forEach((r, j) => {
      if (lens[j]! <= 0) return void stats.empty++; // KoNote's "no value" is ''::bytea (or NULL)
      stats.checked++;
      if (keyIndex[j]! >= 0) return void stats.decrypted++;
      stats.failed++;
      if (stats.failedPks.length < MAX_FAILED_PKS) stats.failedPks.push(r.id);
    });
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
