import readline from 'node:readline/promises';
import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, type OutputOptions } from './output';
import { runJobFromCli } from './run-job';
import { AppError } from '../core/common/errors';
import { resolveProfile } from '../core/connections/profile-store';
import { drillJson, drillText, intOption } from './drill';
import type { DrillSummary } from '../contract/drills';

/**
 * `custodian restore --set ID`: a real restore into production. It asks for the main database's
 * name to be typed back; without a terminal it refuses unless --confirm-database NAME is given.
 */
export function registerRestoreCommand(program: Command, env: CliEnv): void {
  program
    .command('restore')
    .description('Replace the production databases with a backup set (safety backup first, then lockdown and verification)')
    .requiredOption('--set <id>', 'the backup set to restore')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--to <target>', 'where to restore: "production" (the only target; drills go to scratch databases)', 'production')
    .option('--confirm-database <name>', 'the main database’s name, typed back (required without a terminal)')
    .option('--confirm <name>', 'the same as --confirm-database')
    .option('--full', 'decrypt every row when verifying (default: a sample)')
    .option('--sample <n>', 'rows per encrypted column when sampling', intOption, 50)
    .option('--notes <text>', 'a note for the drill log')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions & { set: string; to: string; profile?: string; confirmDatabase?: string; confirm?: string; full?: boolean; sample: number; notes?: string }) =>
      env.action(opts, async (core) => {
        if (opts.to !== 'production') throw new AppError('Validation', `"--to ${opts.to}" is not a restore target.`, 'A restore replaces production (--to production). To rehearse into scratch databases, run "custodian drill run --set ID".');
        const profile = resolveProfile(core, opts.profile);
        let confirm = opts.confirmDatabase ?? opts.confirm;
        if (!confirm) {
          if (!process.stdin.isTTY || opts.json) {
            throw new AppError('Validation', 'A restore replaces the production databases and needs a typed confirmation.', `Run it in a terminal, or add --confirm-database ${profile.main.database}.`);
          }
          const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
          process.stderr.write(`This REPLACES the data in "${profile.main.database}" and "${profile.audit.database}" on ${profile.main.host} with backup set ${opts.set}.\nA safety backup is taken first.\n`);
          confirm = (await rl.question(`Type the database name (${profile.main.database}) to continue: `)).trim();
          rl.close();
        }
        const d = await runJobFromCli<DrillSummary>(core, { kind: 'restore.run', profile: profile.name, setId: opts.set, confirmDatabase: confirm, full: !!opts.full, sample: opts.sample, notes: opts.notes ?? '' }, opts);
        printResult(opts, drillJson(d), () => drillText(d));
        return d.state === 'passed';
      }),
    );
}
