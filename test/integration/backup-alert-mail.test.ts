import { freePort } from '../../src-main/core/sandbox/local-cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { addRecipient } from '../../src-main/core/backup/recipients';
import { createAgeIdentity } from '../../src-main/core/backup/age-stream';
import { listAlerts } from '../../src-main/core/backup/alerts';
import { vaultAccounts } from '../../src-main/core/keys/vault';

/**
 * A failed backup emails an alert through the real mailer (nodemailer) to a real SMTP peer
 * (smtp-server) on 127.0.0.1, with STARTTLS and a login. Threat covered: the SMTP password (from
 * the keychain) leaking into the job log, the alert record or the SQLite file.
 */
const SMTP_USER = 'alerts@example.org';
const SMTP_PASSWORD = 'smtp-S3cret-do-not-log-7f2c';
const DB_PASSWORD = 'db-S3cret-do-not-log-91ab';

interface Received {
  from: string | undefined;
  to: string[];
  raw: string;
  /** true when the session was upgraded with STARTTLS before the login and the message. */
  secure: boolean;
}

let ctx: TestContext;
let server: SMTPServer;
let port: number;
let closedPort: number;
const received: Received[] = [];
const authAttempts: { user: string; ok: boolean }[] = [];

/** Quoted-printable soft breaks and escapes undone, so assertions read the text as sent. */
const decodeBody = (raw: string) =>
  raw
    .split(/\r?\n\r?\n/)
    .slice(1)
    .join('\n\n')
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

beforeAll(async () => {
  server = new SMTPServer({
    // A self-signed certificate is built in: nodemailer upgrades with STARTTLS, as with a real relay.
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      const ok = auth.username === SMTP_USER && auth.password === SMTP_PASSWORD;
      authAttempts.push({ user: auth.username ?? '', ok });
      return ok ? cb(null, { user: auth.username }) : cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (d: string) => (raw += d));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined, to: session.envelope.rcptTo.map((r) => r.address), raw, secure: session.secure });
        cb();
      });
    },
    logger: false,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
  closedPort = await freePort();

  ctx = makeTestContext();
  ctx.settings.update({ smtp: { host: '127.0.0.1', port, secure: false, user: SMTP_USER, from: 'custodian@example.org', to: ['it-staff@example.org'] } });
  await ctx.vault.set(vaultAccounts.smtpPassword(), SMTP_PASSWORD);
  // 127.0.0.2 is loopback too, but not treated as "this computer's server", so the run reaches
  // pg_dump's connection, which fails: a real failed backup, not a simulated alert.
  const endpoint = { host: '127.0.0.2', port: closedPort, database: 'konote', user: 'konote', sslmode: 'disable' as const };
  await saveProfile(ctx, { name: 'Head office', main: endpoint, audit: { ...endpoint, database: 'konote_audit' }, schemas: ['public'], mainPassword: DB_PASSWORD, auditPassword: DB_PASSWORD });
  addRecipient(ctx, 'Head office', (await createAgeIdentity()).recipient, 'offline identity');
}, 60_000);

afterAll(async () => {
  await ctx?.dispose();
  await new Promise<void>((r) => server.close(() => r()));
});

function secretsIn(text: string): string[] {
  return [SMTP_PASSWORD, DB_PASSWORD].filter((s) => text.includes(s));
}

describe('backup alert email through a real SMTP server on loopback', () => {
  it('a failed backup emails IT staff with the profile and the cause; no password in logs', async () => {
    const target = path.join(ctx.home, 'alert-backups');
    const id = ctx.jobs.start({ kind: 'backup.run', profile: 'Head office', target, format: 'custom', encrypt: true });
    const done = await ctx.jobs.wait(id);
    expect(done.state).toBe('failed');
    expect(done.error?.kind).toMatch(/^Pg/);

    expect(received).toHaveLength(1);
    const mail = received[0]!;
    expect(mail.from).toBe('custodian@example.org');
    expect(mail.to).toEqual(['it-staff@example.org']);
    expect(mail.raw).toMatch(/^To: it-staff@example\.org$/m);
    expect(mail.raw).toMatch(/^Subject: Custodian alert for Head office: backup failed$/m);
    const body = decodeBody(mail.raw);
    expect(body).toContain('Backup of "Head office" failed');
    // The cause, as the job recorded it.
    expect(body).toContain(done.error!.message);
    expect(authAttempts).toEqual([{ user: SMTP_USER, ok: true }]);
    expect(mail.secure).toBe(true);

    const alert = listAlerts(ctx, { profile: 'Head office' })[0]!;
    expect(alert.kind).toBe('backup-failed');
    expect(alert.emailedAt).not.toBeNull();
    // Nowhere a password: the mail itself, the alert, the job log, the SQLite file on disk.
    const jobLog = ctx.jobs.logAfter(id, 0).map((l) => l.text).join('\n');
    expect(secretsIn(mail.raw)).toEqual([]);
    expect(secretsIn(alert.message)).toEqual([]);
    expect(secretsIn(jobLog)).toEqual([]);
    for (const f of fs.readdirSync(ctx.home).filter((n) => /\.(db|sqlite|json)(-wal)?$/.test(n))) {
      expect(secretsIn(fs.readFileSync(path.join(ctx.home, f), 'latin1')), f).toEqual([]);
    }
  });

  it('a refused SMTP login is recorded on the alert (never thrown over the backup result), without the password', async () => {
    await ctx.vault.set(vaultAccounts.smtpPassword(), 'wrong-password-for-smtp');
    const before = received.length;
    const id = ctx.jobs.start({ kind: 'backup.run', profile: 'Head office', target: path.join(ctx.home, 'alert-backups'), format: 'custom', encrypt: true });
    const done = await ctx.jobs.wait(id);
    expect(done.state).toBe('failed');
    expect(done.error?.kind).toMatch(/^Pg/); // the backup's own cause, not the mail failure
    expect(received.length).toBe(before);
    expect(authAttempts.at(-1)).toEqual({ user: SMTP_USER, ok: false });
    const alert = listAlerts(ctx, { profile: 'Head office' })[0]!;
    expect(alert.emailedAt).toBeNull();
    expect(alert.message).toMatch(/email not sent: .*127\.0\.0\.1/);
    expect(alert.message).not.toContain('wrong-password-for-smtp');
  });
});
