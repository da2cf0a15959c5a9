import path from 'node:path';
import { parseTimeOfDay, type ScheduleSpec } from './schedule-spec';

/** POSIX sh single-quoting: cron hands the line to /bin/sh. `%` is special to cron and escaped. */
export function quoteShellArg(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`.replace(/%/g, '\\%');
}

const marker = (spec: ScheduleSpec) => `# custodian:${spec.id}`;

export function buildCrontabLine(spec: ScheduleSpec): string {
  const t = parseTimeOfDay(spec.time);
  const cmd = [spec.program, ...spec.args].map(quoteShellArg).join(' ');
  const log = quoteShellArg(path.join(spec.logDir, `${spec.id}.log`));
  return `${t.minute} ${t.hour} * * * ${cmd} >> ${log} 2>&1 ${marker(spec)}`;
}

/** Adds or replaces this schedule's line in an existing crontab, keeping every other line. */
export function upsertCrontab(existing: string, spec: ScheduleSpec): string {
  const kept = removeFromCrontab(existing, spec.id);
  return `${kept}${kept && !kept.endsWith('\n') ? '\n' : ''}${buildCrontabLine(spec)}\n`;
}

export function removeFromCrontab(existing: string, id: string): string {
  return existing
    .split('\n')
    .filter((l) => !l.endsWith(`# custodian:${id}`))
    .join('\n')
    .replace(/\n+$/, existing.trim() ? '\n' : '');
}

export function findInCrontab(existing: string, id: string): string | null {
  return existing.split('\n').find((l) => l.endsWith(`# custodian:${id}`)) ?? null;
}
