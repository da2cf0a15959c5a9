import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, table, type OutputOptions } from './output';
import { runJobFromCli } from './run-job';
import { intOption } from './drill';
import { resolveProfile } from '../core/connections/profile-store';
import { AppError } from '../core/common/errors';
import { AuditFilterSchema, type AuditFilter, type AuditRow, type CheckpointVerify, type SuspiciousReport } from '../contract/audit';
import { linkTrail, listSavedQueries, queryAudit } from '../core/audit/audit-service';
import { suspiciousPatterns } from '../core/audit/suspicious';
import { applySavedQuery } from '../core/audit/saved-queries';
import { withDefaultWindow } from '../core/audit/audit-service';
import type { CheckpointResult } from '../core/audit/checkpoint';
import type { ExportResult } from '../core/audit/export-csv';

/** `custodian audit query|export|checkpoint|verify|trail|suspicious|saved`: audit-log review on the command line. */

interface FilterOpts extends OutputOptions {
  profile?: string;
  since?: string;
  from?: string;
  to?: string;
  user?: string;
  action?: string[];
  resourceType?: string[];
  program?: number;
  ip?: string;
  text?: string;
  link?: string;
  saved?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((x) => x.trim()).filter(Boolean)];

function withFilterOptions(cmd: Command): Command {
  return cmd
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--since <window>', 'relative window, e.g. 7d, 24h, 90m (default: 7d)')
    .option('--from <when>', 'start, ISO 8601 (without a zone: your local time)')
    .option('--to <when>', 'end, ISO 8601 (without a zone: your local time)')
    .option('--user <idOrName>', 'user id, or part of a display name')
    .option('--action <action>', 'action (repeat or comma-separate for several)', collect)
    .option('--resource-type <type>', 'resource type (repeat or comma-separate)', collect)
    .option('--program <id>', 'program id', intOption)
    .option('--ip <address>', 'IP address or block (10.0.0.0/8)')
    .option('--text <text>', 'text to find in metadata (wildcards are literal)')
    .option('--link <uuid>', 'rows of one export link (its id in metadata)')
    .option('--saved <name>', 'a saved query (see `custodian audit saved`)')
    .option('--json', 'print one JSON document');
}

/** Builds the filter through the contract's schema, so the CLI accepts exactly what the app accepts. */
export function filterFromOptions(o: FilterOpts): AuditFilter {
  const parsed = AuditFilterSchema.safeParse({
    since: o.since ?? null,
    from: o.from ?? null,
    to: o.to ?? null,
    user: o.user ?? null,
    actions: o.action ?? [],
    resourceTypes: o.resourceType ?? [],
    programId: o.program ?? null,
    ip: o.ip ?? null,
    text: o.text ?? null,
    linkId: o.link ?? null,
  });
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new AppError('Validation', `--${String(i?.path[0] ?? 'filter')}: ${i?.message ?? 'not valid'}.`, 'Correct that option; run `custodian audit query --help` for the forms each one takes.');
  }
  return parsed.data;
}

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const local = (iso: string) => new Date(iso).toLocaleString('sv-SE', { timeZone: zone }).slice(0, 19);

export function rowTable(rows: AuditRow[]): string {
  return table([
    ['ID', `TIME (${zone})`, 'USER', 'ACTION', 'RESOURCE', 'IP', 'METADATA'],
    ...rows.map((r) => [r.id, local(r.eventTimestamp), r.userDisplay || (r.userId === null ? '-' : `#${r.userId}`), r.action, `${r.resourceType}${r.resourceId === null ? '' : ` #${r.resourceId}`}`, r.ipAddress ?? '-', JSON.stringify(r.metadata ?? {}).slice(0, 60)]),
  ]);
}

export function registerAuditCommands(program: Command, env: CliEnv): void {
  const audit = program.command('audit').description('Review the audit log, export it, and check it was not changed (checkpoints)');

  withFilterOptions(audit.command('query').description('Audit rows, newest first (default: the last 7 days)'))
    .option('--limit <n>', 'rows per page (1–1000)', intOption, 50)
    .option('--before <id>', 'continue below this id (the "next" id printed by the previous page)')
    .action((opts: FilterOpts & { limit: number; before?: string }) =>
      env.action(opts, async (core) => {
        if (opts.limit < 1 || opts.limit > 1000) throw new AppError('Validation', '--limit must be between 1 and 1000.', 'Use --before to page through more rows.');
        if (opts.before !== undefined && !/^\d{1,19}$/.test(opts.before)) throw new AppError('Validation', '--before takes an audit row id (digits).', 'Use the "next" id printed under the previous page.');
        const page = await queryAudit(core, { profile: opts.profile, filter: filterFromOptions(opts), saved: opts.saved ?? null, beforeId: opts.before ?? null, limit: opts.limit });
        printResult(opts, page, (p) =>
          [
            p.rows.length ? rowTable(p.rows) : 'No audit rows match.',
            `${p.rows.length} row(s)${p.range.fromUtc ? ` from ${local(p.range.fromUtc)}` : ''}${p.range.toUtc ? ` to ${local(p.range.toUtc)}` : ''} (${zone}); ${p.elapsedMs} ms.`,
            p.nextCursor ? `More: add --before ${p.nextCursor}` : '',
          ].join('\n'),
        );
      }),
    );

  withFilterOptions(audit.command('export').description('Export matching rows to a CSV file (any size, streamed)'))
    .requiredOption('--out <file.csv>', 'the CSV file to write (must not exist yet)')
    .action((opts: FilterOpts & { out: string }) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        const r = await runJobFromCli<ExportResult>(core, { kind: 'audit.export', profile: profile.name, filter: filterFromOptions(opts), saved: opts.saved ?? null, out: opts.out }, opts);
        printResult(opts, r, (x) => `Exported ${x.rows} rows to ${x.out} (${x.bytes} bytes).`);
      }),
    );

  audit
    .command('checkpoint')
    .description('Hash the audit rows since the last checkpoint and chain them to it (tamper evidence)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--file <file.json>', 'also write the whole chain to this file (keep it somewhere else)')
    .option('--reason <why>', 'manual, review or backup', 'manual')
    .option('--settle <seconds>', 'leave out rows newer than this (inserts still in flight)', intOption, 60)
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions & { profile?: string; file?: string; reason: string; settle: number }) =>
      env.action(opts, async (core) => {
        if (!['manual', 'review', 'backup'].includes(opts.reason)) throw new AppError('Validation', '--reason is manual, review or backup.', 'Leave it out for a manual checkpoint.');
        const profile = resolveProfile(core, opts.profile);
        const r = await runJobFromCli<CheckpointResult>(core, { kind: 'audit.checkpoint', profile: profile.name, reason: opts.reason as 'manual', file: opts.file ?? null, settleSeconds: opts.settle }, opts);
        printResult(opts, r, (x) => [x.message, x.checkpoint ? `Chain hash: ${x.checkpoint.chainHash}` : ''].join('\n'));
      }),
    );

  audit
    .command('verify')
    .description('Recompute every checkpoint and name the first changed or missing rows')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--file <file.json>', 'also compare with the checkpoint file kept elsewhere')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions & { profile?: string; file?: string }) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        const r = await runJobFromCli<CheckpointVerify>(core, { kind: 'audit.verify', profile: profile.name, file: opts.file ?? null }, opts);
        printResult(opts, r, (x) =>
          x.checkpoints === 0
            ? 'No checkpoint yet: run `custodian audit checkpoint` first.'
            : [
                x.ok ? `OK: ${x.verified} checkpoint(s), ${x.rowsVerified} rows unchanged.` : `CHANGED: ${x.firstProblem}`,
                ...x.problems.slice(1, 10).map((p) => `  checkpoint ${p.checkpointSeq}: ${p.kind} ids ${p.firstId}–${p.lastId}: ${p.detail}`),
                `${x.uncoveredRows} newer row(s) not covered by a checkpoint yet.`,
              ].join('\n'),
        );
        return r.ok;
      }),
    );

  audit
    .command('trail <linkId>')
    .description('Everything the audit log says about one export link: creation, downloads, revocation')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((linkId: string, opts: OutputOptions & { profile?: string }) =>
      env.action(opts, async (core) => {
        const r = await linkTrail(core, opts.profile, linkId);
        printResult(opts, r, (x) => [rowTable(x.rows), `${x.rows.length} row(s): ${x.created ? 'created' : 'creation not found'}, ${x.downloads} download(s)${x.revoked ? ', revoked' : ''}.`].join('\n'));
      }),
    );

  withFilterOptions(audit.command('suspicious').description('Failed-login bursts, large exports, downloads by others, unusual hours (default: 7 days)')).action((opts: FilterOpts) =>
    env.action(opts, async (core) => {
      const r = await suspiciousPatterns(core, opts.profile, withDefaultWindow(applySavedQuery(opts.saved ?? null, filterFromOptions(opts))));
      printResult(opts, r, (x: SuspiciousReport) => (x.patterns.length ? x.patterns.map((p) => `${p.kind}: ${p.detail} (rows ${p.rows.map((r) => r.id).slice(0, 8).join(', ')}${p.rows.length > 8 ? ', …' : ''})`).join('\n') : 'Nothing suspicious found.'));
    }),
  );

  audit
    .command('saved')
    .description('The saved queries (use with --saved NAME)')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions) =>
      env.action(opts, async () => {
        const list = listSavedQueries();
        printResult(opts, { queries: list }, (x) => table([['NAME', 'WHAT', 'NEEDS --user'], ...x.queries.map((q) => [q.name, q.title, q.needsUser ? 'yes' : ''])]));
      }),
    );
}
