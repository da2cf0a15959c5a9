import type { Client } from 'pg';
import type { CoreContext } from '../context';
import { AppError, isAppError } from '../common/errors';
import { withClient } from '../connections/pg-client';
import { resolveProfile } from '../connections/profile-store';

/**
 * Runs `fn` on the profile's audit database, translating the two failures every audit reader
 * meets into plain words: no audit_log table (wrong database) and no SELECT on it (a role
 * without the grant). Other errors get the connection layer's translation.
 */
export async function withAuditClient<T>(ctx: CoreContext, profileName: string | undefined, fn: (client: Client, profile: string) => Promise<T>, opts?: { signal?: AbortSignal; connectTimeoutMs?: number }): Promise<T> {
  const profile = resolveProfile(ctx, profileName);
  return withClient(
    ctx,
    profile.name,
    'audit',
    async (c) => {
      try {
        return await fn(c, profile.name);
      } catch (e) {
        throw auditError(e, profile.audit.database, profile.audit.user);
      }
    },
    opts,
  );
}

export function auditError(e: unknown, database: string, user: string): unknown {
  if (isAppError(e)) return e;
  const code = (e as { code?: string } | null)?.code;
  if (code === '42P01') {
    return new AppError('NotFound', `There is no audit_log table in the database "${database}".`, 'Check the audit database in the profile: KoNote keeps its audit log in "konote_audit".', { cause: e });
  }
  if (code === '42501') {
    return new AppError('Forbidden', `The user "${user}" may not read audit_log in "${database}".`, 'Use a role that can read the audit log (KoNote’s lockdown grants SELECT to audit_reader and the audit writer), or ask the database owner: GRANT SELECT ON audit_log TO <role>.', { cause: e });
  }
  return e;
}

/** The machine's time zone if PostgreSQL knows it (it names days and hours), otherwise UTC. */
export async function sessionTimeZone(client: Client, wanted = Intl.DateTimeFormat().resolvedOptions().timeZone): Promise<string> {
  const r = await client.query<{ ok: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS ok`, [wanted]);
  return r.rows[0]?.ok ? wanted : 'UTC';
}
