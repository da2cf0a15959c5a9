import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/errors';
import { runChild } from '../../jobs/runner';

/**
 * The Azure CLI (`az`), found on PATH and run without a shell; every call asks for JSON. Its
 * failures become typed errors: not logged in, no such server, no permission. Custodian never
 * handles Azure credentials itself: `az login` holds them.
 */

export function findAz(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const dirs = (platform === 'win32' ? (env.Path ?? env.PATH ?? '') : (env.PATH ?? '')).split(platform === 'win32' ? ';' : ':').filter(Boolean);
  const names = platform === 'win32' ? ['az.cmd', 'az.exe'] : ['az'];
  for (const d of dirs) {
    for (const n of names) {
      const p = path.join(d, n);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        if (fs.statSync(p).isFile()) return p;
      } catch {
        // not here
      }
    }
  }
  throw new AppError('ToolMissing', 'The Azure CLI (az) was not found on this computer.', 'Install it (https://learn.microsoft.com/cli/azure/install-azure-cli), run `az login`, then try again.');
}

export function azErrorToAppError(stderr: string, what: string): AppError {
  const text = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' ');
  if (/az login|AADSTS|not logged in|Please run 'az login'/i.test(text)) return new AppError('PgAuth', `Azure refused the request (${what}): you are not signed in.`, 'Run `az login` (and `az account set --subscription ...`), then try again.');
  if (/ResourceNotFound|ResourceGroupNotFound|was not found|could not be found/i.test(text)) return new AppError('NotFound', `Azure says the resource does not exist (${what}): ${text}`, 'Check the resource group and server names (`custodian pitr azure config`).');
  if (/AuthorizationFailed|does not have authorization/i.test(text)) return new AppError('Forbidden', `Your Azure account may not do this (${what}): ${text}`, 'Ask for the Contributor role on the resource group.');
  if (/already exists|NameAlreadyExists|ServerNameAlreadyExists/i.test(text)) return new AppError('Conflict', `A server with that name already exists (${what}).`, 'Choose another name for the restored server.');
  return new AppError('Internal', `az failed (${what}): ${text || 'no message'}`, 'Run the same command with `az ... --debug` to see why.');
}

export interface AzRunner {
  (args: string[], what: string, signal?: AbortSignal): Promise<unknown>;
}

/** A runner bound to one `az` executable; args never pass through a shell on POSIX. */
export function azRunner(env: NodeJS.ProcessEnv): AzRunner {
  const az = findAz(env);
  return async (args, what, signal) => {
    const full = [...args, '--output', 'json', '--only-show-errors'];
    // az on Windows is a .cmd script, which only cmd.exe can start; names are validated by the contract.
    const [cmd, argv] = process.platform === 'win32' ? ['cmd.exe', ['/d', '/s', '/c', az, ...full]] : [az, full];
    let out: string;
    try {
      out = (await runChild(cmd, argv, { env }, signal)).stdout;
    } catch (e) {
      if (e instanceof AppError && e.kind === 'Cancelled') throw e;
      const stderr = (e as { result?: { stderr?: string } }).result?.stderr ?? (e instanceof Error ? e.message : String(e));
      throw azErrorToAppError(stderr, what);
    }
    if (!out.trim()) return null;
    try {
      return JSON.parse(out) as unknown;
    } catch {
      throw new AppError('Internal', `az returned something that is not JSON (${what}).`, 'Update the Azure CLI.');
    }
  };
}
