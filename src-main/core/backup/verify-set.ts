import fs from 'node:fs';
import path from 'node:path';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { AppError } from '../common/errors';
import { readManifest, MANIFEST_NAME } from './manifest';
import { verifyBackupFile } from './verify-file';
import { loadBackupIdentity } from './recipients';
import { locateTool } from './tools';
import { setStore, type BackupCheck } from './set-store';

export interface SetVerifyResult {
  setId: string;
  dir: string;
  verified: boolean;
  checks: BackupCheck[];
  decrypted: boolean;
}

/**
 * `custodian backup verify ID|DIR`: re-checks any earlier set from its manifest. A folder without
 * a Custodian manifest (someone else's .dump files, or an interrupted set) is refused, not guessed.
 */
export async function verifyBackupSet(ctx: CoreContext, idOrDir: string, job?: JobContext): Promise<SetVerifyResult> {
  const record = setStore.get(ctx, idOrDir);
  const dir = record ? record.dir : path.resolve(idOrDir);
  if (!record && !fs.existsSync(path.join(dir, MANIFEST_NAME))) {
    const dumps = fs.existsSync(dir) && fs.statSync(dir).isDirectory() ? fs.readdirSync(dir).filter((f) => /\.(dump|sql|backup)(\.age)?$/i.test(f)) : [];
    throw new AppError(
      'NotFound',
      dumps.length ? `${dir} holds ${dumps.length} dump file(s) but no Custodian manifest, so they cannot be verified.` : `There is no backup set "${idOrDir}".`,
      dumps.length ? 'Only sets made by Custodian carry the checksums and counts needed to verify them; make a new backup with Custodian.' : 'See `custodian backup list` for the sets Custodian knows.',
    );
  }
  const manifest = readManifest(dir);
  const identity = manifest.encryption ? await loadBackupIdentity(ctx, manifest.deployment) : null;
  const serverMajor = Math.max(...manifest.files.map((f) => Number.parseInt(f.serverVersion, 10) || 0));
  const pgRestore = await locateTool(ctx, 'pg_restore', serverMajor);
  const checks: BackupCheck[] = [];
  for (const [i, f] of manifest.files.entries()) {
    job?.throwIfCancelled();
    job?.progress(i / manifest.files.length, `Checking ${f.file}`);
    checks.push(...(await verifyBackupFile(dir, f, { identities: identity ? [identity] : null, pgRestore: pgRestore?.path ?? null, signal: job?.signal })));
  }
  const verified = checks.every((c) => c.ok);
  if (record && record.state !== 'pruned') setStore.updateChecks(ctx, record.id, verified ? 'verified' : 'unverified', checks);
  return { setId: manifest.setId, dir, verified, checks, decrypted: identity !== null };
}
