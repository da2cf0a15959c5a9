import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildWindowsTaskXml, quoteWindowsArg } from '../../src-main/core/schedules/windows-task';
import { buildLaunchdPlist } from '../../src-main/core/schedules/launchd';
import { buildSystemdUnits } from '../../src-main/core/schedules/systemd';
import { buildCrontabLine, upsertCrontab, removeFromCrontab, findInCrontab, quoteShellArg } from '../../src-main/core/schedules/crontab';
import type { ScheduleSpec } from '../../src-main/core/schedules/schedule-spec';

const spec: ScheduleSpec = {
  id: 'backup-konote-prod',
  description: 'Custodian: daily verified backup of KoNote & "prod"',
  time: '02:30',
  program: '/usr/bin/node',
  args: ['/opt/custodian app/bin/custodian.mjs', 'backup', 'run', '--profile', "KoNote's prod 100%", '--json'],
  logDir: '/tmp/custodian logs',
};

function python(code: string, input: string): { status: number | null; out: string } {
  const r = spawnSync('/usr/bin/python3', ['-c', code], { input, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('OS scheduler formats', () => {
  it('Windows Task Scheduler XML is well-formed, daily at the time, and its arguments round-trip through CommandLineToArgvW rules', () => {
    const xml = buildWindowsTaskXml(spec);
    const r = python(
      `import sys, xml.etree.ElementTree as ET
ns={'t':'http://schemas.microsoft.com/windows/2004/02/mit/task'}
root=ET.fromstring(sys.stdin.read().replace('encoding="UTF-16"','',1))
print(root.find('t:Triggers/t:CalendarTrigger/t:StartBoundary',ns).text)
print(root.find('t:Triggers/t:CalendarTrigger/t:ScheduleByDay/t:DaysInterval',ns).text)
print(root.find('t:Actions/t:Exec/t:Command',ns).text)
print(root.find('t:Actions/t:Exec/t:Arguments',ns).text)`,
      xml,
    );
    expect(r.status, r.out).toBe(0);
    const [boundary, interval, command, args] = r.out.trimEnd().split('\n');
    expect(boundary).toMatch(/T02:30:00$/);
    expect(interval).toBe('1');
    expect(command).toBe('/usr/bin/node');
    expect(args).toBe(spec.args.map(quoteWindowsArg).join(' '));
    expect(quoteWindowsArg('C:\\Program Files\\x\\')).toBe('"C:\\Program Files\\x\\\\"');
    expect(quoteWindowsArg('say "hi"')).toBe('"say \\"hi\\""');
  });

  it('launchd plist parses with plistlib and carries the argv unchanged', () => {
    const r = python(`import sys, plistlib, json
p=plistlib.loads(sys.stdin.buffer.read())
print(json.dumps([p['Label'], p['ProgramArguments'], p['StartCalendarInterval']]))`, buildLaunchdPlist(spec));
    expect(r.status, r.out).toBe(0);
    expect(JSON.parse(r.out)).toEqual(['org.custodian.backup-konote-prod', [spec.program, ...spec.args], { Hour: 2, Minute: 30 }]);
  });

  it('systemd units pass systemd-analyze verify and the timer is persistent', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-units-'));
    const units = buildSystemdUnits({ ...spec, program: process.execPath });
    fs.writeFileSync(path.join(dir, 'custodian-backup-konote-prod.service'), units.service);
    fs.writeFileSync(path.join(dir, 'custodian-backup-konote-prod.timer'), units.timer);
    expect(units.timer).toContain('OnCalendar=*-*-* 02:30:00');
    expect(units.timer).toContain('Persistent=true');
    const r = spawnSync('systemd-analyze', ['verify', path.join(dir, 'custodian-backup-konote-prod.timer'), path.join(dir, 'custodian-backup-konote-prod.service')], { encoding: 'utf8' });
    expect(r.error, 'systemd-analyze must be installed (Debian package systemd)').toBeUndefined();
    const complaints = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('custodian-backup'));
    expect(complaints, complaints.join('\n')).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('crontab line survives /bin/sh word splitting and is upserted / removed without touching other lines', () => {
    const line = buildCrontabLine(spec);
    expect(line.startsWith('30 2 * * * ')).toBe(true);
    // What sh would pass to the program: run the command part through sh with printf.
    const cmd = line.slice('30 2 * * * '.length, line.indexOf(' >> '));
    const r = spawnSync('sh', ['-c', `printf '%s\\n' ${cmd.replace(/\\%/g, '%')}`], { encoding: 'utf8' });
    expect(r.stdout.trimEnd().split('\n')).toEqual([spec.program, ...spec.args]);
    expect(quoteShellArg("it's")).toBe(`'it'\\''s'`);
    const existing = 'MAILTO=admin\n0 5 * * * /usr/bin/other-job\n';
    const added = upsertCrontab(existing, spec);
    expect(added).toContain('/usr/bin/other-job');
    expect(findInCrontab(added, spec.id)).toBe(line);
    const moved = upsertCrontab(added, { ...spec, time: '04:15' });
    expect(moved.split('\n').filter((l) => l.includes('custodian:')).length).toBe(1);
    expect(findInCrontab(moved, spec.id)!.startsWith('15 4 ')).toBe(true);
    expect(removeFromCrontab(moved, spec.id)).toBe(existing);
  });
});
