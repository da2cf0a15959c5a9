import fs from 'node:fs';
import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, table, type OutputOptions } from './output';
import { runJobFromCli } from './run-job';
import { AppError } from '../core/common/errors';
import { resolveProfile } from '../core/connections/profile-store';
import { drillStore } from '../core/drill/drill-store';
import { drillLogCsv, formatDuration, renderDrillReportHtml } from '../core/drill/report';
import { renderReportPdf } from '../core/drill/report-pdf';
import { cleanupInterrupted, markInterrupted } from '../core/drill/drill-run';
import type { CheckResult, DrillSummary } from '../contract/drills';

interface ProfileOpts extends OutputOptions {
  profile?: string;
}

export const intOption = (v: string) => {
  const n = Number.parseInt(v, 10);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new AppError('Validation', `"${v}" is not a number between 1 and 100000.`, 'Give a whole number, e.g. --sample 50.');
  return n;
};

export const checkLines = (checks: CheckResult[]) => checks.map((c) => `  ${c.status.padEnd(4)} ${c.title}: ${c.detail}${c.hint && c.status !== 'PASS' ? `\n       → ${c.hint}` : ''}`);

/** The drill as people read it; `--json` prints the same summary with `passed`, `rto_seconds`, `rpo_seconds`. */
export function drillText(d: DrillSummary): string {
  return [
    `${d.kind === 'drill' ? 'Drill' : 'Restore'} ${d.id}: ${d.state.toUpperCase()} (set ${d.setId})`,
    `RTO ${formatDuration(d.rtoSeconds)} (restore + verification), RPO ${formatDuration(d.rpoSeconds)} (age of the backup)`,
    d.failure ? `Why: ${d.failure.message}${d.failure.hint ? `\nWhat to do: ${d.failure.hint}` : ''}` : '',
    'Checklist:',
    ...checkLines(d.preflight),
    ...(d.verification ? [`Verification (${d.verification.status}):`, ...checkLines(d.verification.checks)] : []),
    d.scratch ? (d.scratch.droppedAt ? `Scratch databases dropped${d.scratch.local ? ` (on ${d.scratch.server})` : ''}.` : `Scratch databases kept for inspection: ${d.scratch.main}, ${d.scratch.audit} on ${d.scratch.server} (drop them with "custodian drill cleanup --kept").`) : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export const drillJson = (d: DrillSummary) => ({ passed: d.state === 'passed', rto_seconds: d.rtoSeconds, rpo_seconds: d.rpoSeconds, ...d });

/** `custodian drill run|list|report|cleanup`. */
export function registerDrillCommands(program: Command, env: CliEnv): void {
  const drill = program.command('drill').description('Restore drills: restore a backup set into scratch databases, verify, record, clean up');

  drill
    .command('run')
    .description('Run a restore drill (default: the newest verified set); exits non-zero when it fails')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--set <id>', 'backup set to drill (default: the newest verified)')
    .option('--keep', 'keep the scratch databases for inspection')
    .option('--local', 'restore into a throwaway PostgreSQL instance on this computer (needs the server programs), removed afterwards')
    .option('--full', 'decrypt every row of every encrypted column (default: a sample)')
    .option('--sample <n>', 'rows per encrypted column when sampling', intOption, 50)
    .option('--notes <text>', 'a note for the drill log')
    .option('--json', 'print one JSON document')
    .action((opts: ProfileOpts & { set?: string; keep?: boolean; local?: boolean; full?: boolean; sample: number; notes?: string }) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        const d = await runJobFromCli<DrillSummary>(core, { kind: 'drill.run', profile: profile.name, setId: opts.set, keep: !!opts.keep, local: !!opts.local, full: !!opts.full, sample: opts.sample, notes: opts.notes ?? '' }, opts);
        printResult(opts, drillJson(d), () => drillText(d));
        return d.state === 'passed';
      }),
    );

  drill
    .command('list')
    .description('The drill log, newest first')
    .option('--profile <name>', 'only this deployment')
    .option('--csv <file>', 'also write the log as CSV to this file')
    .option('--json', 'print one JSON document')
    .action((opts: ProfileOpts & { csv?: string }) =>
      env.action(opts, async (core) => {
        markInterrupted(core);
        const drills = drillStore.list(core, opts.profile ? resolveProfile(core, opts.profile).name : null);
        if (opts.csv) fs.writeFileSync(opts.csv, drillLogCsv(drills), { mode: 0o600 });
        printResult(opts, { drills: drills.map(drillJson) }, () =>
          drills.length === 0
            ? 'No drills yet. Run "custodian drill run".'
            : table([['DRILL', 'KIND', 'STATE', 'SET', 'RTO', 'RPO'], ...drills.map((d) => [d.id, d.kind, d.state, d.setId, formatDuration(d.rtoSeconds), formatDuration(d.rpoSeconds)])]),
        );
      }),
    );

  drill
    .command('report <id>')
    .description('Evidence for auditors (no personal information): a PDF or HTML file written to --out, or the summary')
    .option('--out <file>', 'write the report here: a .pdf name prints it to PDF with Chromium, Chrome or Edge; any other name writes HTML')
    .option('--json', 'print one JSON document')
    .action((id: string, opts: OutputOptions & { out?: string }) =>
      env.action(opts, async (core) => {
        const d = drillStore.get(core, id);
        if (!d) throw new AppError('NotFound', `There is no drill "${id}".`, 'See "custodian drill list".');
        const html = renderDrillReportHtml(d);
        if (opts.out) fs.writeFileSync(opts.out, /\.pdf$/i.test(opts.out) ? await renderReportPdf(html, core.env) : html, { mode: 0o644 });
        printResult(opts, { ...drillJson(d), reportFile: opts.out ?? null }, () => `${drillText(d)}${opts.out ? `\nReport written to ${opts.out}.` : ''}`);
      }),
    );

  drill
    .command('cleanup')
    .description('Drop scratch databases left by interrupted drills (with --kept, also those kept for inspection)')
    .option('--kept', 'also drop scratch databases kept with --keep')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions & { kept?: boolean }) =>
      env.action(opts, async (core) => {
        const dropped = await cleanupInterrupted(core, undefined, !!opts.kept);
        printResult(opts, { dropped }, (r) => (r.dropped.length ? `Dropped ${r.dropped.join(', ')}.` : 'Nothing to clean up.'));
      }),
    );
}
