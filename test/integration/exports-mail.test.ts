import { freePort } from '../../src-main/core/sandbox/local-cluster';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { sandboxDown, sandboxFolder, sandboxUp } from '../../src-main/core/sandbox/sandbox-service';
import { withClient } from '../../src-main/core/connections/pg-client';
import { exportSummary, konoteDate } from '../../src-main/core/exports/summary';
import { checkDeadlines } from '../../src-main/core/exports/deadlines';
import { addMonthsClamped, daysBetween } from '../../src-main/core/exports/deadline-rules';
import { vaultAccounts } from '../../src-main/core/keys/vault';

/**
 * The weekly export summary and report-deadline reminders, computed on the sandbox's real
 * PostgreSQL and sent through the real mailer to a real SMTP peer (smtp-server) on 127.0.0.1.
 */
const SMTP_USER = 'exports@example.org';
const SMTP_PASSWORD = 'smtp-exports-S3cret-4d1e';
const P = 'sandbox';

let ctx: TestContext;
let server: SMTPServer;
let port: number;
const received: { to: string[]; raw: string }[] = [];

const errorOf = async (p: Promise<unknown>) => p.then(() => null, (e: { kind?: string; message?: string; hint?: string }) => e);
/** Quoted-printable body and RFC 2047 encoded-word headers undone, bytes read back as UTF-8. */
const qp = (s: string) => Buffer.from(s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
const decode = (raw: string) => qp(raw.replace(/\?=\s+=\?UTF-8\?Q\?/g, '').replace(/=\?UTF-8\?Q\?(.*?)\?=/g, (_, w: string) => w.replace(/_/g, ' ')));
const main = <T>(fn: Parameters<typeof withClient<T>>[3]) => withClient<T>(ctx, P, 'main', fn);

beforeAll(async () => {
  server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth: (auth, _s, cb) => (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD ? cb(null, { user: auth.username }) : cb(new Error('Invalid username or password'))),
    onData(stream, session, cb) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (d: string) => (raw += d));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        cb();
      });
    },
    logger: false,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.server.address() as AddressInfo).port;
  ctx = makeTestContext();
  await sandboxUp(ctx, { clients: 20, fsync: false });
  ctx.settings.update({ smtp: { host: '127.0.0.1', port, secure: false, user: SMTP_USER, from: 'custodian@example.org', to: ['it-staff@example.org', 'director@example.org'] } });
  await ctx.vault.set(vaultAccounts.smtpPassword(), SMTP_PASSWORD);
});

afterAll(async () => {
  if (ctx && fs.existsSync(sandboxFolder(ctx))) await sandboxDown(ctx).catch(() => {});
  await ctx?.dispose();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('weekly export summary', () => {
  it('computes KoNote’s figures (checked against the rows, counted independently) and sends nothing in a dry run', async () => {
    const rows = (await main((c) => c.query<{ export_type: string; is_elevated: boolean; download_count: number; revoked: boolean; display_name: string; created_at: Date }>(`SELECT l.*, u.display_name FROM reports_secureexportlink l JOIN users u ON u.id = l.created_by_id`))).rows;
    const r = await exportSummary(ctx, { profile: P, days: 7, dryRun: true });
    const inWindow = rows.filter((x) => x.created_at.getTime() >= Date.now() - 7 * 86_400_000 - 60_000);
    expect(inWindow.length).toBeGreaterThan(3);
    expect(inWindow.length).toBeLessThan(rows.length);
    expect(r.total).toBe(inWindow.length);
    expect(r.elevated).toBe(inWindow.filter((x) => x.is_elevated).length);
    expect(r.downloaded).toBe(inWindow.filter((x) => x.download_count > 0).length);
    expect(r.notDownloaded).toBe(inWindow.filter((x) => x.download_count === 0 && !x.revoked).length);
    expect(r.revoked).toBe(inWindow.filter((x) => x.revoked).length);
    const byType = new Map<string, number>();
    for (const x of inWindow) byType.set(x.export_type, (byType.get(x.export_type) ?? 0) + 1);
    expect(Object.fromEntries(r.byType.map((t) => [t.type, t.count]))).toEqual(Object.fromEntries(byType));
    expect(r.topCreators.length).toBeLessThanOrEqual(5);
    expect(r.topCreators.reduce((s, c) => s + c.count, 0)).toBeLessThanOrEqual(r.total);
    expect(r.subject).toBe(`KoNote — Export Activity Summary (${konoteDate(new Date(Date.now() - 7 * 86_400_000))} to ${konoteDate(new Date())})`);
    expect(r.sent).toBe(false);
    expect(received).toHaveLength(0);
    expect((await exportSummary(ctx, { profile: P, days: 1000, dryRun: true }).catch((e: { kind: string }) => e)) as { kind: string }).toMatchObject({ kind: 'Validation' });
  });

  it('emails the summary to the configured recipients', async () => {
    const r = await exportSummary(ctx, { profile: P, days: 7, dryRun: false });
    expect(r.sent).toBe(true);
    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual(['it-staff@example.org', 'director@example.org']);
    const text = decode(received[0]!.raw);
    expect(text).toContain(`Subject: ${r.subject}`);
    expect(text).toContain(r.topCreators[0]!.name);
    expect(text).toContain(`Total exports: ${r.total}`);
    expect(text).toContain(`Revoked: ${r.revoked}`);
    expect(received[0]!.raw).not.toContain(SMTP_PASSWORD);
  });

  it('SMTP refusing the login, and SMTP down, are typed errors with a fix', async () => {
    await ctx.vault.set(vaultAccounts.smtpPassword(), 'wrong');
    const auth = await errorOf(exportSummary(ctx, { profile: P, days: 7, dryRun: false }));
    expect(auth).toMatchObject({ kind: 'Forbidden' });
    expect(auth!.hint).toMatch(/password/);
    expect(auth!.message).not.toContain(SMTP_PASSWORD);
    await ctx.vault.set(vaultAccounts.smtpPassword(), SMTP_PASSWORD);
    const smtp = ctx.settings.get().smtp!;
    ctx.settings.update({ smtp: { ...smtp, port: await freePort() } });
    const down = await errorOf(exportSummary(ctx, { profile: P, days: 7, dryRun: false }));
    expect(down).toMatchObject({ kind: 'PgConnect' });
    expect(down!.hint).toMatch(/host and port/);
    ctx.settings.update({ smtp });
    expect(received).toHaveLength(1);
  });
});

describe('report deadlines', () => {
  it('dry run: plans banner + one email for schedules in their window, advances overdue recurring ones, changes nothing', async () => {
    const today = konoteDate(new Date());
    const overdue = addMonthsClamped(today, -1);
    await main((c) =>
      c.query(
        `INSERT INTO report_schedules (id, name, report_type, frequency, due_date, reminder_days_before, banner_shown_at, email_sent_at, last_generated_at, is_active, created_at, updated_at, created_by_id)
         VALUES (10, 'Overdue monthly', 'metrics', 'monthly', $1::date - 2, 5, now(), now(), NULL, true, now(), now(), 1)`,
        [overdue.slice(0, 8) + '15'],
      ),
    );
    const before = (await main((c) => c.query('SELECT * FROM report_schedules ORDER BY id'))).rows;
    const r = await checkDeadlines(ctx, { profile: P, dryRun: true });
    expect((await main((c) => c.query('SELECT * FROM report_schedules ORDER BY id'))).rows).toEqual(before);
    const q = r.schedules.find((s) => s.id === 1)!;
    // KoNote's "today" is in America/Toronto; the sandbox wrote its due date 5 UTC days ahead.
    expect(q).toMatchObject({ inReminderWindow: true, daysLeft: daysBetween(today, (await main((c) => c.query('SELECT due_date::text AS d FROM report_schedules WHERE id = 1'))).rows[0].d), actions: ['banner', 'email'] });
    expect(q.emailTo.length).toBe(2);
    expect(r.schedules.find((s) => s.id === 2)).toMatchObject({ inReminderWindow: false, actions: [] });
    expect(r.schedules.find((s) => s.id === 3)).toMatchObject({ isActive: false, actions: [] });
    const m = r.schedules.find((s) => s.id === 10)!;
    expect(m.actions).toContain('advance');
    expect(m.nextDueDate! >= today).toBe(true);
    expect(received).toHaveLength(1);
  });

  it('sends the reminder once to the notify users (decrypted addresses), stamps and advances', async () => {
    const r = await checkDeadlines(ctx, { profile: P, dryRun: false });
    expect(r.emailsSent).toBe(1);
    const mail = received.at(-1)!;
    const users = (await main((c) => c.query<{ username: string }>('SELECT u.username FROM report_schedules_notify_users n JOIN users u ON u.id = n.user_id WHERE n.reportschedule_id = 1 ORDER BY u.username'))).rows;
    expect(mail.to.sort()).toEqual(users.map((u) => `${u.username}@agency.example.org`).sort());
    expect(decode(mail.raw)).toContain('Quarterly funder report');
    const rows = (await main((c) => c.query('SELECT id, due_date::text AS due, banner_shown_at, email_sent_at FROM report_schedules ORDER BY id'))).rows;
    const one = rows.find((x) => Number(x.id) === 1)!;
    expect(one.banner_shown_at).not.toBeNull();
    expect(one.email_sent_at).not.toBeNull();
    const ten = rows.find((x) => Number(x.id) === 10)!;
    expect(ten.due).toBe(r.schedules.find((s) => s.id === 10)!.nextDueDate);
    // Advancing resets both stamps (the new due date is outside its 5-day window, so none is set again).
    expect(ten.banner_shown_at).toBeNull();
    expect(ten.email_sent_at).toBeNull();

    const again = await checkDeadlines(ctx, { profile: P, dryRun: false });
    expect(again.emailsSent).toBe(0);
    expect(again.schedules.find((s) => s.id === 1)!.actions).toEqual([]);
    expect(received.at(-1)).toBe(mail);
  });
});
