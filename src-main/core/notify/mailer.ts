import nodemailer from 'nodemailer';
import type { CoreContext } from '../context';
import { AppError } from '../common/errors';
import { vaultAccounts } from '../keys/vault';

export interface OutgoingMail {
  subject: string;
  text: string;
  /** Overrides the configured recipients (e.g. KoNote's admins for the export summary). */
  to?: string[];
}

/**
 * Sends one email through the SMTP server configured in Settings (password from the keychain).
 * Returns false when no SMTP server is configured — email is optional; the app's own alert list
 * and desktop notification always carry the alert.
 */
export async function sendMail(ctx: CoreContext, mail: OutgoingMail): Promise<boolean> {
  const smtp = ctx.settings.get().smtp;
  if (!smtp) return false;
  const password = smtp.user ? await ctx.vault.get(vaultAccounts.smtpPassword()) : null;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: password ?? '' } : undefined,
    // STARTTLS when offered; a plain loopback relay in tests has no certificate to check.
    tls: { rejectUnauthorized: !['127.0.0.1', 'localhost', '::1'].includes(smtp.host) },
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
  });
  try {
    await transport.sendMail({ from: smtp.from, to: mail.to ?? smtp.to, subject: mail.subject, text: mail.text });
    return true;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new AppError('PgConnect', `The email could not be sent through ${smtp.host}:${smtp.port}: ${msg}`, 'Check the SMTP server, port and user in Settings, and the password in the keychain.', { cause: e });
  } finally {
    transport.close();
  }
}
