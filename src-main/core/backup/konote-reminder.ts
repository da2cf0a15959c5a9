import type { CoreContext } from '../context';
import type { Profile } from '../../contract/profiles';
import { withClient } from '../connections/pg-client';
import { quoteIdent } from '../common/sql';

/**
 * KoNote's own backup reminders read organization_profiles.backup_last_exported_at, which nothing
 * in KoNote sets. After a verified set we set it — when this user may. Returns true when the row
 * was updated, false when not permitted or absent (never an error: the backup itself succeeded).
 */
export async function markKonoteBackupExported(ctx: CoreContext, profile: Profile, at: Date): Promise<boolean> {
  try {
    return await withClient(ctx, profile.name, 'main', async (c) => {
      const schema = quoteIdent(profile.schemas[0] ?? 'public');
      const r = await c.query(`UPDATE ${schema}.organization_profiles SET backup_last_exported_at = $1 WHERE id = 1`, [at.toISOString()]);
      return (r.rowCount ?? 0) > 0;
    });
  } catch {
    return false;
  }
}
