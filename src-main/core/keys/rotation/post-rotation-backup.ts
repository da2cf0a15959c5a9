import type { CoreContext } from '../../context';
import type { JobContext } from '../../jobs/runner';
import type { PostRotationBackupResult } from '../../../contract/keys-rotation';
import { AppError } from '../../common/errors';
import { resolveProfile } from '../../connections/profile-store';
import { runBackupSet } from '../../backup/backup-set';
import { setStore } from '../../backup/set-store';
import { activeRotation, listRotations } from './rotation-store';
import { POST_ROTATION_PIN } from './post-backup-lookup';

/**
 * The fresh backup the runbook asks for right after a rotation (and scenario D's "fresh backup"):
 * a normal, verified backup set of both databases, pinned "post-key-rotation" so retention never
 * deletes it — it is the first set that needs only the new key. Refused until the rotation has
 * been verified: before that the data is still partly under the old key.
 */
export async function postRotationBackup(ctx: CoreContext, spec: { profile: string; target?: string }, job: JobContext): Promise<PostRotationBackupResult> {
  const profile = resolveProfile(ctx, spec.profile);
  const active = activeRotation(ctx.log, profile.name);
  const rot = active ?? listRotations(ctx.log, profile.name).find((r) => r.state === 'completed') ?? null;
  if (!rot) throw new AppError('NotFound', `"${profile.name}" has no key rotation to back up after.`, 'Run a key rotation first (`custodian key rotate --dry-run`, then `custodian key rotate`).');
  if (rot.state === 'rotating') {
    throw new AppError('Conflict', 'The rotation has not finished: some values may still be under the old key.', 'Finish it with `custodian key rotate --resume` (it ends with the check), then take the backup.');
  }
  job.log('info', `Post-rotation backup for rotation to key ${rot.newFingerprint} (${rot.state === 'completed' ? 'old key dropped' : 'old key still in the list'}).`);
  const r = await runBackupSet(ctx, { profile: profile.name, target: spec.target }, job);
  const set = setStore.get(ctx, r.setId);
  if (!set) throw new AppError('Internal', `Backup set ${r.setId} is missing from the log.`);
  setStore.setPins(ctx, r.setId, [...set.pins, POST_ROTATION_PIN]);
  job.log(r.verified ? 'info' : 'error', r.verified ? `Backup set ${r.setId} verified and pinned "${POST_ROTATION_PIN}".` : `Backup set ${r.setId} is pinned "${POST_ROTATION_PIN}" but did not pass verification; take another.`);
  return { rotationId: rot.id, setId: r.setId, dir: r.dir, verified: r.verified, keyListFingerprint: r.keyListFingerprint, pins: setStore.get(ctx, r.setId)!.pins };
}
