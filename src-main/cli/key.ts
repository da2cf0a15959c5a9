import fs from 'node:fs';
import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, readStdin, table, type OutputOptions } from './output';
import { AppError } from '../core/common/errors';
import { resolveProfile } from '../core/connections/profile-store';
import { custodyFor } from '../core/keys/custody';
import { generateKey, importKeyList } from '../core/keys/key-service';
import type { KeyCustody, KeyVerify } from '../contract/keys';
import type { ErrorKind } from '../contract/errors';
import { extractKeyList } from '../core/keys/key-list-text';
import { promptHidden } from './prompt';
import { registerKeyEscrowCommands } from './key-escrow';
import { registerKeyRotateCommands } from './key-rotate';

export { extractKeyList };

/**
 * `custodian key import|generate|list|verify`. A key list is read from a file or stdin, never from
 * argv (argv is visible to every user of the machine and lands in shell history).
 */

interface ProfileOpts extends OutputOptions {
  profile?: string;
}

export function registerKeyCommands(program: Command, env: CliEnv): void {
  const key = program.command('key').description('Keep the Fernet key list (FIELD_ENCRYPTION_KEY) in the OS keychain, with a custody record');

  key
    .command('import')
    .description('Import the key list from a file or standard input (never from the command line)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--from-file <path>', 'read the key list from this file (or a .env file with FIELD_ENCRYPTION_KEY=...)')
    .option('--replace', 'replace an existing key list (only if you are sure it is the right one)')
    .option('--json', 'print one JSON document')
    .action((opts: ProfileOpts & { fromFile?: string; replace?: boolean }) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        const text = opts.fromFile ? readKeyFile(opts.fromFile) : await readKeyFromStdin();
        const custody = await importKeyList(core, profile.name, text, { source: 'imported', replace: !!opts.replace });
        printResult(opts, custody, (c) => `Imported ${c.keys.filter((k) => k.retiredAt === null).length} key(s) for "${c.profile}" into the ${core.vault.backend}.\n${describeCustody(c)}\nNext: make an escrow copy, and run "custodian key verify" to check the list opens the database.`);
      }),
    );

  key
    .command('generate')
    .description('Generate a new key for a new deployment (refused when a key list exists)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((opts: ProfileOpts) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        const custody = await generateKey(core, profile.name);
        printResult(opts, custody, (c) => `Generated a new key for "${c.profile}" and saved it in the ${core.vault.backend}.\n${describeCustody(c)}\nNext: make an escrow copy before any data is encrypted with it.`);
      }),
    );

  key
    .command('list')
    .description('Show the key fingerprints, which one is primary and their age (never the keys)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((opts: ProfileOpts) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        const custody = await custodyFor(core, profile.name);
        printResult(opts, custody, describeCustody);
      }),
    );

  key
    .command('verify')
    .description('Decrypt a sample of real rows of every encrypted column with the key list')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--sample <n>', 'rows per column (half oldest, half newest)', '50')
    .option('--json', 'print one JSON document')
    .action((opts: ProfileOpts & { sample: string }) =>
      env.action(opts, async (core) => {
        const sample = Number(opts.sample);
        if (!Number.isInteger(sample) || sample < 1 || sample > 100_000) {
          throw new AppError('Validation', `--sample must be a whole number from 1 to 100000 (got "${opts.sample}").`, 'For example: --sample 200');
        }
        const profile = resolveProfile(core, opts.profile);
        // Through the job runner, so the run is recorded with its log like one started from the app.
        const jobId = core.jobs.start({ kind: 'keys.verify', profile: profile.name, sample });
        const stop = !opts.json && process.stderr.isTTY
          ? core.jobs.onEvent((ev) => {
              if (ev.jobId === jobId && ev.type === 'progress') process.stderr.write(`\r\x1b[K${ev.progress.message}`);
            })
          : () => {};
        const job = await core.jobs.wait(jobId);
        stop();
        if (!opts.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
        if (job.state !== 'succeeded') {
          const err = job.error ?? { kind: 'Internal', message: 'The check did not finish.' };
          throw new AppError(err.kind as ErrorKind, err.message, err.hint);
        }
        const report = job.result as KeyVerify;
        printResult(opts, report, describeVerify);
        return report.ok;
      }),
    );

  // Escrow, recovery and rotation live in their own files (issue 5).
  registerKeyEscrowCommands(key, env);
  registerKeyRotateCommands(key, env);
}

export function describeCustody(c: KeyCustody): string {
  if (c.keys.length === 0) return `No key is recorded for "${c.profile}". Import one with "custodian key import" or generate one with "custodian key generate".`;
  const now = Date.now();
  const rows = [['', 'FINGERPRINT', 'ROLE', 'AGE (DAYS)', 'SOURCE']];
  for (const k of c.keys) {
    const age = Math.floor((now - Date.parse(k.importedAt)) / 86_400_000);
    const role = k.retiredAt ? `retired ${k.retiredAt.slice(0, 10)}` : k.primary ? 'primary (encrypts)' : `decrypt only (#${k.position + 1})`;
    rows.push([k.primary ? '*' : '', k.fingerprint, role, String(age), k.source]);
  }
  const lines = [
    `Key list ${c.listFingerprint ?? '(none)'} for "${c.profile}"; ${c.inKeychain ? 'present in the keychain' : 'NOT in the keychain'}.`,
    table(rows),
    c.primaryAgeDays === null ? '' : `Primary key in use for ${c.primaryAgeDays} day(s).`,
    c.escrow.length ? `Escrow copies: ${c.escrow.map((e) => `${e.kind} (${e.createdAt.slice(0, 10)})`).join(', ')}.` : 'No escrow copy of this list is recorded.',
  ];
  if (!c.inKeychain) lines.push('Put the list back from your escrow copy with "custodian key recover" (or "custodian key import" from KoNote’s .env); never generate a new key.');
  return lines.filter(Boolean).join('\n');
}

function describeVerify(r: KeyVerify): string {
  const rows = [['COLUMN', 'CHECKED', 'DECRYPTED']];
  for (const c of r.columns) rows.push([`${c.schema}.${c.table}.${c.column}`, String(c.checked), String(c.decrypted)]);
  const head = r.ok
    ? `OK: all ${r.checked} sampled values in ${r.columns.length} columns decrypted with the key list (${r.empty} empty values skipped).`
    : `PROBLEM: ${r.checked - r.decrypted} of ${r.checked} sampled values did NOT decrypt with the key list.`;
  const failed = r.failed.slice(0, 20).map((f) => `  ${f.table}.${f.column} id ${f.id}`);
  const more = r.failed.length > 20 ? [`  ... and ${r.failed.length - 20} more (use --json for the full list)`] : [];
  const fix = r.ok ? [] : ['These rows are encrypted with a key that is not in the list. Find the missing key (escrow copies, older FIELD_ENCRYPTION_KEY values) and import the full list with --replace.'];
  return [head, table(rows), ...failed, ...more, ...fix].join('\n');
}

/** Reads a key file: either just the list, or a .env-style file with FIELD_ENCRYPTION_KEY=... */
export function readKeyFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AppError(code === 'ENOENT' ? 'NotFound' : 'Validation', `Could not read the key file ${file} (${code ?? 'error'}).`, 'Check the path and that you may read the file.');
  }
  return extractKeyList(text);
}

async function readKeyFromStdin(): Promise<string> {
  if (process.stdin.isTTY) return extractKeyList(await promptHidden('Paste the key list (FIELD_ENCRYPTION_KEY) and press Enter: '));
  return extractKeyList(await readStdin());
}
