import { Notification } from 'electron';
import type { CoreContext } from '../core/context';
import { alertsAfter, lastAlertId } from '../core/backup/alerts';

/**
 * Shows a desktop notification for each new alert (failed, missed, unverified or suspiciously small
 * backup), including those raised by scheduled runs while the window was open. Alerts from before
 * start-up are on the dashboard already and are not re-announced. Returns a stop function.
 */
export function startAlertNotifier(ctx: CoreContext, onClick: () => void, intervalMs = 30_000): () => void {
  let seen = lastAlertId(ctx);
  const timer = setInterval(() => {
    if (!Notification.isSupported()) return;
    for (const alert of alertsAfter(ctx, seen)) {
      seen = alert.id;
      const note = new Notification({ title: `Custodian: ${alert.profile}`, body: alert.message, urgency: 'critical' });
      note.on('click', onClick);
      note.show();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
