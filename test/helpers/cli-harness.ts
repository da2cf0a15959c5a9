import { Command } from 'commander';
import { vi } from 'vitest';
import type { CliEnv } from '../../src-main/cli/main';
import { printError } from '../../src-main/cli/output';
import type { CoreContext } from '../../src-main/core/context';

export interface CliRun {
  out: string;
  code: number | string | undefined;
  json(): Record<string, unknown>;
}

/**
 * Runs `custodian <verb> ...` in-process on a given core, exactly as src-main/cli/main.ts wires a
 * verb group (same error printing and exit codes), capturing stdout. For unit tests of CLI
 * conventions; the real binary is exercised by the keychain/integration tests.
 */
export function cliRunner(core: CoreContext, register: (program: Command, env: CliEnv) => void): (...args: string[]) => Promise<CliRun> {
  const env: CliEnv = {
    core: () => core,
    async action(opts, body) {
      try {
        if ((await body(core)) === false) process.exitCode = 1;
      } catch (e) {
        printError(opts, e);
        process.exitCode = 1;
      }
    },
  };
  return async (...args: string[]) => {
    const program = new Command('custodian').exitOverride();
    register(program, env);
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    process.exitCode = 0;
    try {
      await program.parseAsync(['node', 'custodian', ...args]);
    } finally {
      spy.mockRestore();
      errSpy.mockRestore();
    }
    const code = process.exitCode;
    process.exitCode = 0;
    return { out, code, json: () => JSON.parse(out) as Record<string, unknown> };
  };
}
