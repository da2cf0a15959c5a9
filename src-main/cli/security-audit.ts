import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, type OutputOptions } from './output';
import { runJobFromCli } from './run-job';
import { intOption } from './drill';
import { resolveProfile } from '../core/connections/profile-store';
import { AppError } from '../core/common/errors';
import { SECURITY_CATEGORIES, type SecurityReport } from '../contract/audit';
import { exitCode } from '../core/security/result';

/**
 * `custodian security-audit`: KoNote's security_audit JSON shape ({timestamp, results, summary})
 * and exit codes (1 on FAIL, or on WARN with --fail-on-warn), with real checks behind it.
 */
export function registerSecurityAuditCommand(program: Command, env: CliEnv): void {
  program
    .command('security-audit')
    .description('Security check of a deployment: keys, decryption, roles, audit log, backups (exit 1 on FAIL)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--category <list>', `comma-separated: ${SECURITY_CATEGORIES.join(',')} (default: all)`)
    .option('--full', 'decrypt every row and re-hash every checkpoint (default: a sample)')
    .option('--sample <n>', 'rows per encrypted column when sampling', intOption, 50)
    .option('--fail-on-warn', 'exit 1 on warnings too')
    .option('--verbose', 'show the detail of passing checks too')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions & { profile?: string; category?: string; full?: boolean; sample: number; failOnWarn?: boolean; verbose?: boolean }) =>
      env.action(opts, async (core) => {
        const cats = (opts.category ?? SECURITY_CATEGORIES.join(',')).split(',').map((c) => c.trim().toUpperCase()).filter(Boolean);
        const unknown = cats.filter((c) => !(SECURITY_CATEGORIES as readonly string[]).includes(c));
        if (unknown.length || cats.length === 0) {
          throw new AppError('Validation', `Unknown categor${unknown.length === 1 ? 'y' : 'ies'}: ${unknown.join(', ') || '(none)'}.`, `Use any of ${SECURITY_CATEGORIES.join(', ')} (KoNote's CFG and DOC are Django settings Custodian cannot see).`);
        }
        const profile = resolveProfile(core, opts.profile);
        const r = await runJobFromCli<SecurityReport>(core, { kind: 'security.audit', profile: profile.name, categories: cats as (typeof SECURITY_CATEGORIES)[number][], full: !!opts.full, sample: opts.sample }, opts);
        printResult(opts, r, (x) =>
          [
            `Security check of "${x.profile}" (${x.timestamp})`,
            ...x.results.map((c) => `  ${c.status.padEnd(4)} ${c.check_id} ${c.description}${c.status !== 'PASS' || opts.verbose ? `\n         ${c.detail}` : ''}${c.fix && c.status !== 'PASS' ? `\n         Fix: ${c.fix}` : ''}`),
            `${x.summary.passed} passed, ${x.summary.warnings} warnings, ${x.summary.failed} failed, ${x.summary.skipped} skipped.`,
          ].join('\n'),
        );
        return exitCode(r.results, !!opts.failOnWarn) === 0;
      }),
    );
}
