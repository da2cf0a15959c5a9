import fs from 'node:fs';
import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, table, type OutputOptions } from './output';
import { runJobFromCli } from './run-job';
import { AppError } from '../core/common/errors';
import { resolveProfile } from '../core/connections/profile-store';
import { setStore } from '../core/backup/set-store';
import { pruneBackups } from '../core/backup/prune';
import { addRecipient, createBackupIdentity, listRecipients } from '../core/backup/recipients';
import { PIN_REASONS, type PinReason } from '../core/backup/retention';
import type { BackupRunResult } from '../core/backup/backup-set';
import type { SetVerifyResult } from '../core/backup/verify-set';

interface ProfileOpts extends OutputOptions {
  profile?: string;
}

const mb = (n: number | null) => (n === null ? '-' : `${(n / 1e6).toFixed(1)} MB`);

/** `custodian backup run|list|verify|prune|pin|unpin|identity|recipient`. */
export function registerBackupCommands(program: Command, env: CliEnv): void {
  const backup = program.command('backup').description('Verified, encrypted backup sets of both databases');

  backup
    .command('run')
    .description('Back up the main and audit databases as one verified set')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--target <dir>', 'folder for the set (default: the data folder’s backups/)')
    .option('--format <format>', 'custom (default) or plain', 'custom')
    .option('--no-encrypt', 'do not encrypt (not recommended: the dumps hold personal information)')
    .option('--no-globals', 'leave out the server\'s roles (pg_dumpall --globals-only, taken without passwords by default)')
    .option('--json', 'print one JSON document')
    .action((opts: ProfileOpts & { target?: string; format: string; encrypt: boolean; globals: boolean }) =>
      env.action(opts, async (core) => {
        if (opts.format !== 'custom' && opts.format !== 'plain') throw new AppError('Validation', `Unknown format "${opts.format}".`, 'Use --format custom or --format plain.');
        const profile = resolveProfile(core, opts.profile);
        const result = await runJobFromCli<BackupRunResult>(core, { kind: 'backup.run', profile: profile.name, target: opts.target, format: opts.format, encrypt: opts.encrypt, globals: opts.globals }, opts);
        printResult(opts, result, (r) =>
          [
            r.verified ? `Backup set ${r.setId} is VERIFIED.` : `Backup set ${r.setId} was written but is NOT verified — do not rely on it.`,
            `Folder: ${r.dir}`,
            table([['FILE', 'SIZE', 'SHA-256'], ...r.files.map((f) => [f.file, mb(f.bytes), f.sha256.slice(0, 16) + '…'])]),
            ...r.checks.filter((c) => !c.ok).map((c) => `FAILED ${c.check} ${c.file}: ${c.detail}`),
            r.keyListFingerprint ? `Needs the Fernet key list ${r.keyListFingerprint} to read the data.` : 'Warning: no Fernet key is in custody, so this set is not labelled with its key.',
          ].join('\n'),
        );
        return r(result);
      }),
    );

  backup
    .command('list')
    .description('Backup sets, newest first')
    .option('--profile <name>', 'only this deployment')
    .option('--json', 'print one JSON document')
    .action((opts: ProfileOpts) =>
      env.action(opts, async (core) => {
        const sets = setStore.list(core, opts.profile ? resolveProfile(core, opts.profile).name : undefined);
        printResult(opts, { sets }, ({ sets: s }) =>
          s.length === 0 ? 'No backup sets yet. Run "custodian backup run".' : table([['SET', 'STATE', 'SIZE', 'KEY', 'PINS'], ...s.map((x) => [x.id, x.state, mb(x.totalBytes), x.keyListFingerprint ?? '-', x.pins.join(',') || '-'])]),
        );
      }),
    );

  backup
    .command('verify <setIdOrFolder>')
    .description('Re-check an earlier set: SHA-256, decryption (when the identity is here) and archive listing')
    .option('--json', 'print one JSON document')
    .action((id: string, opts: OutputOptions) =>
      env.action(opts, async (core) => {
        const result = await runJobFromCli<SetVerifyResult>(core, { kind: 'backup.verify', setId: id }, opts);
        printResult(opts, result, (r) => [`${r.setId}: ${r.verified ? 'VERIFIED' : 'NOT VERIFIED'}`, ...r.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.check.padEnd(7)} ${c.file}: ${c.detail}`)].join('\n'));
        return result.verified;
      }),
    );

  backup
    .command('prune')
    .description('Delete sets outside the retention policy (daily 30 d, Mondays 90 d, 1st of month 1 y; pinned and newest verified always kept)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--dry-run', 'only show what would be deleted and why')
    .option('--yes', 'confirm deletion (required without --dry-run)')
    .option('--json', 'print one JSON document')
    .action((opts: ProfileOpts & { dryRun?: boolean; yes?: boolean }) =>
      env.action(opts, async (core) => {
        if (!opts.dryRun && !opts.yes) throw new AppError('Validation', 'Pruning deletes backup sets.', 'Run with --dry-run first to see what would go, then with --yes to delete.');
        const profile = resolveProfile(core, opts.profile);
        const result = pruneBackups(core, profile.name, { dryRun: !!opts.dryRun });
        printResult(opts, result, (r) =>
          [
            r.dryRun ? 'Dry run — nothing deleted.' : `Deleted ${r.entries.filter((e) => e.action === 'delete').length} set(s), freeing ${mb(r.freedBytes)}.`,
            table([['SET', r.dryRun ? 'WOULD' : 'DID', 'WHY'], ...r.entries.map((e) => [e.setId, e.action, e.reasons.join('; ')])]),
          ].join('\n'),
        );
      }),
    );

  for (const [verb, pinned] of [['pin', true], ['unpin', false]] as const) {
    backup
      .command(`${verb} <setId>`)
      .description(pinned ? 'Keep a set whatever its age' : 'Remove a pin')
      .option('--reason <reason>', `one of ${PIN_REASONS.join(', ')}`, 'manual')
      .option('--json', 'print one JSON document')
      .action((setId: string, opts: OutputOptions & { reason: string }) =>
        env.action(opts, async (core) => {
          if (!PIN_REASONS.includes(opts.reason as PinReason)) throw new AppError('Validation', `Unknown pin reason "${opts.reason}".`, `Use one of: ${PIN_REASONS.join(', ')}.`);
          const set = setStore.get(core, setId);
          if (!set) throw new AppError('NotFound', `There is no backup set "${setId}".`, 'See "custodian backup list".');
          setStore.setPins(core, setId, pinned ? [...set.pins, opts.reason as PinReason] : set.pins.filter((p) => p !== opts.reason));
          const after = setStore.get(core, setId)!;
          printResult(opts, after, (s) => `${s.id}: pins ${s.pins.join(', ') || 'none'}`);
        }),
      );
  }

  const identity = backup.command('identity').description('The age identity that backups are encrypted to');
  identity
    .command('create')
    .description('Create a backup identity, keep it in the keychain, and write one escrow copy to a file')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .requiredOption('--escrow-file <path>', 'where to write the identity for offline keeping (created with owner-only permissions)')
    .option('--json', 'print one JSON document')
    .action((opts: ProfileOpts & { escrowFile: string }) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        if (fs.existsSync(opts.escrowFile)) throw new AppError('Conflict', `${opts.escrowFile} already exists.`, 'Choose a new file name; Custodian never overwrites an escrow copy.');
        const { recipient, identity: secret } = await createBackupIdentity(core, profile.name);
        fs.writeFileSync(opts.escrowFile, `# Custodian backup identity for ${profile.name}, created ${new Date().toISOString()}\n# public key: ${recipient}\n${secret}\n`, { mode: 0o600, flag: 'wx' });
        printResult(opts, { profile: profile.name, recipient, escrowFile: opts.escrowFile }, (r) => `Created the backup identity for "${r.profile}" (public key ${r.recipient}).\nIt is in the keychain, and a copy is in ${r.escrowFile}: move that file offline (USB key, safe) — it is needed to restore.`);
      }),
    );
  const recipient = backup.command('recipient').description('Public keys (age recipients) that backups are encrypted to');
  recipient
    .command('add <ageRecipient>')
    .description('Also encrypt backups to this public key (e.g. an offline identity)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--label <text>', 'who holds the matching identity', 'offline identity')
    .option('--json', 'print one JSON document')
    .action((rcpt: string, opts: ProfileOpts & { label: string }) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        addRecipient(core, profile.name, rcpt, opts.label);
        const list = listRecipients(core, profile.name);
        printResult(opts, { recipients: list }, (r) => table([['RECIPIENT', 'LABEL', 'IN KEYCHAIN'], ...r.recipients.map((x) => [x.recipient, x.label, x.identityInKeychain ? 'yes' : 'no'])]));
      }),
    );
  recipient
    .command('list')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((opts: ProfileOpts) =>
      env.action(opts, async (core) => {
        const list = listRecipients(core, resolveProfile(core, opts.profile).name);
        printResult(opts, { recipients: list }, (r) => (r.recipients.length ? table([['RECIPIENT', 'LABEL', 'IN KEYCHAIN'], ...r.recipients.map((x) => [x.recipient, x.label, x.identityInKeychain ? 'yes' : 'no'])]) : 'No recipients: run "custodian backup identity create".'));
      }),
    );
}

/** Exit code of `backup run`: success only when the set is verified. */
function r(result: BackupRunResult): boolean {
  return result.verified;
}
