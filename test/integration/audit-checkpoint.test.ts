import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'pg';
import { startTestCluster, type TestCluster } from '../helpers/pg-cluster';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { withEndpointClient } from '../../src-main/core/connections/pg-client';
import { quoteLiteral } from '../../src-main/core/common/sql';
import { applyKonoteAuditLockdown, createAuditSchema } from '../../src-main/core/sandbox/konote-schema';
import { takeCheckpoint, readCheckpointFile } from '../../src-main/core/audit/checkpoint';
import { verifyCheckpoints, verifyCheckpointsScanned } from '../../src-main/core/audit/verify-checkpoints';
import { auditChecks } from '../../src-main/core/drill/verify/audit-checks';
import type { BackupFile } from '../../src-main/core/backup/manifest';
import { checkpointStore } from '../../src-main/core/audit/checkpoint-store';
import { to as copyTo } from 'pg-copy-streams';
import { BLOCK_SIZE, BLOCKS_SQL, GENESIS_HASH, ROW_JSON, ROW_JSON_DEFINITION, bitmap, blockDigests, blocksRoot, chainHash, type BlockDigest } from '../../src-main/core/audit/checkpoint-hash';
import { V2BlockReader, v2CopySql, v2ReferenceSql } from '../../src-main/core/audit/row-bytes-v2';
import { withIdRangePlans } from '../../src-main/core/audit/id-range';

/**
 * Tamper evidence on a real audit_log. Threat covered: someone with write access to the audit
 * database (a superuser, or the writer that still owns audit_log after KoNote's lockdown) edits
 * or deletes audit rows, or rewrites Custodian's local log, to hide what happened.
 */

let cluster: TestCluster;
let ctx: TestContext;
let dir: string;
const DAY = 86_400_000;
const NOW = Date.now();

const superEp = () => ({ host: cluster.host, port: cluster.port, database: 'konote_audit', user: 'postgres', sslmode: 'disable' as const });
const asSuper = <T>(fn: (c: Client) => Promise<T>) => withEndpointClient(superEp(), cluster.password, fn);

/** `n` rows with ids from `firstId`, timestamps from `start` every `stepMs`. */
async function addRows(firstId: number, n: number, start: number, stepMs: number): Promise<void> {
  await asSuper((c) =>
    c.query(
      `INSERT INTO audit_log (id, event_timestamp, user_id, user_display, ip_address, action, resource_type, resource_id, program_id, old_values, new_values, metadata, is_demo_context, is_confidential_context, tenant_schema)
       SELECT i, to_timestamp(($2::float8 + (i - $1) * $3::float8) / 1000), 1 + i % 7, 'User ' || (i % 7), ('10.0.0.' || (1 + i % 200))::inet, 'view', 'client_file', i % 500, 1, NULL, NULL,
              jsonb_build_object('path', '/clients/' || i || '/'), false, false, ''
         FROM generate_series($1::bigint, $1::bigint + $4::bigint - 1) AS i`,
      [firstId, start, stepMs, n],
    ),
  );
}

beforeAll(async () => {
  cluster = await startTestCluster();
  ctx = makeTestContext();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-cp-'));
  await withEndpointClient({ ...superEp(), database: 'postgres' }, cluster.password, async (c) => {
    await c.query(`CREATE ROLE audit_writer LOGIN PASSWORD ${quoteLiteral('writer-pw')}`);
    await c.query(`CREATE ROLE audit_reader LOGIN PASSWORD ${quoteLiteral('reader-pw')}`);
    await c.query('CREATE DATABASE konote_audit OWNER audit_writer');
  });
  await asSuper(async (c) => {
    await c.query('SET ROLE audit_writer');
    await createAuditSchema(c);
    await applyKonoteAuditLockdown(c);
    await c.query('RESET ROLE');
  });
  // 3 000 rows over the last 10 days, ids 1..3000.
  await addRows(1, 3000, NOW - 10 * DAY, Math.floor((9 * DAY) / 3000));
  const ep = { host: cluster.host, port: cluster.port, database: 'konote_audit', user: 'audit_reader', sslmode: 'disable' as const };
  await saveProfile(ctx, { name: 'konote', main: { ...ep, database: 'postgres', user: 'postgres' }, audit: ep, schemas: ['public'], mainPassword: cluster.password, auditPassword: 'reader-pw' });
});

afterAll(async () => {
  await ctx?.dispose();
  await cluster?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('checkpoint hashing', () => {
  /** Format 2's one-query definition, as BlockDigests. */
  const v2Reference = (c: Client, table: string, lo: number, hi: number) =>
    c.query<{ block: string; first_id: string; last_id: string; n: number; digest: string; offsets: string }>(v2ReferenceSql(table), [lo, hi, BLOCK_SIZE]).then((r) =>
      r.rows.map((b): BlockDigest => ({ block: Number(b.block), firstId: Number(b.first_id), lastId: Number(b.last_id), rowCount: b.n, digest: b.digest, present: bitmap(b.offsets) })),
    );

  it('the fast row text equals the format definition on awkward rows', async () => {
    // A scratch copy of audit_log's shape holding what the generator never writes: quotes,
    // backslashes, control and non-ASCII characters, nested and scalar jsonb, NULLs, IPv6,
    // timestamps before 1970 and before 2000 with sub-second parts, and time-zone independence.
    const diffs = await asSuper(async (c) => {
      await c.query('CREATE TEMP TABLE t (LIKE audit_log)');
      await c.query(`INSERT INTO t VALUES
        (1, '1969-07-20 20:17:40.123456+00', NULL, 'O''Brien "Bob" \\ tab\there', '::1', 'login', 'user', NULL, NULL, NULL, NULL, NULL, true, false, ''),
        (2, '1999-12-31 23:59:59.999999-05', -7, 'Zoë 名前 \u0001', '2001:db8::ff00:42:8329', 'update', 'client_file', 2147483647, -1,
            '{"b": [1, 2.50, {"z": null}], "a": "x\\"y"}', '"just a string"', '[true, false, 1e3]', false, true, 'agency_1'),
        (3, '2038-01-19 03:14:08.000001+00', 0, '', '10.0.0.1/32', 'x', 'y', 0, 0, '{}', '[]', '12.300', true, true, 'public')`);
      await c.query(`SET TIME ZONE 'America/St_Johns'`);
      const r = await c.query<{ a: string; b: string }>(`SELECT ${ROW_JSON_DEFINITION} AS a, ${ROW_JSON} AS b FROM t ORDER BY id`);
      return r.rows.filter((x) => x.a !== x.b);
    });
    expect(diffs).toEqual([]);
  });

  it('block digests streamed and grouped here equal the one-query definition, on one connection or two', async () => {
    const reference = await asSuper(async (c) => {
      const r = await c.query<{ block: string; first_id: string; last_id: string; n: number; digest: string; offsets: string }>(BLOCKS_SQL, [0, 3000, BLOCK_SIZE]);
      return r.rows.map((b) => ({ block: Number(b.block), firstId: Number(b.first_id), lastId: Number(b.last_id), rowCount: b.n, digest: b.digest, present: bitmap(b.offsets) }));
    });
    expect(reference.length).toBe(31); // ids 1..3000 in blocks of 100
    const one = await asSuper((c) => blockDigests(c, 0, 3000, { format: 1 }));
    // Small chunks, so the two connections really share the range (chunks end on block edges).
    const seen: number[] = [];
    const two = await asSuper((a) => asSuper((b) => blockDigests([a, b], 0, 3000, { format: 1, onChunk: (done) => seen.push(done), chunkIds: 450 })));
    expect(seen.length).toBeGreaterThan(5);
    expect(one).toEqual(reference);
    expect(two).toEqual(reference);
  });

  it('format 2: the binary row bytes hashed here equal the send-function definition, on awkward rows and whatever the COPY chunking', async () => {
    const [reference, streamed, bytes] = await asSuper(async (c) => {
      await c.query('CREATE TEMP TABLE t2 (LIKE audit_log)');
      await c.query(`INSERT INTO t2 VALUES
        (1, '1969-07-20 20:17:40.123456+00', NULL, 'O''Brien "Bob" \\ tab\there', '::1', 'login', 'user', NULL, NULL, NULL, NULL, NULL, true, false, ''),
        (2, '1999-12-31 23:59:59.999999-05', -7, 'Zoë 名前 \u0001', '2001:db8::ff00:42:8329', 'update', 'client_file', 2147483647, -1,
            '{"b": [1, 2.50, {"z": null}], "a": "x\\"y"}', '"just a string"', '[true, false, 1e3]', false, true, 'agency_1'),
        (250, '2038-01-19 03:14:08.000001+00', 0, '', '10.0.0.1/32', 'x', 'y', 0, 0, '{}', '[]', '12.300', true, true, 'public')`);
      await c.query(`INSERT INTO t2 SELECT * FROM audit_log WHERE id BETWEEN 300 AND 999`);
      await c.query(`SET TIME ZONE 'America/St_Johns'`);
      const ref = await v2Reference(c, 't2', 0, 1000);
      const raw: Buffer[] = [];
      for await (const b of c.query(copyTo(v2CopySql('t2', 0, 1000)))) raw.push(b as Buffer);
      return [ref, raw, Buffer.concat(raw)];
    });
    expect(reference.map((b) => b.rowCount)).toEqual([2, 1, 100, 100, 100, 100, 100, 100, 100]);
    const read = (chunks: Buffer[]) => {
      const r = new V2BlockReader(BLOCK_SIZE);
      for (const ch of chunks) r.push(ch);
      return r.finish();
    };
    expect(read(streamed).blocks).toEqual(reference);
    // Cut anywhere (inside headers, lengths and values), the answer is the same.
    for (const size of [1, 7, 19, 64, 1000]) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
      expect(read(pieces).blocks).toEqual(reference);
    }
    const scan = read(streamed).scan;
    expect(scan).toMatchObject({ n: 703, minId: 1, maxId: 999, missing: 999 - 703 });
    expect(() => read([bytes.subarray(0, bytes.length - 2)])).toThrow(/ended early/);

    const live = await asSuper((c) => v2Reference(c, 'audit_log', 0, 3000));
    const two = await asSuper((a) => asSuper((b) => blockDigests([a, b], 0, 3000, { format: 2, chunkIds: 450 })));
    expect(two).toEqual(live);
    // The formats differ, so a checkpoint's format must be known to verify it.
    expect(two[0]!.digest).not.toBe((await asSuper((c) => blockDigests(c, 0, 3000, { format: 1 })))[0]!.digest);
  });

  it('reads id ranges through the primary key even on a just-restored table without statistics', async () => {
    const plan = await asSuper(async (c) => {
      await c.query('CREATE TABLE fresh (LIKE audit_log INCLUDING ALL)');
      await c.query('INSERT INTO fresh SELECT * FROM audit_log'); // never analysed, like a table pg_restore just loaded
      const explain = `EXPLAIN ${v2CopySql('fresh', 1000, 2000).replace(/^COPY \((.*)\) TO STDOUT.*$/s, '$1')}`;
      const r = await withIdRangePlans(c, () => c.query<{ 'QUERY PLAN': string }>(explain));
      await c.query('DROP TABLE fresh');
      return r.rows.map((x) => x['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index Scan using fresh_pkey/);
    expect(plan).not.toMatch(/Gather|Seq Scan|Sort/);
  });

  it('a chain made in format 1 (by earlier versions) still verifies, and still catches an edit', async () => {
    const ep = { host: cluster.host, port: cluster.port, database: 'konote_audit', user: 'postgres', sslmode: 'disable' as const };
    await saveProfile(ctx, { name: 'legacy', main: { ...ep, database: 'postgres' }, audit: ep, schemas: ['public'], mainPassword: cluster.password, auditPassword: cluster.password });
    const blocks = await asSuper((c) => blockDigests(c, 0, 3000, { format: 1 }));
    const fields = { seq: 1, fromId: 0, toId: 3000, rowCount: 3000, blockSize: BLOCK_SIZE, blocksRoot: blocksRoot(blocks), prevHash: GENESIS_HASH };
    checkpointStore.insert(
      ctx,
      { profile: 'legacy', seq: 1, fromId: '0', toId: '3000', rowCount: 3000, chainHash: chainHash(fields), prevHash: GENESIS_HASH, createdAt: new Date().toISOString(), reason: 'manual', file: null, databaseLabel: 'legacy', blockSize: BLOCK_SIZE, blocksRoot: fields.blocksRoot, rowFormat: 1, jobId: null },
      blocks,
    );
    expect(await verifyCheckpoints(ctx, 'legacy')).toMatchObject({ ok: true, verified: 1, rowsVerified: 3000 });
    const edited = await asSuper(async (c) => {
      await c.query('BEGIN');
      await c.query(`UPDATE audit_log SET user_display = 'someone else' WHERE id = 777`);
      const r = await verifyCheckpoints(ctx, 'legacy', { client: c });
      await c.query('ROLLBACK');
      return r;
    });
    expect(edited.problems.map((p) => `${p.kind}:${p.firstId}-${p.lastId}`)).toEqual(['changed:700-799']);
    ctx.log.prepare(`DELETE FROM audit_checkpoints WHERE profile = 'legacy'`).run();
  });
});

describe('audit checkpoints', () => {
  it('covers every settled row, chains checkpoints, and verifies clean', async () => {
    const file = path.join(dir, 'chain.json');
    const first = await takeCheckpoint(ctx, { profile: 'konote', reason: 'manual', file, settleSeconds: 60 });
    expect(first.created).toBe(true);
    expect(first.checkpoint).toMatchObject({ seq: 1, fromId: '0', toId: '3000', rowCount: 3000, prevHash: '0'.repeat(64) });

    // Nothing new: no empty checkpoint.
    expect((await takeCheckpoint(ctx, { profile: 'konote', reason: 'manual', file: null, settleSeconds: 60 })).created).toBe(false);

    // New rows; the newest 10 are younger than the settle window and wait for the next checkpoint.
    await addRows(3001, 500, NOW - DAY, 60_000);
    await addRows(3501, 10, Date.now() - 5_000, 100);
    const second = await takeCheckpoint(ctx, { profile: 'konote', reason: 'backup', file, settleSeconds: 600 });
    expect(second.checkpoint).toMatchObject({ seq: 2, fromId: '3000', toId: '3500', rowCount: 500, prevHash: first.checkpoint!.chainHash });

    const ok = await verifyCheckpoints(ctx, 'konote', { file });
    expect(ok).toMatchObject({ ok: true, checkpoints: 2, verified: 2, rowsVerified: 3500, uncoveredRows: 10, problems: [] });
    expect(readCheckpointFile(file).checkpoints.map((c) => c.seq)).toEqual([1, 2]);
    // The SQLite log holds hashes and ids only, never a row's content.
    expect(JSON.stringify(ctx.log.prepare('SELECT * FROM audit_checkpoints').all())).not.toContain('/clients/');
  });

  it('names the changed block and the exact missing row after a superuser edits and deletes rows', async () => {
    await asSuper(async (c) => {
      await c.query(`UPDATE audit_log SET metadata = '{"path": "/nothing-to-see/"}' WHERE id = 1234`);
      await c.query(`DELETE FROM audit_log WHERE id IN (2000, 3333, 3334)`);
      await c.query(`UPDATE audit_log SET event_timestamp = event_timestamp + interval '1 microsecond' WHERE id = 2950`);
    });
    const r = await verifyCheckpoints(ctx, 'konote');
    expect(r.ok).toBe(false);
    const summary = r.problems.map((p) => `${p.checkpointSeq}:${p.kind}:${p.firstId}-${p.lastId}`);
    expect(summary).toEqual(['1:changed:1200-1299', '1:missing:2000-2000', '1:changed:2900-2999', '2:missing:3333-3334']);
    expect(r.firstProblem).toContain('1200–1299');
    expect(r.problems[3]!.detail).toContain('3333–3334');
  });

  it('reports rows that appear inside a covered range', async () => {
    await asSuper((c) => c.query(`INSERT INTO audit_log (id, event_timestamp, user_id, user_display, ip_address, action, resource_type, resource_id, program_id, old_values, new_values, metadata, is_demo_context, is_confidential_context, tenant_schema)
      VALUES (2000, now() - interval '5 days', 1, 'User 1', NULL, 'view', 'client_file', 1, 1, NULL, NULL, '{}', false, false, '')`));
    const r = await verifyCheckpoints(ctx, 'konote');
    // The re-inserted 2000 has other content: its block is "changed", no longer "missing".
    expect(r.problems.map((p) => `${p.kind}:${p.firstId}`)).toContain('changed:2000');
  });

  it('lets a drill verify only the checkpoints its backup holds (newer ones are skipped, not failed)', async () => {
    const r = await verifyCheckpoints(ctx, 'konote', { upToId: 3000 });
    expect(r).toMatchObject({ verified: 1, skipped: 1 });
    expect(r.problems.every((p) => p.checkpointSeq === 1)).toBe(true);
    const none = await verifyCheckpoints(ctx, 'konote', { upToId: 100 });
    expect(none).toMatchObject({ verified: 0, skipped: 2 });
  });

  it('detects a rewritten local log, and a log that no longer matches the file kept elsewhere', async () => {
    const file = path.join(dir, 'chain.json');
    const cp1 = checkpointStore.list(ctx, 'konote')[0]!;
    ctx.log.prepare(`UPDATE audit_checkpoint_blocks SET digest = ? WHERE checkpoint_id = ? AND block = 12`).run('0'.repeat(64), cp1.id);
    const r = await verifyCheckpoints(ctx, 'konote', { file });
    expect(r.problems.filter((p) => p.kind === 'chain').map((p) => p.detail).join(' ')).toMatch(/local log was edited/);

    // A consistent rewrite (every hash recomputed) still differs from the copy kept elsewhere.
    ctx.log.prepare(`UPDATE audit_checkpoints SET chain_hash = ? WHERE id = ?`).run('f'.repeat(64), cp1.id);
    const r2 = await verifyCheckpoints(ctx, 'konote', { file });
    expect(r2.problems.map((p) => p.detail).join(' ')).toContain('differs from the copy');
  });

  it('runs as jobs: verify fails with the first problem, checkpoint refuses a missing folder', async () => {
    const v = await ctx.jobs.wait(ctx.jobs.start({ kind: 'audit.verify', profile: 'konote', file: null }));
    expect(v.state).toBe('succeeded');
    expect(v.result).toMatchObject({ ok: false });
    const c = await ctx.jobs.wait(ctx.jobs.start({ kind: 'audit.checkpoint', profile: 'konote', reason: 'manual', file: path.join(dir, 'no', 'such', 'x.json'), settleSeconds: 0 }));
    expect(c.error).toMatchObject({ kind: 'NotFound' });
  });

  it('the audit log checks read the same from a checkpoint re-hash as from their own scan', async () => {
    // An hour back in time at id 1500 (tampering-sized), on top of the deleted 3333–3334.
    await asSuper((c) => c.query(`UPDATE audit_log SET event_timestamp = event_timestamp - interval '1 hour' WHERE id = 1500`));
    const file = { counts: { audit_log: 3508 }, maxAuditId: 3510 } as unknown as BackupFile;
    const [own, reused] = await asSuper(async (c) => {
      const { covered } = await verifyCheckpointsScanned(ctx, 'konote', { client: c, upToId: 3510 });
      expect(covered).toMatchObject({ fromId: 0, toId: 3500 });
      return [await auditChecks(c, 'public', file, null), await auditChecks(c, 'public', file, covered)];
    });
    expect(reused).toEqual(own);
    const byId = Object.fromEntries(own.checks.map((x) => [x.id, x]));
    expect(byId['audit.gaps']).toMatchObject({ status: 'WARN', detail: expect.stringContaining('3333–3334') });
    expect(byId['audit.order']).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('first at id 1500') });
    expect(own.count).toBe(3508); // 3 510 written, 3 deleted, 2000 put back
    expect(byId['audit.count']?.status).toBe('PASS');
  });
});
