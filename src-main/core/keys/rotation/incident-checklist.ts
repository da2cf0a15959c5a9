import type { CoreContext } from '../../context';
import { IncidentStepSchema, type IncidentStep, type RotationStatus } from '../../../contract/keys-rotation';
import { AppError } from '../../common/errors';
import { osUser } from '../../common/os-user';
import { getRotation, listRotations, setChecklistTick } from './rotation-store';
import { rotationStatusOf } from './post-backup-lookup';

/**
 * The scenario D checklist of an incident rotation ("key compromised"). Three steps Custodian
 * checks by itself; four only the user can do, and their ticks are kept with the rotation (who,
 * when) so the response is on record, in the app and in `custodian key incident`.
 */

export const USER_STEPS: readonly IncidentStep[] = IncidentStepSchema.options;

/** The steps in plain words (the CLI's; the app has its own translations). */
export const STEP_TEXT: Record<ChecklistItem['step'], string> = {
  rotated: 'Rotate to a new key and drop the compromised one',
  backupTaken: 'Take a fresh backup right after, pinned (older backups were made under the compromised key)',
  newEscrow: 'Make new escrow copies of the new key',
  revokeCopies: 'Revoke old copies: destroy old key sheets, key files and shares of the compromised key, and tell share holders',
  findLeak: 'Find where the key leaked (.env files, hosting settings, CI variables, shell history, messages, escrow holders)',
  otherSecrets: 'Change the other secrets that were stored with the key (database passwords, SECRET_KEY, e-mail passwords)',
  reviewAudit: 'Review the audit log for unusual exports and views since the suspected leak',
};

export interface ChecklistItem {
  step: 'rotated' | 'backupTaken' | 'newEscrow' | IncidentStep;
  done: boolean;
  /** "Custodian" for the steps it checks, else who ticked it. */
  by: string | null;
  at: string | null;
}

/** The whole checklist of an incident rotation; `escrowCopies` of the current key list. */
export function checklistOf(status: RotationStatus, escrowCopies: number): ChecklistItem[] {
  const completed = status.state === 'completed';
  const auto = (step: ChecklistItem['step'], done: boolean, at: string | null): ChecklistItem => ({ step, done, by: done ? 'Custodian' : null, at: done ? at : null });
  return [
    auto('rotated', completed, status.completedAt),
    auto('backupTaken', !!status.postBackup?.verified, status.postBackup?.createdAt ?? null),
    auto('newEscrow', completed && escrowCopies > 0, null),
    ...USER_STEPS.map((step) => {
      const t = status.checklist.find((c) => c.step === step);
      return { step, done: !!t, by: t?.by ?? null, at: t?.tickedAt ?? null };
    }),
  ];
}

/** The newest incident rotation of a deployment (under way or finished), if any. */
export function latestIncidentRotation(ctx: CoreContext, profile: string): RotationStatus | null {
  const r = listRotations(ctx.log, profile).find((x) => x.incident);
  return r ? rotationStatusOf(ctx, r) : null;
}

/** Ticks or unticks one of the user's steps of an incident rotation of `profile`. */
export function tickIncidentStep(ctx: CoreContext, profile: string, rotationId: string, step: IncidentStep, ticked: boolean): RotationStatus {
  const r = getRotation(ctx.log, rotationId);
  if (!r || r.profile !== profile) throw new AppError('NotFound', `No key rotation ${rotationId} for "${profile}".`, 'Open Keys > Rotation again: the rotation shown may be out of date.');
  if (!r.incident) {
    throw new AppError('Validation', 'This rotation was not started in incident mode, so it has no incident checklist.', 'If the key may have leaked, start the next rotation with "Key compromised" (or `custodian key rotate --incident`).');
  }
  setChecklistTick(ctx.log, r.id, step, ticked, osUser());
  return rotationStatusOf(ctx, getRotation(ctx.log, r.id)!);
}
