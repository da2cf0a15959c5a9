import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { sandboxDown, sandboxStatus, sandboxUp, sandboxFolder, type SandboxUpResult } from '../../src-main/core/sandbox/sandbox-service';
import { getProfile, listProfiles } from '../../src-main/core/connections/profile-store';
import { withClient } from '../../src-main/core/connections/pg-client';
import { testProfile } from '../../src-main/core/connections/test-connection';
import { loadKeyList } from '../../src-main/core/keys/key-service';
import { vaultAccounts } from '../../src-main/core/keys/vault';
import { quoteIdent } from '../../src-main/core/common/sql';
import { defineSandboxJobs } from '../../src-main/core/sandbox/jobs';
import { readKeyListRecord } from '../../src-main/core/keys/custody';

const CLIENTS = 60;
let ctx: TestContext;
let up: SandboxUpResult;

beforeAll(async () => {
  ctx = makeTestContext();
  const messages: string[] = [];
  up = await sandboxUp(ctx, { clients: CLIENTS, fsync: false }, {
    progress: (_f, m) => messages.push(m),
    log: () => {},
    throwIfCancelled: () => {},
    signal: new AbortController().signal,
  });
  expect(messages.length).toBeGreaterThan(3);
});

afterAll(async () => {
  // Never leave a cluster running, whatever the tests did.
  if (fs.existsSync(sandboxFolder(ctx))) await sandboxDown(ctx).catch(() => {});
  await ctx.dispose();
});

describe('sandbox up', () => {
  it('creates a running cluster and registers the sandbox profile', async () => {
    expect(up.created).toBe(true);
    expect(up.running).toBe(true);
    expect(up.clients).toBe(CLIENTS);
    const profile = getProfile(ctx, 'sandbox');
    expect(profile.sandbox).toBe(true);
    expect(profile.main).toMatchObject({ host: '127.0.0.1', port: up.port, database: 'konote', user: 'konote', sslmode: 'disable' });
    expect(profile.audit).toMatchObject({ database: 'konote_audit', user: 'audit_writer' });
    // Threat: a password left in the state file or the SQLite log is readable by anyone who copies the data folder.
    const stateText = fs.readFileSync(path.join(sandboxFolder(ctx), 'sandbox.json'), 'utf8');
    const mainPw = await ctx.vault.get(vaultAccounts.dbPassword('sandbox', 'main'));
    expect(mainPw).toBeTruthy();
    expect(stateText).not.toContain(mainPw!);
    expect(JSON.stringify(ctx.log.prepare('SELECT * FROM profiles').all())).not.toContain(mainPw!);

    const t = await testProfile(ctx, 'sandbox');
    expect(t.ok).toBe(true);
    expect(t.main.superuser).toBe(false);
    expect(t.audit.auditLogOwner).toBe('audit_writer');
    expect(t.audit.ownsAuditLog).toBe(true);
  });

  it('fills the main database with the expected shape', async () => {
    const counts = await withClient(ctx, 'sandbox', 'main', async (c) => {
      const q = async (sql: string) => Number((await c.query<{ n: string }>(sql)).rows[0]!.n);
      return {
        clients: await q('SELECT count(*) AS n FROM client_files'),
        notes: await q('SELECT count(*) AS n FROM progress_notes'),
        users: await q('SELECT count(*) AS n FROM users'),
        admins: await q('SELECT count(*) AS n FROM users WHERE is_admin'),
        targets: await q('SELECT count(*) AS n FROM plan_targets'),
        sensitivePlain: await q(`SELECT count(*) AS n FROM client_detail_values v JOIN custom_field_definitions d ON d.id = v.field_def_id WHERE d.is_sensitive AND v.value <> ''`),
        sensitive: await q(`SELECT count(*) AS n FROM client_detail_values v JOIN custom_field_definitions d ON d.id = v.field_def_id WHERE d.is_sensitive`),
        orphans: await q('SELECT count(*) AS n FROM progress_notes n LEFT JOIN client_files c ON c.id = n.client_file_id WHERE c.id IS NULL'),
        org: await q('SELECT count(*) AS n FROM organization_profiles WHERE id = 1'),
        migrations: await q('SELECT count(*) AS n FROM django_migrations'),
        links: await q('SELECT count(*) AS n FROM reports_secureexportlink'),
        schedules: await q('SELECT count(*) AS n FROM report_schedules'),
        nextId: await q(`SELECT nextval(pg_get_serial_sequence('client_files', 'id')) AS n`),
      };
    });
    expect(counts.clients).toBe(CLIENTS);
    expect(counts.notes).toBeGreaterThanOrEqual(CLIENTS * 3);
    expect(counts.notes).toBeLessThanOrEqual(CLIENTS * 7);
    expect(counts.users).toBeGreaterThanOrEqual(8);
    expect(counts.admins).toBeGreaterThanOrEqual(1);
    expect(counts.targets).toBeGreaterThan(CLIENTS);
    expect(counts.sensitive).toBeGreaterThan(0);
    expect(counts.sensitivePlain).toBe(0);
    expect(counts.orphans).toBe(0);
    expect(counts.org).toBe(1);
    expect(counts.migrations).toBeGreaterThan(5);
    expect(counts.links).toBe(12);
    expect(counts.schedules).toBe(3);
    // Identity sequences were moved past the explicit ids, so KoNote's own inserts keep working.
    expect(counts.nextId).toBe(CLIENTS + 1);
  });

  it('encrypts every encrypted column with the sandbox key (every non-empty value decrypts)', async () => {
    const keys = await loadKeyList(ctx, 'sandbox');
    const report = await withClient(ctx, 'sandbox', 'main', async (c) => {
      const cols = (
        await c.query<{ table: string; column: string }>(
          `SELECT c.relname AS "table", a.attname AS "column" FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND a.atttypid = 'bytea'::regtype
              AND (a.attname LIKE '\\_%\\_encrypted' OR a.attname = 'value_encrypted')`,
        )
      ).rows;
      const out: Array<{ col: string; nonEmpty: number; failed: number }> = [];
      for (const { table, column } of cols) {
        const rows = (await c.query<{ v: Buffer | null }>(`SELECT ${quoteIdent(column)} AS v FROM ${quoteIdent(table)}`)).rows;
        let nonEmpty = 0;
        let failed = 0;
        for (const { v } of rows) {
          if (v === null || v.length === 0) continue;
          nonEmpty++;
          // Stored as the token's ASCII text, as KoNote does.
          expect(v.subarray(0, 6).toString('latin1')).toBe('gAAAAA');
          try {
            keys.decrypt(v);
          } catch {
            failed++;
          }
        }
        out.push({ col: `${table}.${column}`, nonEmpty, failed });
      }
      return out;
    });
    expect(report.length).toBeGreaterThanOrEqual(30);
    for (const r of report) expect(r.failed, r.col).toBe(0);
    const withData = report.filter((r) => r.nonEmpty > 0).map((r) => r.col);
    for (const col of ['users._email_encrypted', 'client_files._first_name_encrypted', 'client_files._birth_date_encrypted', 'progress_notes._notes_text_encrypted', 'plan_targets._name_encrypted', 'client_detail_values._value_encrypted', 'survey_partial_answers.value_encrypted', 'staff_messages._content_encrypted']) {
      expect(withData, col).toContain(col);
    }
    // A birth date decrypts to an ISO date string.
    const birth = await withClient(ctx, 'sandbox', 'main', async (c) => (await c.query<{ v: Buffer }>('SELECT _birth_date_encrypted AS v FROM client_files ORDER BY id LIMIT 1')).rows[0]!.v);
    expect(keys.decrypt(birth).toString('utf8')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('writes an audit log whose ids grow with time and that matches the export links', async () => {
    const a = await withClient(ctx, 'sandbox', 'audit', async (c) => {
      const q = async (sql: string) => (await c.query(sql)).rows;
      return {
        total: Number((await q('SELECT count(*) AS n FROM audit_log'))[0].n),
        outOfOrder: Number((await q('SELECT count(*) AS n FROM (SELECT event_timestamp < lag(event_timestamp) OVER (ORDER BY id) AS bad FROM audit_log) s WHERE bad'))[0].n),
        span: Number((await q(`SELECT extract(epoch FROM max(event_timestamp) - min(event_timestamp)) / 86400 AS d FROM audit_log`))[0].d),
        actions: (await q('SELECT DISTINCT action FROM audit_log')).map((r) => r.action as string),
        revokedLinks: (await q(`SELECT metadata->>'link_id' AS id FROM audit_log WHERE action = 'update' AND resource_type = 'export_link_revoked'`)).map((r) => r.id as string),
        canUpdate: (await q(`SELECT has_table_privilege('audit_writer', 'audit_log', 'UPDATE') AS u`))[0].u as boolean,
        indexes: Number((await q(`SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'audit_log'`))[0].n),
      };
    });
    expect(a.total).toBe(20_000);
    expect(a.outOfOrder).toBe(0);
    expect(a.span).toBeGreaterThan(100);
    expect(a.actions).toEqual(expect.arrayContaining(['login', 'login_failed', 'view', 'export', 'post', 'update', 'report_approved']));
    expect(a.canUpdate).toBe(false); // KoNote's lockdown applied, as in production
    expect(a.indexes).toBe(1); // primary key only, as KoNote's migrations leave it
    const revoked = await withClient(ctx, 'sandbox', 'main', async (c) => (await c.query<{ id: string }>('SELECT id::text AS id FROM reports_secureexportlink WHERE revoked ORDER BY id')).rows.map((r) => r.id));
    expect(revoked.length).toBe(2);
    expect([...a.revokedLinks].sort()).toEqual(revoked);
  });

  it('creates export files where KoNote would have them, with one link whose file is missing', async () => {
    const links = await withClient(ctx, 'sandbox', 'main', async (c) => (await c.query<{ file_path: string; revoked: boolean; expired: boolean }>('SELECT file_path, revoked, expires_at < now() AS expired FROM reports_secureexportlink')).rows);
    const live = links.filter((l) => !l.revoked && !l.expired);
    expect(live.length).toBe(6);
    for (const l of links) expect(path.dirname(l.file_path)).toBe(up.exportDir);
    expect(live.filter((l) => !fs.existsSync(l.file_path)).length).toBe(1);
    expect(links.filter((l) => l.revoked).every((l) => !fs.existsSync(l.file_path))).toBe(true);
    expect(fs.readdirSync(up.exportDir).length).toBeGreaterThan(live.length);
  });
});

describe('sandbox status, restart and down', () => {
  it('stops with --keep-data, starts again without regenerating, then removes everything', async () => {
    expect(sandboxStatus(ctx)).toMatchObject({ exists: true, running: true, profile: true });

    const kept = await sandboxDown(ctx, { keepData: true });
    expect(kept).toMatchObject({ exists: true, running: false, removed: false });

    const again = await sandboxUp(ctx, { clients: 5 });
    expect(again.created).toBe(false);
    expect(again.running).toBe(true);
    expect(again.clients).toBe(CLIENTS);
    const n = await withClient(ctx, 'sandbox', 'main', async (c) => Number((await c.query('SELECT count(*) AS n FROM client_files')).rows[0].n));
    expect(n).toBe(CLIENTS);

    const gone = await sandboxDown(ctx);
    expect(gone).toMatchObject({ exists: false, running: false, profile: false, removed: true });
    expect(fs.existsSync(sandboxFolder(ctx))).toBe(false);
    expect(listProfiles(ctx)).toEqual([]);
    expect(await ctx.vault.get(vaultAccounts.fernetKeys('sandbox'))).toBeNull();
    expect(await ctx.vault.get(vaultAccounts.dbPassword('sandbox', 'main'))).toBeNull();
  });
});

describe('cancelling sandbox up', () => {
  it('stops between chunks and removes everything it had created', async () => {
    const c2 = makeTestContext();
    try {
      defineSandboxJobs(c2);
      const id = c2.jobs.start({ kind: 'sandbox.up', clients: 20_000 });
      // Cancel once data generation is under way (the cluster, roles and key already exist).
      await new Promise<void>((resolve) => {
        const off = c2.jobs.onEvent((e) => {
          if (e.type === 'progress' && e.jobId === id && /clients/.test(e.progress.message)) {
            off();
            resolve();
          }
        });
      });
      c2.jobs.cancel(id);
      const job = await c2.jobs.wait(id);
      expect(job.state).toBe('cancelled');
      expect(fs.existsSync(sandboxFolder(c2))).toBe(false);
      expect(listProfiles(c2)).toEqual([]);
      expect(readKeyListRecord(c2.log, 'sandbox')).toBeNull();
      expect(await c2.vault.get(vaultAccounts.fernetKeys('sandbox'))).toBeNull();
    } finally {
      if (fs.existsSync(sandboxFolder(c2))) await sandboxDown(c2).catch(() => {});
      await c2.dispose();
    }
  });
});
