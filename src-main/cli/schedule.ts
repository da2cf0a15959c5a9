import { spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, type OutputOptions } from './output';
import { resolveProfile } from '../core/connections/profile-store';
import { backupScheduleSpec, installSchedule, removeSchedule, showSchedule } from '../core/schedules/service';
import type { ScheduleStatus } from '../contract/backups';

interface Opts extends OutputOptions {
  profile?: string;
  time: string;
}

const describe = (s: ScheduleStatus) =>
  s.installed ? `Daily backup is installed (${s.scheduler}, ${s.location}) at ${s.time ?? '?'}.\nIt runs: ${s.command.join(' ')}` : `No daily backup is installed (${s.scheduler}).`;

/** `custodian schedule install|show|remove|run-now`: the daily backup in the OS scheduler. */
export function registerScheduleCommands(program: Command, env: CliEnv): void {
  const schedule = program.command('schedule').description('The daily backup in the operating system’s scheduler');
  const common = (c: Command) => c.option('--profile <name>', 'deployment profile (default: the only one)').option('--time <HH:MM>', 'local time of day', '02:30').option('--json', 'print one JSON document');
  common(schedule.command('install').description('Install (or move) the daily backup')).action((opts: Opts) =>
    env.action(opts, async (core) => {
      const s = installSchedule(core, backupScheduleSpec(core, resolveProfile(core, opts.profile).name, opts.time));
      printResult(opts, s, describe);
      return s.installed;
    }),
  );
  common(schedule.command('show').description('What the scheduler has now')).action((opts: Opts) =>
    env.action(opts, async (core) => printResult(opts, showSchedule(core, backupScheduleSpec(core, resolveProfile(core, opts.profile).name, opts.time)), describe)),
  );
  common(schedule.command('remove').description('Remove the daily backup')).action((opts: Opts) =>
    env.action(opts, async (core) => printResult(opts, removeSchedule(core, backupScheduleSpec(core, resolveProfile(core, opts.profile).name, opts.time)), describe)),
  );
  common(schedule.command('run-now').description('Run the scheduled command once, exactly as the scheduler would')).action((opts: Opts) =>
    env.action(opts, async (core) => {
      const spec = backupScheduleSpec(core, resolveProfile(core, opts.profile).name, opts.time);
      const r = spawnSync(spec.program, spec.args, { encoding: 'utf8', env: process.env });
      printResult(opts, { exitCode: r.status, output: safeJson(r.stdout) }, (x) => `The scheduled command exited with ${x.exitCode}.\n${r.stdout}${r.stderr}`);
      return r.status === 0;
    }),
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
