import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, table, type OutputOptions } from './output';
import { AppError } from '../core/common/errors';
import { resolveProfile } from '../core/connections/profile-store';
import { listLinks, showLink } from '../core/exports/links';
import { revokeLink } from '../core/exports/revoke';
import { cleanupExports } from '../core/exports/cleanup';
import { exportSummary } from '../core/exports/summary';
import { checkDeadlines } from '../core/exports/deadlines';
import { readExportSettings, saveExportSettings } from '../core/exports/export-settings';
import { exportScheduleSpec } from '../core/exports/schedules';
import { installSchedule, removeSchedule, showSchedule } from '../core/schedules/service';
import { EXPORT_SCHEDULE_TASKS, LINK_STATUSES, type CleanupResult, type ExportLink, type ExportScheduleTask } from '../contract/exports';

/**
 * `custodian exports list|show|revoke|cleanup|summary|deadlines|settings|schedule`: KoNote's
 * "Manage Export Links" page and its three cron commands, made safe (see core/exports).
 */

interface P extends OutputOptions {
  profile?: string;
}

const STATUS_WORDS: Record<ExportLink['status'], string> = { revoked: 'Revoked', expired: 'Expired', file_missing: 'File Missing', file_unknown: 'file unknown', pending: 'Pending', active: 'Active' };
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const bool = (v: string | undefined, name: string) => {
  if (v === undefined) return undefined;
  if (/^(yes|true|1)$/i.test(v)) return true;
  if (/^(no|false|0)$/i.test(v)) return false;
  throw new AppError('Validation', `--${name} takes yes or no (got "${v}").`, `For example --${name} yes.`);
};

function describeCleanup(r: CleanupResult): string {
  const rows = r.expired.filter((e) => e.rowAction !== 'kept');
  const lines = [
    `${r.dryRun ? 'Dry run — nothing was changed.' : 'Cleanup done.'} Export folder: ${r.exportDir}. Rows that expired before ${r.cutoff} are removed.`,
    `${rows.length} expired link(s) ${r.dryRun ? 'would be' : 'were'} removed; ${r.keptRevokedUnexpired} revoked but unexpired link(s) kept.`,
    `${r.orphans.filter((o) => o.action === 'deleted' || o.action === 'would-delete').length} orphan file(s) ${r.dryRun ? 'would be' : 'were'} deleted.`,
  ];
  for (const e of r.expired) lines.push(`  ${e.id}  row ${e.rowAction}, file ${e.fileAction}${e.detail ? ` — ${e.detail}` : ''}`);
  for (const o of r.orphans) lines.push(`  orphan ${o.name}: ${o.action}${o.detail ? ` — ${o.detail}` : ''}`);
  if (r.refused.length) {
    lines.push('', `REFUSED ${r.refused.length} path(s) outside the export folder (kept, not followed):`);
    for (const x of r.refused) lines.push(`  ${x.linkId ?? '(file)'}  ${x.path}: ${x.reason}`);
    lines.push('Investigate these rows: a file_path outside SECURE_EXPORT_DIR should never exist.');
  }
  if (r.auditRowId !== null) lines.push(`Audit row ${r.auditRowId} records this cleanup.`);
  if (r.dryRun) lines.push('Run again without --dry-run to do it.');
  return lines.join('\n');
}

export function registerExportCommands(program: Command, env: CliEnv): void {
  const ex = program.command('exports').description('Secure export links: list, investigate, revoke, clean up, weekly summary, report deadlines');
  const common = (c: Command) => c.option('--profile <name>', 'deployment profile (default: the only one)').option('--json', 'print one JSON document');

  common(ex.command('list').description('Export links with KoNote’s statuses (newest first)'))
    .option('--status <status>', `one of ${LINK_STATUSES.join(', ')}`)
    .option('--type <type>', 'export type (metrics, standard_report, individual_client, session_report, client_data)')
    .option('--creator <user>', 'username, display name or user id of the creator')
    .option('--from <date>', 'created on or after YYYY-MM-DD')
    .option('--to <date>', 'created on or before YYYY-MM-DD')
    .option('--elevated <yes|no>', 'only elevated (or not elevated) exports')
    .option('--pii <yes|no>', 'only exports with (or without) personal information')
    .option('--limit <n>', 'at most this many links', '500')
    .action((o: P & { status?: string; type?: string; creator?: string; from?: string; to?: string; elevated?: string; pii?: string; limit: string }) =>
      env.action(o, async (core) => {
        const profile = resolveProfile(core, o.profile).name;
        const r = await listLinks(core, { profile, status: o.status as never, type: o.type as never, creator: o.creator, from: o.from, to: o.to, elevated: bool(o.elevated, 'elevated'), pii: bool(o.pii, 'pii'), limit: Number(o.limit) });
        printResult(o, r, (x) => {
          const head = x.folder.reachable ? `Export folder: ${x.folder.exportDir}` : `Export folder not reachable (${x.folder.detail}) — file checks show "file unknown".`;
          const rows = [['STATUS', 'CREATED (UTC)', 'TYPE', 'CLIENTS', 'CREATOR', 'DOWNLOADS', 'ID'], ...x.links.map((l) => [STATUS_WORDS[l.status] + (l.pathProblem ? ' (!path)' : ''), l.createdAt.slice(0, 16).replace('T', ' '), l.exportType + (l.typeKnown ? '' : ' (unknown type)'), String(l.clientCount) + (l.isElevated ? ' elevated' : ''), l.createdBy?.displayName ?? '?', String(l.downloadCount), l.id])];
          return `${head}\n${x.links.length ? table(rows) : 'No export links match.'}${x.truncated ? '\n(More links exist: narrow the filters or raise --limit.)' : ''}${x.otherSchemas.length ? `\nNot listed: the export links of the agency schema(s) ${x.otherSchemas.join(', ')} (Custodian lists one schema's links for now; use KoNote's admin pages for those).` : ''}`;
        });
      }),
    );

  common(ex.command('show <id>').description('One link: creator, recipient, filters, downloads and its audit trail')).action((id: string, o: P) =>
    env.action(o, async (core) => {
      const d = await showLink(core, resolveProfile(core, o.profile).name, id);
      printResult(o, d, (x) =>
        [
          `${x.id} — ${STATUS_WORDS[x.status]}${x.pathProblem ? ` (path problem: ${x.pathProblem})` : ''}`,
          `Type: ${x.exportType}${x.typeKnown ? '' : ' (unknown to Custodian)'}; clients: ${x.clientCount}; PII: ${x.containsPii ? 'yes' : 'no'}; notes: ${x.includesNotes ? 'yes' : 'no'}; elevated: ${x.isElevated ? 'yes' : 'no'}`,
          `Created ${x.createdAt} by ${x.createdBy?.displayName ?? '?'} (${x.createdBy?.username ?? '?'}); expires ${x.expiresAt}`,
          `Recipient: ${x.recipient}; file: ${x.filePath}`,
          `Filters: ${x.filters === null ? `(not JSON) ${x.filtersRaw}` : JSON.stringify(x.filters)}`,
          `Downloads: ${x.downloadCount}${x.lastDownloadedAt ? ` (last ${x.lastDownloadedAt} by ${x.lastDownloadedBy?.displayName ?? '?'})` : ''}`,
          x.revoked ? `Revoked ${x.revokedAt ?? ''} by ${x.revokedBy?.displayName ?? '?'}` : '',
          ...x.revocations.map((r) => `Custodian revocation ${r.at} by ${r.byUser}: ${r.reason}${r.notes ? `\n  Notes: ${r.notes}` : ''} [${r.state}]`),
          '',
          'Audit trail:',
          ...(x.trailError ? [`  (could not read the audit log: ${x.trailError})`] : x.trail.length ? x.trail.map((t) => `  ${t.at}  ${t.action}/${t.resourceType}  ${t.user}`) : ['  (no audit rows name this link)']),
        ]
          .filter((l) => l !== '')
          .join('\n'),
      );
    }),
  );

  common(ex.command('revoke <id>').description('Revoke a link (as a KoNote admin), delete its file and write KoNote’s audit row'))
    .requiredOption('--reason <text>', 'why (kept in Custodian’s log with the incident notes)')
    .option('--as <username>', 'the KoNote admin account to record it under (default: the configured or only admin)')
    .action((id: string, o: P & { reason: string; as?: string }) =>
      env.action(o, async (core) => {
        const r = await revokeLink(core, { profile: resolveProfile(core, o.profile).name, id, reason: o.reason, asUser: o.as, confirm: true });
        printResult(o, r, (x) => `Revoked ${x.linkId} at ${x.revokedAt} as ${x.revokedBy.displayName}; audit row ${x.auditRowId}.\nFile: ${x.file.action} — ${x.file.detail}`);
        return r.file.action !== 'failed' && r.file.action !== 'refused';
      }),
    );

  common(ex.command('cleanup').description('KoNote’s cleanup_expired_exports, with an audit row and no deletion outside the export folder'))
    .option('--dry-run', 'show what would be removed; change nothing')
    .option('--export-dir <dir>', 'the export folder (default: the one set for this profile)')
    .action((o: P & { dryRun?: boolean; exportDir?: string }) =>
      env.action(o, async (core) => {
        const r = await cleanupExports(core, { profile: resolveProfile(core, o.profile).name, dryRun: !!o.dryRun, exportDir: o.exportDir });
        printResult(o, r, describeCleanup);
        return r.refused.length === 0 && !r.expired.some((e) => e.fileAction === 'failed') && !r.orphans.some((x) => x.action === 'failed');
      }),
    );

  common(ex.command('summary').description('KoNote’s weekly export activity summary, emailed to the configured recipients'))
    .option('--days <n>', 'the window in days', '7')
    .option('--dry-run', 'compute and print; send nothing')
    .option('--only-on <weekday>', 'do nothing unless today is this weekday (for the daily scheduler entry)')
    .action((o: P & { days: string; dryRun?: boolean; onlyOn?: string }) =>
      env.action(o, async (core) => {
        if (o.onlyOn) {
          const wanted = WEEKDAYS.indexOf(o.onlyOn.toLowerCase());
          if (wanted < 0) throw new AppError('Validation', `"${o.onlyOn}" is not a weekday.`, 'Use monday, tuesday, ... sunday.');
          if (new Date().getDay() !== wanted) {
            printResult(o, { skipped: true, reason: `Today is not ${o.onlyOn}.` }, (x) => x.reason);
            return;
          }
        }
        const r = await exportSummary(core, { profile: resolveProfile(core, o.profile).name, days: Number(o.days), dryRun: !!o.dryRun });
        printResult(o, r, (x) => `${x.subject}\n\n${x.text}\n\n${x.sent ? `Sent to ${x.recipients.join(', ')}.` : 'Dry run: not sent.'}`);
      }),
    );

  common(ex.command('deadlines').description('KoNote’s check_report_deadlines: banners, one reminder email per due date, due-date advance'))
    .option('--dry-run', 'show what would happen; change and send nothing')
    .action((o: P & { dryRun?: boolean }) =>
      env.action(o, async (core) => {
        const r = await checkDeadlines(core, { profile: resolveProfile(core, o.profile).name, dryRun: !!o.dryRun });
        printResult(o, r, (x) =>
          [`Report deadlines on ${x.today}${x.dryRun ? ' (dry run)' : ''}:`, table([['DUE', 'DAYS', 'NAME', 'FREQUENCY', 'ACTIONS'], ...x.schedules.map((s) => [s.dueDate, s.isActive ? String(s.daysLeft) : '-', s.name, s.isActive ? s.frequency : `${s.frequency} (inactive)`, s.actions.join(', ') + (s.emailTo.length ? ` → ${s.emailTo.join(', ')}` : '')])]), x.dryRun ? '' : `${x.emailsSent} reminder email(s) sent.`].join('\n'),
        );
      }),
    );

  common(ex.command('settings').description('Show or set the export folder, the KoNote admin for revocations and the pending delay'))
    .option('--export-dir <dir>', 'KoNote’s SECURE_EXPORT_DIR as reachable from this computer')
    .option('--server-export-dir <dir>', 'SECURE_EXPORT_DIR as KoNote’s server sees it, when the share is mounted elsewhere here')
    .option('--admin <username>', 'KoNote admin account revocations are recorded under')
    .option('--pending-minutes <n>', 'ELEVATED_EXPORT_DELAY_MINUTES (default 10)')
    .action((o: P & { exportDir?: string; serverExportDir?: string; admin?: string; pendingMinutes?: string }) =>
      env.action(o, async (core) => {
        const profile = resolveProfile(core, o.profile).name;
        let s = readExportSettings(core, profile);
        if (o.exportDir !== undefined || o.serverExportDir !== undefined || o.admin !== undefined || o.pendingMinutes !== undefined) {
          s = saveExportSettings(core, { ...s, exportDir: o.exportDir ?? s.exportDir, serverExportDir: o.serverExportDir ?? s.serverExportDir, adminUsername: o.admin ?? s.adminUsername, pendingDelayMinutes: o.pendingMinutes !== undefined ? Number(o.pendingMinutes) : s.pendingDelayMinutes });
        }
        printResult(o, s, (x) => `Export folder: ${x.exportDir ?? '(not set)'}${x.serverExportDir ? ` (server path ${x.serverExportDir})` : ''}\nAdmin for revocations: ${x.adminUsername ?? '(the only active admin)'}\nPending delay: ${x.pendingDelayMinutes} minutes`);
      }),
    );

  const sched = ex.command('schedule').description('The runbook’s three cron jobs (cleanup, summary, deadlines) in the OS scheduler');
  for (const verb of ['install', 'show', 'remove'] as const) {
    common(sched.command(`${verb} <task>`).description(`${verb} the scheduler entry for ${EXPORT_SCHEDULE_TASKS.join(' | ')}`))
      .option('--time <HH:MM>', 'local time of day (default: cleanup 03:15, summary 07:30 Mondays, deadlines 08:00)')
      .action((task: string, o: P & { time?: string }) =>
        env.action(o, async (core) => {
          if (!(EXPORT_SCHEDULE_TASKS as readonly string[]).includes(task)) throw new AppError('Validation', `"${task}" is not an export task.`, `Use one of: ${EXPORT_SCHEDULE_TASKS.join(', ')}.`);
          const spec = exportScheduleSpec(core, resolveProfile(core, o.profile).name, task as ExportScheduleTask, o.time);
          const s = verb === 'install' ? installSchedule(core, spec) : verb === 'remove' ? removeSchedule(core, spec) : showSchedule(core, spec);
          printResult(o, s, (x) => (x.installed ? `${spec.description}: installed (${x.scheduler}, ${x.location}) at ${x.time ?? '?'}.\nIt runs: ${x.command.join(' ')}` : `${spec.description}: not installed (${x.scheduler}).`));
        }),
      );
  }
}
