import fs from 'node:fs';
import type { CoreContext } from '../../context';
import type { RecoverResult, RecoverSource } from '../../../contract/keys-rotation';
import { AppError } from '../../common/errors';
import { MultiFernet } from '../fernet';
import { keyListFingerprint } from '../fingerprint';
import { readKeyListRecord } from '../custody';
import { importKeyList, verifyKeys } from '../key-service';
import { extractKeyList } from '../key-list-text';
import { decryptKeyFile } from './key-file';
import { combineShares } from './shares';
import { markEscrowTested } from './escrow-service';

/**
 * Recovery from an escrow copy (key file, key sheet typed or scanned, or k shares) into the
 * keychain. Before anything is written the list is checked twice: its fingerprint against the
 * custody record (is this the list this deployment uses?), and, unless skipped, by decrypting a
 * sample of real rows (does it open this database?). `testOnly` runs the checks and records the
 * escrow copy as tested without touching the keychain — the periodic "does our envelope work?".
 */

export interface RecoverOptions {
  checkDatabase: boolean;
  testOnly: boolean;
  sample?: number;
}

async function listFromSource(source: RecoverSource): Promise<{ keyList: string; kind: string }> {
  switch (source.kind) {
    case 'file': {
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(source.path);
      } catch (e) {
        throw new AppError('NotFound', `Could not read the key file ${source.path} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`, 'Check the path (e.g. that the USB stick is plugged in).');
      }
      return { keyList: extractKeyList(await decryptKeyFile(bytes, source.passphrase)), kind: 'file' };
    }
    case 'sheet':
      return { keyList: extractKeyList(source.keyList.replace(/\s+/g, '')), kind: 'sheet' };
    case 'shares':
      return { keyList: (await combineShares(source.shares)).keyList, kind: 'split' };
  }
}

export async function recoverKeyList(ctx: CoreContext, profile: string, source: RecoverSource, opts: RecoverOptions): Promise<RecoverResult> {
  const { keyList, kind } = await listFromSource(source);
  const keys = MultiFernet.parse(keyList); // KeyInvalid for a damaged copy
  const fp = keyListFingerprint(keyList);
  const record = readKeyListRecord(ctx.log, profile);
  if (record && record.listFingerprint !== fp) {
    throw new AppError(
      'KeyMismatch',
      `This escrow copy holds key list ${fp}, but "${profile}" records list ${record.listFingerprint}.`,
      'It is probably a copy from before a key rotation. Find the copy made after the last rotation (its fingerprint is printed on it); nothing was changed.',
    );
  }
  let databaseCheck = null;
  if (opts.checkDatabase) {
    databaseCheck = await verifyKeys(ctx, profile, { sample: opts.sample ?? 20, keys });
    if (!databaseCheck.ok) {
      throw new AppError('KeyMismatch', `The recovered key list did not open ${databaseCheck.checked - databaseCheck.decrypted} of ${databaseCheck.checked} sampled values.`, 'This copy is not the key list this database uses; nothing was changed. Try another escrow copy.');
    }
  }
  if (!opts.testOnly) {
    // replace only when custody vouches for this exact list (a keychain with a damaged entry).
    await importKeyList(ctx, profile, keyList, { source: 'recovered', replace: record !== null });
  }
  const tested = markEscrowTested(ctx, profile, kind, fp);
  return { profile, listFingerprint: fp, matchedCustody: record !== null, imported: !opts.testOnly, copiesMarkedTested: tested, databaseCheck };
}
