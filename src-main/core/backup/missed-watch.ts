import type { CoreContext } from '../context';
import { checkMissedBackup, type AlertRecord } from './alerts';

/**
 * A missed backup is the one failure that produces no event of its own: the scheduled job simply
 * never ran (machine off, task deleted, password changed). So whoever is running — the app window,
 * or `custodian doctor` — looks for it. Only deployments that have been backed up at least once
 * are watched, so adding a profile does not raise an alarm before its first backup.
 */
export async function checkAllMissedBackups(ctx: CoreContext, now = new Date()): Promise<AlertRecord[]> {
  const profiles = ctx.log.prepare(`SELECT DISTINCT s.profile FROM backup_sets s JOIN profiles p ON p.name = s.profile`).pluck().all() as string[];
  const raised: AlertRecord[] = [];
  for (const profile of profiles) {
    const alert = await checkMissedBackup(ctx, profile, now).catch(() => null); // a mail failure is recorded on the alert itself
    if (alert) raised.push(alert);
  }
  return raised;
}

/** Checks now and then every `intervalMs` (default hourly) while the app runs; returns a stop function. */
export function startMissedBackupWatch(ctx: CoreContext, intervalMs = 3_600_000): () => void {
  const tick = () => void checkAllMissedBackups(ctx).catch(() => undefined);
  const first = setTimeout(tick, 5_000); // after start-up, not during it
  const timer = setInterval(tick, intervalMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
