/**
 * The packaged app has the RunAsNode fuse off, so scheduled jobs cannot run `node custodian.mjs`;
 * they run `<Custodian executable> --cli <verb> ...` instead (see core/schedules/service.ts). This
 * turns the process's argv into the argv commander expects, or null when the app should open its
 * window as usual. Pure, so it is unit-tested without Electron.
 */
export function cliArgvFrom(processArgv: readonly string[]): string[] | null {
  const at = processArgv.indexOf('--cli');
  if (at < 0) return null;
  // commander reads argv[2..]: keep two leading entries (program, "script") then the verb.
  return [processArgv[0] ?? 'custodian', 'custodian', ...processArgv.slice(at + 1)];
}
