/**
 * Grandfather-father-son retention, as a pure decision over the list of sets:
 *  - daily sets are kept 30 days;
 *  - the set of a Monday (weekly) is kept 90 days;
 *  - the set of the first of a month (monthly) is kept a year;
 *  - pinned sets (pre-upgrade, post-key-rotation, drill-verified, manual) are always kept;
 *  - the newest verified set is always kept, whatever its age.
 * Days are UTC calendar days, the same ones used in the set's file names. When several sets share
 * a day, the last verified one of that day carries the weekly/monthly role.
 */
import { DEFAULT_RETENTION_POLICY } from '../../contract/backups';

export const PIN_REASONS = ['pre-upgrade', 'post-key-rotation', 'drill-verified', 'manual'] as const;
export type PinReason = (typeof PIN_REASONS)[number];

export interface RetentionPolicy {
  dailyDays: number;
  weeklyDays: number;
  monthlyDays: number;
}
export const DEFAULT_RETENTION: RetentionPolicy = { ...DEFAULT_RETENTION_POLICY };

export interface RetentionCandidate {
  id: string;
  createdAt: string; // ISO UTC
  verified: boolean;
  pins: PinReason[];
}

export interface RetentionDecision {
  id: string;
  keep: boolean;
  reasons: string[];
}

const DAY = 86_400_000;

export function decideRetention(sets: RetentionCandidate[], now: Date, policy: RetentionPolicy = DEFAULT_RETENTION): RetentionDecision[] {
  const newestVerified = [...sets].filter((s) => s.verified).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  // The representative of each UTC day: its newest verified set (or newest set if none verified).
  const byDay = new Map<string, RetentionCandidate>();
  for (const s of sets) {
    const day = s.createdAt.slice(0, 10);
    const cur = byDay.get(day);
    const better = !cur || (s.verified && !cur.verified) || (s.verified === cur.verified && s.createdAt > cur.createdAt);
    if (better) byDay.set(day, s);
  }
  return sets.map((s) => {
    const reasons: string[] = [];
    const created = new Date(s.createdAt);
    const ageDays = (now.getTime() - created.getTime()) / DAY;
    const representative = byDay.get(s.createdAt.slice(0, 10))?.id === s.id;
    if (s.pins.length) reasons.push(`pinned (${s.pins.join(', ')})`);
    if (newestVerified?.id === s.id) reasons.push('newest verified set');
    if (ageDays <= policy.dailyDays) reasons.push(`daily, kept ${policy.dailyDays} days`);
    if (representative && created.getUTCDay() === 1 && ageDays <= policy.weeklyDays) reasons.push(`weekly (Monday), kept ${policy.weeklyDays} days`);
    if (representative && created.getUTCDate() === 1 && ageDays <= policy.monthlyDays) reasons.push(`monthly (1st), kept ${policy.monthlyDays} days`);
    if (reasons.length === 0) reasons.push(`older than every retention period (${Math.floor(ageDays)} days)`);
    return { id: s.id, keep: reasons[0]!.startsWith('older') ? false : true, reasons };
  });
}
