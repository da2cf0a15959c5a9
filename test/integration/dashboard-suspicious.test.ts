import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'pg';
import { startTestCluster, type TestCluster } from '../helpers/pg-cluster';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { withEndpointClient } from '../../src-main/core/connections/pg-client';
import { createAuditSchema } from '../../src-main/core/sandbox/konote-schema';
import { dashboardHealth } from '../../src-main/core/dashboard/health';
import { suspiciousPatterns } from '../../src-main/core/audit/suspicious';

/**
 * The dashboard's "suspicious activity" tile on a real PostgreSQL 15 audit_log: "ok" only when the
 * Audit page would find nothing in the last 7 days, otherwise "warn" with the same count the Audit
 * page shows, per profile; findings older than 7 days do not count.
 */

let cluster: TestCluster;
let ctx: TestContext;
const DAY = 86_400_000;
let nextId = 1;

const asSuper = <T>(db: string, fn: (c: Client) => Promise<T>) => withEndpointClient({ host: '127.0.0.1', port: cluster.port, database: db, user: 'postgres', sslmode: 'disable' }, cluster.password, fn);

/** Failed logins (no user id, so never "unusual hours"): `n` of them 30 s apart from one address. */
async function failedLogins(db: string, startMs: number, n: number, ip: string, name: string) {
  await asSuper(db, async (c) => {
    for (let k = 0; k < n; k++) {
      await c.query(
        `INSERT INTO audit_log (id, event_timestamp, user_id, user_display, ip_address, action, resource_type, metadata, is_demo_context, is_confidential_context, tenant_schema)
         VALUES ($1, $2, NULL, $3, $4::inet, 'login_failed', 'session', $5::jsonb, false, false, '')`,
        [nextId++, new Date(startMs + k * 30_000), name, ip, JSON.stringify({ username: name })],
      );
    }
  });
}

const tileFor = async (profile: string) => (await dashboardHealth(ctx, profile)).find((t) => t.id === 'suspicious')!;

beforeAll(async () => {
  cluster = await startTestCluster();
  ctx = makeTestContext();
  await asSuper('postgres', async (c) => {
    for (const db of ['audit_a', 'audit_b', 'konote']) await c.query(`CREATE DATABASE ${db}`);
  });
  for (const db of ['audit_a', 'audit_b']) await asSuper(db, (c) => createAuditSchema(c));
  const ep = (database: string) => ({ host: cluster.host, port: cluster.port, database, user: 'postgres', sslmode: 'disable' as const });
  for (const [name, db] of [['A', 'audit_a'], ['B', 'audit_b']] as const) {
    await saveProfile(ctx, { name, main: ep('konote'), audit: ep(db), schemas: ['public'], mainPassword: cluster.password, auditPassword: cluster.password });
  }
});

afterAll(async () => {
  await ctx?.dispose();
  await cluster?.stop();
});

describe('dashboard tile: suspicious activity (real audit_log)', () => {
  it('is ok with no findings, counts only the last 7 days, and warns with the Audit page’s count', { timeout: 60_000 }, async () => {
    expect(await tileFor('A')).toMatchObject({ status: 'ok', messageKey: 'health.suspicious.none', values: { days: 7 } });

    // A burst 20 days ago: a finding for a 30-day review, not for the dashboard's 7 days.
    await failedLogins('audit_a', Date.now() - 20 * DAY, 6, '203.0.113.9', 'admin');
    expect(await tileFor('A')).toMatchObject({ status: 'ok' });

    // A burst yesterday: one IP burst and one user-name burst, as the Audit page counts them.
    await failedLogins('audit_a', Date.now() - DAY, 6, '198.51.100.7', 'root');
    const tile = await tileFor('A');
    const page = await suspiciousPatterns(ctx, 'A');
    expect(page.patterns.map((p) => p.kind).sort()).toEqual(['failedLoginBurstIp', 'failedLoginBurstUser']);
    expect(tile).toMatchObject({ status: 'warn', messageKey: 'health.suspicious.found', values: { count: page.patterns.length, days: 7 } });

    // Four failures are below the burst threshold: not a finding. (Later than the rows above:
    // KoNote's ids grow with time, and the audit reader relies on that.)
    await failedLogins('audit_a', Date.now() - 3 * 3_600_000, 4, '192.0.2.1', 'guest');
    expect((await tileFor('A')).values.count).toBe(2);

    // Per profile: B's audit database has nothing.
    expect(await tileFor('B')).toMatchObject({ status: 'ok' });
  });

  it('is "not known" when the audit database has no audit_log (wrong database in the profile)', async () => {
    const ep = (database: string) => ({ host: cluster.host, port: cluster.port, database, user: 'postgres', sslmode: 'disable' as const });
    await saveProfile(ctx, { name: 'Wrong', main: ep('konote'), audit: ep('konote'), schemas: ['public'], mainPassword: cluster.password, auditPassword: cluster.password });
    expect(await tileFor('Wrong')).toMatchObject({ status: 'unknown', messageKey: 'health.suspicious.unreachable', values: { reason: expect.stringMatching(/no audit_log table/) } });
  });
});
