import { parseTimeOfDay, pad2, type ScheduleSpec } from './schedule-spec';

export const systemdUnitName = (spec: ScheduleSpec) => `custodian-${spec.id}`;

/** systemd quoting for ExecStart: each argument double-quoted, with \ " and % escaped. */
export function quoteSystemdArg(arg: string): string {
  return `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

/**
 * A systemd user service + timer pair (~/.config/systemd/user). Persistent=true runs a missed
 * backup at the next boot, which cron cannot do.
 */
export function buildSystemdUnits(spec: ScheduleSpec): { service: string; timer: string } {
  const t = parseTimeOfDay(spec.time);
  const exec = [spec.program, ...spec.args].map(quoteSystemdArg).join(' ');
  const service = `[Unit]
Description=${spec.description}

[Service]
Type=oneshot
ExecStart=${exec}
`;
  const timer = `[Unit]
Description=${spec.description} (daily at ${spec.time})

[Timer]
OnCalendar=*-*-* ${pad2(t.hour)}:${pad2(t.minute)}:00
Persistent=true
Unit=${systemdUnitName(spec)}.service

[Install]
WantedBy=timers.target
`;
  return { service, timer };
}
