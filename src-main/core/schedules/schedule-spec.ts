import { AppError } from '../common/errors';

/**
 * One scheduled Custodian run, independent of the OS scheduler that will carry it out. The
 * scheduler runs the `custodian` CLI (never a shell string): `program` + `args` are passed as an
 * argument vector by every format we generate.
 */
export interface ScheduleSpec {
  /** Short id, used in task / unit / label names: letters, digits, dash. */
  id: string;
  description: string;
  /** Local time of day, 24 h "HH:MM". */
  time: string;
  program: string;
  args: string[];
  /** Folder for the run's output log. */
  logDir: string;
}

export interface TimeOfDay {
  hour: number;
  minute: number;
}

export function parseTimeOfDay(text: string): TimeOfDay {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!m) throw new AppError('Validation', `"${text}" is not a time of day.`, 'Use 24-hour HH:MM, for example 02:30.');
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

export function assertScheduleId(id: string): void {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) throw new AppError('Validation', `"${id}" cannot name a schedule.`, 'Use lower-case letters, digits and dashes.');
}

export const pad2 = (n: number) => String(n).padStart(2, '0');
