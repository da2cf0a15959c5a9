/**
 * KoNote's `check_report_deadlines` rules as pure functions on YYYY-MM-DD dates (unit-tested):
 * a schedule is in its reminder window when `due_date - today <= reminder_days_before`;
 * monthly / quarterly / annually schedules advance by 1 / 3 / 12 months, the day clamped to the
 * month's length (Jan 31 + 1 month = Feb 28/29).
 */

export const FREQUENCY_MONTHS: Record<string, number> = { monthly: 1, quarterly: 3, annually: 12 };

const parse = (ymd: string) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) throw new Error(`not a date: ${ymd}`);
  return { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
};
const fmt = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

export function daysBetween(from: string, to: string): number {
  const a = parse(from);
  const b = parse(to);
  return Math.round((Date.UTC(b.y, b.m - 1, b.d) - Date.UTC(a.y, a.m - 1, a.d)) / 86_400_000);
}

export function addMonthsClamped(ymd: string, months: number): string {
  const { y, m, d } = parse(ymd);
  const idx = y * 12 + (m - 1) + months;
  const ny = Math.floor(idx / 12);
  const nm = (idx % 12) + 1;
  return fmt(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

export interface DeadlinePlan {
  /** The due date the reminder is judged on (after any advance). */
  dueDate: string;
  advanced: boolean;
  daysLeft: number;
  inWindow: boolean;
  banner: boolean;
  email: boolean;
}

/**
 * What one run does to one active schedule. A recurring schedule whose due date has passed moves
 * forward (as many periods as needed to reach today or later) and its banner/email stamps reset;
 * the reminder is then judged on the new date. A one-off schedule stays overdue and keeps
 * reminding through the banner, its email sent once.
 */
export function planDeadline(s: { dueDate: string; frequency: string; reminderDaysBefore: number; bannerShown: boolean; emailSent: boolean }, today: string): DeadlinePlan {
  let due = s.dueDate;
  let advanced = false;
  let bannerShown = s.bannerShown;
  let emailSent = s.emailSent;
  const step = FREQUENCY_MONTHS[s.frequency];
  if (step && daysBetween(today, due) < 0) {
    while (daysBetween(today, due) < 0) due = addMonthsClamped(due, step);
    advanced = true;
    bannerShown = false;
    emailSent = false;
  }
  const daysLeft = daysBetween(today, due);
  const inWindow = daysLeft <= s.reminderDaysBefore;
  return { dueDate: due, advanced, daysLeft, inWindow, banner: inWindow && !bannerShown, email: inWindow && !emailSent };
}
