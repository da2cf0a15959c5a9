import type { CoreContext } from '../../context';
import type { RotationStatus } from '../../../contract/keys-rotation';
import { setStore } from '../../backup/set-store';
import { listRotations, type RotationRecord } from './rotation-store';
import { statusOf, type PostBackup } from './rotation-steps';

/**
 * Which backup set is a rotation's "post-rotation backup": the newest set of the same deployment
 * pinned "post-key-rotation" and started after the rotation was verified (so every value in it is
 * already under the new key). Looked up from the backup log rather than stored twice.
 */

export const POST_ROTATION_PIN = 'post-key-rotation' as const;

export function findPostRotationBackup(ctx: CoreContext, r: RotationRecord): PostBackup {
  if (!r.verifiedAt) return null;
  const set = setStore
    .list(ctx, r.profile)
    .find((s) => s.pins.includes(POST_ROTATION_PIN) && s.createdAt >= r.verifiedAt! && s.state !== 'failed' && s.state !== 'running');
  return set ? { setId: set.id, createdAt: set.createdAt, state: set.state, verified: set.state === 'verified' } : null;
}

/** A rotation as the contract shows it, with its post-rotation backup. */
export function rotationStatusOf(ctx: CoreContext, r: RotationRecord): RotationStatus {
  return statusOf(r, findPostRotationBackup(ctx, r));
}

export function rotationHistory(ctx: CoreContext, profile: string): RotationStatus[] {
  return listRotations(ctx.log, profile).map((r) => rotationStatusOf(ctx, r));
}
