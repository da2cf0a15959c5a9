import path from 'node:path';
import { parseTimeOfDay, type ScheduleSpec } from './schedule-spec';

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const launchdLabel = (spec: ScheduleSpec) => `org.custodian.${spec.id}`;
export const launchAgentPath = (home: string, spec: ScheduleSpec) => path.join(home, 'Library', 'LaunchAgents', `${launchdLabel(spec)}.plist`);

/**
 * A per-user LaunchAgent (~/Library/LaunchAgents): runs while the user is logged in, and launchd
 * runs a missed calendar job when the Mac wakes. Load with `launchctl bootstrap gui/<uid> <plist>`.
 */
export function buildLaunchdPlist(spec: ScheduleSpec): string {
  const t = parseTimeOfDay(spec.time);
  const args = [spec.program, ...spec.args].map((a) => `    <string>${xmlEscape(a)}</string>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${xmlEscape(launchdLabel(spec))}</string>
  <key>ProgramArguments</key>
  <array>
${args}
  </array>
  <key>StartCalendarInterval</key>
  <dict>
    <key>Hour</key>
    <integer>${t.hour}</integer>
    <key>Minute</key>
    <integer>${t.minute}</integer>
  </dict>
  <key>StandardOutPath</key>
  <string>${xmlEscape(path.join(spec.logDir, `${spec.id}.log`))}</string>
  <key>StandardErrorPath</key>
  <string>${xmlEscape(path.join(spec.logDir, `${spec.id}.log`))}</string>
  <key>ProcessType</key>
  <string>Background</string>
</dict>
</plist>
`;
}
