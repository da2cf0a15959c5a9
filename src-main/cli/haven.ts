import fs from 'node:fs';
import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, readStdin, type OutputOptions } from './output';
import { AppError } from '../core/common/errors';
import { dropPreviousHavenKeys, extractMasterKeyHex, havenKeyStatus, setHavenKey } from '../core/haven/master-key';
import { havenDecrypt, havenRewrap, havenVerify } from '../core/haven/haven-service';
import type { HavenKeyStatus } from '../contract/haven';

/**
 * `custodian haven key|decrypt|verify|rewrap`: Haven HMIS bundles, offline. The master key is read
 * from standard input or a file into the keychain, never from the command line.
 */

const warn = (w: string[]) => (w.length ? `\nWARNING: ${w.join('\nWARNING: ')}` : '');
const describeKey = (k: HavenKeyStatus) =>
  k.present ? `Haven master key: ${k.bits}-bit, fingerprint ${k.fingerprint}.${k.previous.length ? `\nPrevious keys kept: ${k.previous.map((p) => `${p.fingerprint} (replaced ${p.retiredAt})`).join(', ')}` : ''}${warn(k.warnings)}` : 'No Haven master key is stored.';

export function registerHavenCommands(program: Command, env: CliEnv): void {
  const haven = program.command('haven').description('Haven HMIS export bundles (.enc): decrypt, verify, re-wrap under a new master key');
  const key = haven.command('key').description('The Haven master key (KMS_MASTER_KEY_HEX) in the OS keychain');
  key
    .command('set')
    .description('Store the master key from standard input or a file; the key it replaces is kept as "previous"')
    .option('--from-file <path>', 'read the hex key from this file')
    .option('--json', 'print one JSON document')
    .action((o: OutputOptions & { fromFile?: string }) =>
      env.action(o, async (core) => {
        const text = o.fromFile ? fs.readFileSync(o.fromFile, 'utf8') : await readStdin();
        const hex = extractMasterKeyHex(text);
        const s = await setHavenKey(core, hex);
        printResult(o, s, (k) => `Stored in the ${core.vault.backend}.\n${describeKey(k)}`);
      }),
    );
  key
    .command('show')
    .description('Fingerprints and strength warnings (never the key)')
    .option('--json', 'print one JSON document')
    .action((o: OutputOptions) => env.action(o, async (core) => printResult(o, await havenKeyStatus(core), describeKey)));
  key
    .command('drop-previous')
    .description('Forget previous keys replaced more than N days ago (SOP-005 keeps them 30 days)')
    .option('--older-than-days <n>', 'age in days', '30')
    .option('--json', 'print one JSON document')
    .action((o: OutputOptions & { olderThanDays: string }) =>
      env.action(o, async (core) => {
        const days = Number(o.olderThanDays);
        if (!Number.isInteger(days) || days < 0) throw new AppError('Validation', '--older-than-days takes a whole number of days.', 'For example --older-than-days 30.');
        printResult(o, await dropPreviousHavenKeys(core, days), describeKey);
      }),
    );

  haven
    .command('decrypt <file>')
    .description('Decrypt a .enc bundle into its ZIP (what `openssl enc -aes-256-gcm` cannot do)')
    .requiredOption('--out <zip>', 'where to write the ZIP (must not exist)')
    .option('--json', 'print one JSON document')
    .action((file: string, o: OutputOptions & { out: string }) =>
      env.action(o, async (core) => {
        const r = await havenDecrypt(core, file, o.out);
        printResult(o, r, (x) => `Decrypted ${x.file} → ${x.out} (${x.bytes} bytes, ${x.keyUsed} master key).${warn(x.warnings)}\nThe ZIP holds personal information: keep it on an encrypted disk and delete it when done.`);
      }),
    );

  haven
    .command('verify <file>')
    .description('Check what can be checked in a bundle, and say plainly what cannot')
    .option('--json', 'print one JSON document')
    .action((file: string, o: OutputOptions) =>
      env.action(o, async (core) => {
        const r = await havenVerify(core, file);
        const mark = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', 'not-verifiable': 'NOT VERIFIABLE' } as const;
        printResult(o, r, (x) => [`${x.file}: ${x.ok ? 'no failed checks' : 'FAILED'}`, ...x.checks.map((c) => `  ${mark[c.status].padEnd(14)} ${c.label}: ${c.detail}`)].join('\n'));
        return r.ok;
      }),
    );

  haven
    .command('rewrap <dir>')
    .description('Re-wrap the data key of every .enc in a folder under the current master key (body untouched, atomic per file)')
    .option('--dry-run', 'check every file opens and decrypts intact; change nothing')
    .option('--json', 'print one JSON document')
    .action((dir: string, o: OutputOptions & { dryRun?: boolean }) =>
      env.action(o, async (core) => {
        const r = await havenRewrap(core, dir, !!o.dryRun, o.json ? undefined : (f, a) => process.stderr.write(`${a}: ${f}\n`));
        printResult(o, r, (x) => `${x.dryRun ? 'Dry run: nothing changed. ' : ''}${x.files.filter((f) => f.action === 'rewrapped').length} re-wrapped, ${x.files.filter((f) => f.action === 'would-rewrap').length} to re-wrap, ${x.files.filter((f) => f.action === 'already-current').length} already current, ${x.failed} failed.\n${x.files.filter((f) => f.action === 'failed' || f.action === 'skipped').map((f) => `  ${f.action}: ${f.file} — ${f.detail}`).join('\n')}${warn(x.warnings)}`);
        return r.failed === 0;
      }),
    );
}
