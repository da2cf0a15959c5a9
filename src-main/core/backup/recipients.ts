import type { CoreContext } from '../context';
import { vaultAccounts } from '../keys/vault';
import { assertAgeRecipient, createAgeIdentity } from './age-stream';
import { AppError } from '../common/errors';

export interface BackupRecipient {
  recipient: string;
  label: string;
  createdAt: string;
  identityInKeychain: boolean;
}

/**
 * Backups are encrypted to age recipients (public keys). The matching identity is needed only to
 * restore; Custodian can keep one in the keychain (created by the wizard), but a deployment may
 * instead hold it offline and give Custodian only the recipient.
 */
export function listRecipients(ctx: CoreContext, profile: string): BackupRecipient[] {
  const rows = ctx.log.prepare(`SELECT recipient, label, created_at, identity_in_keychain FROM backup_recipients WHERE profile = ? ORDER BY created_at`).all(profile) as {
    recipient: string;
    label: string;
    created_at: string;
    identity_in_keychain: number;
  }[];
  return rows.map((r) => ({ recipient: r.recipient, label: r.label, createdAt: r.created_at, identityInKeychain: r.identity_in_keychain === 1 }));
}

export function addRecipient(ctx: CoreContext, profile: string, recipient: string, label: string): BackupRecipient {
  assertAgeRecipient(recipient);
  const createdAt = new Date().toISOString();
  ctx.log
    .prepare(`INSERT INTO backup_recipients (profile, recipient, label, created_at, identity_in_keychain) VALUES (?, ?, ?, ?, 0) ON CONFLICT (profile, recipient) DO UPDATE SET label = excluded.label`)
    .run(profile, recipient.trim(), label, createdAt);
  return listRecipients(ctx, profile).find((r) => r.recipient === recipient.trim())!;
}

/**
 * Creates a new X25519 identity, stores it in the keychain and registers its recipient. Returns
 * the identity exactly once so the wizard can show it for escrow (print / file); it is not
 * logged or stored anywhere else.
 */
export async function createBackupIdentity(ctx: CoreContext, profile: string): Promise<{ recipient: string; identity: string }> {
  await ctx.vault.assertAvailable();
  const existing = await ctx.vault.get(vaultAccounts.ageIdentity(profile));
  if (existing) {
    throw new AppError('Conflict', `A backup identity for "${profile}" is already in the keychain.`, 'Keep using it; to replace it, remove it first — sets made with it then need its escrow copy to be restored.');
  }
  const { identity, recipient } = await createAgeIdentity();
  await ctx.vault.set(vaultAccounts.ageIdentity(profile), identity);
  ctx.log
    .prepare(`INSERT INTO backup_recipients (profile, recipient, label, created_at, identity_in_keychain) VALUES (?, ?, ?, ?, 1)`)
    .run(profile, recipient, 'Custodian backup identity (in this computer’s keychain)', new Date().toISOString());
  return { recipient, identity };
}

/** The identity from the keychain, or null when it is kept offline. */
export async function loadBackupIdentity(ctx: CoreContext, profile: string): Promise<string | null> {
  return ctx.vault.get(vaultAccounts.ageIdentity(profile));
}
