import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, table, type OutputOptions } from './output';
import { runJobFromCli } from './run-job';
import { resolveProfile } from '../core/connections/profile-store';
import { checkLines, intOption } from './drill';
import type { VerificationReport } from '../contract/drills';

/** `custodian verify [--full]`: the verification suite on the live databases; exits non-zero on FAIL. */
export function registerVerifyCommand(program: Command, env: CliEnv): void {
  program
    .command('verify')
    .description('Check both databases: tables, counts, orphaned rows, migrations, decryption of every encrypted column, audit log order')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--full', 'decrypt every row (default: a sample of each column)')
    .option('--sample <n>', 'rows per encrypted column when sampling', intOption, 50)
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions & { profile?: string; full?: boolean; sample: number }) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        const r = await runJobFromCli<VerificationReport>(core, { kind: 'verify.run', profile: profile.name, full: !!opts.full, sample: opts.sample }, opts);
        printResult(opts, r, (v) =>
          [
            `Verification of "${profile.name}": ${v.status}`,
            ...checkLines(v.checks),
            '',
            table([['COLUMN', 'CHECKED', 'DECRYPTED', 'EMPTY', 'FAILED'], ...v.columns.map((c) => [`${c.table}.${c.column}`, String(c.checked), String(c.decrypted), String(c.empty), String(c.failed)])]),
          ].join('\n'),
        );
        return r.status !== 'FAIL';
      }),
    );
}
