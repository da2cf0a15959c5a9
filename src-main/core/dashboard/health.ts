import type { HealthTile } from '../../contract/channels';
import type { CoreContext } from '../context';
import { custodyFor } from '../keys/custody';
import { setStore } from '../backup/set-store';

/** KoNote's runbook: rotate every 90 days; warn two weeks ahead. */
export const KEY_ROTATION_DAYS = 90;
const KEY_WARN_DAYS = 76;

/**
 * The dashboard's health tiles. Each tile says only what the log actually knows: where nothing has
 * been recorded yet, it says so (never a reassuring default).
 */
export async function dashboardHealth(ctx: CoreContext, profile: string | null): Promise<HealthTile[]> {
  const tiles: HealthTile[] = [backupTile(ctx, profile), { id: 'lastDrill', status: 'warn', messageKey: 'health.lastDrill.none', values: {} }];
  if (!profile) {
    tiles.push(
      { id: 'keyAge', status: 'unknown', messageKey: 'health.noProfile', values: {} },
      { id: 'escrow', status: 'unknown', messageKey: 'health.noProfile', values: {} },
    );
  } else {
    const custody = await custodyFor(ctx, profile);
    const primary = custody.keys.find((k) => k.primary);
    if (!primary || custody.primaryAgeDays === null) {
      tiles.push({ id: 'keyAge', status: 'fail', messageKey: 'health.keyAge.none', values: {} });
    } else {
      const days = custody.primaryAgeDays;
      const status = days >= KEY_ROTATION_DAYS ? 'fail' : days >= KEY_WARN_DAYS ? 'warn' : 'ok';
      tiles.push({ id: 'keyAge', status, messageKey: status === 'ok' ? 'health.keyAge.ok' : 'health.keyAge.due', values: { days, limit: KEY_ROTATION_DAYS, fingerprint: primary.fingerprint } });
    }
    const escrowCount = custody.escrow.length;
    tiles.push(
      escrowCount > 0
        ? { id: 'escrow', status: 'ok', messageKey: 'health.escrow.present', values: { count: escrowCount } }
        : { id: 'escrow', status: primary ? 'warn' : 'unknown', messageKey: 'health.escrow.none', values: {} },
    );
  }
  // The lockdown check runs against the audit database (restore capability); not run yet.
  tiles.push({ id: 'auditLockdown', status: 'unknown', messageKey: 'health.auditLockdown.unchecked', values: {} });
  return tiles;
}

/** Last verified backup against the recovery point objective (default 24 h). */
function backupTile(ctx: CoreContext, profile: string | null): HealthTile {
  const last = profile ? setStore.lastVerified(ctx, profile) : null;
  if (!last) return { id: 'lastBackup', status: profile ? 'fail' : 'unknown', messageKey: profile ? 'health.lastBackup.none' : 'health.noProfile', values: {} };
  const rpo = ctx.settings.get().rpoHours;
  const hours = Math.floor((Date.now() - new Date(last.createdAt).getTime()) / 3_600_000);
  return { id: 'lastBackup', status: hours <= rpo ? 'ok' : 'fail', messageKey: hours <= rpo ? 'health.lastBackup.ok' : 'health.lastBackup.stale', values: { hours, rpo, at: last.createdAt } };
}
