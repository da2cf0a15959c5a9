import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'pg';
import { startTestCluster, type TestCluster } from '../helpers/pg-cluster';
import { withEndpointClient } from '../../src-main/core/connections/pg-client';
import { FernetKey } from '../../src-main/core/keys/fernet';
import { encryptBatch } from '../../src-main/core/keys/fernet-batch';
import { pageValue, readBatch, readRows, writeIfUnchanged, type Page, type RotatableColumn } from '../../src-main/core/keys/rotation/column-scan';

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
  cluster = await startTestCluster();
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
