import type { Client } from 'pg';
import type { CoreContext } from '../../context';
import { AppError } from '../../common/errors';
import { FernetKey, MultiFernet } from '../fernet';
import { keyFingerprint, splitKeyList } from '../fingerprint';
import { loadKeyList } from '../key-service';
import { vaultAccounts } from '../vault';
import { discoverEncryptedColumns } from '../encrypted-columns';
import { pkType, type RotatableColumn } from './column-scan';

/**
 * What a rotation covers. The master scope is every encrypted column of the profile's schemas
 * that KoNote encrypts with FIELD_ENCRYPTION_KEY — including public.tenant_keys, whose tokens hold
 * the agency keys — but not agency schemas, which use their own key. An agency scope is that
 * agency's schema, whose key list lives (as a token under the master list) in tenant_keys.
 */

export interface ScopeKeys {
  /** The list as stored ("new,old,..." during a rotation). */
  listText: string;
  keys: MultiFernet;
  fingerprints: string[];
  /** For agency scopes: the tenant_keys row and its current token. */
  tenant?: { id: string; token: Buffer };
}

async function agencySchemas(client: Client): Promise<Map<string, string>> {
  const ok = await client.query<{ ok: boolean }>(`SELECT to_regclass('public.tenant_keys') IS NOT NULL AND to_regclass('public.agencies') IS NOT NULL AS ok`);
  if (!ok.rows[0]?.ok) return new Map();
  const res = await client.query<{ schema_name: string; id: string }>(
    `SELECT a.schema_name, tk.id::text AS id FROM public.agencies a JOIN public.tenant_keys tk ON tk.tenant_id = a.id`,
  );
  return new Map(res.rows.map((r) => [r.schema_name, r.id]));
}

export async function scopeColumns(client: Client, schemas: string[], agency: string | null): Promise<{ rotatable: RotatableColumn[]; unsupported: string[] }> {
  const agencies = await agencySchemas(client);
  if (agency !== null && !agencies.has(agency)) {
    throw new AppError('NotFound', `No agency uses schema "${agency}" (no row in agencies with a tenant key).`, 'Check the agency schema name in KoNote (agencies.schema_name).');
  }
  const wanted = agency !== null ? [agency] : schemas.filter((s) => !agencies.has(s));
  const cols = await discoverEncryptedColumns(client, wanted);
  const rotatable: RotatableColumn[] = [];
  const unsupported: string[] = [];
  for (const c of cols) {
    if (!c.primaryKey) unsupported.push(`${c.schema}.${c.table}.${c.column}`);
    else rotatable.push({ ...c, primaryKey: c.primaryKey, pkType: await pkType(client, c) });
  }
  return { rotatable, unsupported };
}

function facts(listText: string): Omit<ScopeKeys, 'tenant'> {
  return { listText, keys: MultiFernet.parse(listText), fingerprints: splitKeyList(listText).map(keyFingerprint) };
}

export async function masterKeys(ctx: CoreContext, profile: string): Promise<ScopeKeys> {
  await loadKeyList(ctx, profile); // KeyMissing / KeyMismatch with the recovery hint
  return facts((await ctx.vault.get(vaultAccounts.fernetKeys(profile)))!.trim());
}

export async function agencyKeys(client: Client, master: MultiFernet, agency: string): Promise<ScopeKeys> {
  const res = await client.query<{ id: string; encrypted_key: Buffer }>(
    `SELECT tk.id::text AS id, tk.encrypted_key FROM public.tenant_keys tk JOIN public.agencies a ON a.id = tk.tenant_id WHERE a.schema_name = $1`,
    [agency],
  );
  const row = res.rows[0];
  if (!row) throw new AppError('NotFound', `Agency schema "${agency}" has no tenant key.`, 'Check the agency in KoNote.');
  let text: string;
  try {
    text = master.decrypt(row.encrypted_key).toString('utf8');
    return { ...facts(text), tenant: { id: row.id, token: row.encrypted_key } };
  } catch {
    throw new AppError('KeyMismatch', `The agency key of "${agency}" cannot be opened with the master key list.`, 'Import the complete master key list (FIELD_ENCRYPTION_KEY) first; nothing was changed.');
  }
}

export async function keysFor(ctx: CoreContext, client: Client, profile: string, agency: string | null): Promise<ScopeKeys> {
  const master = await masterKeys(ctx, profile);
  return agency === null ? master : agencyKeys(client, master.keys, agency);
}

/** The first key must be a new one: equal to, or already in, the list is refused. */
export function assertNewKey(newKey: string, current: ScopeKeys): FernetKey {
  const parsed = FernetKey.parse(newKey, 'The new key');
  if (current.fingerprints.includes(keyFingerprint(newKey))) {
    throw new AppError('KeyInvalid', 'The new key is already in the key list; rotating to it would change nothing.', 'Let Custodian generate the new key (leave the new key empty).');
  }
  return parsed;
}
