import type { Client } from 'pg';
import type { KeyVerify } from '../../contract/keys';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { withClient } from '../connections/pg-client';
import { resolveProfile } from '../connections/profile-store';
import { MultiFernet } from './fernet';
import { loadKeyList } from './key-service';
import { discoverEncryptedColumns, sampleSql, type EncryptedColumn } from './encrypted-columns';

/**
 * "Does this key list really open this database?" — decrypts a sample of real rows from every
 * encrypted column. A key that passes format checks but is the wrong key shows up here, before a
 * restore or a rotation depends on it.
 */

const MAX_FAILED_LISTED = 500;

export interface VerifyOptions {
  /** Rows per column (half the oldest, half the newest). */
  sample: number;
  /** Check this list instead of the keychain's (recovery checks an escrow copy before importing it). */
  keys?: MultiFernet;
}

type Progress = Pick<JobContext, 'progress' | 'log' | 'throwIfCancelled' | 'signal'>;

export async function verifyKeys(ctx: CoreContext, profileName: string, options: VerifyOptions, job?: Progress): Promise<KeyVerify> {
  const profile = resolveProfile(ctx, profileName);
  const master = options.keys ?? (await loadKeyList(ctx, profile.name));
  const sample = Math.max(1, Math.floor(options.sample));
  const report: KeyVerify = { profile: profile.name, checked: 0, decrypted: 0, failed: [], empty: 0, columns: [], ok: true };
  let failedTotal = 0;

  await withClient(
    ctx,
    profile.name,
    'main',
    async (client: Client) => {
      job?.progress(null, 'Finding encrypted columns');
      const columns = await discoverEncryptedColumns(client, profile.schemas);
      job?.log('info', `Found ${columns.length} encrypted columns in ${profile.schemas.join(', ')}.`);
      const schemaKeys = new Map<string, MultiFernet>();
      for (const [i, col] of columns.entries()) {
        job?.throwIfCancelled();
        const label = `${col.schema}.${col.table}.${col.column}`;
        job?.progress(i / Math.max(1, columns.length), `Checking ${label}`);
        if (!col.primaryKey) {
          job?.log('warn', `Skipped ${label}: its table has no single-column primary key to sample by.`);
          continue;
        }
        const keys = await keysForSchema(client, master, col.schema, schemaKeys, job);
        const { text, values } = sampleSql(col, sample);
        const rows = (await client.query<{ id: string; value: Buffer | null }>(text, values)).rows;
        const stats = { schema: col.schema, table: col.table, column: col.column, checked: 0, decrypted: 0 };
        for (const row of rows) {
          if (row.value === null || row.value.length === 0) {
            report.empty++; // KoNote stores "no value" as ''::bytea (a few columns allow NULL)
            continue;
          }
          stats.checked++;
          if (tryDecrypt(keys, row.value)) stats.decrypted++;
          else {
            failedTotal++;
            if (report.failed.length < MAX_FAILED_LISTED) report.failed.push({ table: tableLabel(col), column: col.column, id: row.id });
          }
        }
        report.checked += stats.checked;
        report.decrypted += stats.decrypted;
        report.columns.push(stats);
        if (stats.decrypted < stats.checked) job?.log('warn', `${label}: ${stats.checked - stats.decrypted} of ${stats.checked} sampled values did not decrypt.`);
      }
      job?.progress(1, 'Done');
    },
    { signal: job?.signal },
  );
  report.ok = failedTotal === 0;
  if (failedTotal > report.failed.length) job?.log('warn', `${failedTotal} values failed; the first ${report.failed.length} are listed.`);
  return report;
}

function tableLabel(col: EncryptedColumn): string {
  return col.schema === 'public' ? col.table : `${col.schema}.${col.table}`;
}

function tryDecrypt(keys: MultiFernet, value: Buffer): boolean {
  try {
    keys.decrypt(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Multi-agency deployments encrypt each agency schema with that agency's own key, stored in
 * public.tenant_keys as a token under the master list. Other schemas use the master list.
 */
export async function keysForSchema(client: Client, master: MultiFernet, schema: string, cache: Map<string, MultiFernet>, job?: Progress): Promise<MultiFernet> {
  if (schema === 'public') return master;
  const cached = cache.get(schema);
  if (cached) return cached;
  let keys = master;
  const hasTenants = await client.query<{ ok: boolean }>(
    `SELECT to_regclass('public.tenant_keys') IS NOT NULL AND to_regclass('public.agencies') IS NOT NULL AS ok`,
  );
  if (hasTenants.rows[0]?.ok) {
    const res = await client.query<{ encrypted_key: Buffer }>(
      `SELECT tk.encrypted_key FROM public.tenant_keys tk JOIN public.agencies a ON a.id = tk.tenant_id WHERE a.schema_name = $1`,
      [schema],
    );
    const token = res.rows[0]?.encrypted_key;
    if (token) {
      try {
        keys = MultiFernet.parse(master.decrypt(token).toString('utf8'));
      } catch {
        job?.log('warn', `The agency key for schema ${schema} could not be opened with the master key list; checking that schema with the master list.`);
      }
    }
  }
  cache.set(schema, keys);
  return keys;
}
