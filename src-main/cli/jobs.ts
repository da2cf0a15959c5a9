import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, table } from './output';

/** `custodian jobs list|log`: the same persisted jobs the app shows (scheduled runs included). */
export function registerJobCommands(program: Command, env: CliEnv): void {
  const jobs = program.command('jobs').description('Jobs run by Custodian (from the app or the command line)');
  jobs
    .command('list')
    .description('Recent jobs, newest first')
    .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 20)
    .option('--json', 'one JSON document on stdout')
    .action((opts: { limit: number; json?: boolean }) =>
      env.action(opts, async (core) => {
        const list = core.jobs.list(opts.limit);
        printResult(opts, { jobs: list }, ({ jobs: js }) =>
          js.length === 0
            ? 'No jobs yet.'
            : table([['STARTED (UTC)', 'STATE', 'JOB'], ...js.map((j) => [j.createdAt.replace('T', ' ').slice(0, 19), j.state, j.title])]),
        );
      }),
    );
  jobs
    .command('log <jobId>')
    .description('The log of one job')
    .option('--json', 'one JSON document on stdout')
    .action((jobId: string, opts: { json?: boolean }) =>
      env.action(opts, async (core) => {
        const lines = core.jobs.logAfter(jobId, 0);
        printResult(opts, { jobId, lines }, ({ lines: ls }) => ls.map((l) => `${l.at} ${l.level.toUpperCase()} ${l.text}`).join('\n') || 'No log lines.');
      }),
    );
}
