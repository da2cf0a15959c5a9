import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'pg';
import { startTestCluster, type TestCluster } from '../helpers/pg-cluster';
import { cliRunner } from '../helpers/cli-harness';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { withEndpointClient } from '../../src-main/core/connections/pg-client';
import { quoteLiteral } from '../../src-main/core/common/sql';
import { applyKonoteAuditLockdown, createAuditSchema } from '../../src-main/core/sandbox/konote-schema';
import { emptyFilter } from '../../src-main/core/audit/filters';
import { queryAudit, linkTrail } from '../../src-main/core/audit/audit-service';
import { idRangeFor } from '../../src-main/core/audit/id-range';
import { suspiciousPatterns } from '../../src-main/core/audit/suspicious';
import { registerAuditCommands } from '../../src-main/cli/audit';
import type { AuditFilter, AuditRow } from '../../src-main/contract/audit';
import type { ExportResult } from '../../src-main/core/audit/export-csv';

/**
 * Audit review on a real PostgreSQL 15 audit_log with only its primary key: time range → id range
 * by primary-key probes, keyset pages equal to a naive scan, filters that stay data however they
 * are written (threat: SQL injection through a filter typed by an admin or pasted from an attacker's
 * user name), streamed CSV export, export-link trails and suspicious patterns.
 */

let cluster: TestCluster;
let ctx: TestContext;
const NOW = Date.now();
const DAY = 86_400_000;
const LINK = '3f2b8c1e-0d4a-4c1b-9a7e-5b2f1c0d9e8a';
const EVIL_USER = `O'Brien"; DROP TABLE audit_log; --`;
const su = (database: string) => ({ host: '127.0.0.1', port: 0, database, user: 'postgres', sslmode: 'disable' as const });
const pw = { writer: 'writer-pw-1', reader: 'reader-pw-1', none: 'none-pw-1' };

interface Seed {
  at: number;
  user_id: number | null;
  user_display: string;
  ip: string | null;
  action: string;
  resource_type: string;
  metadata: Record<string, unknown> | null;
}

/** 30 days, a row every 15 minutes, plus special rows; ids ascend with time, with a gap of 10 ids (rolled-back inserts). */
function seedRows(): Seed[] {
  const rows: Seed[] = [];
  const start = NOW - 30 * DAY;
  const actions = ['view', 'post', 'login', 'update', 'logout', 'create'];
  for (let t = start, i = 0; t < NOW - 60_000; t += 15 * 60_000, i++) {
    rows.push({ at: t, user_id: 1 + (i % 5), user_display: ['Alice Martin', 'Bob Roy', 'Chloé Tremblay', 'Dan Smith', 'Eve Dubois'][i % 5]!, ip: `10.0.0.${1 + (i % 50)}`, action: actions[i % actions.length]!, resource_type: 'client_file', metadata: { path: `/clients/${i}/` } });
  }
  const at = (daysAgo: number) => NOW - daysAgo * DAY + 7 * 60_000;
  rows.push({ at: at(2), user_id: null, user_display: EVIL_USER, ip: '198.51.100.7', action: 'login_failed', resource_type: 'session', metadata: { username: EVIL_USER } });
  rows.push({ at: at(3), user_id: 2, user_display: 'Bob Roy', ip: '10.0.0.9', action: 'update', resource_type: 'client_file', metadata: { note: 'discount 50% applied' } });
  rows.push({ at: at(3) + 1000, user_id: 2, user_display: 'Bob Roy', ip: '10.0.0.9', action: 'update', resource_type: 'client_file', metadata: { note: 'discount 50x applied' } });
  rows.push({ at: at(4), user_id: 3, user_display: '=HYPERLINK("http://evil")', ip: '10.1.2.3', action: 'view', resource_type: 'client_file', metadata: { path: '/clients/1/' } });
  // A burst of failed logins from one address.
  for (let k = 0; k < 6; k++) rows.push({ at: at(1) + k * 30_000, user_id: null, user_display: 'admin', ip: '203.0.113.9', action: 'login_failed', resource_type: 'session', metadata: { username: 'admin', reason: 'invalid_credentials' } });
  // One export link's life: creation (150 clients), download by someone else, revocation.
  rows.push({ at: at(5), user_id: 1, user_display: 'Alice Martin', ip: '10.0.0.1', action: 'export', resource_type: 'metric_report', metadata: { total_clients: 150, secure_link_id: LINK, recipient: 'funder' } });
  rows.push({ at: at(5) + 3_600_000, user_id: 2, user_display: 'Bob Roy', ip: '10.0.0.2', action: 'export', resource_type: 'export_download', metadata: { link_id: LINK, created_by: 'Alice Martin', export_type: 'metrics', client_count: 150 } });
  rows.push({ at: at(5) + 7_200_000, user_id: 9, user_display: 'Admin', ip: '10.0.0.3', action: 'update', resource_type: 'export_link_revoked', metadata: { link_id: LINK, created_by: 'Alice Martin', export_type: 'metrics', client_count: 150 } });
  return rows.sort((a, b) => a.at - b.at);
}

async function insertRows(c: Client, rows: Seed[], firstId: number, gapAt = -1): Promise<number> {
  let id = firstId;
  for (let i = 0; i < rows.length; i += 500) {
    const slice = rows.slice(i, i + 500);
    const ids = slice.map(() => {
      if (id === gapAt) id += 10;
      return id++;
    });
    await c.query(
      `INSERT INTO audit_log (id, event_timestamp, user_id, user_display, ip_address, action, resource_type, resource_id, program_id, old_values, new_values, metadata, is_demo_context, is_confidential_context, tenant_schema)
       SELECT i, t, u, d, ip::inet, a, r, NULL, NULL, NULL, NULL, m::jsonb, false, false, ''
         FROM unnest($1::bigint[], $2::timestamptz[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS x(i, t, u, d, ip, a, r, m)`,
      [ids, slice.map((r) => new Date(r.at)), slice.map((r) => r.user_id), slice.map((r) => r.user_display), slice.map((r) => r.ip), slice.map((r) => r.action), slice.map((r) => r.resource_type), slice.map((r) => (r.metadata ? JSON.stringify(r.metadata) : null))],
    );
  }
  return id;
}

let SU: ReturnType<typeof su> & { port: number };
const asSuper = <T>(db: string, fn: (c: Client) => Promise<T>) => withEndpointClient({ ...SU, database: db }, cluster.password, fn);

beforeAll(async () => {
  cluster = await startTestCluster();
  SU = { ...su('postgres'), port: cluster.port };
  ctx = makeTestContext();
  await asSuper('postgres', async (c) => {
    await c.query(`CREATE ROLE audit_writer LOGIN PASSWORD ${quoteLiteral(pw.writer)}`);
    await c.query(`CREATE ROLE audit_reader LOGIN PASSWORD ${quoteLiteral(pw.reader)}`);
    await c.query(`CREATE ROLE nobody_in_particular LOGIN PASSWORD ${quoteLiteral(pw.none)}`);
    for (const db of ['konote_audit', 'audit_empty']) await c.query(`CREATE DATABASE ${db} OWNER audit_writer`);
    await c.query('CREATE DATABASE konote');
  });
  for (const db of ['konote_audit', 'audit_empty']) {
    await asSuper(db, async (c) => {
      await c.query('SET ROLE audit_writer');
      await createAuditSchema(c);
      await applyKonoteAuditLockdown(c);
      await c.query('RESET ROLE');
    });
  }
  await asSuper('konote_audit', (c) => insertRows(c, seedRows(), 1, 1000));
  const ep = (database: string, user: string) => ({ host: cluster.host, port: cluster.port, database, user, sslmode: 'disable' as const });
  await saveProfile(ctx, { name: 'konote', main: ep('konote', 'postgres'), audit: ep('konote_audit', 'audit_reader'), schemas: ['public'], mainPassword: cluster.password, auditPassword: pw.reader });
  await saveProfile(ctx, { name: 'empty', main: ep('konote', 'postgres'), audit: ep('audit_empty', 'audit_reader'), schemas: ['public'], mainPassword: cluster.password, auditPassword: pw.reader });
  await saveProfile(ctx, { name: 'noselect', main: ep('konote', 'postgres'), audit: ep('konote_audit', 'nobody_in_particular'), schemas: ['public'], mainPassword: cluster.password, auditPassword: pw.none });
});

afterAll(async () => {
  await ctx?.dispose();
  await cluster?.stop();
});

/** The naive answer, straight from PostgreSQL: what the fast path must equal. */
async function naive(where: string, params: unknown[] = []): Promise<string[]> {
  return asSuper('konote_audit', async (c) => (await c.query<{ id: string }>(`SELECT id::text AS id FROM audit_log WHERE ${where} ORDER BY audit_log.id DESC`, params)).rows.map((r) => r.id));
}

async function allPages(filter: AuditFilter, limit: number, profile = 'konote'): Promise<AuditRow[]> {
  const out: AuditRow[] = [];
  let before: string | null = null;
  for (let i = 0; i < 10_000; i++) {
    const page = await queryAudit(ctx, { profile, filter, saved: null, beforeId: before, limit });
    out.push(...page.rows);
    if (!page.nextCursor) break;
    before = page.nextCursor;
  }
  return out;
}

describe('audit query', () => {
  it('turns 7 days into an id range with a few primary-key probes, and keyset pages equal the naive scan', async () => {
    const range = await asSuper('konote_audit', (c) => idRangeFor(c, new Date(NOW - 7 * DAY), null));
    expect(range!.probes).toBeLessThan(30); // ~log2(2900) per bound, not a scan
    const first = await queryAudit(ctx, { profile: 'konote', filter: emptyFilter({ since: '7d' }), saved: null, beforeId: null, limit: 1 });
    const got = await allPages(emptyFilter({ from: first.range.fromUtc }), 97);
    const expected = await naive(`event_timestamp >= $1`, [new Date(first.range.fromUtc!)]);
    expect(expected.length).toBeGreaterThan(600);
    expect(got.map((r) => r.id)).toEqual(expected);
    // Newest first, no duplicates across pages.
    expect(new Set(got.map((r) => r.id)).size).toBe(got.length);
  });

  it('reads --from/--to without a zone as local time and includes both ends', async () => {
    const from = new Date(NOW - 10 * DAY);
    const to = new Date(NOW - 9 * DAY);
    const localIso = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    const got = await allPages(emptyFilter({ from: localIso(from), to: localIso(to) }), 40);
    const fromS = new Date(Math.floor(from.getTime() / 1000) * 1000);
    const toS = new Date(Math.floor(to.getTime() / 1000) * 1000);
    expect(got.map((r) => r.id)).toEqual(await naive(`event_timestamp >= $1 AND event_timestamp <= $2`, [fromS, toS]));
  });

  it('finds ids across a gap of rolled-back inserts', async () => {
    const around = await naive(`id BETWEEN 995 AND 1015`);
    expect(around).not.toContain('1003');
    const row = (await naive('id = 1010'))[0];
    expect(row).toBe('1010');
    const ts = await asSuper('konote_audit', async (c) => (await c.query<{ t: Date }>('SELECT event_timestamp AS t FROM audit_log WHERE id = 1010')).rows[0]!.t);
    const page = await queryAudit(ctx, { profile: 'konote', filter: emptyFilter({ from: ts.toISOString(), to: ts.toISOString() }), saved: null, beforeId: null, limit: 10 });
    expect(page.rows.map((r) => r.id)).toEqual(['1010']);
  });

  it('keeps filter values as data: quotes, SQL, wildcards', async () => {
    const evil = await queryAudit(ctx, { profile: 'konote', filter: emptyFilter({ since: '30d', user: EVIL_USER }), saved: null, beforeId: null, limit: 50 });
    expect(evil.rows.map((r) => r.userDisplay)).toEqual([EVIL_USER]);
    const injected = await queryAudit(ctx, { profile: 'konote', filter: emptyFilter({ since: '30d', user: `' OR 1=1 --`, text: `') OR true; --` }), saved: null, beforeId: null, limit: 50 });
    expect(injected.rows).toEqual([]);
    expect(await naive('true')).toHaveLength(await asSuper('konote_audit', async (c) => Number((await c.query('SELECT count(*) AS n FROM audit_log')).rows[0].n)));
    // % and _ are literal: "50%" does not match "50x".
    const pct = await allPages(emptyFilter({ since: '30d', text: '50%' }), 50);
    expect(pct.map((r) => (r.metadata as { note: string }).note)).toEqual(['discount 50% applied']);
    expect(await allPages(emptyFilter({ since: '30d', text: '50_' }), 50)).toEqual([]);
    // A user id matches user_id; a name matches part of the display name, case-insensitively.
    const byId = await allPages(emptyFilter({ since: '1d', user: '2' }), 500);
    expect(byId.length).toBeGreaterThan(0);
    expect(byId.every((r) => r.userId === 2 || r.userDisplay.includes('2'))).toBe(true);
    expect((await allPages(emptyFilter({ since: '1d', user: 'chloé' }), 500)).every((r) => r.userDisplay === 'Chloé Tremblay')).toBe(true);
    // IP blocks and actions.
    const ip = await allPages(emptyFilter({ since: '30d', ip: '10.1.0.0/16' }), 50);
    expect(ip.map((r) => r.ipAddress)).toEqual(['10.1.2.3']);
    const burst = await allPages(emptyFilter({ since: '30d', actions: ['login_failed'], ip: '203.0.113.9' }), 50);
    expect(burst).toHaveLength(6);
  });

  it('rejects bad input with typed errors and plain fixes, and answers absurd ranges correctly', async () => {
    const q = (filter: Partial<AuditFilter>, extra: { beforeId?: string } = {}) => queryAudit(ctx, { profile: 'konote', filter: emptyFilter(filter), saved: null, beforeId: extra.beforeId ?? null, limit: 50 });
    await expect(q({ ip: `1.2.3.4'; DROP TABLE audit_log; --` })).rejects.toMatchObject({ kind: 'Validation', hint: expect.stringContaining('192.168.1.20') });
    await expect(q({ ip: '10.0.0.0/33' })).rejects.toMatchObject({ kind: 'Validation' });
    await expect(q({ from: '2026-03-10', to: '2026-03-01' })).rejects.toMatchObject({ kind: 'Validation', message: expect.stringContaining('after the end') });
    await expect(q({ from: 'yesterday' })).rejects.toMatchObject({ kind: 'Validation' });
    await expect(q({ from: '2026-02-31' })).rejects.toMatchObject({ kind: 'Validation' });
    await expect(q({ since: '7d', from: '2026-01-01' })).rejects.toMatchObject({ kind: 'Validation' });
    // Absurd but valid: from the year 1000 to 9999 is "everything"; the future is empty.
    const all = await allPages(emptyFilter({ from: '1000-01-01', to: '9999-12-31' }), 1000);
    expect(all.length).toBe((await naive('true')).length);
    expect((await q({ from: '2190-01-01' })).rows).toEqual([]);
    expect((await q({ since: '99999d' })).rows).toHaveLength(50);
    // Ids out of range: far above the newest gives the newest page; 0 gives nothing.
    expect((await q({ since: '30d' }, { beforeId: '9223372036854775807' })).rows[0]!.id).toBe((await naive('true'))[0]);
    expect((await q({ since: '30d' }, { beforeId: '0' })).rows).toEqual([]);
  });

  it('answers an empty audit table, and names a role without SELECT', async () => {
    const page = await queryAudit(ctx, { profile: 'empty', filter: emptyFilter({ since: '7d' }), saved: null, beforeId: null, limit: 50 });
    expect(page).toMatchObject({ rows: [], nextCursor: null, range: { firstId: null } });
    await expect(queryAudit(ctx, { profile: 'noselect', filter: emptyFilter({ since: '7d' }), saved: null, beforeId: null, limit: 50 })).rejects.toMatchObject({ kind: 'Forbidden', hint: expect.stringContaining('GRANT SELECT') });
  });

  it('runs saved queries, and asks for the user when one needs it', async () => {
    const failed = await queryAudit(ctx, { profile: 'konote', filter: emptyFilter(), saved: 'failed-logins', beforeId: null, limit: 100 });
    expect(failed.rows.length).toBe(7);
    expect(failed.rows.every((r) => r.action === 'login_failed')).toBe(true);
    const downloads = await queryAudit(ctx, { profile: 'konote', filter: emptyFilter(), saved: 'downloads', beforeId: null, limit: 100 });
    expect(downloads.rows.map((r) => r.resourceType)).toEqual(['export_download']);
    await expect(queryAudit(ctx, { profile: 'konote', filter: emptyFilter(), saved: 'logins-by-user', beforeId: null, limit: 10 })).rejects.toMatchObject({ kind: 'Validation' });
    await expect(queryAudit(ctx, { profile: 'konote', filter: emptyFilter(), saved: 'no-such-query', beforeId: null, limit: 10 })).rejects.toMatchObject({ kind: 'Validation' });
    const bob = await queryAudit(ctx, { profile: 'konote', filter: emptyFilter({ user: 'bob' }), saved: 'logins-by-user', beforeId: null, limit: 500 });
    expect(bob.rows.length).toBeGreaterThan(0);
    expect(bob.rows.every((r) => r.userDisplay === 'Bob Roy' && ['login', 'logout'].includes(r.action))).toBe(true);
  });
});

describe('export, trails and patterns', () => {
  it('streams a CSV of any query, neutralises formulas, and never overwrites a file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-csv-'));
    const out = path.join(dir, 'audit.csv');
    const jobId = ctx.jobs.start({ kind: 'audit.export', profile: 'konote', filter: emptyFilter({ since: '30d' }), saved: null, out });
    const done = await ctx.jobs.wait(jobId);
    expect(done.state).toBe('succeeded');
    const result = done.result as ExportResult;
    const text = fs.readFileSync(out, 'utf8');
    const expected = await naive(`event_timestamp >= $1`, [new Date(Date.parse(done.createdAt) - 30 * DAY)]);
    expect(result.rows).toBe(expected.length);
    expect(text.trimEnd().split('\r\n')).toHaveLength(expected.length + 1);
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(fs.existsSync(`${out}.partial`)).toBe(false);
    const again = await ctx.jobs.wait(ctx.jobs.start({ kind: 'audit.export', profile: 'konote', filter: emptyFilter({ since: '1d' }), saved: null, out }));
    expect(again.error).toMatchObject({ kind: 'Conflict' });
    expect(fs.readFileSync(out, 'utf8')).toBe(text);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows an export link’s whole trail in order, from its id in metadata', async () => {
    const trail = await linkTrail(ctx, 'konote', LINK);
    expect(trail.rows.map((r) => r.resourceType)).toEqual(['metric_report', 'export_download', 'export_link_revoked']);
    expect(trail).toMatchObject({ created: true, downloads: 1, revoked: true, scope: 'whole-log' });
    await expect(linkTrail(ctx, 'konote', `x' OR '1'='1`)).rejects.toMatchObject({ kind: 'Validation' });
  });

  it('flags failed-login bursts, a 150-client export and a download by someone else, with their rows', async () => {
    const r = await suspiciousPatterns(ctx, 'konote', emptyFilter({ since: '30d' }));
    const burst = r.patterns.find((p) => p.kind === 'failedLoginBurstIp');
    expect(burst).toMatchObject({ subject: '203.0.113.9', count: 6 });
    expect(burst!.rows.every((x) => x.action === 'login_failed' && x.ipAddress === '203.0.113.9')).toBe(true);
    expect(r.patterns.find((p) => p.kind === 'failedLoginBurstUser')).toMatchObject({ subject: 'admin', count: 6 });
    expect(r.patterns.filter((p) => p.kind === 'failedLoginBurstIp')).toHaveLength(1); // the lone evil login is not a burst
    expect(r.patterns.find((p) => p.kind === 'largeExport')).toMatchObject({ subject: 'Alice Martin', count: 150 });
    const dl = r.patterns.find((p) => p.kind === 'downloadByOther');
    expect(dl).toMatchObject({ subject: LINK });
    expect(dl!.rows.map((x) => x.userDisplay)).toEqual(['Bob Roy']);
    expect(r.patterns.some((p) => p.kind === 'unusualHours')).toBe(true);
  });
});

describe('custodian audit (CLI)', () => {
  // ctx is made in beforeAll, so the runner is built per call.
  const run = (...args: string[]) => cliRunner(ctx, registerAuditCommands)(...args);

  it('query --json prints one document with rows newest first and a cursor', async () => {
    const r = await run('audit', 'query', '--profile', 'konote', '--since', '7d', '--action', 'login,logout', '--limit', '5', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.rows).toHaveLength(5);
    expect(doc.rows.every((x: AuditRow) => ['login', 'logout'].includes(x.action))).toBe(true);
    expect(Number(doc.rows[0].id)).toBeGreaterThan(Number(doc.rows[4].id));
    const next = JSON.parse((await run('audit', 'query', '--profile', 'konote', '--since', '7d', '--action', 'login,logout', '--limit', '5', '--before', doc.nextCursor, '--json')).out);
    expect(Number(next.rows[0].id)).toBeLessThan(Number(doc.rows[4].id));
  });

  it('bad options exit 1 with a typed error', async () => {
    const r = await run('audit', 'query', '--profile', 'konote', '--since', 'last week', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).error.kind).toBe('Validation');
    const lim = await run('audit', 'query', '--profile', 'konote', '--limit', '100000', '--json');
    expect(JSON.parse(lim.out).error).toMatchObject({ kind: 'Validation' });
  });
});
