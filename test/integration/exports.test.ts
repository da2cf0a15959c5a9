import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { insertExportLink } from '../helpers/export-links';
import { sandboxDown, sandboxFolder, sandboxUp } from '../../src-main/core/sandbox/sandbox-service';
import { withClient } from '../../src-main/core/connections/pg-client';
import { listLinks, showLink } from '../../src-main/core/exports/links';
import { revokeLink } from '../../src-main/core/exports/revoke';
import { cleanupExports } from '../../src-main/core/exports/cleanup';
import { readExportSettings, saveExportSettings } from '../../src-main/core/exports/export-settings';
import { vaultAccounts } from '../../src-main/core/keys/vault';
import type { LinkStatus } from '../../src-main/contract/exports';

/**
 * Export links on a real KoNote-shaped PostgreSQL (the practice sandbox: links in every status,
 * with their files) and a real export folder. Threats covered: a row or symlink steering a
 * deletion outside the export folder; a revocation half-done without an audit row.
 */
let ctx: TestContext;
let exportDir: string;
let admin: { id: number; username: string; display: string };

const P = 'sandbox';
const main = <T>(fn: Parameters<typeof withClient<T>>[3]) => withClient<T>(ctx, P, 'main', fn);
const audit = <T>(fn: Parameters<typeof withClient<T>>[3]) => withClient<T>(ctx, P, 'audit', fn);
const count = (links: { status: LinkStatus }[], s: LinkStatus) => links.filter((l) => l.status === s).length;
const errorOf = async (p: Promise<unknown>) => p.then(() => null, (e: { kind?: string; message?: string; hint?: string }) => e);

beforeAll(async () => {
  ctx = makeTestContext();
  const up = await sandboxUp(ctx, { clients: 20, fsync: false });
  exportDir = up.exportDir;
  const r = await main((c) => c.query<{ id: string; username: string; display_name: string }>('SELECT id, username, display_name FROM users WHERE is_admin AND is_active ORDER BY id LIMIT 1'));
  admin = { id: Number(r.rows[0]!.id), username: r.rows[0]!.username, display: r.rows[0]!.display_name };
});

afterAll(async () => {
  if (fs.existsSync(sandboxFolder(ctx))) await sandboxDown(ctx).catch(() => {});
  await ctx.dispose();
});

describe('export links list', () => {
  it('gives KoNote’s statuses in KoNote’s order, checking files in the export folder', async () => {
    const r = await listLinks(ctx, { profile: P });
    expect(r.folder).toMatchObject({ reachable: true, exportDir });
    // The sandbox's plan: 2 revoked (files deleted: still "Revoked", Revoked wins over File Missing),
    // 4 expired (one without its file: still "Expired"), 1 missing file, 1 pending (elevated, 3 min old), 4 active.
    expect({ revoked: count(r.links, 'revoked'), expired: count(r.links, 'expired'), missing: count(r.links, 'file_missing'), pending: count(r.links, 'pending'), active: count(r.links, 'active') }).toEqual({ revoked: 2, expired: 4, missing: 1, pending: 1, active: 4 });
    for (const l of r.links.filter((x) => x.status === 'active')) expect(fs.existsSync(path.join(exportDir, `${l.id}_${l.filename}`))).toBe(true);
    const pending = r.links.find((l) => l.status === 'pending')!;
    expect(pending.isElevated).toBe(true);
    expect(new Date(pending.pendingUntil!).getTime()).toBe(new Date(pending.createdAt).getTime() + 10 * 60_000);
    // Removing the file of an active link turns it into File Missing.
    const victim = r.links.find((l) => l.status === 'active' && l.exportType === 'session_report')!;
    const file = path.join(exportDir, `${victim.id}_${victim.filename}`);
    const saved = fs.readFileSync(file);
    fs.rmSync(file);
    expect((await listLinks(ctx, { profile: P })).links.find((l) => l.id === victim.id)!.status).toBe('file_missing');
    fs.writeFileSync(file, saved);
  });

  it('says "file unknown" (never Active or File Missing) when the export folder is not reachable', async () => {
    const settings = readExportSettings(ctx, P);
    saveExportSettings(ctx, { ...settings, exportDir: path.join(ctx.home, 'not-mounted') });
    try {
      const r = await listLinks(ctx, { profile: P });
      expect(r.folder.reachable).toBe(false);
      expect(r.folder.detail).toMatch(/does not exist/);
      expect({ unknown: count(r.links, 'file_unknown'), active: count(r.links, 'active'), missing: count(r.links, 'file_missing'), revoked: count(r.links, 'revoked'), expired: count(r.links, 'expired') }).toEqual({ unknown: 6, active: 0, missing: 0, revoked: 2, expired: 4 });
    } finally {
      saveExportSettings(ctx, { ...settings, exportDir });
    }
  });

  it('filters by status, type, creator, date, elevated and PII as the database says', async () => {
    const all = (await listLinks(ctx, { profile: P })).links;
    const metrics = (await listLinks(ctx, { profile: P, type: 'metrics' })).links;
    expect(metrics.length).toBe(all.filter((l) => l.exportType === 'metrics').length);
    expect(metrics.length).toBeGreaterThan(0);
    expect((await listLinks(ctx, { profile: P, elevated: true })).links.map((l) => l.id).sort()).toEqual(all.filter((l) => l.isElevated).map((l) => l.id).sort());
    expect((await listLinks(ctx, { profile: P, pii: false })).links.map((l) => l.id).sort()).toEqual(all.filter((l) => !l.containsPii).map((l) => l.id).sort());
    expect((await listLinks(ctx, { profile: P, status: 'expired' })).links.every((l) => l.status === 'expired')).toBe(true);
    const creator = all[0]!.createdBy!;
    const byCreator = (await listLinks(ctx, { profile: P, creator: creator.username.toUpperCase() })).links;
    expect(byCreator.map((l) => l.id).sort()).toEqual(all.filter((l) => l.createdBy?.id === creator.id).map((l) => l.id).sort());
    const today = new Date().toISOString().slice(0, 10);
    const recent = (await listLinks(ctx, { profile: P, from: today })).links;
    expect(recent.every((l) => l.createdAt.slice(0, 10) >= today)).toBe(true);
    expect(recent.length).toBeLessThan(all.length);
    const bad = await errorOf(listLinks(ctx, { profile: P, type: 'payroll' as never }));
    expect(bad).toMatchObject({ kind: 'Validation' });
    expect(bad!.hint).toMatch(/metrics/);
  });
});

describe('export link details', () => {
  it('shows creator, recipient, filters, downloads and the link’s audit trail', async () => {
    const link = (await listLinks(ctx, { profile: P, type: 'standard_report', status: 'active' })).links.find((l) => l.downloadCount > 0)!;
    const d = await showLink(ctx, P, link.id);
    expect(d.filters).toEqual({ program: 1 });
    expect(d.recipient.length).toBeGreaterThan(0);
    expect(d.trail.map((t) => `${t.action}/${t.resourceType}`)).toEqual(['report_approved/standard_report', ...Array(link.downloadCount).fill('export/export_download')]);
    expect(d.trail[1]!.metadata).toMatchObject({ link_id: link.id, export_type: 'standard_report', client_count: link.clientCount });
    expect(d.trailError).toBeNull();
    expect(await errorOf(showLink(ctx, P, '00000000-0000-4000-8000-000000000000'))).toMatchObject({ kind: 'NotFound' });
    expect(await errorOf(showLink(ctx, P, "1' OR '1'='1"))).toMatchObject({ kind: 'Validation' });
  });
});

describe('revoke', () => {
  it('sets revoked / revoked_by_id / revoked_at, writes KoNote’s audit row exactly, deletes the file', async () => {
    const link = (await listLinks(ctx, { profile: P, type: 'metrics', status: 'active' })).links[0]!;
    const file = path.join(exportDir, `${link.id}_${link.filename}`);
    expect(fs.existsSync(file)).toBe(true);
    const r = await revokeLink(ctx, { profile: P, id: link.id, reason: 'Sent to the wrong funder', asUser: admin.username, confirm: true });
    expect(r.file.action).toBe('deleted');
    expect(fs.existsSync(file)).toBe(false);
    const row = (await main((c) => c.query('SELECT revoked, revoked_by_id, revoked_at FROM reports_secureexportlink WHERE id = $1', [link.id]))).rows[0];
    expect(row.revoked).toBe(true);
    expect(Number(row.revoked_by_id)).toBe(admin.id);
    expect(row.revoked_at.toISOString()).toBe(r.revokedAt);
    const a = (await audit((c) => c.query('SELECT * FROM audit_log WHERE id = $1', [r.auditRowId]))).rows[0];
    expect(a).toMatchObject({ action: 'update', resource_type: 'export_link_revoked', user_id: admin.id, user_display: admin.display, resource_id: null, ip_address: null, is_confidential_context: false, tenant_schema: '' });
    expect(a.metadata).toEqual({ link_id: link.id, created_by: link.createdBy!.displayName, export_type: 'metrics', client_count: link.clientCount });
    const d = await showLink(ctx, P, link.id);
    expect(d.status).toBe('revoked');
    expect(d.revocations).toMatchObject([{ reason: 'Sent to the wrong funder', state: 'done', byUser: admin.display }]);
    expect(d.trail.at(-1)).toMatchObject({ action: 'update', resourceType: 'export_link_revoked' });
  });

  it('refuses to revoke twice, an unknown id, and an ambiguous admin — changing nothing', async () => {
    const revoked = (await listLinks(ctx, { profile: P, status: 'revoked' })).links[0]!;
    const auditCount = async () => Number((await audit((c) => c.query('SELECT count(*) AS n FROM audit_log'))).rows[0].n);
    const before = await auditCount();
    expect(await errorOf(revokeLink(ctx, { profile: P, id: revoked.id, reason: 'again', asUser: admin.username, confirm: true }))).toMatchObject({ kind: 'Conflict' });
    expect(await errorOf(revokeLink(ctx, { profile: P, id: '00000000-0000-4000-8000-000000000000', reason: 'nope', asUser: admin.username, confirm: true }))).toMatchObject({ kind: 'NotFound' });
    const active = (await listLinks(ctx, { profile: P, status: 'active' })).links[0]!;
    // The sandbox has two active admins: Custodian must be told which one acts.
    const amb = await errorOf(revokeLink(ctx, { profile: P, id: active.id, reason: 'who?', confirm: true }));
    expect(amb).toMatchObject({ kind: 'Validation' });
    expect(amb!.hint).toContain(admin.username);
    expect(await errorOf(revokeLink(ctx, { profile: P, id: active.id, reason: 'x', asUser: admin.username, confirm: true }))).toMatchObject({ kind: 'Validation' });
    expect(await auditCount()).toBe(before);
    expect((await showLink(ctx, P, active.id)).status).toBe('active');
  });

  it('leaves the link untouched when the audit row cannot be written', async () => {
    const active = (await listLinks(ctx, { profile: P, status: 'active' })).links[0]!;
    const account = vaultAccounts.dbPassword(P, 'audit');
    const good = (await ctx.vault.get(account))!;
    await ctx.vault.set(account, 'wrong-password');
    try {
      const e = await errorOf(revokeLink(ctx, { profile: P, id: active.id, reason: 'Audit DB down', asUser: admin.username, confirm: true }));
      expect(e).toMatchObject({ kind: 'PgAuth' });
      expect(e!.message).toMatch(/NOT revoked/);
      expect(e!.hint).toMatch(/Nothing was changed/);
    } finally {
      await ctx.vault.set(account, good);
    }
    const d = await showLink(ctx, P, active.id);
    expect(d.status).toBe('active');
    expect(d.revocations.map((x) => x.state)).toEqual(['failed']);
    expect(fs.existsSync(path.join(exportDir, `${active.id}_${active.filename}`))).toBe(true);
  });
});

describe('cleanup', () => {
  let outsideFile: string;
  let traversalId: string;
  let symlinkId: string;
  let unexpiredRevokedId: string;

  beforeAll(async () => {
    outsideFile = path.join(ctx.home, 'precious.txt');
    fs.writeFileSync(outsideFile, 'not an export\n');
    fs.symlinkSync(outsideFile, path.join(exportDir, 'aaaa_linked_out.csv'));
    fs.symlinkSync(outsideFile, path.join(exportDir, 'bbbb_orphan_link.csv'));
    await main(async (c) => {
      traversalId = await insertExportLink(c, { filePath: `${exportDir}/../../precious.txt`, createdMinAgo: 5 * 24 * 60, expiresMinAgo: 4 * 24 * 60 });
      symlinkId = await insertExportLink(c, { filePath: path.join(exportDir, 'aaaa_linked_out.csv'), createdMinAgo: 5 * 24 * 60, expiresMinAgo: 4 * 24 * 60 });
      unexpiredRevokedId = await insertExportLink(c, { filePath: path.join(exportDir, 'cccc_revoked.csv'), createdMinAgo: 60, revoked: true });
    });
  });

  const snapshot = async () => ({
    rows: (await main((c) => c.query<{ id: string }>('SELECT id::text AS id FROM reports_secureexportlink ORDER BY id'))).rows.map((r) => r.id),
    files: fs.readdirSync(exportDir).sort(),
  });

  it('dry run: lists what KoNote’s rule removes and changes nothing', async () => {
    const before = await snapshot();
    const r = await cleanupExports(ctx, { profile: P, dryRun: true });
    expect(await snapshot()).toEqual(before);
    const expectedIds = (await main((c) => c.query<{ id: string }>(`SELECT id::text AS id FROM reports_secureexportlink WHERE expires_at < now() - interval '1 day'`))).rows.map((x) => x.id).sort();
    expect(r.expired.map((e) => e.id).sort()).toEqual(expectedIds);
    expect(r.expired.filter((e) => e.rowAction === 'would-delete').length).toBe(expectedIds.length - 2);
    expect(r.refused.map((x) => x.linkId).filter(Boolean).sort()).toEqual([traversalId, symlinkId].sort());
    expect(r.refused.find((x) => x.linkId === traversalId)!.reason).toMatch(/\.\./);
    expect(r.refused.find((x) => x.linkId === symlinkId)!.reason).toMatch(/symbolic link/);
    expect(r.orphans.find((o) => o.name.endsWith('_orphaned_report.csv'))!.action).toBe('would-delete');
    expect(r.orphans.find((o) => o.name === 'bbbb_orphan_link.csv')!.action).toBe('refused');
    expect(r.expired.some((e) => e.id === unexpiredRevokedId)).toBe(false);
    expect(r.keptRevokedUnexpired).toBeGreaterThanOrEqual(2);
    expect(r.auditRowId).toBeNull();
  });

  it('never takes a file another agency\u2019s link points to for an orphan, and the list names that schema (multi-agency)', async () => {
    const agencyFile = path.join(exportDir, 'dddd_agency_b_report.csv');
    fs.writeFileSync(agencyFile, 'agency b\n');
    await main((c) => c.query(`CREATE SCHEMA agency_b; CREATE TABLE agency_b.reports_secureexportlink (LIKE public.reports_secureexportlink INCLUDING ALL)`));
    await main(async (c) => {
      await c.query('INSERT INTO agency_b.reports_secureexportlink SELECT * FROM public.reports_secureexportlink LIMIT 1');
      await c.query(`UPDATE agency_b.reports_secureexportlink SET id = gen_random_uuid(), file_path = $1, expires_at = now() + interval '1 day', revoked = false`, [agencyFile]);
    });
    try {
      const r = await cleanupExports(ctx, { profile: P, dryRun: true });
      expect(r.orphans.some((o) => o.name === 'dddd_agency_b_report.csv')).toBe(false);
      // The list says that schema's links exist rather than leaving them out silently.
      expect((await listLinks(ctx, { profile: P })).otherSchemas).toEqual(['agency_b']);
      expect(r.orphans.some((o) => o.name.endsWith('_orphaned_report.csv'))).toBe(true); // a true orphan still is one
    } finally {
      await main((c) => c.query('DROP SCHEMA agency_b CASCADE'));
      fs.rmSync(agencyFile);
    }
  });

  it('deletes expired rows and their files, then orphans; never follows a path out; writes an audit row', async () => {
    const expired = (await main((c) => c.query<{ id: string; file_path: string }>(`SELECT id::text AS id, file_path FROM reports_secureexportlink WHERE expires_at < now() - interval '1 day'`))).rows;
    const r = await cleanupExports(ctx, { profile: P, dryRun: false });
    const after = await snapshot();
    for (const e of expired) {
      if (e.id === traversalId || e.id === symlinkId) expect(after.rows).toContain(e.id);
      else {
        expect(after.rows).not.toContain(e.id);
        expect(fs.existsSync(e.file_path)).toBe(false);
      }
    }
    expect(after.rows).toContain(unexpiredRevokedId);
    expect(fs.readFileSync(outsideFile, 'utf8')).toBe('not an export\n');
    expect(fs.lstatSync(path.join(exportDir, 'aaaa_linked_out.csv')).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(path.join(exportDir, 'bbbb_orphan_link.csv')).isSymbolicLink()).toBe(true);
    expect(after.files.some((f) => f.endsWith('_orphaned_report.csv'))).toBe(false);
    // Files of links that stay (active, pending) are untouched.
    for (const l of (await listLinks(ctx, { profile: P, status: 'active' })).links) expect(fs.existsSync(path.join(exportDir, `${l.id}_${l.filename}`))).toBe(true);
    const a = (await audit((c) => c.query('SELECT * FROM audit_log WHERE id = $1', [r.auditRowId]))).rows[0];
    expect(a).toMatchObject({ action: 'delete', resource_type: 'export_link_cleanup' });
    expect([...a.metadata.link_ids].sort()).toEqual(expired.map((e) => e.id).filter((id) => id !== traversalId && id !== symlinkId).sort());
    expect(a.metadata.refused.map((x: { link_id: string | null }) => x.link_id)).toContain(traversalId);
  });

  it('refuses a missing export folder with a typed error and deletes nothing', async () => {
    const before = await snapshot();
    const e = await errorOf(cleanupExports(ctx, { profile: P, dryRun: false, exportDir: path.join(ctx.home, 'no-such-share') }));
    expect(e).toMatchObject({ kind: 'NotFound' });
    expect(e!.hint).toMatch(/Nothing was deleted/);
    expect(await snapshot()).toEqual(before);
  });
});
