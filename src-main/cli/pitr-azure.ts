import readline from 'node:readline/promises';
import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, table, type OutputOptions } from './output';
import { runJobFromCli } from './run-job';
import { checkLines } from './drill';
import { AppError } from '../core/common/errors';
import { resolveProfile } from '../core/connections/profile-store';
import { pitrStore } from '../core/pitr/pitr-store';
import { azureWindow } from '../core/pitr/azure/azure-restore';
import { formatLocal, parseTargetTime, systemZone } from '../core/pitr/target-time';
import { AzureConfigSchema, type AzureRestoreResult } from '../contract/pitr';

interface AzOpts extends OutputOptions {
  profile?: string;
}

/** `custodian pitr azure config|window|restore`: Azure Flexible Server through the az CLI. */
export function registerPitrAzureCommands(pitr: Command, env: CliEnv): void {
  const azure = pitr.command('azure').description('Azure Database for PostgreSQL Flexible Server: restore window and restore to a new server (uses `az`)');

  azure
    .command('config')
    .description('Name the Azure servers of a profile')
    .requiredOption('--resource-group <name>', 'resource group of the servers')
    .requiredOption('--server <name>', 'the main database’s Flexible Server')
    .option('--audit-server <name>', 'the audit database’s server, when it is a separate one')
    .option('--subscription <id>', 'Azure subscription (default: az’s current one)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((opts: AzOpts & { resourceGroup: string; server: string; auditServer?: string; subscription?: string }) =>
      env.action(opts, async (core) => {
        const p = resolveProfile(core, opts.profile);
        const parsed = AzureConfigSchema.safeParse({ resourceGroup: opts.resourceGroup, mainServer: opts.server, auditServer: opts.auditServer ?? null, subscription: opts.subscription ?? null });
        if (!parsed.success) throw new AppError('Validation', `Azure settings are not valid: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, 'Check the names as the Azure portal shows them.');
        const c = pitrStore.setAzure(core, p.name, parsed.data);
        printResult(opts, c, (x) => `Azure servers of "${p.name}": ${x.mainServer}${x.auditServer ? ` (audit: ${x.auditServer})` : ''} in ${x.resourceGroup}.`);
      }),
    );

  azure
    .command('window')
    .description('Show each server’s earliest restore point and retention')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((opts: AzOpts) =>
      env.action(opts, async (core) => {
        const w = await azureWindow(core, opts.profile ?? null);
        const zone = systemZone();
        printResult(opts, w, (x) =>
          table([
            ['ROLE', 'SERVER', 'STATE', 'EARLIEST RESTORE POINT', 'RETENTION'],
            ...x.servers.map((s) => [s.role, s.server, s.state, s.earliestRestore ? `${formatLocal(Date.parse(s.earliestRestore), zone)} = ${s.earliestRestore}` : '—', s.retentionDays === null ? '—' : `${s.retentionDays} days`]),
          ]),
        );
      }),
    );

  azure
    .command('restore')
    .description('Restore the servers to a time as NEW servers, then point the profile at them')
    .requiredOption('--to <time>', 'local time, time with a zone, or ISO with offset')
    .requiredOption('--new-server <name>', 'name of the new main server')
    .option('--new-audit-server <name>', 'name of the new audit server (when the audit database has its own server)')
    .option('--zone <iana>', 'time zone for times without one (default: this computer’s)')
    .option('--no-update-profile', 'leave the profile pointing at the old servers')
    .option('--confirm <name>', 'the new main server’s name, typed back (required without a terminal)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((opts: AzOpts & { to: string; newServer: string; newAuditServer?: string; zone?: string; updateProfile: boolean; confirm?: string }) =>
      env.action(opts, async (core) => {
        const p = resolveProfile(core, opts.profile);
        const t = parseTargetTime(opts.to, opts.zone ?? systemZone());
        let confirm = opts.confirm;
        if (!confirm) {
          if (!process.stdin.isTTY || opts.json) throw new AppError('Validation', 'An Azure restore creates new servers (billed) and re-points the profile; it needs a typed confirmation.', `Add --confirm ${opts.newServer}.`);
          const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
          process.stderr.write(`Restore to ${t.local} = ${t.utc} as new server ${opts.newServer}${opts.newAuditServer ? ` and ${opts.newAuditServer}` : ''}.\n`);
          confirm = (await rl.question(`Type the new server name (${opts.newServer}) to continue: `)).trim();
          rl.close();
        }
        if (confirm !== opts.newServer) throw new AppError('Validation', 'The confirmation did not match the new server’s name.', 'Nothing was started.');
        const r = await runJobFromCli<AzureRestoreResult>(core, { kind: 'pitr.azureRestore', profile: p.name, targetUtc: t.utc, newMainServer: opts.newServer, newAuditServer: opts.newAuditServer ?? null, updateProfile: opts.updateProfile }, opts);
        printResult(opts, r, (x) =>
          [
            `Restored to ${t.local} = ${x.targetUtc}:`,
            ...x.servers.map((s) => `  ${s.role}: ${s.source} → ${s.restored} (${s.fqdn}) ${s.state}`),
            x.profileUpdated ? `Profile "${x.profile}" now points at the new servers.` : 'The profile was not changed.',
            ...(x.lockdown.length ? ['Checks:', ...checkLines(x.lockdown)] : []),
            'Still to do by hand:',
            ...x.followUps.map((f) => `  • ${f}`),
          ].join('\n'),
        );
      }),
    );
}
