import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, table, type OutputOptions } from './output';
import { runDoctor } from '../core/connections/doctor';

/** `custodian doctor`: tools, keychain and profiles; exit 1 when something essential is missing. */
export function registerDoctorCommand(program: Command, env: CliEnv): void {
  program
    .command('doctor')
    .description('Check this computer: PostgreSQL tools, keychain, and whether each profile’s databases answer')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions) =>
      env.action(opts, async (core) => {
        const r = await runDoctor(core);
        printResult(opts, r, (x) => {
          const tools = table([['TOOL', 'VERSION', 'FOUND AT'], ...x.tools.map((t) => [t.tool, t.version ?? '-', t.path ?? 'not found'])]);
          const keychain = x.keychain.available ? `Keychain: ${x.keychain.backend} (available)` : `Keychain: ${x.keychain.backend} NOT available. ${x.keychain.detail ?? ''}`;
          const profiles = x.profiles.length
            ? table([['PROFILE', 'MAIN', 'AUDIT', 'DETAIL'], ...x.profiles.map((p) => [p.name, p.main ? 'ok' : 'FAIL', p.audit ? 'ok' : 'FAIL', p.detail ?? ''])])
            : 'No connection profiles yet (add one with "custodian profile add", or practise with "custodian sandbox up").';
          const verdict = x.ok ? 'Everything Custodian needs is here.' : 'Something essential is missing: see above (pg_dump, pg_restore and psql and a working keychain are required).';
          return [tools, '', keychain, '', profiles, '', `Data folder: ${x.dataFolder}`, verdict].join('\n');
        });
        return r.ok;
      }),
    );
}
