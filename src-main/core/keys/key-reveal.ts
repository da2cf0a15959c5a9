import type { CoreContext } from '../context';
import type { KeyReveal } from '../../contract/keys-rotation';
import { keyListFingerprint, splitKeyList } from './fingerprint';
import { loadKeyList } from './key-service';
import { vaultAccounts } from './vault';

/**
 * The explicit "reveal" (architecture §4): the key list leaves the keychain only because the user
 * asked, to paste it into KoNote's environment during a rotation. Nothing here logs or records it;
 * the renderer shows it behind a warning and forgets it again.
 */
export async function revealKeyList(ctx: CoreContext, profile: string): Promise<KeyReveal> {
  await loadKeyList(ctx, profile); // KeyMissing / KeyMismatch with the recovery hint
  const keyList = (await ctx.vault.get(vaultAccounts.fernetKeys(profile)))!.trim();
  return { profile, listFingerprint: keyListFingerprint(keyList), keyList, envLine: `FIELD_ENCRYPTION_KEY=${keyList}`, keyCount: splitKeyList(keyList).length };
}
