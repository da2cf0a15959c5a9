import fs from 'node:fs';
import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, readStdin, type OutputOptions } from './output';
import { promptHidden } from './prompt';
import { AppError } from '../core/common/errors';
import { resolveProfile } from '../core/connections/profile-store';
import { escrowToFile, escrowToShares, escrowToSheet } from '../core/keys/escrow/escrow-service';
import { recoverKeyList } from '../core/keys/escrow/recover';
import type { EscrowCopyResult, RecoverResult, RecoverSource } from '../contract/keys-rotation';

/**
 * `custodian key escrow file|sheet|split` and `custodian key recover`. Passphrases, typed keys and
 * shares come from a file or stdin (a hidden prompt on a terminal), never from argv.
 */

interface ProfileOpts extends OutputOptions {
  profile?: string;
}

function readSecretFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError('NotFound', `Could not read the ${what} file ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`, 'Check the path and that you may read the file.');
  }
}

/** The passphrase: first line of --passphrase-file, of stdin, or typed twice at a hidden prompt. */
async function readPassphrase(file: string | undefined, confirm: boolean): Promise<string> {
  if (file) return firstLine(readSecretFile(file, 'passphrase'));
  if (!process.stdin.isTTY) return firstLine(await readStdin());
  const p = await promptHidden('Passphrase for the key file: ');
  if (confirm && (await promptHidden('Type it again: ')) !== p) throw new AppError('Validation', 'The two passphrases differ.', 'Run the command again and type the same passphrase twice.');
  return p;
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/)[0] ?? '';
  if (!line) throw new AppError('Validation', 'No passphrase was given.', 'Put the passphrase on the first line of the file or of standard input.');
  return line;
}

function describeCopy(r: EscrowCopyResult): string {
  const what = { file: 'Passphrase-protected key file', sheet: 'Printable key sheet', split: `Key split into ${r.holders.length} shares` }[r.kind];
  const lines = [`${what} for "${r.profile}" (key list ${r.listFingerprint}) written:`, ...r.files.map((f) => `  ${f}`)];
  if (r.kind === 'file') lines.push('Keep the passphrase apart from the file. Anyone can open it with: age -d <file>');
  if (r.kind === 'sheet') lines.push('Print it, seal it in an envelope, store it locked away, then delete the PDF.');
  if (r.kind === 'split') lines.push(`Give each holder only their page (${r.holders.join(', ')}), then delete the files.`);
  lines.push('Test the copy now and then with "custodian key recover --test-only".');
  return lines.join('\n');
}

export function registerKeyEscrowCommands(key: Command, env: CliEnv): void {
  const escrow = key.command('escrow').description('Make an escrow copy of the key list: passphrase file, printable sheet, or k-of-n shares');

  escrow
    .command('file')
    .description('Write the key list to an age file protected by a passphrase (readable with the `age` tool)')
    .requiredOption('--out <path>', 'file to write (e.g. on a USB stick); never overwritten')
    .option('--passphrase-file <path>', 'read the passphrase from this file (default: stdin or a hidden prompt)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((opts: ProfileOpts & { out: string; passphraseFile?: string }) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        const passphrase = await readPassphrase(opts.passphraseFile, true);
        printResult(opts, await escrowToFile(core, profile.name, passphrase, opts.out), describeCopy);
      }),
    );

  escrow
    .command('sheet')
    .description('Write a printable PDF key sheet (key, fingerprint, deployment, date, QR code)')
    .requiredOption('--out <path>', 'PDF to write; never overwritten')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((opts: ProfileOpts & { out: string }) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        printResult(opts, await escrowToSheet(core, profile.name, opts.out), describeCopy);
      }),
    );

  escrow
    .command('split')
    .description('Split the key list into shares (Shamir), one printable page per holder; any k rebuild it')
    .requiredOption('--holders <names>', 'comma-separated holder labels, e.g. "Director,Treasurer,IT"')
    .option('--threshold <k>', 'shares needed to recover', '2')
    .requiredOption('--out <path>', 'PDF to write (one page per holder); never overwritten')
    .option('--text-dir <dir>', 'also write one text file per share into this folder')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((opts: ProfileOpts & { holders: string; threshold: string; out: string; textDir?: string }) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        const threshold = Number(opts.threshold);
        const r = await escrowToShares(core, profile.name, { threshold, holders: opts.holders.split(','), pdfPath: opts.out, textDir: opts.textDir ?? null });
        printResult(opts, r, describeCopy);
      }),
    );

  key
    .command('recover')
    .description('Put the key list back into the keychain from an escrow copy (checked by fingerprint and against real rows)')
    .option('--from-file <path>', 'a passphrase-protected key file (passphrase from --passphrase-file, stdin or a prompt)')
    .option('--passphrase-file <path>', 'read the key file passphrase from this file')
    .option('--from-sheet', 'type or paste the key list from the printed sheet (stdin or a hidden prompt)')
    .option('--shares [files...]', 'share files, or shares one per line on stdin')
    .option('--test-only', 'only check the copy (and record it as tested); change nothing')
    .option('--skip-db-check', 'do not decrypt sample rows (when the database is unreachable)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((opts: ProfileOpts & { fromFile?: string; passphraseFile?: string; fromSheet?: boolean; shares?: string[] | boolean; testOnly?: boolean; skipDbCheck?: boolean }) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        const chosen = [opts.fromFile, opts.fromSheet, opts.shares].filter((x) => x !== undefined && x !== false).length;
        if (chosen !== 1) throw new AppError('Validation', 'Say where to recover from: exactly one of --from-file, --from-sheet or --shares.', 'For example: custodian key recover --from-file /media/usb/konote-keys.age');
        let source: RecoverSource;
        if (opts.fromFile) source = { kind: 'file', path: opts.fromFile, passphrase: await readPassphrase(opts.passphraseFile, false) };
        else if (opts.fromSheet) source = { kind: 'sheet', keyList: process.stdin.isTTY ? await promptHidden('Type the key list from the sheet: ') : await readStdin() };
        else {
          const text = Array.isArray(opts.shares) && opts.shares.length ? opts.shares.map((f) => readSecretFile(f, 'share')).join('\n') : await readStdin();
          // Comment lines (share files start with one) go; a share typed over several lines stays whole.
          source = { kind: 'shares', shares: text.split(/\r?\n/).filter((l) => l.trim() && !l.trim().startsWith('#')) };
        }
        const r = await recoverKeyList(core, profile.name, source, { checkDatabase: !opts.skipDbCheck, testOnly: !!opts.testOnly });
        printResult(opts, r, describeRecover);
      }),
    );
}

function describeRecover(r: RecoverResult): string {
  return [
    r.imported ? `Recovered key list ${r.listFingerprint} into the keychain for "${r.profile}".` : `The escrow copy holds key list ${r.listFingerprint}; nothing was changed (test only).`,
    r.matchedCustody ? 'It matches the custody record.' : 'No custody record existed for this profile; it is now recorded.',
    r.databaseCheck ? `It opened all ${r.databaseCheck.checked} sampled values in the database.` : 'The database was not checked (--skip-db-check).',
    r.copiesMarkedTested ? `${r.copiesMarkedTested} recorded escrow cop${r.copiesMarkedTested === 1 ? 'y is' : 'ies are'} now marked as tested.` : '',
  ].filter(Boolean).join('\n');
}
