import { Command, CommanderError } from 'commander';
import { createCore, closeCore, appVersion } from '../core/create-core';
import type { CoreContext } from '../core/context';
import { printError, type OutputOptions } from './output';
import { registerDoctorCommand } from './doctor';
import { registerProfileCommands } from './profile';
import { registerKeyCommands } from './key';
import { registerSandboxCommands } from './sandbox';
import { registerJobCommands } from './jobs';
import { registerBackupCommands } from './backup';
import { registerPitrCommands } from './pitr';
import { registerScheduleCommands } from './schedule';
import { registerDrillCommands } from './drill';
import { registerVerifyCommand } from './verify';
import { registerLockdownCommand } from './lockdown';
import { registerRestoreCommand } from './restore';
import { registerAuditCommands } from './audit';
import { registerSecurityAuditCommand } from './security-audit';
import { registerExportCommands } from './exports';
import { registerHavenCommands } from './haven';

/** Shared by every verb: lazily builds the core once, and always closes it. */
export interface CliEnv {
  core(): CoreContext;
  /** Runs a verb body with the CLI's error conventions; sets the exit code. */
  action<O extends OutputOptions>(opts: O, body: (core: CoreContext) => Promise<boolean | void>): Promise<void>;
}

export function buildProgram(): { program: Command; env: CliEnv; dispose(): Promise<void> } {
  let core: CoreContext | null = null;
  const env: CliEnv = {
    core() {
      core ??= createCore();
      return core;
    },
    async action(opts, body) {
      try {
        const ok = await body(env.core());
        if (ok === false) process.exitCode = 1;
      } catch (e) {
        printError(opts, e);
        process.exitCode = 1;
      }
    },
  };
  const program = new Command('custodian')
    .description('Backups, restore drills, key custody and audit review for KoNote deployments.')
    .version(appVersion())
    .showHelpAfterError('(run with --help for usage)');
  registerDoctorCommand(program, env);
  registerProfileCommands(program, env);
  registerKeyCommands(program, env);
  registerSandboxCommands(program, env);
  registerBackupCommands(program, env);
  registerPitrCommands(program, env);
  registerScheduleCommands(program, env);
  registerDrillCommands(program, env);
  registerVerifyCommand(program, env);
  registerLockdownCommand(program, env);
  registerRestoreCommand(program, env);
  registerAuditCommands(program, env);
  registerSecurityAuditCommand(program, env);
  registerExportCommands(program, env);
  registerHavenCommands(program, env);
  registerJobCommands(program, env);
  return {
    program,
    env,
    async dispose() {
      if (core) await closeCore(core);
    },
  };
}

export async function main(argv: string[]): Promise<void> {
  const { program, dispose } = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are "errors" to commander; usage mistakes exit 2 with commander's message.
      if (e.code !== 'commander.helpDisplayed' && e.code !== 'commander.version' && e.code !== 'commander.help') process.exitCode = e.exitCode === 0 ? 0 : 2;
    } else {
      printError({ json: argv.includes('--json') }, e);
      process.exitCode = 1;
    }
  } finally {
    await dispose();
  }
}
