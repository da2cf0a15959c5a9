import type { CoreContext } from '../context';
import { sendMail } from '../notify/mailer';
import { setStore } from './set-store';

export type AlertKind = 'backup-failed' | 'backup-unverified' | 'backup-missed' | 'backup-small';

/**
 * Records an alert in the log (the app shows it as a desktop notification and on the dashboard)
 * and, when SMTP is configured, emails it. An email failure is recorded, never thrown: the backup
 * outcome must not depend on the mail server.
 */
export async function raiseAlert(ctx: CoreContext, profile: string, kind: AlertKind, message: string): Promise<AlertRecord> {
  const info = ctx.log.prepare(`INSERT INTO alerts (profile, kind, message, created_at) VALUES (?, ?, ?, ?)`).run(profile, kind, message, new Date().toISOString());
  const id = Number(info.lastInsertRowid);
  try {
    if (await sendMail(ctx, { subject: `Custodian alert for ${profile}: ${kind.replace('backup-', 'backup ')}`, text: `${message}\n\n— Custodian` })) {
      ctx.log.prepare(`UPDATE alerts SET emailed_at = ? WHERE id = ?`).run(new Date().toISOString(), id);
    }
  } catch (e) {
    ctx.log.prepare(`UPDATE alerts SET message = message || ? WHERE id = ?`).run(` (email not sent: ${e instanceof Error ? e.message : String(e)})`, id);
  }
  return listAlerts(ctx, { profile }).find((a) => a.id === id)!;
}

/**
 * A backup is "missed" when no verified set exists within the RPO (+2 h of slack, i.e. 26 h for
 * the default 24 h). Raised at most once per missed window.
 */
export async function checkMissedBackup(ctx: CoreContext, profile: string, now = new Date()): Promise<AlertRecord | null> {
  const rpoHours = ctx.settings.get().rpoHours;
  const limitMs = (rpoHours + 2) * 3_600_000;
  const last = setStore.lastVerified(ctx, profile);
  const since = last ? now.getTime() - new Date(last.createdAt).getTime() : Infinity;
  if (since <= limitMs) return null;
  // Once per missed window: not again while no verified set has been made since the last alert.
  const recent = listAlerts(ctx, { profile }).find((a) => a.kind === 'backup-missed' && (!last || a.createdAt > last.createdAt));
  if (recent) return null;
  return raiseAlert(ctx, profile, 'backup-missed', last ? `No verified backup of "${profile}" for ${Math.floor(since / 3_600_000)} hours (last: ${last.createdAt}).` : `"${profile}" has never had a verified backup.`);
}

export interface AlertRecord {
  id: number;
  profile: string;
  kind: AlertKind;
  message: string;
  createdAt: string;
  emailedAt: string | null;
  acknowledgedAt: string | null;
}

export function listAlerts(ctx: CoreContext, opts: { profile?: string; unacknowledged?: boolean } = {}): AlertRecord[] {
  const rows = ctx.log
    .prepare(
      `SELECT id, profile, kind, message, created_at, emailed_at, acknowledged_at FROM alerts
        WHERE (? IS NULL OR profile = ?) AND (? = 0 OR acknowledged_at IS NULL) ORDER BY id DESC LIMIT 200`,
    )
    .all(opts.profile ?? null, opts.profile ?? null, opts.unacknowledged ? 1 : 0) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: r.id as number,
    profile: r.profile as string,
    kind: r.kind as AlertKind,
    message: r.message as string,
    createdAt: r.created_at as string,
    emailedAt: (r.emailed_at as string | null) ?? null,
    acknowledgedAt: (r.acknowledged_at as string | null) ?? null,
  }));
}

/**
 * Alerts newer than `afterId`, oldest first, for the app's desktop notifications. Alerts raised by a
 * scheduled CLI run live in the same SQLite log, so the window polls this rather than an event.
 */
export function alertsAfter(ctx: CoreContext, afterId: number): AlertRecord[] {
  return listAlerts(ctx)
    .filter((a) => a.id > afterId)
    .reverse();
}

export function lastAlertId(ctx: CoreContext): number {
  return (ctx.log.prepare(`SELECT COALESCE(MAX(id), 0) FROM alerts`).pluck().get() as number) ?? 0;
}
