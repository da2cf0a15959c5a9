import type { CoreContext } from '../context';
import type { Handlers } from '../ipc/dispatcher';
import { resolveProfile } from '../connections/profile-store';
import { custodyFor } from './custody';
import { generateKey, importKeyList } from './key-service';
import { escrowToFile, escrowToShares, escrowToSheet } from './escrow/escrow-service';
import { recoverKeyList } from './escrow/recover';
import { rotationStatus } from './rotation/rotation-service';
import { dropOldKey } from './rotation/drop-old';
import { rotationHistory } from './rotation/post-backup-lookup';
import { revealKeyList } from './key-reveal';
import { tickIncidentStep } from './rotation/incident-checklist';

type KeyChannels =
  | 'keys.custody' | 'keys.import' | 'keys.generate'
  | 'keys.escrow.file' | 'keys.escrow.sheet' | 'keys.escrow.split' | 'keys.recover' | 'keys.history'
  | 'keys.rotation.status' | 'keys.rotation.checklist' | 'keys.rotation.dropOld' | 'keys.reveal';

/** IPC handlers for the Keys page. The key list arrives once (import/recover) and is never sent back. */
export function keyHandlers(ctx: CoreContext): Pick<Handlers, KeyChannels> {
  const name = (profile: string) => resolveProfile(ctx, profile).name;
  return {
    'keys.custody': async ({ profile }) => custodyFor(ctx, name(profile)),
    'keys.import': async ({ profile, keyList, replace }) => importKeyList(ctx, name(profile), keyList, { source: 'imported', replace }),
    'keys.generate': async ({ profile }) => generateKey(ctx, name(profile)),
    'keys.escrow.file': async ({ profile, path, passphrase }) => escrowToFile(ctx, name(profile), passphrase, path),
    'keys.escrow.sheet': async ({ profile, path }) => escrowToSheet(ctx, name(profile), path),
    'keys.escrow.split': async ({ profile, path, threshold, holders, textDir }) => escrowToShares(ctx, name(profile), { threshold, holders, pdfPath: path, textDir }),
    'keys.recover': async ({ profile, source, checkDatabase, testOnly }) => recoverKeyList(ctx, name(profile), source, { checkDatabase, testOnly }),
    'keys.history': async ({ profile }) => ({ custody: await custodyFor(ctx, name(profile)), rotations: rotationHistory(ctx, name(profile)) }),
    'keys.rotation.status': async ({ profile, agency }) => {
      const s = rotationStatus(ctx, name(profile));
      return s && s.agency === agency ? s : null;
    },
    'keys.rotation.checklist': async ({ profile, rotationId, step, ticked }) => tickIncidentStep(ctx, name(profile), rotationId, step, ticked),
    'keys.rotation.dropOld': async ({ profile, agency }) => dropOldKey(ctx, name(profile), agency),
    'keys.reveal': async ({ profile }) => revealKeyList(ctx, name(profile)),
  };
}
