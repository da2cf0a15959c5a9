import type { CoreContext } from '../context';

export type AlertKind = 'backup-failed' | 'backup-unverified' | 'backup-missed' | 'backup-small';

/** Records an alert in the log; the app shows it (desktop notification) and the mailer sends it. */
export function raiseAlert(ctx: CoreContext, profile: string, kind: AlertKind, message: string): void {
  ctx.log.prepare(`INSERT INTO alerts (profile, kind, message, created_at) VALUES (?, ?, ?, ?)`).run(profile, kind, message, new Date().toISOString());
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
