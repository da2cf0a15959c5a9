import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import type { CoreContext } from '../context';
import type { ScheduleStatus } from '../../contract/backups';
import { AppError } from '../common/errors';
import { writeFileAtomic } from '../common/atomic-file';
import { ensureDir } from '../common/paths';
import { assertScheduleId, parseTimeOfDay, pad2, type ScheduleSpec } from './schedule-spec';
import { buildWindowsTaskXml, windowsTaskName } from './windows-task';
import { buildLaunchdPlist, launchAgentPath, launchdLabel } from './launchd';
import { buildSystemdUnits, systemdUnitName } from './systemd';
import { findInCrontab, removeFromCrontab, upsertCrontab } from './crontab';

export type SchedulerKind = ScheduleStatus['scheduler'];

/**
 * How the OS scheduler starts the CLI. In a checkout: node + bin/custodian.mjs. In the packaged
 * app (RunAsNode fuse off): the app executable with `--cli`, which main.ts routes to the CLI.
 */
export function cliInvocation(): { program: string; prefix: string[] } {
  if (process.versions.electron) return { program: process.execPath, prefix: ['--cli'] };
  const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/custodian.mjs');
  return { program: process.execPath, prefix: [script] };
}

export function defaultScheduler(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): SchedulerKind {
  if (platform === 'win32') return 'windows-task';
  if (platform === 'darwin') return 'launchd';
  // A systemd user manager needs a running user session; servers and containers often lack one.
  if (env.CUSTODIAN_SCHEDULER === 'crontab') return 'crontab';
  const probe = spawnSync('systemctl', ['--user', 'is-system-running'], { encoding: 'utf8', timeout: 5000 });
  return probe.error || /offline|Failed to connect/i.test(`${probe.stdout}${probe.stderr}`) || probe.status === null ? 'crontab' : 'systemd-user';
}

export const backupScheduleId = (profile: string) => `backup-${profile.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;

export function backupScheduleSpec(ctx: CoreContext, profile: string, time: string): ScheduleSpec {
  parseTimeOfDay(time);
  const { program, prefix } = cliInvocation();
  const id = backupScheduleId(profile);
  assertScheduleId(id);
  const args = [...prefix, 'backup', 'run', '--profile', profile, '--json'];
  return { id, description: `Custodian: daily verified backup of ${profile}`, time, program, args, logDir: ensureDir(path.join(ctx.home, 'logs')) };
}

function run(cmd: string, args: string[], input?: string): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 30_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new AppError('ToolMissing', `The system scheduler command "${cmd}" is not available on this computer.`, cmd === 'crontab' ? 'Install cron (Debian/Ubuntu: apt install cron) or use a systemd user session.' : 'Use the scheduler of your operating system by hand with the command shown.');
  }
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Installs (or replaces) the daily backup of a deployment in the OS scheduler. */
export function installSchedule(ctx: CoreContext, spec: ScheduleSpec, kind: SchedulerKind = defaultScheduler()): ScheduleStatus {
  if (kind === 'crontab') {
    const current = run('crontab', ['-l']);
    const next = upsertCrontab(current.ok ? current.out : '', spec);
    const r = run('crontab', ['-'], next);
    if (!r.ok) throw new AppError('Internal', `crontab refused the new entry: ${r.out.trim()}`, 'Check that your user may use cron (/etc/cron.allow).');
  } else if (kind === 'systemd-user') {
    const dir = ensureDir(path.join(os.homedir(), '.config', 'systemd', 'user'));
    const units = buildSystemdUnits(spec);
    writeFileAtomic(path.join(dir, `${systemdUnitName(spec)}.service`), units.service, 0o644);
    writeFileAtomic(path.join(dir, `${systemdUnitName(spec)}.timer`), units.timer, 0o644);
    run('systemctl', ['--user', 'daemon-reload']);
    const r = run('systemctl', ['--user', 'enable', '--now', `${systemdUnitName(spec)}.timer`]);
    if (!r.ok) throw new AppError('Internal', `systemd could not enable the timer: ${r.out.trim()}`, 'Make sure you are logged into a desktop session, or use crontab (CUSTODIAN_SCHEDULER=crontab).');
  } else if (kind === 'launchd') {
    const file = launchAgentPath(os.homedir(), spec);
    ensureDir(path.dirname(file));
    writeFileAtomic(file, buildLaunchdPlist(spec), 0o644);
    const uid = process.getuid?.() ?? 501;
    run('launchctl', ['bootout', `gui/${uid}/${launchdLabel(spec)}`]);
    const r = run('launchctl', ['bootstrap', `gui/${uid}`, file]);
    if (!r.ok) throw new AppError('Internal', `launchd refused the schedule: ${r.out.trim()}`, 'Log in to the Mac’s desktop session and try again.');
  } else {
    const xmlFile = path.join(ensureDir(path.join(ctx.home, 'schedules')), `${spec.id}.xml`);
    // Task Scheduler wants UTF-16 with a BOM when the XML declares it.
    fs.writeFileSync(xmlFile, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(buildWindowsTaskXml(spec), 'utf16le')]));
    const r = run('schtasks', ['/Create', '/TN', windowsTaskName(spec), '/XML', xmlFile, '/F']);
    if (!r.ok) throw new AppError('Internal', `Task Scheduler refused the task: ${r.out.trim()}`, 'Run Custodian as the user who should own the backup task.');
  }
  return showSchedule(ctx, spec, kind);
}

export function removeSchedule(ctx: CoreContext, spec: ScheduleSpec, kind: SchedulerKind = defaultScheduler()): ScheduleStatus {
  if (kind === 'crontab') {
    const current = run('crontab', ['-l']);
    if (current.ok && findInCrontab(current.out, spec.id)) run('crontab', ['-'], removeFromCrontab(current.out, spec.id));
  } else if (kind === 'systemd-user') {
    run('systemctl', ['--user', 'disable', '--now', `${systemdUnitName(spec)}.timer`]);
    const dir = path.join(os.homedir(), '.config', 'systemd', 'user');
    for (const ext of ['service', 'timer']) fs.rmSync(path.join(dir, `${systemdUnitName(spec)}.${ext}`), { force: true });
    run('systemctl', ['--user', 'daemon-reload']);
  } else if (kind === 'launchd') {
    run('launchctl', ['bootout', `gui/${process.getuid?.() ?? 501}/${launchdLabel(spec)}`]);
    fs.rmSync(launchAgentPath(os.homedir(), spec), { force: true });
  } else {
    run('schtasks', ['/Delete', '/TN', windowsTaskName(spec), '/F']);
  }
  return showSchedule(ctx, spec, kind);
}

/** What is installed right now, read back from the scheduler itself (not from our memory). */
export function showSchedule(_ctx: CoreContext, spec: ScheduleSpec, kind: SchedulerKind = defaultScheduler()): ScheduleStatus {
  const command = [spec.program, ...spec.args];
  if (kind === 'crontab') {
    const current = run('crontab', ['-l']);
    const line = current.ok ? findInCrontab(current.out, spec.id) : null;
    const time = line ? (([m, h]) => `${pad2(Number(h))}:${pad2(Number(m))}`)(line.split(' ')) : null;
    return { id: spec.id, scheduler: kind, installed: line !== null, time, command, location: 'user crontab' };
  }
  if (kind === 'systemd-user') {
    const file = path.join(os.homedir(), '.config', 'systemd', 'user', `${systemdUnitName(spec)}.timer`);
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    const m = text ? /OnCalendar=\*-\*-\* (\d\d:\d\d)/.exec(text) : null;
    return { id: spec.id, scheduler: kind, installed: text !== null, time: m ? m[1]! : null, command, location: file };
  }
  if (kind === 'launchd') {
    const file = launchAgentPath(os.homedir(), spec);
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    const h = text ? /<key>Hour<\/key>\s*<integer>(\d+)/.exec(text) : null;
    const m = text ? /<key>Minute<\/key>\s*<integer>(\d+)/.exec(text) : null;
    return { id: spec.id, scheduler: kind, installed: text !== null, time: h && m ? `${pad2(Number(h[1]))}:${pad2(Number(m[1]))}` : null, command, location: file };
  }
  const r = run('schtasks', ['/Query', '/TN', windowsTaskName(spec), '/XML']);
  const m = r.ok ? /<StartBoundary>[^T]*T(\d\d:\d\d)/.exec(r.out) : null;
  return { id: spec.id, scheduler: kind, installed: r.ok, time: m ? m[1]! : null, command, location: `Task Scheduler ${windowsTaskName(spec)}` };
}
