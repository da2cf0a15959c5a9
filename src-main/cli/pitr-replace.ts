import readline from 'node:readline/promises';
import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, type OutputOptions } from './output';
import { runJobFromCli } from './run-job';
import { drillJson, drillText, intOption } from './drill';
import { AppError } from '../core/common/errors';
import { pitrStore } from '../core/pitr/pitr-store';
import { resolveProfile } from '../core/connections/profile-store';
import type { DrillSummary } from '../contract/drills';

/**
 * `custodian pitr replace ID`: replace production with a recovered copy (dump, safety backup,
 * pg_restore --clean, lockdown, verification). Asks for the database name to be typed back;
 * without a terminal it refuses unless --confirm-database NAME is given.
 */
export function registerPitrReplaceCommand(pitr: Command, env: CliEnv): void {
  pitr
    .command('replace <id>')
    .description('Replace the production database with a recovered copy (safety backup first, then lockdown and verification)')
    .option('--profile <name>', 'deployment profile (default: the recovery’s own)')
    .option('--confirm-database <name>', 'the name of the production database being replaced, typed back (required without a terminal)')
    .option('--full', 'decrypt every row when verifying (default: a sample)')
    .option('--sample <n>', 'rows per encrypted column when sampling', intOption, 50)
    .option('--notes <text>', 'a note for the drill log')
    .option('--json', 'print one JSON document')
    .action((id: string, opts: OutputOptions & { profile?: string; confirmDatabase?: string; full?: boolean; sample: number; notes?: string }) =>
      env.action(opts, async (core) => {
        // An unknown recovery is refused here, before a job is queued.
        const r = pitrStore.recovery(core, id);
        let confirm = opts.confirmDatabase;
        if (!confirm) {
          const database = resolveProfile(core, opts.profile ?? r.profile)[r.role].database;
          if (!process.stdin.isTTY || opts.json) {
            throw new AppError('Validation', 'Replacing production with a recovered copy needs a typed confirmation.', `Run it in a terminal, or add --confirm-database ${database}.`);
          }
          const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
          process.stderr.write(`This REPLACES the data in "${database}" with the copy recovered to ${r.targetUtc} (${r.id}).\nEverything written after that moment is lost from it. A safety backup is taken first.\n`);
          confirm = (await rl.question(`Type the database name (${database}) to continue: `)).trim();
          rl.close();
        }
        const d = await runJobFromCli<DrillSummary>(core, { kind: 'pitr.replace', profile: opts.profile ?? null, recoveryId: id, confirmDatabase: confirm, full: !!opts.full, sample: opts.sample, notes: opts.notes ?? '' }, opts);
        printResult(opts, drillJson(d), () => drillText(d));
        return d.state === 'passed';
      }),
    );
}
