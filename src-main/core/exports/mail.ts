import type { CoreContext } from '../context';
import { AppError, isAppError } from '../common/errors';
import { sendMail, type OutgoingMail } from '../notify/mailer';

/**
 * The shared mailer, with SMTP failures told apart: a refused login is not a server that is down,
 * and the fix differs. No SMTP configured is an error here (the user asked for an email).
 */
export async function sendExportMail(ctx: CoreContext, mail: OutgoingMail): Promise<void> {
  let sent: boolean;
  try {
    sent = await sendMail(ctx, mail);
  } catch (e) {
    const cause = (isAppError(e) ? e.cause : e) as { code?: string; responseCode?: number } | undefined;
    const msg = e instanceof Error ? e.message : String(e);
    if (cause?.code === 'EAUTH' || cause?.responseCode === 535) {
      throw new AppError('Forbidden', `The mail server refused the login: ${msg}`, 'Check the SMTP user in the email settings and store its password in the keychain again (Custodian keeps it under "smtp-password"). Nothing was sent.', { cause: e });
    }
    throw new AppError('PgConnect', `The mail server could not be reached or refused the message: ${msg}`, 'Check the SMTP host and port in the email settings, and that this computer may reach it (firewall, VPN). Nothing was sent; run again when it is fixed.', { cause: e });
  }
  if (!sent) throw new AppError('Validation', 'No email server is set up, so nothing was sent.', 'Set the SMTP server and recipients in the email settings, or run with --dry-run to see the text without sending.');
}
