import type { SecurityResult } from '../../contract/audit';
import type { CoreContext } from '../context';
import { setStore } from '../backup/set-store';
import { fail, pass, warn } from './result';

/** Custodian's own recovery checks: a verified backup within the RPO, a passing drill within 30 days. */

const C = 'BAK' as const;
export const DRILL_MAX_DAYS = 30;

export function backupChecks(ctx: CoreContext, profile: string, now: Date = new Date()): SecurityResult[] {
  const out: SecurityResult[] = [];
  const rpo = ctx.settings.get().rpoHours;
  const d1 = `Last verified backup within the recovery point objective (${rpo} h)`;
  const last = setStore.lastVerified(ctx, profile);
  if (!last) out.push(fail('BAK001', C, d1, 'No verified backup is recorded for this deployment.', 'Run a backup now (`custodian backup`, or the Backups page) and schedule it nightly (`custodian schedule install`).'));
  else {
    const hours = Math.floor((now.getTime() - Date.parse(last.createdAt)) / 3_600_000);
    out.push(
      hours <= rpo
        ? pass('BAK001', C, d1, `Last verified backup ${hours} h ago (${last.createdAt}).`)
        : fail('BAK001', C, d1, `Last verified backup is ${hours} h old (${last.createdAt}).`, 'Run a backup now and check the schedule (`custodian schedule show`): a missed night means lost data in a disaster.'),
    );
  }

  const d2 = `A restore drill passed in the last ${DRILL_MAX_DAYS} days`;
  const drill = lastPassedDrill(ctx, profile);
  if (!drill) out.push(warn('BAK002', C, d2, 'No drill recorded.', 'Rehearse a restore: `custodian drill` (Drills page). A backup that was never restored is a hope, not a backup.'));
  else {
    const days = Math.floor((now.getTime() - Date.parse(drill)) / 86_400_000);
    out.push(
      days <= DRILL_MAX_DAYS
        ? pass('BAK002', C, d2, `Last passing drill ${days} day(s) ago (${drill}).`)
        : warn('BAK002', C, d2, `Last passing drill was ${days} days ago (${drill}).`, 'Run a restore drill this month: `custodian drill`.'),
    );
  }
  return out;
}

/** The drill log is another capability's table; read it only when it exists (older logs lack it). */
function lastPassedDrill(ctx: CoreContext, profile: string): string | null {
  const exists = ctx.log.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'drills'`).get();
  if (!exists) return null;
  const r = ctx.log.prepare(`SELECT started_at FROM drills WHERE profile = ? AND kind = 'drill' AND state = 'passed' ORDER BY started_at DESC LIMIT 1`).get(profile) as { started_at: string } | undefined;
  return r?.started_at ?? null;
}
