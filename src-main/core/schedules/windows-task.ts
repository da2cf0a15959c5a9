import { parseTimeOfDay, pad2, type ScheduleSpec } from './schedule-spec';

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** Quotes one argument the way CommandLineToArgvW reads it back (Task Scheduler's <Arguments>). */
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === '\\') backslashes++;
    else if (ch === '"') {
      out += '\\'.repeat(backslashes * 2 + 1) + '"';
      backslashes = 0;
    } else {
      out += '\\'.repeat(backslashes) + ch;
      backslashes = 0;
    }
  }
  return out + '\\'.repeat(backslashes * 2) + '"';
}

export const windowsTaskName = (spec: ScheduleSpec) => `\\Custodian\\${spec.id}`;

/**
 * Task Scheduler 1.2 XML for a daily run as the current user, only when logged on (no stored
 * password), catching up a missed run at the next start (StartWhenAvailable).
 * Install: `schtasks /Create /TN "\Custodian\<id>" /XML <file> /F`.
 */
export function buildWindowsTaskXml(spec: ScheduleSpec, startDate = '2026-01-01'): string {
  const t = parseTimeOfDay(spec.time);
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>${xmlEscape(spec.description)}</Description>
    <URI>${xmlEscape(windowsTaskName(spec))}</URI>
  </RegistrationInfo>
  <Triggers>
    <CalendarTrigger>
      <StartBoundary>${startDate}T${pad2(t.hour)}:${pad2(t.minute)}:00</StartBoundary>
      <Enabled>true</Enabled>
      <ScheduleByDay>
        <DaysInterval>1</DaysInterval>
      </ScheduleByDay>
    </CalendarTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>true</RunOnlyIfNetworkAvailable>
    <ExecutionTimeLimit>PT12H</ExecutionTimeLimit>
    <Enabled>true</Enabled>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>${xmlEscape(spec.program)}</Command>
      <Arguments>${xmlEscape(spec.args.map(quoteWindowsArg).join(' '))}</Arguments>
    </Exec>
  </Actions>
</Task>
`;
}
