import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, type OutputOptions } from './output';
import { resolveProfile } from '../core/connections/profile-store';
import { applyLockdown, checkLockdown } from '../core/drill/lockdown';
import { checkLines } from './drill';

/** `custodian lockdown [--check]`: KoNote's audit lockdown, and the real protection it gives. */
export function registerLockdownCommand(program: Command, env: CliEnv): void {
  program
    .command('lockdown')
    .description('Apply the audit lockdown (writer may only SELECT and INSERT audit_log); --check only reports')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--check', 'report who owns audit_log and what the writer can do, without changing anything')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions & { profile?: string; check?: boolean }) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        const r = opts.check ? await checkLockdown(core, profile.name) : await applyLockdown(core, profile.name);
        printResult(opts, r, (x) =>
          [
            `${opts.check ? 'Audit lockdown check' : 'Audit lockdown applied'} on ${x.database}: ${x.status}`,
            ...(x.applied.length ? ['Ran:', ...x.applied.map((s) => `  ${s};`)] : []),
            `audit_log is owned by ${x.owner}; "${x.writer}" has ${x.writerPrivileges.join(', ') || 'no privileges'}.`,
            ...checkLines(x.findings),
          ].join('\n'),
        );
        return r.status !== 'FAIL';
      }),
    );
}
