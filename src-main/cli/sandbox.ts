import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, type OutputOptions } from './output';
import { AppError } from '../core/common/errors';
import { sandboxDown, sandboxStatus, sandboxUp, type SandboxStatus } from '../core/sandbox/sandbox-service';

/** `custodian sandbox up|down|status`: the local practice deployment. */

function describe(s: SandboxStatus): string {
  if (!s.exists) return `No sandbox (folder ${s.folder}). Create one with "custodian sandbox up".`;
  return `Sandbox ${s.running ? `running on 127.0.0.1:${s.port}` : 'stopped'} — ${s.clients ?? '?'} clients, created ${s.createdAt ?? '?'}\nFolder: ${s.folder}\nProfile "sandbox": ${s.profile ? 'registered' : 'missing'}`;
}

/** Job-like reporter for the CLI: progress lines on stderr (stdout stays clean for --json), Ctrl+C cancels. */
function cliProgress(json: boolean) {
  const controller = new AbortController();
  let last = '';
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  return {
    signal: controller.signal,
    progress(fraction: number | null, message: string) {
      if (json || message === last) return;
      last = message;
      process.stderr.write(`${fraction === null ? '     ' : `${String(Math.round(fraction * 100)).padStart(3)}% `} ${message}\n`);
    },
    log(level: 'info' | 'warn' | 'error', text: string) {
      if (!json && level !== 'info') process.stderr.write(`${level.toUpperCase()}: ${text}\n`);
    },
    throwIfCancelled() {
      if (controller.signal.aborted) throw new AppError('Cancelled', 'Cancelled (Ctrl+C).', 'Nothing was kept; run the command again when ready.');
    },
    dispose: () => process.removeListener('SIGINT', onSigint),
  };
}

export function registerSandboxCommands(program: Command, env: CliEnv): void {
  const sandbox = program.command('sandbox').description('A local practice KoNote deployment with synthetic, encrypted data');

  sandbox
    .command('up')
    .description('Start the sandbox, creating it first if needed (registers the "sandbox" profile)')
    .option('--clients <n>', 'number of synthetic clients when creating', (v) => Number.parseInt(v, 10), 200)
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions & { clients: number }) =>
      env.action(opts, async (core) => {
        if (!Number.isInteger(opts.clients) || opts.clients < 1 || opts.clients > 1_000_000) {
          throw new AppError('Validation', '--clients must be a whole number from 1 to 1,000,000.', 'For example: custodian sandbox up --clients 500');
        }
        const reporter = cliProgress(!!opts.json);
        try {
          const r = await sandboxUp(core, { clients: opts.clients }, reporter);
          printResult(opts, r, (x) => `${x.created ? 'Created' : 'Started'} the practice sandbox.\n${describe(x)}\nNext: custodian profile test sandbox`);
        } finally {
          reporter.dispose();
        }
      }),
    );

  sandbox
    .command('down')
    .description('Stop the sandbox and delete it (its folder, profile and key), or only stop it with --keep-data')
    .option('--keep-data', 'only stop the server; keep the data for next time')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions & { keepData?: boolean }) =>
      env.action(opts, async (core) => {
        const r = await sandboxDown(core, { keepData: !!opts.keepData });
        printResult(opts, r, (x) => (x.removed ? 'Stopped and removed the sandbox, its profile and its key.' : `Stopped the sandbox; data kept in ${x.folder}.`));
      }),
    );

  sandbox
    .command('status')
    .description('Is there a sandbox, and is it running?')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions) =>
      env.action(opts, async (core) => {
        printResult(opts, sandboxStatus(core), describe);
      }),
    );
}
