import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'pg';
import type { TestContext } from '../helpers/core-context';
import { startKonoteDbs, type KonoteDbs } from '../helpers/konote-dbs';
import { FernetKey, MultiFernet } from '../../src-main/core/keys/fernet';
import { keyFingerprint } from '../../src-main/core/keys/fingerprint';
import { vaultAccounts } from '../../src-main/core/keys/vault';
import { readCustodyRecord } from '../../src-main/core/keys/custody';
import { rotationDryRun, runRotation, startRotation, verifyRotation, rotateJob } from '../../src-main/core/keys/rotation/rotation-service';
import { dropOldKey } from '../../src-main/core/keys/rotation/drop-old';
import { activeRotation } from '../../src-main/core/keys/rotation/rotation-store';

/**
 * Key rotation against real PostgreSQL. Threats covered: columns KoNote's own command misses
 * (every catalog-discovered column, tenant_keys included), a crash or cancel mid-way (values must
 * stay readable under "new,old" and resuming must finish), rows no key opens (refused, listed),
 * a KoNote write during rotation (must not be overwritten), and key material leaking into the log.
 */
let k: KonoteDbs;
let ctx: TestContext;
const OLD = FernetKey.generate();
const AGENCY = FernetKey.generate();
const STRANGER = FernetKey.generate();
const tok = (text: string, key = OLD) => Buffer.from(MultiFernet.parse(key).encrypt(text), 'ascii');
const db = <T>(fn: (c: Client) => Promise<T>, database?: string) => k.db(fn, database);

const PUBLIC_COLUMNS: Array<[string, string]> = [
  ['client_files', '_first_name_encrypted'],
  ['client_files', '_phone_encrypted'],
  ['survey_partial_answers', 'value_encrypted'],
  ['users', '_mfa_secret_encrypted'],
  ['tenant_keys', 'encrypted_key'],
];

beforeAll(async () => {
  k = await startKonoteDbs();
  ctx = k.ctx;
  await db(async (c) => {
    await c.query(`
      CREATE SCHEMA agency_a;
      CREATE TABLE client_files (id bigint PRIMARY KEY, _first_name_encrypted bytea NOT NULL, _phone_encrypted bytea NULL);
      CREATE TABLE survey_partial_answers (id uuid PRIMARY KEY, value_encrypted bytea NOT NULL);
      CREATE TABLE users (id bigint PRIMARY KEY, _mfa_secret_encrypted bytea NOT NULL);
      CREATE TABLE agencies (id bigint PRIMARY KEY, schema_name varchar(63) NOT NULL);
      CREATE TABLE tenant_keys (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, encrypted_key bytea NOT NULL, rotated_at timestamptz NULL);
      CREATE TABLE agency_a.client_files (id bigint PRIMARY KEY, _first_name_encrypted bytea NOT NULL);`);
    for (let i = 1; i <= 40; i++) {
      const phone = i % 7 === 0 ? Buffer.alloc(0) : i % 5 === 0 ? null : tok(`555-01${i}`);
      await c.query('INSERT INTO client_files VALUES ($1, $2, $3)', [i, tok(`name ${i}`), phone]);
    }
    for (let i = 1; i <= 4; i++) await c.query('INSERT INTO survey_partial_answers VALUES (gen_random_uuid(), $1)', [tok(`answer ${i}`)]);
    await c.query('INSERT INTO users VALUES (1, $1), (2, $2)', [tok('JBSWY3DPEHPK3PXP'), Buffer.alloc(0)]);
    await c.query(`INSERT INTO agencies VALUES (1, 'agency_a')`);
    await c.query('INSERT INTO tenant_keys VALUES (1, 1, $1, NULL)', [tok(AGENCY)]);
    for (let i = 1; i <= 8; i++) await c.query('INSERT INTO agency_a.client_files VALUES ($1, $2)', [i, tok(`agency client ${i}`, AGENCY)]);
  });
  await k.addProfile(OLD, ['public', 'agency_a']);
}, 120_000);

afterAll(async () => {
  await k?.stop();
});

/** Every non-empty value of the master scope, decrypted with `keys` (throws if any does not open). */
async function masterPlaintexts(keys: MultiFernet): Promise<Map<string, string>> {
  return db(async (c) => {
    const out = new Map<string, string>();
    for (const [t, col] of PUBLIC_COLUMNS) {
      const rows = (await c.query<{ id: string; v: Buffer | null }>(`SELECT id::text AS id, "${col}" AS v FROM public."${t}"`)).rows;
      for (const r of rows) if (r.v && r.v.length) out.set(`${t}.${col}.${r.id}`, keys.decrypt(r.v).toString('utf8'));
    }
    return out;
  });
}

describe('master key rotation', () => {
  let before: Map<string, string>;

  it('dry run counts every column (tenant_keys included), empties, and lists rows no key opens; start is refused', async () => {
    const bad = await db(async (c) => (await c.query<{ id: string }>(`INSERT INTO survey_partial_answers VALUES (gen_random_uuid(), $1) RETURNING id::text`, [tok('lost', STRANGER)])).rows[0]!.id);
    await db((c) => c.query(`INSERT INTO users VALUES (3, 'plaintext, not a token'::bytea)`));
    const dry = await rotationDryRun(ctx, 'konote', null);
    const col = (t: string, c: string) => dry.columns.find((x) => x.table === t && x.column === c && x.schema === 'public');
    expect(dry.columns.map((c) => `${c.schema}.${c.table}.${c.column}`).sort()).toEqual(PUBLIC_COLUMNS.map(([t, c]) => `public.${t}.${c}`).sort());
    expect(col('client_files', '_first_name_encrypted')).toMatchObject({ toReencrypt: 40, alreadyNew: 0, empty: 0, undecryptableCount: 0 });
    expect(col('client_files', '_phone_encrypted')).toMatchObject({ toReencrypt: 28, empty: 12 });
    expect(col('tenant_keys', 'encrypted_key')).toMatchObject({ toReencrypt: 1 });
    expect(col('survey_partial_answers', 'value_encrypted')).toMatchObject({ toReencrypt: 4, undecryptable: [bad] });
    expect(col('users', '_mfa_secret_encrypted')).toMatchObject({ toReencrypt: 1, empty: 1, undecryptable: ['3'] });
    expect(dry.ok).toBe(false);
    await expect(startRotation(ctx, 'konote', null)).rejects.toMatchObject({ kind: 'KeyMismatch', message: expect.stringContaining(bad) });
    expect(await ctx.vault.get(vaultAccounts.fernetKeys('konote'))).toBe(OLD);
    expect(activeRotation(ctx.log, 'konote')).toBeNull();
    await db((c) => c.query(`DELETE FROM survey_partial_answers WHERE id = $1; `.trim(), [bad]));
    await db((c) => c.query(`DELETE FROM users WHERE id = 3`));
    before = await masterPlaintexts(MultiFernet.parse(OLD));
  });

  it('refuses a new key equal to the old one, a malformed new key, and a lost keychain entry — changing nothing', async () => {
    await expect(startRotation(ctx, 'konote', null, { newKey: OLD })).rejects.toMatchObject({ kind: 'KeyInvalid' });
    await expect(startRotation(ctx, 'konote', null, { newKey: 'not-a-key' })).rejects.toMatchObject({ kind: 'KeyInvalid' });
    await ctx.vault.delete(vaultAccounts.fernetKeys('konote'));
    await expect(startRotation(ctx, 'konote', null)).rejects.toMatchObject({ kind: 'KeyMissing' });
    await expect(rotationDryRun(ctx, 'konote', null)).rejects.toMatchObject({ kind: 'KeyMissing' });
    expect(await ctx.vault.get(vaultAccounts.fernetKeys('konote'))).toBeNull(); // never a new key in its place
    await ctx.vault.set(vaultAccounts.fernetKeys('konote'), OLD);
    expect(activeRotation(ctx.log, 'konote')).toBeNull();
    expect(await masterPlaintexts(MultiFernet.parse(OLD))).toEqual(before);
  });

  it('survives crashes at 12 points, each time readable under "new,old", and resumes to completion', async () => {
    const rot = await startRotation(ctx, 'konote', null);
    const list = (await ctx.vault.get(vaultAccounts.fernetKeys('konote')))!;
    expect(list.split(',')[1]).toBe(OLD);
    expect(keyFingerprint(list.split(',')[0]!)).toBe(rot.newFingerprint);
    const both = MultiFernet.parse(list);
    const newOnly = MultiFernet.parse(list.split(',')[0]!);
    const points = [1, 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4];
    const crashedAt = new Set<string>();
    for (const target of points) {
      let n = 0;
      await expect(
        runRotation(ctx, rot.id, { batchSize: 2, faults: (p) => { if (++n === target) { crashedAt.add(p); throw new Error(`simulated crash at ${p}`); } } }),
      ).rejects.toThrow(/simulated crash/);
      expect(await masterPlaintexts(both)).toEqual(before); // nothing lost, nothing half-written
    }
    expect([...crashedAt].sort()).toEqual(['batch-committed', 'batch-read', 'batch-saved', 'batch-written', 'column-start']);
    // A cancel mid-way behaves the same.
    const ac = new AbortController();
    let batches = 0;
    await expect(
      runRotation(ctx, rot.id, { batchSize: 4, faults: (p) => { if (p === 'batch-saved' && ++batches === 2) ac.abort(); } }, {
        signal: ac.signal, progress: () => {}, log: () => {},
        throwIfCancelled: () => { if (ac.signal.aborted) throw Object.assign(new Error('cancelled'), { kind: 'Cancelled' }); },
      }),
    ).rejects.toThrow(/cancelled/);
    const done = await runRotation(ctx, rot.id, { batchSize: 4 });
    expect(done.columns.every((c) => c.done)).toBe(true);
    const verify = await verifyRotation(ctx, rot.id);
    expect(verify).toMatchObject({ ok: true, failed: [] });
    expect(await masterPlaintexts(newOnly)).toEqual(before);
    // Idempotent: another pass re-encrypts nothing.
    const again = await rotationDryRun(ctx, 'konote', null);
    expect(again.totals).toMatchObject({ toReencrypt: 0, undecryptable: 0 });
    expect(again.totals.alreadyNew).toBe(before.size);
  }, 120_000);

  it('drop-old leaves only the new key, retires the old one in custody and writes an audit row without key material', async () => {
    const list = (await ctx.vault.get(vaultAccounts.fernetKeys('konote')))!;
    const newKey = list.split(',')[0]!;
    const r = await dropOldKey(ctx, 'konote', null);
    expect(await ctx.vault.get(vaultAccounts.fernetKeys('konote'))).toBe(newKey);
    expect(r.auditRowWritten).toBe(true);
    expect(r.status.state).toBe('completed');
    const custody = readCustodyRecord(ctx.log, 'konote', true);
    expect(custody.keys.find((k) => k.fingerprint === keyFingerprint(OLD))?.retiredAt).not.toBeNull();
    expect(custody.keys.find((k) => k.fingerprint === keyFingerprint(newKey))).toMatchObject({ primary: true, retiredAt: null });
    const audit = await db((c) => c.query(`SELECT action, resource_type, metadata::text AS m FROM audit_log`), 'konote_audit');
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({ action: 'update', resource_type: 'encryption_key_rotation' });
    const meta = JSON.parse(audit.rows[0].m);
    expect(meta).toMatchObject({ new_key_fingerprint: keyFingerprint(newKey), old_key_fingerprints: [keyFingerprint(OLD)], empty: 13 });
    // A batch committed just before a crash is redone after resume and then counts as "already new".
    expect(meta.reencrypted + meta.already_new).toBe(before.size);
    expect(meta.reencrypted).toBeGreaterThan(0);
    // The agency's data is untouched by a master rotation, and its key opens with the new master key.
    const agencyToken = await db(async (c) => (await c.query(`SELECT encrypted_key FROM tenant_keys`)).rows[0].encrypted_key as Buffer);
    expect(MultiFernet.parse(newKey).decrypt(agencyToken).toString()).toBe(AGENCY);
    // Key material never lands in the SQLite log.
    const logDump = ['jobs', 'job_logs', 'key_custody', 'key_lists', 'key_rotations', 'key_rotation_columns'].map((t) => JSON.stringify(ctx.log.prepare(`SELECT * FROM ${t}`).all())).join('');
    for (const k of [OLD, newKey, AGENCY]) {
      expect(logDump).not.toContain(k);
      expect(audit.rows[0].m).not.toContain(k);
    }
    await expect(dropOldKey(ctx, 'konote', null)).rejects.toMatchObject({ kind: 'NotFound' });
  });
});

describe('agency key rotation', () => {
  it('re-encrypts the agency schema, never overwrites a concurrent KoNote write, and keeps the master key', async () => {
    const masterBefore = await ctx.vault.get(vaultAccounts.fernetKeys('konote'));
    let wrote = false;
    const result = await rotateJob(ctx, { profile: 'konote', agency: 'agency_a', resume: false, incident: true, batchSize: 3 }, undefined, {
      faults: async (p, col) => {
        if (p === 'batch-read' && col.schema === 'agency_a' && !wrote) {
          wrote = true;
          // A KoNote worker that still has the old agency key saves client 2 between our read and write.
          await db((c) => c.query(`UPDATE agency_a.client_files SET _first_name_encrypted = $1 WHERE id = 2`, [tok('renamed during rotation', AGENCY)]));
        }
      },
    });
    expect(wrote).toBe(true);
    expect(result.verify?.ok).toBe(true);
    expect(result.status.columns[0]!.conflicts).toBeGreaterThanOrEqual(1);
    expect(result.status.incident).toBe(true);
    await dropOldKey(ctx, 'konote', 'agency_a');
    expect(await ctx.vault.get(vaultAccounts.fernetKeys('konote'))).toBe(masterBefore);
    const master = MultiFernet.parse(masterBefore!);
    const rows = await db(async (c) => ({
      token: (await c.query(`SELECT encrypted_key FROM tenant_keys`)).rows[0].encrypted_key as Buffer,
      data: (await c.query<{ id: string; v: Buffer }>(`SELECT id::text AS id, _first_name_encrypted AS v FROM agency_a.client_files ORDER BY id`)).rows,
    }));
    const agencyNew = master.decrypt(rows.token).toString();
    expect(agencyNew).not.toContain(',');
    expect(agencyNew).not.toBe(AGENCY);
    const fresh = MultiFernet.parse(agencyNew);
    expect(rows.data.map((r) => fresh.decrypt(r.v).toString())).toEqual(
      Array.from({ length: 8 }, (_, i) => (i === 1 ? 'renamed during rotation' : `agency client ${i + 1}`)),
    );
  }, 120_000);
});
