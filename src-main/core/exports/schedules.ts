import path from 'node:path';
import type { CoreContext } from '../context';
import type { ExportScheduleTask } from '../../contract/exports';
import { ensureDir } from '../common/paths';
import { assertScheduleId, parseTimeOfDay, type ScheduleSpec } from '../schedules/schedule-spec';
import { cliInvocation } from '../schedules/service';

/**
 * The runbook's three cron jobs as OS scheduler entries, built on the backup scheduler's code.
 * The scheduler runs daily entries only, so the weekly summary runs every day with
 * `--only-on monday` and does nothing on the other six.
 */

export const DEFAULT_TIMES: Record<ExportScheduleTask, string> = { cleanup: '03:15', summary: '07:30', deadlines: '08:00' };

const slug = (profile: string) => profile.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export function exportScheduleSpec(ctx: CoreContext, profile: string, task: ExportScheduleTask, time = DEFAULT_TIMES[task]): ScheduleSpec {
  parseTimeOfDay(time);
  const id = `exports-${task}-${slug(profile)}`;
  assertScheduleId(id);
  const { program, prefix } = cliInvocation();
  const taskArgs = task === 'summary' ? ['summary', '--days', '7', '--only-on', 'monday'] : [task];
  const words = { cleanup: 'daily cleanup of expired export links', summary: 'weekly export activity summary (Mondays)', deadlines: 'daily report deadline reminders' }[task];
  return { id, description: `Custodian: ${words} for ${profile}`, time, program, args: [...prefix, 'exports', ...taskArgs, '--profile', profile, '--json'], logDir: ensureDir(path.join(ctx.home, 'logs')) };
}
