import fs from 'node:fs';
import path from 'node:path';
import type { CoreContext } from '../context';
import type { HavenDecryptResult, HavenRewrapReport, HavenVerifyReport } from '../../contract/haven';
import { AppError } from '../common/errors';
import { loadHavenKeys } from './master-key';
import { decryptBundleToFile, rewrapBundle } from './bundle-file';
import { verifyBundle } from './verify-bundle';

/** The three Haven runbook steps that do not work as written, done offline with the keychain key. */

export async function havenDecrypt(ctx: CoreContext, file: string, out: string): Promise<HavenDecryptResult> {
  const { keys, warnings } = await loadHavenKeys(ctx);
  if (fs.existsSync(out)) throw new AppError('Conflict', `${out} already exists.`, 'Choose a new output name, or move the existing file away. Nothing was written.');
  const r = await decryptBundleToFile(file, out, keys);
  return { file, out, bytes: r.bytes, keyUsed: r.keyIndex === 0 ? 'current' : 'previous', warnings };
}

export async function havenVerify(ctx: CoreContext, file: string): Promise<HavenVerifyReport> {
  const { keys, warnings } = await loadHavenKeys(ctx);
  return verifyBundle(file, keys, warnings);
}

/**
 * Re-wraps every `.enc` directly in `dir` under the current master key (set the new key first
 * with `haven key set`; the old one stays as "previous" and opens the not-yet-re-wrapped files).
 * Each file is done atomically on its own; a failure is reported and the rest continue. Running
 * it again is safe: files already under the current key are left alone.
 */
export async function havenRewrap(
  ctx: CoreContext,
  dir: string,
  dryRun: boolean,
  onFile?: (file: string, action: string) => void,
  /** Called before each file (the job reports progress and stops here when cancelled, between files). */
  beforeFile?: (file: string, index: number, total: number) => void,
): Promise<HavenRewrapReport> {
  const { keys, warnings } = await loadHavenKeys(ctx);
  let names: fs.Dirent[];
  try {
    names = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw new AppError('NotFound', `Cannot read the folder ${dir} (${(e as NodeJS.ErrnoException).code ?? String(e)}).`, 'Give the folder that holds the .enc bundles.');
  }
  const report: HavenRewrapReport = { dir, dryRun, files: [], failed: 0, warnings };
  const bundles = names.filter((n) => n.name.endsWith('.enc')).sort((a, b) => a.name.localeCompare(b.name));
  for (const [index, ent] of bundles.entries()) {
    const file = path.join(dir, ent.name);
    beforeFile?.(file, index, bundles.length);
    if (!ent.isFile()) {
      report.files.push({ file, action: 'skipped', detail: ent.isSymbolicLink() ? 'A symbolic link: not followed.' : 'Not a regular file.' });
      continue;
    }
    try {
      const action = await rewrapBundle(file, keys, keys[0]!, dryRun);
      const detail = { rewrapped: 'Data key re-wrapped; body unchanged; decrypts under the current key.', 'would-rewrap': 'Opens with a previous key and decrypts intact; would be re-wrapped.', 'already-current': 'Already under the current master key.' }[action];
      report.files.push({ file, action, detail });
    } catch (e) {
      report.failed += 1;
      report.files.push({ file, action: 'failed', detail: e instanceof Error ? e.message : String(e) });
    }
    onFile?.(file, report.files[report.files.length - 1]!.action);
  }
  return report;
}
