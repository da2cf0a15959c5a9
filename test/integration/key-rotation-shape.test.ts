import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'pg';
import type { TestContext } from '../helpers/core-context';
import { startKonoteDbs, type KonoteDbs } from '../helpers/konote-dbs';
import { importKeyList } from '../../src-main/core/keys/key-service';
import { FernetKey, MultiFernet } from '../../src-main/core/keys/fernet';
import { vaultAccounts } from '../../src-main/core/keys/vault';
import { rotationDryRun, runRotation, startRotation, verifyRotation } from '../../src-main/core/keys/rotation/rotation-service';
import { activeRotation, getRotation } from '../../src-main/core/keys/rotation/rotation-store';

/**
 * Issue 5's "faults and bad input" beyond crashes: the keychain holding the wrong key (nothing
 * opens), and a table that changes shape while it is being rotated (a KoNote migration renaming
 * a column, a table without a primary key appearing). Each: a typed error that says what to do,
 * every value still readable, and the rotation finishes once the database is settled.
 */
let k: KonoteDbs;
let ctx: TestContext;
const OLD = FernetKey.generate();
const WRONG = FernetKey.generate();
const tok = (text: string) => Buffer.from(MultiFernet.parse(OLD).encrypt(text), 'ascii');
const db = <T>(fn: (c: Client) => Promise<T>, database?: string) => k.db(fn, database);

/** Every non-empty encrypted value of client_files, by id and column position, decrypted with `keys`. */
async function plaintexts(keys: MultiFernet): Promise<string[]> {
  return db(async (c) => {
    const cols = (await c.query<{ name: string }>(`SELECT attname AS name FROM pg_attribute WHERE attrelid = 'client_files'::regclass AND attname LIKE '%_encrypted' AND NOT attisdropped ORDER BY attnum`)).rows.map((r) => r.name);
    const out: string[] = [];
    for (const [i, col] of cols.entries()) {
      for (const r of (await c.query<{ id: string; v: Buffer }>(`SELECT id::text AS id, "${col}" AS v FROM client_files ORDER BY id`)).rows) out.push(`${r.id}.${i}: ${keys.decrypt(r.v).toString('utf8')}`);
    }
    return out;
  });
}

beforeAll(async () => {
  k = await startKonoteDbs();
  ctx = k.ctx;
  await db(async (c) => {
    await c.query('CREATE TABLE client_files (id bigint PRIMARY KEY, _first_name_encrypted bytea NOT NULL, _last_name_encrypted bytea NOT NULL)');
    for (let i = 1; i <= 30; i++) await c.query('INSERT INTO client_files VALUES ($1, $2, $3)', [i, tok(`first ${i}`), tok(`last ${i}`)]);
  });
  await k.addProfile(OLD);
}, 120_000);

afterAll(async () => {
  await k?.stop();
});

describe('rotation faults: wrong key, a table changing shape', () => {
  let before: string[];

  it('the wrong key: swapped in the keychain it is refused as not the recorded list; imported, the dry run lists every value and start is refused', async () => {
    before = await plaintexts(MultiFernet.parse(OLD));
    await ctx.vault.set(vaultAccounts.fernetKeys('konote'), WRONG); // changed behind Custodian's back
    await expect(rotationDryRun(ctx, 'konote', null)).rejects.toMatchObject({ kind: 'KeyMismatch' });
    await expect(startRotation(ctx, 'konote', null)).rejects.toMatchObject({ kind: 'KeyMismatch' });
    // Imported on purpose (--replace), e.g. the key of another deployment.
    await importKeyList(ctx, 'konote', WRONG, { source: 'imported', replace: true });
    const dry = await rotationDryRun(ctx, 'konote', null);
    expect(dry.ok).toBe(false);
    expect(dry.totals).toMatchObject({ toReencrypt: 0, undecryptable: 60 });
    expect(dry.columns.find((c) => c.column === '_first_name_encrypted')!.undecryptable).toHaveLength(30);
    await expect(startRotation(ctx, 'konote', null)).rejects.toMatchObject({ kind: 'KeyMismatch', hint: expect.stringContaining('Nothing was changed') });
    expect(await ctx.vault.get(vaultAccounts.fernetKeys('konote'))).toBe(WRONG);
    expect(activeRotation(ctx.log, 'konote')).toBeNull();
    expect(await plaintexts(MultiFernet.parse(OLD))).toEqual(before);
    await importKeyList(ctx, 'konote', OLD, { source: 'imported', replace: true });
  });

  it('a column renamed mid-rotation: a Conflict that says to resume; resuming covers it under its new name', async () => {
    const rot = await startRotation(ctx, 'konote', null);
    const list = (await ctx.vault.get(vaultAccounts.fernetKeys('konote')))!;
    const both = MultiFernet.parse(list);
    const newOnly = MultiFernet.parse(list.split(',')[0]!);
    let renamed = false;
    await expect(
      runRotation(ctx, rot.id, {
        batchSize: 4,
        faults: async (point, col) => {
          // KoNote's migration runs while Custodian is half-way through this column.
          if (point === 'batch-saved' && col.column === '_last_name_encrypted' && !renamed) {
            renamed = true;
            await db((c) => c.query('ALTER TABLE client_files RENAME COLUMN _last_name_encrypted TO _surname_encrypted'));
          }
        },
      }),
    ).rejects.toMatchObject({
      kind: 'Conflict',
      message: expect.stringContaining('public.client_files._last_name_encrypted changed while it was being rotated'),
      hint: expect.stringContaining('--resume'),
    });
    expect(renamed).toBe(true);
    expect(await plaintexts(both)).toEqual(before); // nothing lost, nothing half-written

    const done = await runRotation(ctx, rot.id, { batchSize: 4 });
    // The vanished name is dropped from the progress; the new name is rotated in full.
    expect(done.columns.map((c) => `${c.column}:${c.done}`).sort()).toEqual(['_first_name_encrypted:true', '_surname_encrypted:true']);
    expect(await verifyRotation(ctx, rot.id)).toMatchObject({ ok: true, failed: [] });
    expect(await plaintexts(newOnly)).toEqual(before);
    expect(getRotation(ctx.log, rot.id)!.state).toBe('verified');
  });

  it('an encrypted table without a primary key appearing: resume is refused by name, and nothing is written', async () => {
    await db((c) => c.query('CREATE TABLE note_drafts (_body_encrypted bytea)'));
    await db((c) => c.query('INSERT INTO note_drafts VALUES ($1)', [tok('draft')]));
    const rot = activeRotation(ctx.log, 'konote')!;
    await expect(runRotation(ctx, rot.id)).rejects.toMatchObject({ kind: 'Conflict', message: expect.stringContaining('public.note_drafts._body_encrypted') });
    const v = await db(async (c) => (await c.query<{ v: Buffer }>('SELECT _body_encrypted AS v FROM note_drafts')).rows[0]!.v);
    expect(MultiFernet.parse(OLD).decrypt(v).toString('utf8')).toBe('draft');
  });
});
