import fs from 'node:fs';
import path from 'node:path';
import type { CoreContext } from '../../context';
import type { EscrowCopyResult } from '../../../contract/keys-rotation';
import { AppError } from '../../common/errors';
import { writeFileAtomic } from '../../common/atomic-file';
import { keyListFingerprint } from '../fingerprint';
import { loadKeyList } from '../key-service';
import { vaultAccounts } from '../vault';
import { encryptKeyFile } from './key-file';
import { renderKeySheet, renderSharePages } from './key-sheet';
import { splitKeyList } from './shares';

/**
 * Making escrow copies of a deployment's key list and recording them in the custody record
 * (escrow_copies: kind, list fingerprint, when made, when last tested). The files hold key
 * material, so they are written 0600, atomically (partial → fsync → rename), and their paths are
 * the only thing returned.
 */

export type EscrowKind = 'file' | 'sheet' | 'split';

async function currentList(ctx: CoreContext, profile: string): Promise<string> {
  await loadKeyList(ctx, profile); // KeyMissing / KeyMismatch when the keychain lost or changed it
  return (await ctx.vault.get(vaultAccounts.fernetKeys(profile)))!.trim();
}

/** Writes a secret file atomically with owner-only permissions; refuses to overwrite. */
export function writeSecretFile(file: string, data: Uint8Array | string): void {
  const target = path.resolve(file);
  if (fs.existsSync(target)) {
    throw new AppError('Conflict', `${target} already exists; Custodian does not overwrite escrow copies.`, 'Choose a new file name, or move the old copy away first.');
  }
  const dir = path.dirname(target);
  if (!fs.existsSync(dir)) throw new AppError('NotFound', `The folder ${dir} does not exist.`, 'Choose an existing folder (e.g. your USB stick).');
  writeFileAtomic(target, typeof data === 'string' ? data : Buffer.from(data));
}

export function recordEscrowCopy(ctx: CoreContext, profile: string, kind: string, listFingerprint: string, now = new Date()): void {
  ctx.log.prepare(`INSERT INTO escrow_copies (profile, kind, list_fingerprint, created_at, last_tested_at) VALUES (?, ?, ?, ?, NULL)`).run(profile, kind, listFingerprint, now.toISOString());
}

/** Marks every recorded copy of this kind (and list) as tested now; returns how many. */
export function markEscrowTested(ctx: CoreContext, profile: string, kind: string, listFingerprint: string, now = new Date()): number {
  return ctx.log
    .prepare(`UPDATE escrow_copies SET last_tested_at = ? WHERE profile = ? AND list_fingerprint = ? AND (kind = ? OR kind LIKE ? || ':%')`)
    .run(now.toISOString(), profile, listFingerprint, kind, kind).changes;
}

export async function escrowToFile(ctx: CoreContext, profile: string, passphrase: string, outPath: string, opts: { workFactor?: number } = {}): Promise<EscrowCopyResult> {
  const list = await currentList(ctx, profile);
  const fp = keyListFingerprint(list);
  writeSecretFile(outPath, await encryptKeyFile(list, passphrase, opts.workFactor));
  recordEscrowCopy(ctx, profile, 'file', fp);
  return { profile, kind: 'file', listFingerprint: fp, files: [path.resolve(outPath)], holders: [] };
}

export async function escrowToSheet(ctx: CoreContext, profile: string, outPath: string, now = new Date()): Promise<EscrowCopyResult> {
  const list = await currentList(ctx, profile);
  const fp = keyListFingerprint(list);
  writeSecretFile(outPath, await renderKeySheet(list, { deployment: profile, date: now }));
  recordEscrowCopy(ctx, profile, 'sheet', fp, now);
  return { profile, kind: 'sheet', listFingerprint: fp, files: [path.resolve(outPath)], holders: [] };
}

/**
 * k-of-n split: one PDF with a page per holder, plus (optionally) one text file per share so each
 * holder can also keep it in their own password manager.
 */
export async function escrowToShares(
  ctx: CoreContext,
  profile: string,
  opts: { threshold: number; holders: string[]; pdfPath: string; textDir?: string | null },
  now = new Date(),
): Promise<EscrowCopyResult> {
  const holders = opts.holders.map((h) => h.trim()).filter(Boolean);
  if (new Set(holders).size !== holders.length) throw new AppError('Validation', 'Each share holder must be named once.', 'Give each person a distinct label, e.g. "Director", "Treasurer", "IT".');
  const list = await currentList(ctx, profile);
  const shares = await splitKeyList(list, opts.threshold, holders.length);
  const files = [path.resolve(opts.pdfPath)];
  writeSecretFile(opts.pdfPath, await renderSharePages(shares, holders, { deployment: profile, date: now }));
  if (opts.textDir) {
    shares.forEach((s, i) => {
      const f = path.join(opts.textDir!, `${profile}-key-share-${s.index}-of-${s.total}.txt`);
      writeSecretFile(f, `# KoNote key share ${s.index} of ${s.total} for ${holders[i]} (${profile}, key list ${s.listFingerprint}); any ${s.threshold} rebuild the key.\n${s.text}\n`);
      files.push(path.resolve(f));
    });
  }
  recordEscrowCopy(ctx, profile, `split:${opts.threshold}of${holders.length}`, shares[0]!.listFingerprint, now);
  return { profile, kind: 'split', listFingerprint: shares[0]!.listFingerprint, files, holders };
}
