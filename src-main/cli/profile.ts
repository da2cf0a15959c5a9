import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, readStdin, table, type OutputOptions } from './output';
import { AppError } from '../core/common/errors';
import { listProfiles, removeProfile, resolveProfile, saveProfile } from '../core/connections/profile-store';
import { testProfile } from '../core/connections/test-connection';
import type { EndpointTest, Profile } from '../contract/profiles';

/**
 * `custodian profile add|list|test|remove`. Passwords come from standard input
 * (--password-stdin), never from argv, which other users of the machine can see.
 */

interface AddOpts extends OutputOptions {
  mainHost: string;
  mainPort: string;
  mainDb: string;
  mainUser: string;
  auditHost?: string;
  auditPort?: string;
  auditDb: string;
  auditUser: string;
  sslmode: string;
  mainSslmode?: string;
  auditSslmode?: string;
  schemas: string;
  passwordStdin?: boolean;
}

/** First line: main password; second line: audit password (the same as main when absent). */
export function parsePasswordLines(text: string): { main: string; audit: string } | null {
  const lines = text.split(/\r?\n/);
  const main = lines[0] ?? '';
  if (!main) return null;
  const audit = lines[1] ? lines[1] : main;
  return { main, audit };
}

const port = (v: string) => (/^\d+$/.test(v) ? Number(v) : Number.NaN);

function describeProfile(p: Profile): string {
  const ep = (e: Profile['main']) => `${e.user}@${e.host}:${e.port}/${e.database} (sslmode ${e.sslmode})`;
  return `${p.name}${p.sandbox ? ' (practice sandbox)' : ''}\n  main:  ${ep(p.main)}\n  audit: ${ep(p.audit)}\n  schemas: ${p.schemas.join(', ')}`;
}

function describeEndpoint(e: EndpointTest): string {
  if (!e.reachable) return `${e.role}: FAILED — ${e.error?.message ?? 'not reachable'}${e.error?.hint ? `\n  What to do: ${e.error.hint}` : ''}`;
  const attrs = [e.superuser ? 'superuser' : null, e.createRole ? 'can create roles' : null, e.createDb ? 'can create databases' : null, e.replication ? 'replication' : null].filter(Boolean);
  const owner = e.role === 'audit' ? `; audit_log owner: ${e.auditLogOwner ?? 'table not found'}${e.ownsAuditLog ? ' (this user)' : ''}` : '';
  return `${e.role}: ok — PostgreSQL ${e.serverVersion}, user ${e.user}${attrs.length ? ` (${attrs.join(', ')})` : ''}, TLS ${e.ssl ? 'on' : 'off'}, ${e.latencyMs} ms${owner}`;
}

export function registerProfileCommands(program: Command, env: CliEnv): void {
  const profile = program.command('profile').description('Connection profiles: a KoNote deployment’s main and audit databases');

  profile
    .command('add <name>')
    .description('Add or update a profile (passwords via --password-stdin, never on the command line)')
    .option('--main-host <host>', 'main database host', 'localhost')
    .option('--main-port <port>', 'main database port', '5432')
    .option('--main-db <name>', 'main database name', 'konote')
    .option('--main-user <user>', 'main database user', 'konote')
    .option('--audit-host <host>', 'audit database host (default: the main host)')
    .option('--audit-port <port>', 'audit database port (default: the main port)')
    .option('--audit-db <name>', 'audit database name', 'konote_audit')
    .option('--audit-user <user>', 'audit database user', 'audit_writer')
    .option('--sslmode <mode>', 'disable | allow | prefer | require | verify-ca | verify-full (Azure needs require)', 'prefer')
    .option('--main-sslmode <mode>', 'sslmode for the main database only')
    .option('--audit-sslmode <mode>', 'sslmode for the audit database only')
    .option('--schemas <list>', 'comma-separated schemas to manage', 'public')
    .option('--password-stdin', 'read the main password (first line) and the audit password (second line, or the same) from standard input')
    .option('--json', 'print one JSON document')
    .action((name: string, opts: AddOpts) =>
      env.action(opts, async (core) => {
        let passwords: { main: string; audit: string } | null = null;
        if (opts.passwordStdin) {
          passwords = parsePasswordLines(await readStdin());
          if (!passwords) throw new AppError('Validation', 'No password was given on standard input.', 'Pipe the password in, e.g. from a password manager: first line main, second line audit.');
        }
        const saved = await saveProfile(core, {
          name,
          main: { host: opts.mainHost, port: port(opts.mainPort), database: opts.mainDb, user: opts.mainUser, sslmode: (opts.mainSslmode ?? opts.sslmode) as never },
          audit: { host: opts.auditHost ?? opts.mainHost, port: port(opts.auditPort ?? opts.mainPort), database: opts.auditDb, user: opts.auditUser, sslmode: (opts.auditSslmode ?? opts.sslmode) as never },
          schemas: opts.schemas.split(',').map((s) => s.trim()).filter(Boolean),
          ...(passwords ? { mainPassword: passwords.main, auditPassword: passwords.audit } : {}),
        });
        printResult(opts, saved, (p) => `Saved profile ${describeProfile(p)}\n${passwords ? `Passwords are in the ${core.vault.backend}.` : 'No password stored (add one with --password-stdin if the server needs it).'}\nNext: custodian profile test "${p.name}"`);
      }),
    );

  profile
    .command('list')
    .description('List profiles (never their passwords)')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions) =>
      env.action(opts, async (core) => {
        const profiles = listProfiles(core);
        printResult(opts, { profiles }, ({ profiles: ps }) =>
          ps.length === 0
            ? 'No profiles yet. Add one with "custodian profile add NAME ...", or run "custodian sandbox up".'
            : table([['NAME', 'MAIN', 'AUDIT', 'SSL'], ...ps.map((p) => [p.name + (p.sandbox ? ' (sandbox)' : ''), `${p.main.host}:${p.main.port}/${p.main.database}`, `${p.audit.host}:${p.audit.port}/${p.audit.database}`, p.main.sslmode])]),
        );
      }),
    );

  profile
    .command('test [name]')
    .description('Connect to both databases and report version, privileges and the audit_log owner')
    .option('--json', 'print one JSON document')
    .action((name: string | undefined, opts: OutputOptions) =>
      env.action(opts, async (core) => {
        const report = await testProfile(core, resolveProfile(core, name).name);
        printResult(opts, report, (r) => `Profile ${r.profile}: ${r.ok ? 'both databases answer' : 'NOT OK'}\n${describeEndpoint(r.main)}\n${describeEndpoint(r.audit)}`);
        return report.ok;
      }),
    );

  profile
    .command('remove <name>')
    .description('Remove a profile and its stored passwords (needs --yes)')
    .option('--yes', 'confirm the removal')
    .option('--json', 'print one JSON document')
    .action((name: string, opts: OutputOptions & { yes?: boolean }) =>
      env.action(opts, async (core) => {
        const p = resolveProfile(core, name);
        if (!opts.yes) {
          throw new AppError('Validation', `Not removing "${p.name}" without confirmation.`, `This deletes the profile and its stored passwords. Run again with --yes: custodian profile remove "${p.name}" --yes`);
        }
        const removed = await removeProfile(core, p.name);
        printResult(opts, { profile: p.name, removed }, (r) => `Removed profile "${r.profile}" and its stored passwords.`);
      }),
    );
}
