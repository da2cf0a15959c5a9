import readline from 'node:readline/promises';
import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, table, type OutputOptions } from './output';
import { runJobFromCli } from './run-job';
import { checkLines, intOption } from './drill';
import { registerPitrAzureCommands } from './pitr-azure';
import { registerPitrReplaceCommand } from './pitr-replace';
import { registerPitrStreamCommand } from './pitr-stream';
import { AppError } from '../core/common/errors';
import { resolveProfile } from '../core/connections/profile-store';
import { pitrStore } from '../core/pitr/pitr-store';
import { runSetupCheck } from '../core/pitr/setup-check';
import { computeWindow } from '../core/pitr/window';
import { formatLocal, parseTargetTime, systemZone } from '../core/pitr/target-time';
import { discardRecovery } from '../core/pitr/recover';
import { inspectRecovery } from '../core/pitr/inspect';
import { cleanupInterruptedRecoveries } from '../core/pitr/scratch-instance';
import { applyCopyBack, previewCopyBack } from '../core/pitr/copy-back/copy-back';
import type { BaseBackup, CopyBackPlan, PitrRole, Recovery } from '../contract/pitr';
import { DeploymentKindSchema, PitrRoleSchema } from '../contract/pitr';

interface PitrOpts extends OutputOptions {
  profile?: string;
  role?: string;
}

const role = (v?: string): PitrRole => {
  const r = PitrRoleSchema.safeParse(v ?? 'main');
  if (!r.success) throw new AppError('Validation', `"${v}" is not a server role.`, 'Use --role main or --role audit.');
  return r.data;
};
const local = (iso: string | null) => (iso ? `${formatLocal(Date.parse(iso), systemZone())} = ${iso}` : '—');

function backupText(b: BaseBackup[]): string {
  if (!b.length) return 'No base backups yet. Take one with `custodian pitr base-backup`.';
  return table([['ID', 'ROLE', 'STATE', 'FINISHED (server clock)', 'WAL', 'SIZE'], ...b.map((x) => [x.id, x.role, x.state, x.finishedAt ?? '—', x.startLsn ? `${x.startLsn} → ${x.endLsn}` : '—', x.sizeBytes === null ? '—' : `${Math.round(x.sizeBytes / 1048576)} MB`])]);
}

function recoveryText(r: Recovery): string {
  return [
    `Recovery ${r.id}: ${r.state.toUpperCase()}`,
    `Target: ${local(r.targetUtc)}`,
    r.stoppedAt ? `PostgreSQL stopped ${r.stoppedAt}` : '',
    r.state === 'ready' ? `The recovered copy runs locally (${r.host}, port ${r.port}, database ${r.database}). Next: \`custodian pitr copy-back --table TABLE --dry-run\`; remove it with \`custodian pitr discard ${r.id}\`.` : '',
    r.error ? `Why: ${r.error.message}${r.error.hint ? `\nWhat to do: ${r.error.hint}` : ''}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

function planText(p: CopyBackPlan): string {
  if (p.total === 0) return 'Nothing to copy back: every row of the recovered copy is in production.';
  return [
    `Rows present in the copy recovered to ${local(p.targetUtc)} and missing in production (inserted in this order):`,
    table([['ORDER', 'TABLE', 'ROWS', 'KEYS (first few)', 'FOUND THROUGH'], ...p.tables.map((t) => [String(t.order + 1), `${t.schema}.${t.table}`, String(t.count), t.sampleKeys.slice(0, 8).join('; ') + (t.count > 8 ? ' …' : ''), t.via ?? 'the chosen table'])]),
    `Total: ${p.total} rows.`,
  ].join('\n');
}

/** `custodian pitr ...`: continuous archiving, base backups, recovery to a time, copy-back, Azure. */
export function registerPitrCommands(program: Command, env: CliEnv): void {
  const pitr = program.command('pitr').description('Point-in-time recovery: WAL archiving, base backups, recover to a time, copy deleted rows back, Azure restores');

  pitr
    .command('config')
    .description('Set where this server’s WAL archive and base backups are, as seen from this computer')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--role <role>', 'main or audit server', 'main')
    .option('--archive-dir <folder>', 'the folder archive_command writes WAL into (mounted share or copy)')
    .option('--backup-dir <folder>', 'where base backups go (default: Custodian’s data folder)')
    .option('--json', 'print one JSON document')
    .action((opts: PitrOpts & { archiveDir?: string; backupDir?: string }) =>
      env.action(opts, async (core) => {
        const p = resolveProfile(core, opts.profile);
        const cur = pitrStore.config(core, p.name, role(opts.role));
        const c = pitrStore.setConfig(core, { ...cur, archiveDir: opts.archiveDir ?? cur.archiveDir, backupDir: opts.backupDir ?? cur.backupDir });
        printResult(opts, c, (x) => `WAL archive: ${x.archiveDir ?? '(not set)'}\nBase backups: ${x.backupDir ?? '(Custodian’s data folder)'}`);
      }),
    );

  pitr
    .command('setup-check')
    .description('Check the server’s archiving settings and print the exact settings to apply')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--role <role>', 'main or audit server', 'main')
    .option('--deployment <kind>', 'docker (Compose) or plain (a server you manage)', 'docker')
    .option('--json', 'print one JSON document')
    .action((opts: PitrOpts & { deployment: string }) =>
      env.action(opts, async (core) => {
        const dep = DeploymentKindSchema.safeParse(opts.deployment);
        if (!dep.success) throw new AppError('Validation', `"${opts.deployment}" is not a deployment kind.`, 'Use --deployment docker or --deployment plain.');
        const r = await runSetupCheck(core, opts.profile ?? null, role(opts.role), dep.data);
        printResult(opts, r, (x) =>
          [
            `Continuous archiving on the ${x.role} server of "${x.profile}" (PostgreSQL ${x.serverVersion ?? '?'}): ${x.ready ? 'READY' : 'NOT READY'}`,
            ...checkLines(x.checks),
            '',
            'Settings for your deployment:',
            ...x.files.flatMap((f) => [`--- ${f.where}`, f.content.trimEnd()]),
            '',
            'Why:',
            ...x.explanation.map((e) => `  • ${e}`),
          ].join('\n'),
        );
        return r.ready;
      }),
    );

  pitr
    .command('base-backup')
    .description('Take a base backup (pg_basebackup, plain with manifest, WAL streamed) and verify it with pg_verifybackup')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--role <role>', 'main or audit server', 'main')
    .option('--json', 'print one JSON document')
    .action((opts: PitrOpts) =>
      env.action(opts, async (core) => {
        const p = resolveProfile(core, opts.profile);
        const b = await runJobFromCli<BaseBackup>(core, { kind: 'pitr.baseBackup', profile: p.name, role: role(opts.role) }, opts);
        printResult(opts, b, (x) => `Base backup ${x.id} verified.\nWAL ${x.startLsn} → ${x.endLsn} (timeline ${x.timeline}); ended ${local(x.finishedAt)}.\n${x.path}`);
      }),
    );

  pitr
    .command('backups')
    .description('List base backups')
    .option('--profile <name>', 'only this profile')
    .option('--json', 'print one JSON document')
    .action((opts: PitrOpts) =>
      env.action(opts, async (core) => {
        const list = pitrStore.backups(core, opts.profile ?? null);
        printResult(opts, { backups: list }, (x) => backupText(x.backups));
      }),
    );

  pitr
    .command('window')
    .description('Show the recoverable window (end of a base backup → last archived transaction)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--role <role>', 'main or audit server', 'main')
    .option('--json', 'print one JSON document')
    .action((opts: PitrOpts) =>
      env.action(opts, async (core) => {
        const { chains: _c, listing: _l, ...w } = await computeWindow(core, opts.profile ?? null, role(opts.role));
        printResult(opts, w, (x) => [`Recoverable from: ${local(x.earliest)}`, `Up to (not including): ${local(x.latest)}`, `Base backup: ${x.baseBackupId ?? '—'}; ${x.segments} WAL files in ${x.archiveDir}`, ...x.notes].join('\n'));
        return w.earliest !== null;
      }),
    );

  pitr
    .command('recover')
    .description('Recover to a time into a local scratch instance (production is not touched)')
    .requiredOption('--to <time>', 'local time ("2026-11-30 10:04"), with a zone ("... America/Toronto") or ISO with offset ("...T15:04:00Z")')
    .option('--zone <iana>', 'time zone for times without one (default: this computer’s)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--role <role>', 'main or audit server', 'main')
    .option('--backup <id>', 'base backup to start from (default: the newest that ended before the time)')
    .option('--json', 'print one JSON document')
    .action((opts: PitrOpts & { to: string; zone?: string; backup?: string }) =>
      env.action(opts, async (core) => {
        const p = resolveProfile(core, opts.profile);
        const t = parseTargetTime(opts.to, opts.zone ?? systemZone());
        if (!opts.json) process.stderr.write(`Recovering to ${t.local} = ${t.utc}${t.note ? `\n(${t.note})` : ''}\n`);
        const r = await runJobFromCli<Recovery>(core, { kind: 'pitr.recover', profile: p.name, role: role(opts.role), targetUtc: t.utc, backupId: opts.backup ?? null }, opts);
        printResult(opts, { ...r, target: t }, (x) => recoveryText(x));
      }),
    );

  pitr
    .command('recoveries')
    .description('List recovered copies')
    .option('--profile <name>', 'only this profile')
    .option('--json', 'print one JSON document')
    .action((opts: PitrOpts) =>
      env.action(opts, async (core) => {
        const list = pitrStore.recoveries(core, opts.profile ?? null).map(({ ownerPid: _p, ...r }) => r);
        printResult(opts, { recoveries: list }, (x) => (x.recoveries.length ? table([['ID', 'STATE', 'TARGET (UTC)', 'PORT'], ...x.recoveries.map((r) => [r.id, r.state, r.targetUtc, String(r.port ?? '—')])]) : 'No recovered copies.'));
      }),
    );

  pitr
    .command('inspect')
    .description('Run the verification suite (tables, counts, orphans, decryption) on a recovered copy')
    .option('--recovery <id>', 'recovered copy (default: the newest ready one)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--full', 'decrypt every row (default: a sample)')
    .option('--sample <n>', 'rows per encrypted column when sampling', intOption, 50)
    .option('--json', 'print one JSON document')
    .action((opts: PitrOpts & { recovery?: string; full?: boolean; sample: number }) =>
      env.action(opts, async (core) => {
        const v = await inspectRecovery(core, { profile: opts.profile ?? null, recoveryId: opts.recovery ?? null, full: !!opts.full, sample: opts.sample });
        printResult(opts, v, (x) => [`Recovered copy: ${x.status}`, ...checkLines(x.checks)].join('\n'));
        return v.status !== 'FAIL';
      }),
    );

  pitr
    .command('discard <id>')
    .description('Stop and delete a recovered copy')
    .option('--json', 'print one JSON document')
    .action((id: string, opts: OutputOptions) =>
      env.action(opts, async (core) => {
        const r = await discardRecovery(core, id);
        printResult(opts, r, () => `Recovered copy ${r.id} stopped and deleted.`);
      }),
    );

  pitr
    .command('cleanup')
    .description('Stop and remove scratch instances left by an interrupted recovery')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions) =>
      env.action(opts, async (core) => {
        const cleaned = await cleanupInterruptedRecoveries(core);
        printResult(opts, { cleaned }, (x) => (x.cleaned.length ? `Removed: ${x.cleaned.join(', ')}` : 'Nothing to clean up.'));
      }),
    );

  pitr
    .command('copy-back')
    .description('Copy rows deleted since the recovered time (and their child rows) back into production')
    .requiredOption('--table <name>', 'the table whose deleted rows to bring back, e.g. client_files')
    .option('--schema <name>', 'schema of the table', 'public')
    .option('--recovery <id>', 'recovered copy to read (default: the newest ready one)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--dry-run', 'show what would be copied; write nothing')
    .option('--confirm <phrase>', 'the confirmation phrase shown by --dry-run (required without a terminal)')
    .option('--json', 'print one JSON document')
    .action((opts: PitrOpts & { table: string; schema: string; recovery?: string; dryRun?: boolean; confirm?: string }) =>
      env.action(opts, async (core) => {
        const p = resolveProfile(core, opts.profile);
        const ref = { profile: p.name, recoveryId: opts.recovery ?? null, table: { schema: opts.schema, table: opts.table } };
        const plan = await previewCopyBack(core, ref);
        if (opts.dryRun || plan.total === 0) {
          printResult(opts, { dryRun: true, ...plan }, planText);
          return;
        }
        let confirm = opts.confirm;
        if (!confirm) {
          if (!process.stdin.isTTY || opts.json) throw new AppError('Validation', 'Copy-back writes into production and needs a typed confirmation.', `Run it in a terminal, or add --confirm "${plan.confirmPhrase}" after checking --dry-run.`);
          process.stderr.write(`${planText(plan)}\n\nThis INSERTS these rows into production "${p.main.database}" in one transaction and writes an audit row.\n`);
          const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
          confirm = (await rl.question(`Type "${plan.confirmPhrase}" to continue: `)).trim();
          rl.close();
        }
        const r = await applyCopyBack(core, { ...ref, digest: plan.digest, confirm });
        printResult(opts, { dryRun: false, ...r }, (x) => `Copied back ${x.inserted} rows in one transaction. Audit row ${x.auditRowId ?? '(none: audit server)'} written.`);
      }),
    );

  registerPitrReplaceCommand(pitr, env);
  registerPitrStreamCommand(pitr, env);
  registerPitrAzureCommands(pitr, env);
}
