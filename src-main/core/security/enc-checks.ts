import type { Client } from 'pg';
import type { SecurityResult } from '../../contract/audit';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { isAppError, toErrorData } from '../common/errors';
import { loadKeyList } from '../keys/key-service';
import { custodyFor } from '../keys/custody';
import { MultiFernet } from '../keys/fernet';
import { decryptColumns } from '../drill/verify/decrypt-check';
import { KEY_ROTATION_DAYS } from '../dashboard/health';
import { fail, pass, skip, warn } from './result';

/**
 * ENC checks. KoNote's own look only at the token *format* and pass `k1,k2` by accident of
 * lenient decoding; these parse every key strictly and decrypt real rows of every encrypted
 * column found in the catalog.
 */

type Progress = Pick<JobContext, 'progress' | 'log' | 'throwIfCancelled' | 'signal'>;
const C = 'ENC' as const;

export async function keyListChecks(ctx: CoreContext, profile: string): Promise<{ results: SecurityResult[]; keys: MultiFernet | null }> {
  let keys: MultiFernet | null = null;
  const results: SecurityResult[] = [];
  try {
    keys = await loadKeyList(ctx, profile);
    results.push(pass('ENC001', C, 'Encryption key list is set and every key is valid', `${keys.keys.length} key(s) in the keychain; each is a strict 44-character url-safe base64 Fernet key.`));
  } catch (e) {
    const d = toErrorData(e);
    results.push(fail('ENC001', C, 'Encryption key list is set and every key is valid', d.message, d.hint ?? 'Import the deployment’s FIELD_ENCRYPTION_KEY with `custodian key import`.'));
  }
  if (!keys) {
    results.push(skip('ENC002', C, 'Encrypt/decrypt round trip', 'No usable key list (see ENC001).'));
    return { results, keys };
  }
  const probe = `custodian round trip ${Date.now()}`;
  const list = keys;
  let ok: boolean;
  try {
    ok = list.decrypt(list.encrypt(probe)).toString('utf8') === probe;
  } catch {
    ok = false;
  }
  // Every key must also open what it encrypts itself (a list whose 2nd key is broken fails here).
  const eachKey = keys.keys.every((k) => {
    try {
      return new MultiFernet([k]).decrypt(k.encrypt(probe)).toString('utf8') === probe;
    } catch {
      return false;
    }
  });
  results.push(
    ok && eachKey
      ? pass('ENC002', C, 'Encrypt/decrypt round trip', 'A value encrypted with the primary key decrypts with the list, and every key round-trips its own values.')
      : fail('ENC002', C, 'Encrypt/decrypt round trip', 'A value did not decrypt after encryption.', 'The key list is damaged: import it again from your escrow copy.'),
  );
  return { results, keys };
}

/** ENC003: real decryption of every encrypted column (a sample per column, or every row with --full). */
export async function decryptScanCheck(client: Client, schemas: string[], keys: MultiFernet | null, o: { full: boolean; sample: number; job?: Progress }): Promise<SecurityResult> {
  const d = 'Stored values decrypt with the key list (every encrypted column)';
  if (!keys) return skip('ENC003', C, d, 'No usable key list (see ENC001).');
  const { check, columns } = await decryptColumns(client, schemas, { keys, full: o.full, sample: o.sample, job: o.job });
  const detail = `${check.detail} (${columns.length} columns)`;
  if (check.status === 'PASS') return pass('ENC003', C, d, detail);
  if (check.status === 'WARN') return warn('ENC003', C, d, detail, check.hint ?? 'Columns without a single-column primary key cannot be sampled; check them with a full backup verification.');
  return fail('ENC003', C, d, detail, check.hint ?? 'Find the key list these values were encrypted with (escrow copies, older key history) and import it.');
}

/** ENC004: custom fields marked sensitive must not keep their value in the plaintext column. */
export async function sensitiveFieldsCheck(client: Client, schema: string): Promise<SecurityResult> {
  const d = 'Sensitive custom fields have no plaintext values';
  const exists = await client.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS ok`, [`${schema}.client_detail_values`, `${schema}.custom_field_definitions`]);
  if (!exists.rows[0]?.ok) return skip('ENC004', C, d, `No custom field tables in schema ${schema}.`);
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const r = await client.query<{ plain_only: string; both: string; ids: string[] | null }>(
    `SELECT count(*) FILTER (WHERE v._value_encrypted = ''::bytea)::text AS plain_only, count(*) FILTER (WHERE v._value_encrypted <> ''::bytea)::text AS both,
            (array_agg(v.id::text ORDER BY v.id))[1:10] AS ids
       FROM ${q(schema)}.client_detail_values v JOIN ${q(schema)}.custom_field_definitions f ON f.id = v.field_def_id
      WHERE f.is_sensitive AND v.value <> ''`,
  );
  const plainOnly = Number(r.rows[0]!.plain_only);
  const both = Number(r.rows[0]!.both);
  if (plainOnly + both === 0) return pass('ENC004', C, d, 'Every value of a sensitive field is stored encrypted only.');
  const ids = (r.rows[0]!.ids ?? []).join(', ');
  const detail = `${plainOnly} sensitive value(s) stored only in plaintext, ${both} with a plaintext copy beside the encrypted one (client_detail_values ids ${ids}${plainOnly + both > 10 ? ', …' : ''}).`;
  return fail('ENC004', C, d, detail, 'Re-save these values in KoNote (editing the field encrypts it), or have the field marked not sensitive if that was a mistake. Until then this personal information is readable by anyone with database access.');
}

/** Custodian's own: the primary key's age and the escrow copies of the current list. */
export async function custodyChecks(ctx: CoreContext, profile: string): Promise<SecurityResult[]> {
  const custody = await custodyFor(ctx, profile).catch((e) => {
    if (isAppError(e)) return null;
    throw e;
  });
  const out: SecurityResult[] = [];
  const age = custody?.primaryAgeDays ?? null;
  out.push(
    age === null
      ? fail('ENC005', C, `Primary key younger than ${KEY_ROTATION_DAYS} days`, 'No key custody record for this deployment.', 'Import the key list (`custodian key import`) so its age is tracked.')
      : age <= KEY_ROTATION_DAYS
        ? pass('ENC005', C, `Primary key younger than ${KEY_ROTATION_DAYS} days`, `The primary key has been in use for ${age} day(s).`)
        : warn('ENC005', C, `Primary key younger than ${KEY_ROTATION_DAYS} days`, `The primary key has been in use for ${age} days.`, 'Rotate the key (Keys page, or `custodian key rotate --dry-run` then `custodian key rotate`).'),
  );
  const copies = custody?.escrow.length ?? 0;
  out.push(
    copies >= 2
      ? pass('ENC006', C, 'At least two escrow copies of the current key list', `${copies} escrow copies of the current list.`)
      : fail('ENC006', C, 'At least two escrow copies of the current key list', `${copies} escrow cop${copies === 1 ? 'y' : 'ies'} of the current list: losing the keychain would lose the data.`, 'Make escrow copies kept in two places: `custodian key escrow file --out F` and `custodian key escrow sheet --out F.pdf` (or shares).'),
  );
  return out;
}
