import type { RotationStatus } from '../../../contract/keys-rotation';
import type { RotationRecord } from './rotation-store';

export type PostBackup = RotationStatus['postBackup'];

/** The last step of every rotation: a fresh backup, pinned so retention never deletes it. */
function backupStep(post: PostBackup): string {
  if (!post) return 'Take the post-rotation backup now (`custodian key post-rotation-backup`, or Keys > Rotation): it is pinned "post-key-rotation" so it is never pruned.';
  return post.verified
    ? `Post-rotation backup ${post.setId} was taken and verified, and is pinned "post-key-rotation".`
    : `Post-rotation backup ${post.setId} is pinned but did NOT pass verification; take another one (\`custodian key post-rotation-backup\`).`;
}

/** What the user must do at each stage, in plain words (the wizard and the CLI show these). */
export function nextStepsFor(r: RotationRecord, post: PostBackup = null): string[] {
  const olds = r.oldFingerprints.join(', ');
  if (r.agency !== null) {
    if (r.state === 'completed') return [`Agency "${r.agency}" now uses only key ${r.newFingerprint}. Restart KoNote so it reloads agency keys.`, backupStep(post)];
    return [
      `Agency "${r.agency}" now reads with keys ${r.newFingerprint} (new) and ${olds} (old); its key list is stored in tenant_keys, so KoNote's environment does not change. Restart KoNote so it reloads agency keys.`,
      r.state === 'verified' ? 'Every value opens with the new key. Drop the old key with `custodian key drop-old --yes`.' : 'Finish re-encrypting with `custodian key rotate --resume`.',
    ];
  }
  if (r.state === 'completed') {
    return [
      `In KoNote's environment set FIELD_ENCRYPTION_KEY to the new key alone (fingerprint ${r.newFingerprint}) and restart KoNote (web and background workers).`,
      `Old key(s) ${olds} stay in custody, marked retired, for backups taken before today.`,
      backupStep(post),
      'Make new escrow copies of the new key (file, sheet or shares) and destroy the old ones.',
    ];
  }
  return [
    `Make an escrow copy of the new list now (\`custodian key escrow file\`): it is also how you copy it into KoNote.`,
    `In KoNote's environment set FIELD_ENCRYPTION_KEY to "new,old" (fingerprints ${r.newFingerprint} then ${olds}) and restart KoNote, so new data is written with the new key while old data still opens.`,
    r.state === 'verified' ? 'Every value opens with the new key. Drop the old key with `custodian key drop-old --yes`.' : 'Then let the re-encryption finish (`custodian key rotate --resume` continues after a stop).',
  ];
}

const INCIDENT_BACKUP = 'Incident: take a fresh backup as soon as the rotation finishes, pin it, and keep it apart from older backups (those were made under the compromised key).';

/** Scenario D (key compromised): what to do besides rotating. */
export const INCIDENT_CHECKLIST = [
  INCIDENT_BACKUP,
  'Incident: revoke old copies — destroy old key sheets, key files and shares of the compromised key; make new escrow copies of the new key only.',
  'Incident: find the leak — check who could read KoNote\'s environment (.env files, container or App Service settings, CI variables, shell history, chat and e-mail), rotate those secrets and access, and review the audit log for unusual exports.',
];

/** `post` is the pinned post-rotation backup (see post-backup-lookup.ts), when the caller knows it. */
export function statusOf(r: RotationRecord, post: PostBackup = null): RotationStatus {
  return {
    ...r,
    columns: r.columns.map(({ lastPk: _lastPk, ...c }) => c),
    // The incident's "fresh backup" step goes once the pinned post-rotation backup is verified.
    nextSteps: r.incident ? [...nextStepsFor(r, post), ...INCIDENT_CHECKLIST.filter((step) => step !== INCIDENT_BACKUP || !post?.verified)] : nextStepsFor(r, post),
    postBackup: post,
  };
}
