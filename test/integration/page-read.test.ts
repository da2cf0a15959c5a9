import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'pg';
import { startTestCluster, type TestCluster } from '../helpers/pg-cluster';
import { withEndpointClient } from '../../src-main/core/connections/pg-client';
import { FernetKey } from '../../src-main/core/keys/fernet';
import { encryptBatch } from '../../src-main/core/keys/fernet-batch';
import { pageKey, pageSize, pageValue, readBatch, readRows, writeIfUnchanged, type Page, type RotatableColumn } from '../../src-main/core/keys/rotation/column-scan';

/**
 * The rotation's page reads and writes against real PostgreSQL. Threats: a value that is not a
 * token (any bytes, including NUL, backslashes and invalid UTF-8) coming back altered — it would
 * then be listed wrongly or, worse, compared wrongly; keys that need quoting; a page split across
 * blob chunks; and a write landing on a row KoNote changed after it was read.
 */
let cluster: TestCluster;
const db = <T>(fn: (c: Client) => Promise<T>) => withEndpointClient({ host: '127.0.0.1', port: cluster.port, database: 'postgres', user: 'postgres', sslmode: 'disable' }, cluster.password, fn);
const col: RotatableColumn = { schema: 'public', table: 'odd values', column: 'v_encrypted', primaryKey: 'k', pkType: 'text' } as RotatableColumn;
const key = FernetKey.parse(FernetKey.generate());

const values = new Map<string, Buffer | null>();

beforeAll(async () => {
  // Test clusters commit asynchronously by default (fsync off); this file checks commit modes.
  cluster = await startTestCluster({ settings: { synchronous_commit: 'on' } });
  const all256 = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  for (let i = 0; i < 330; i++) {
    const pk = i === 7 ? 'has,comma "quote" \\back' : i === 8 ? 'ünïcödé 🙂' : `k${String(i).padStart(4, '0')}`;
    const v =
      i % 11 === 0 ? null
      : i % 13 === 0 ? Buffer.alloc(0)
      : i % 17 === 0 ? all256
      : i % 19 === 0 ? Buffer.from('back\\slash\\\\x00 and \\000')
      : i % 23 === 0 ? crypto.randomBytes(5000) // one value bigger than a whole chunk
      : i % 29 === 0 ? crypto.randomBytes(40)
      : Buffer.from(key.encrypt(`value ${i}`), 'ascii');
    values.set(pk, v);
  }
  await db(async (c) => {
    await c.query(`CREATE TABLE "odd values" (k text PRIMARY KEY, v_encrypted bytea, other int DEFAULT 0)`);
    for (const [k, v] of values) await c.query(`INSERT INTO "odd values" (k, v_encrypted) VALUES ($1, $2)`, [k, v]);
  });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

async function readAll(c: Client, limit: number): Promise<Page[]> {
  const pages: Page[] = [];
  let after: string | null = null;
  for (;;) {
    const p = await readBatch(c, col, after, limit);
    if (p.pks.length === 0) return pages;
    pages.push(p);
    after = p.pks[p.pks.length - 1]!;
  }
}

describe('page reads', () => {
  it('return every key, row version and value byte for byte, in key order, across pages and blob chunks', async () => {
    await db(async (c) => {
      const want = (await c.query<{ k: string; v: Buffer | null; x: string }>(`SELECT k, v_encrypted AS v, xmin::text AS x FROM "odd values" ORDER BY k`)).rows;
      for (const limit of [1, 7, 128, 129, 200, 1000]) {
        const pages = await readAll(c, limit);
        expect(pages.length).toBe(Math.ceil(want.length / limit));
        const got = pages.flatMap((p) => p.pks.map((k, i) => ({ k, v: pageValue(p, i), x: String(p.versions[i]) })));
        expect(got.map((r) => r.k)).toEqual(want.map((r) => r.k));
        expect(got.map((r) => r.x)).toEqual(want.map((r) => r.x));
        expect(got.map((r) => (r.v === null ? null : r.v.toString('hex')))).toEqual(want.map((r) => (r.v === null ? null : r.v.toString('hex'))));
      }
      // NULL and '' stay distinct (-1 and 0): KoNote's "no value" is ''.
      const p = await readBatch(c, col, null, 1000);
      expect(p.len[p.pks.indexOf('k0000')]).toBe(-1);
      expect(p.len[p.pks.indexOf('k0013')]).toBe(0);
    });
  });

  it('writes only rows still at the version read; a row KoNote changed meanwhile is left alone', async () => {
    await db(async (c) => {
      const page = await readBatch(c, col, null, 5);
      const rows = page.pks.map((pk, i) => ({ pk, version: page.versions[i]! }));
      // KoNote saves one value, and touches another row's other column, after our read.
      await c.query(`UPDATE "odd values" SET v_encrypted = $1 WHERE k = $2`, [Buffer.from(key.encrypt('saved by KoNote'), 'ascii'), rows[1]!.pk]);
      await c.query(`UPDATE "odd values" SET other = 1 WHERE k = $1`, [rows[3]!.pk]);
      const tokens = encryptBatch(key, rows.map((r) => `rotated ${r.pk}`));
      const lost = await writeIfUnchanged(c, col, { pks: rows.map((r) => r.pk), versions: rows.map((r) => r.version), tokens: Buffer.concat(tokens), len: tokens.map((t) => t.length) });
      expect(lost.sort()).toEqual([rows[1]!.pk, rows[3]!.pk]);
      const after = await readRows(c, col, rows.map((r) => r.pk));
      expect(after.pks).toEqual(rows.map((r) => r.pk));
      const text = (i: number) => pageValue(after, i)!.toString('ascii');
      expect([0, 2, 4].map(text)).toEqual([0, 2, 4].map((i) => tokens[i]!.toString('ascii')));
      expect(key.tryDecrypt(Buffer.from(text(1), 'base64url'))?.toString()).toBe('saved by KoNote');
      expect(pageValue(after, 3)!.equals(values.get(rows[3]!.pk)!)).toBe(true); // re-read and retried by the rotation, never blindly overwritten
    });
  });
});

describe('integer keys', () => {
  const intCol = (table: string, pkType: string): RotatableColumn => ({ schema: 'public', table, column: 'v_encrypted', primaryKey: 'id', pkType } as RotatableColumn);

  it('come back as numbers (no string per row) for smallint, integer and bigint; keys beyond 2^53 fall back to exact text', async () => {
    await db(async (c) => {
      const keys: Record<string, string[]> = {
        smallint: ['-32768', '-1', '0', '7', '32767'],
        integer: ['-2147483648', '-5', '1', '2', '2147483647'],
        bigint: ['-9223372036854775808', '-9007199254740991', '1', '9007199254740991', '9007199254740993', '9223372036854775807'],
      };
      for (const [type, ks] of Object.entries(keys)) {
        await c.query(`CREATE TABLE ints_${type} (id ${type} PRIMARY KEY, v_encrypted bytea)`);
        for (const k of ks) await c.query(`INSERT INTO ints_${type} VALUES ($1::${type}, $2)`, [k, Buffer.from(`value ${k}`)]);
        for (const limit of [1, 2, 100]) {
          const got: string[] = [];
          const vals: string[] = [];
          let after: string | null = null;
          for (;;) {
            const p = await readBatch(c, intCol(`ints_${type}`, type), after, limit);
            if (pageSize(p) === 0) break;
            const safe = Array.from({ length: pageSize(p) }, (_, i) => Number.isSafeInteger(Number(p.pks[i])));
            // Numbers exactly when every key of the page is exact as a number.
            expect(p.ids !== undefined).toBe(safe.every(Boolean));
            if (p.ids) expect(Array.from(p.ids, String)).toEqual(p.pks);
            for (let i = 0; i < pageSize(p); i++) {
              got.push(pageKey(p, i));
              vals.push(pageValue(p, i)!.toString());
            }
            after = pageKey(p, pageSize(p) - 1);
          }
          expect(got).toEqual(ks);
          expect(vals).toEqual(ks.map((k) => `value ${k}`));
        }
      }
    });
  });

  it('write numeric keys as a binary array and commit asynchronously only when asked, for that transaction only', async () => {
    await db(async (c) => {
      await c.query(`CREATE TABLE ints_w (id integer PRIMARY KEY, v_encrypted bytea NOT NULL);
        CREATE TABLE commit_mode (mode text);
        CREATE FUNCTION note_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO commit_mode VALUES (current_setting('synchronous_commit')); RETURN NULL; END $$;
        CREATE TRIGGER note_mode AFTER UPDATE ON ints_w FOR EACH STATEMENT EXECUTE FUNCTION note_commit_mode();`);
      for (let i = 1; i <= 12; i++) await c.query(`INSERT INTO ints_w VALUES ($1, $2)`, [i * 10, Buffer.from(key.encrypt(`old ${i}`), 'ascii')]);
      const col = intCol('ints_w', 'integer');
      for (const asyncCommit of [true, false]) {
        const page = await readBatch(c, col, null, 100);
        expect(page.ids).toBeInstanceOf(Float64Array);
        await c.query(`UPDATE ints_w SET v_encrypted = v_encrypted WHERE id = 50`); // changed after our read: must be left alone
        const tokens = encryptBatch(key, Array.from(page.ids!, (id) => `new ${id} ${asyncCommit}`));
        await c.query('DELETE FROM commit_mode');
        const lost = await writeIfUnchanged(c, col, { pks: page.ids!, versions: page.versions, tokens: Buffer.concat(tokens), len: tokens.map((t) => t.length) }, { asyncCommit });
        expect(lost).toEqual(['50']);
        // The AFTER trigger runs inside the batch's own transaction, just before its commit.
        expect((await c.query(`SELECT mode FROM commit_mode`)).rows).toEqual([{ mode: asyncCommit ? 'off' : 'on' }]);
        expect((await c.query(`SHOW synchronous_commit`)).rows[0].synchronous_commit).toBe('on'); // nothing leaks into the session
        const rows = (await c.query<{ id: number; v: Buffer }>(`SELECT id, v_encrypted AS v FROM ints_w ORDER BY id`)).rows;
        const open = (v: Buffer) => key.tryDecrypt(Buffer.from(v.toString('ascii'), 'base64url'))?.toString();
        expect(rows.map((r) => open(r.v))).toEqual(rows.map((r) => (r.id === 50 ? 'old 5' : `new ${r.id} ${asyncCommit}`)));
      }
    });
  });
});
