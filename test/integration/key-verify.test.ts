import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../helpers/pg-cluster';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { withEndpointClient } from '../../src-main/core/connections/pg-client';
import { importKeyList, verifyKeys } from '../../src-main/core/keys/key-service';
import { discoverEncryptedColumns } from '../../src-main/core/keys/encrypted-columns';
import { defineKeyJobs } from '../../src-main/core/keys/jobs';
import { FernetKey, MultiFernet } from '../../src-main/core/keys/fernet';
import { AppError } from '../../src-main/core/common/errors';
import type { KeyVerify } from '../../src-main/contract/keys';

/**
 * `key verify` against real PostgreSQL: catalog discovery of encrypted columns, sampling by
 * primary key (oldest and newest rows), empty ''::bytea values, wrong-key rows reported by id,
 * agency schemas decrypted with their own key from tenant_keys.
 * Threat covered: a key list that parses but is not the one the database was encrypted with.
 */
let cluster: TestCluster;
let ctx: TestContext;
const k1 = FernetKey.generate();
const k2 = FernetKey.generate();
const stranger = FernetKey.generate();
const agencyKey = FernetKey.generate();
const tok = (text: string, key = k1) => Buffer.from(MultiFernet.parse(key).encrypt(text), 'ascii');

beforeAll(async () => {
  cluster = await startTestCluster();
  ctx = makeTestContext();
  defineKeyJobs(ctx);
  const su = { host: cluster.host, port: cluster.port, database: 'postgres', user: 'postgres', sslmode: 'disable' as const };
  await withEndpointClient(su, cluster.password, async (c) => {
    await c.query('CREATE DATABASE konote');
  });
  await withEndpointClient({ ...su, database: 'konote' }, cluster.password, async (c) => {
    await c.query(`
      CREATE SCHEMA agency_a;
      CREATE TABLE client_files (id bigint PRIMARY KEY, _first_name_encrypted bytea NOT NULL, _phone_encrypted bytea NULL,
                                 notes_encrypted bytea, _label_encrypted text, xfirstyencrypted bytea);
      CREATE TABLE survey_partial_answers (id bigint PRIMARY KEY, value_encrypted bytea NOT NULL);
      CREATE TABLE agencies (id bigint PRIMARY KEY, schema_name varchar(63) NOT NULL);
      CREATE TABLE tenant_keys (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, encrypted_key bytea NOT NULL);
      CREATE TABLE no_single_pk (a int, b int, _v_encrypted bytea, PRIMARY KEY (a, b));
      CREATE TABLE agency_a.client_files (id bigint PRIMARY KEY, _first_name_encrypted bytea NOT NULL);`);
    for (let i = 1; i <= 30; i++) {
      // id 7 sits in the middle (outside a 10-row sample); id 29 is among the newest rows.
      const first = i === 7 || i === 29 ? tok('lost', stranger) : tok(`name ${i}`, i % 2 ? k1 : k2);
      const phone = i % 5 === 0 ? Buffer.alloc(0) : i % 3 === 0 ? null : tok('555-0100');
      await c.query('INSERT INTO client_files VALUES ($1, $2, $3, $4, $5, $6)', [i, first, phone, tok('x', stranger), 'plain', tok('x', stranger)]);
    }
    await c.query('INSERT INTO survey_partial_answers VALUES (1, $1), (2, $2)', [tok('yes'), tok('no', stranger)]);
    await c.query(`INSERT INTO agencies VALUES (1, 'agency_a')`);
    await c.query('INSERT INTO tenant_keys VALUES (1, 1, $1)', [tok(agencyKey)]);
    await c.query('INSERT INTO agency_a.client_files VALUES (1, $1), (2, $2)', [tok('agency client', agencyKey), tok('wrongly under master', k1)]);
  });
  const ep = (database: string) => ({ host: cluster.host, port: cluster.port, database, user: 'postgres', sslmode: 'disable' as const });
  await saveProfile(ctx, { name: 'konote', main: ep('konote'), audit: ep('postgres'), schemas: ['public', 'agency_a'], mainPassword: cluster.password, auditPassword: cluster.password });
  await importKeyList(ctx, 'konote', `${k1},${k2}`, { source: 'imported' });
});

afterAll(async () => {
  await ctx?.dispose();
  await cluster?.stop();
});

describe('key verify against PostgreSQL', () => {
  it('discovers bytea _x_encrypted columns plus the two exceptions, with their primary keys', async () => {
    const ep = { host: cluster.host, port: cluster.port, database: 'konote', user: 'postgres', sslmode: 'disable' as const };
    const cols = await withEndpointClient(ep, cluster.password, (c) => discoverEncryptedColumns(c, ['public', 'agency_a']));
    expect(cols.map((c) => `${c.schema}.${c.table}.${c.column}:${c.primaryKey}`)).toEqual([
      'agency_a.client_files._first_name_encrypted:id',
      'public.client_files._first_name_encrypted:id',
      'public.client_files._phone_encrypted:id',
      'public.no_single_pk._v_encrypted:null',
      'public.survey_partial_answers.value_encrypted:id',
      'public.tenant_keys.encrypted_key:id',
    ]);
  });

  it('samples the oldest and newest rows, skips empty values and names the rows that fail', async () => {
    const r = await verifyKeys(ctx, 'konote', { sample: 10 });
    const col = (table: string, column: string, schema = 'public') => r.columns.find((c) => c.schema === schema && c.table === table && c.column === column);
    // ids 1-5 and 26-30 (numeric order, not text order): id 29 fails, id 7 is not sampled.
    expect(col('client_files', '_first_name_encrypted')).toMatchObject({ checked: 10, decrypted: 9 });
    // phones of ids 1-5 and 26-30: 5 and 30 are '' (empty), 3 and 27 are NULL; both count as empty
    expect(col('client_files', '_phone_encrypted')).toMatchObject({ checked: 6, decrypted: 6 });
    expect(col('tenant_keys', 'encrypted_key')).toMatchObject({ checked: 1, decrypted: 1 });
    expect(col('client_files', '_first_name_encrypted', 'agency_a')).toMatchObject({ checked: 2, decrypted: 1 });
    expect(r.empty).toBe(4);
    expect(r.failed).toEqual(
      expect.arrayContaining([
        { table: 'client_files', column: '_first_name_encrypted', id: '29' },
        { table: 'survey_partial_answers', column: 'value_encrypted', id: '2' },
        { table: 'agency_a.client_files', column: '_first_name_encrypted', id: '2' },
      ]),
    );
    expect(r.failed).toHaveLength(3);
    expect(r.ok).toBe(false);
    expect(r.checked).toBe(r.columns.reduce((n, c) => n + c.checked, 0));
  });

  it('a large sample reaches every row', async () => {
    const r = await verifyKeys(ctx, 'konote', { sample: 1000 });
    expect(r.failed.filter((f) => f.table === 'client_files' && f.column === '_first_name_encrypted').map((f) => f.id).sort()).toEqual(['29', '7']);
  });

  it('runs as a job with progress and a log, and the result matches the contract', async () => {
    const id = ctx.jobs.start({ kind: 'keys.verify', profile: 'konote', sample: 4 });
    const job = await ctx.jobs.wait(id);
    expect(job.state).toBe('succeeded');
    expect(job.progress.fraction).toBe(1);
    expect((job.result as KeyVerify).columns.length).toBe(5);
    expect(ctx.jobs.logAfter(id).map((l) => l.text).join('\n')).toMatch(/no single-column primary key/);
  });

  it('without a key list it is KeyMissing, before touching the database', async () => {
    const ep = (database: string) => ({ host: cluster.host, port: cluster.port, database, user: 'postgres', sslmode: 'disable' as const });
    await saveProfile(ctx, { name: 'nokey', main: ep('konote'), audit: ep('postgres'), schemas: ['public'], mainPassword: cluster.password });
    await expect(verifyKeys(ctx, 'nokey', { sample: 5 })).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.kind === 'KeyMissing');
  });
});
