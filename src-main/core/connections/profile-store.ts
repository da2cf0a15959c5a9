import { ProfileInputSchema, ProfileSchema, type Profile, type ProfileInput } from '../../contract/profiles';
import type { CoreContext } from '../context';
import { AppError } from '../common/errors';
import { vaultAccounts } from '../keys/vault';

/**
 * Connection profiles: one row per KoNote deployment in the SQLite log's `profiles` table.
 * Passwords never touch SQLite: they go to the keychain (vault) under
 * `vaultAccounts.dbPassword(profile, 'main' | 'audit')`.
 */

interface ProfileRow {
  name: string;
  profile_json: string;
  created_at: string;
  updated_at: string;
}

function rowToProfile(row: ProfileRow): Profile {
  return ProfileSchema.parse(JSON.parse(row.profile_json));
}

export function listProfiles(ctx: CoreContext): Profile[] {
  const rows = ctx.log.prepare(`SELECT * FROM profiles ORDER BY name COLLATE NOCASE`).all() as ProfileRow[];
  return rows.map(rowToProfile);
}

function findProfile(ctx: CoreContext, name: string): Profile | null {
  const row = ctx.log.prepare(`SELECT * FROM profiles WHERE name = ?`).get(name) as ProfileRow | undefined;
  return row ? rowToProfile(row) : null;
}

export function getProfile(ctx: CoreContext, name: string): Profile {
  const p = findProfile(ctx, name);
  if (!p) {
    const names = listProfiles(ctx).map((x) => x.name);
    throw new AppError(
      'NotFound',
      `There is no connection profile named "${name}".`,
      names.length ? `Known profiles: ${names.join(', ')}. Check the spelling, or add it with \`custodian profile add\`.` : 'Add a profile first (`custodian profile add`), or run `custodian sandbox up` to practise on a sandbox.',
    );
  }
  return p;
}

/** Turns a zod failure into a Validation error naming the first bad field in plain words. */
function parseInput(input: unknown) {
  const parsed = ProfileInputSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length ? first.path.join('.') : 'profile';
    throw new AppError('Validation', `The profile is not valid: ${where}: ${first?.message ?? 'invalid value'}.`, 'Correct that field and save again. Nothing was saved.');
  }
  return parsed.data;
}

/**
 * Creates or updates a profile. Order matters: validate everything, check the keychain works
 * (when there are passwords to store), store the passwords, and only then write the row — so a
 * failing keychain leaves nothing behind. An update without passwords keeps the stored ones.
 */
export async function saveProfile(ctx: CoreContext, input: ProfileInput, opts: { sandbox?: boolean } = {}): Promise<Profile> {
  const data = parseInput(input);
  const existing = findProfile(ctx, data.name);
  const passwords: Array<['main' | 'audit', string]> = [];
  // An empty field means "not given" (a form left blank), never "clear the password".
  if (data.mainPassword) passwords.push(['main', data.mainPassword]);
  if (data.auditPassword) passwords.push(['audit', data.auditPassword]);

  const now = new Date().toISOString();
  const profile: Profile = ProfileSchema.parse({
    name: data.name,
    main: data.main,
    audit: data.audit,
    schemas: data.schemas,
    sandbox: opts.sandbox ?? existing?.sandbox ?? false,
    createdAt: existing?.createdAt ?? now,
  });

  if (passwords.length) {
    await ctx.vault.assertAvailable();
    const previous = new Map<string, string | null>();
    try {
      for (const [role, secret] of passwords) {
        const account = vaultAccounts.dbPassword(profile.name, role);
        previous.set(account, await ctx.vault.get(account));
        await ctx.vault.set(account, secret);
      }
    } catch (e) {
      // Put back what was there so a half-written save does not change the stored passwords.
      for (const [account, old] of previous) {
        try {
          if (old === null) await ctx.vault.delete(account);
          else await ctx.vault.set(account, old);
        } catch {
          // best effort; the original error is the one to report
        }
      }
      throw e;
    }
  }

  ctx.log
    .prepare(
      `INSERT INTO profiles (name, profile_json, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET profile_json = excluded.profile_json, updated_at = excluded.updated_at`,
    )
    .run(profile.name, JSON.stringify(profile), profile.createdAt, now);
  return profile;
}

/** Removes the row and both stored passwords. Returns false when there was no such profile. */
export async function removeProfile(ctx: CoreContext, name: string): Promise<boolean> {
  const existed = findProfile(ctx, name) !== null;
  for (const role of ['main', 'audit'] as const) {
    try {
      await ctx.vault.delete(vaultAccounts.dbPassword(name, role));
    } catch {
      // A keychain that cannot be reached cannot hand the password out either; removing the
      // profile must still work (a later save with passwords overwrites any leftover entry).
    }
  }
  ctx.log.prepare(`DELETE FROM profiles WHERE name = ?`).run(name);
  return existed;
}

/**
 * The CLI's `--profile` convention: a name picks that profile; no name picks the only profile
 * there is; otherwise the user must say which.
 */
export function resolveProfile(ctx: CoreContext, name?: string | null): Profile {
  if (name) return getProfile(ctx, name);
  const all = listProfiles(ctx);
  if (all.length === 1) return all[0]!;
  if (all.length === 0) {
    throw new AppError('NotFound', 'No connection profile is set up yet.', 'Add a profile (`custodian profile add`) or run `custodian sandbox up` to create a practice sandbox.');
  }
  throw new AppError('Validation', `Several profiles exist (${all.map((p) => p.name).join(', ')}); which one?`, 'Pass --profile NAME (or pick the deployment in the app).');
}
