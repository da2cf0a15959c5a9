import type { CoreContext } from '../../context';
import type { DropOldResult } from '../../../contract/keys-rotation';
import { AppError } from '../../common/errors';
import { withClient } from '../../connections/pg-client';
import { resolveProfile } from '../../connections/profile-store';
import { custodyFor } from '../custody';
import { importKeyList, retainRetiredKeys } from '../key-service';
import { splitKeyList } from '../fingerprint';
import { agencyKeys, masterKeys } from './rotation-scope';
import { activeRotation, getRotation, setRotationState } from './rotation-store';
import { rotationStatusOf } from './post-backup-lookup';

/**
 * The separate, explicit last step: only after a verification pass proved every value opens with
 * the new key alone, the list becomes "new" only. Old keys stay in the custody record, marked
 * retired (backups taken under them still need them). An audit row in KoNote's format records it.
 */
export async function dropOldKey(ctx: CoreContext, profileName: string, agency: string | null): Promise<DropOldResult> {
  const profile = resolveProfile(ctx, profileName);
  const rot = activeRotation(ctx.log, profile.name);
  if (!rot || rot.agency !== agency) throw new AppError('NotFound', `No key rotation of "${profile.name}"${agency ? ` agency ${agency}` : ''} is under way.`, 'There is nothing to drop.');
  if (rot.state !== 'verified') {
    throw new AppError('Conflict', 'The old key cannot be dropped yet: not every value has been shown to open with the new key alone.', 'Finish the rotation with `custodian key rotate --resume`; it ends with that check.');
  }
  const master = await masterKeys(ctx, profile.name);
  if (agency === null) {
    const [newKey, ...old] = splitKeyList(master.listText) as [string, ...string[]];
    // Old keys leave the working list but stay in the keychain for backups taken under them.
    await retainRetiredKeys(ctx, profile.name, old);
    await importKeyList(ctx, profile.name, newKey, { source: 'generated', replace: true });
  } else {
    await withClient(ctx, profile.name, 'main', async (client) => {
      const scope = await agencyKeys(client, master.keys, agency);
      const token = Buffer.from(master.keys.encrypt(splitKeyList(scope.listText)[0]!), 'ascii');
      const res = await client.query(`UPDATE public.tenant_keys SET encrypted_key = $1, rotated_at = now() WHERE id = $2::bigint AND encrypted_key = $3`, [token, scope.tenant!.id, scope.tenant!.token]);
      if (res.rowCount !== 1) throw new AppError('Conflict', 'The agency key changed while Custodian was dropping the old one.', 'Try again.');
    });
  }
  setRotationState(ctx.log, rot.id, 'completed');
  const done = getRotation(ctx.log, rot.id)!;
  const auditRowWritten = await writeAuditRow(ctx, profile.name, done);
  const status = rotationStatusOf(ctx, done);
  const steps = [...status.nextSteps];
  if (!auditRowWritten) steps.push('The audit row could not be written to the audit database; note the rotation in your own records.');
  return { status, custody: agency === null ? await custodyFor(ctx, profile.name) : null, auditRowWritten, nextSteps: steps };
}

/** KoNote's audit format: action "update", resource_type "encryption_key_rotation"; no key material. */
async function writeAuditRow(ctx: CoreContext, profile: string, r: NonNullable<ReturnType<typeof getRotation>>): Promise<boolean> {
  const sum = (k: 'reencrypted' | 'alreadyNew' | 'empty' | 'conflicts') => r.columns.reduce((n, c) => n + c[k], 0);
  const metadata = {
    tool: 'custodian',
    scope: r.agency === null ? 'master' : 'agency',
    agency_schema: r.agency,
    incident: r.incident,
    old_key_fingerprints: r.oldFingerprints,
    new_key_fingerprint: r.newFingerprint,
    columns: r.columns.length,
    reencrypted: sum('reencrypted'),
    already_new: sum('alreadyNew'),
    empty: sum('empty'),
    concurrent_changes: sum('conflicts'),
    started_at: r.startedAt,
    verified_at: r.verifiedAt,
  };
  try {
    await withClient(ctx, profile, 'audit', (c) =>
      c.query(
        `INSERT INTO audit_log (event_timestamp, user_id, user_display, ip_address, action, resource_type, resource_id, program_id, old_values, new_values, metadata, is_demo_context, is_confidential_context, tenant_schema)
         VALUES (now(), NULL, 'Custodian', NULL, 'update', 'encryption_key_rotation', NULL, NULL, NULL, NULL, $1::jsonb, false, false, $2)`,
        [JSON.stringify(metadata), r.agency ?? ''],
      ),
    );
    return true;
  } catch {
    return false;
  }
}
