import type { HealthTile } from '../../contract/channels';
import type { CoreContext } from '../context';
import { custodyFor } from '../keys/custody';
import { setStore } from '../backup/set-store';
import { drillStore } from '../drill/drill-store';
import { lastLockdownCheck } from '../drill/lockdown';
import { suspiciousTile } from './suspicious-tile';
import { pitrStore } from '../pitr/pitr-store';

/** KoNote's runbook: rotate every 90 days; warn two weeks ahead. */
export const KEY_ROTATION_DAYS = 90;
const KEY_WARN_DAYS = 76;

/**
 * The dashboard's health tiles. Each tile says only what the log actually knows: where nothing has
 * been recorded yet, it says so (never a reassuring default).
 */
export async function dashboardHealth(ctx: CoreContext, profile: string | null): Promise<HealthTile[]> {
  // Started first so the audit database's (bounded) answer overlaps the local reads below.
  const suspicious = suspiciousTile(ctx, profile);
  const tiles: HealthTile[] = [backupTile(ctx, profile), drillTile(ctx, profile)];
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
  tiles.push(lockdownTile(ctx, profile));
  tiles.push(await suspicious);
  const copies = recoveredCopiesTile(ctx, profile);
  if (copies) tiles.push(copies);
  return tiles;
}

/**
 * Point-in-time copies still running on this computer: each holds a full copy of the personal
 * data, and keeps running after the app is closed until it is discarded. Shown only while any is.
 */
function recoveredCopiesTile(ctx: CoreContext, profile: string | null): HealthTile | null {
  if (!profile) return null;
  const ready = pitrStore.recoveries(ctx, profile, ['ready']);
  if (ready.length === 0) return null;
  const oldest = ready.map((r) => r.finishedAt ?? r.startedAt).sort()[0]!;
  const hours = Math.max(0, Math.floor((Date.now() - Date.parse(oldest)) / 3_600_000));
  return { id: 'recoveredCopies', status: 'warn', messageKey: 'health.recoveredCopies.running', values: { count: ready.length, hours } };
}

/** The runbook's monthly drill: days since the last passing drill against a 30-day goal. */
export const DRILL_GOAL_DAYS = 30;

function drillTile(ctx: CoreContext, profile: string | null): HealthTile {
  if (!profile) return { id: 'lastDrill', status: 'unknown', messageKey: 'health.noProfile', values: {} };
  const passed = drillStore.lastPassed(ctx, profile);
  const latest = drillStore.list(ctx, profile, 20).find((d) => d.kind === 'drill' && d.state !== 'running');
  const days = passed ? Math.floor((Date.now() - Date.parse(passed.finishedAt ?? passed.startedAt)) / 86_400_000) : null;
  const values = { days: days ?? '-', goal: DRILL_GOAL_DAYS, ...(passed ? { at: passed.finishedAt ?? passed.startedAt } : {}) };
  // A failure after the last pass is the headline: the newest evidence says restores do not work.
  if (latest && latest.state === 'failed' && (!passed || latest.startedAt > passed.startedAt)) return { id: 'lastDrill', status: 'fail', messageKey: 'health.lastDrill.failed', values };
  if (!passed || days === null) return { id: 'lastDrill', status: 'warn', messageKey: 'health.lastDrill.none', values: {} };
  return days <= DRILL_GOAL_DAYS ? { id: 'lastDrill', status: 'ok', messageKey: 'health.lastDrill.ok', values } : { id: 'lastDrill', status: 'warn', messageKey: 'health.lastDrill.old', values };
}

/** The latest audit lockdown check (`custodian lockdown --check`, or the one after a restore). */
function lockdownTile(ctx: CoreContext, profile: string | null): HealthTile {
  const last = profile ? lastLockdownCheck(ctx, profile) : null;
  if (!last) return { id: 'auditLockdown', status: 'unknown', messageKey: 'health.auditLockdown.unchecked', values: {} };
  const values = { at: last.checkedAt, owner: last.report.owner ?? '-', writer: last.report.writer };
  if (last.report.status === 'PASS') return { id: 'auditLockdown', status: 'ok', messageKey: 'health.auditLockdown.ok', values };
  if (last.report.status === 'WARN') return { id: 'auditLockdown', status: 'warn', messageKey: 'health.auditLockdown.weak', values };
  return { id: 'auditLockdown', status: 'fail', messageKey: 'health.auditLockdown.open', values };
}

/** Last verified backup against the recovery point objective (default 24 h). */
function backupTile(ctx: CoreContext, profile: string | null): HealthTile {
  if (!profile) return { id: 'lastBackup', status: 'unknown', messageKey: 'health.noProfile', values: {} };
  const last = setStore.lastVerified(ctx, profile);
  if (!last) {
    // Say whether backups were tried and failed, or never tried: the fixes differ.
    const tried = setStore.list(ctx, profile).some((s) => s.state === 'failed' || s.state === 'unverified');
    return { id: 'lastBackup', status: 'fail', messageKey: tried ? 'health.lastBackup.failed' : 'health.lastBackup.none', values: {} };
  }
  const rpo = ctx.settings.get().rpoHours;
  const hours = Math.floor((Date.now() - new Date(last.createdAt).getTime()) / 3_600_000);
  return { id: 'lastBackup', status: hours <= rpo ? 'ok' : 'fail', messageKey: hours <= rpo ? 'health.lastBackup.ok' : 'health.lastBackup.stale', values: { hours, rpo, at: last.createdAt } };
}
