import type { Client } from 'pg';
import type { EndpointTest, ProfileTest } from '../../contract/profiles';
import type { CoreContext } from '../context';
import { AppError, toErrorData } from '../common/errors';
import { getProfile } from './profile-store';
import { withClient, type EndpointRole } from './pg-client';

/**
 * "Test connection": for each endpoint, can we log in, what server is it, what may this user do,
 * and (audit DB) who owns audit_log. Failures are reported per endpoint as typed errors rather than
 * thrown, so the user sees both halves of the picture at once.
 */

const DEFAULT_TEST_TIMEOUT_MS = 8_000;

async function probe(client: Client, role: EndpointRole): Promise<Omit<EndpointTest, 'role' | 'reachable' | 'user' | 'latencyMs' | 'error'>> {
  const v = await client.query<{ server_version: string; server_version_num: string; rolsuper: boolean | null; rolcreaterole: boolean | null; rolcreatedb: boolean | null; rolreplication: boolean | null; ssl: boolean | null }>(
    `SELECT current_setting('server_version') AS server_version,
            current_setting('server_version_num') AS server_version_num,
            r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication,
            (SELECT s.ssl FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()) AS ssl
       FROM (SELECT 1) one
       LEFT JOIN pg_roles r ON r.rolname = current_user`,
  );
  const row = v.rows[0]!;
  let auditLogOwner: string | null = null;
  let ownsAuditLog: boolean | null = null;
  if (role === 'audit') {
    // pg_tables is readable by everyone, so this works even for a locked-down audit user.
    const o = await client.query<{ tableowner: string; mine: boolean }>(
      `SELECT tableowner, tableowner = current_user AS mine FROM pg_tables WHERE tablename = 'audit_log' ORDER BY (schemaname = 'public') DESC LIMIT 1`,
    );
    auditLogOwner = o.rows[0]?.tableowner ?? null;
    ownsAuditLog = o.rows[0] ? o.rows[0].mine : null;
  }
  return {
    // "15.14 (Debian 15.14-1.pgdg...)": keep the version, drop the packager's note.
    serverVersion: row.server_version.split(' ')[0] ?? row.server_version,
    serverVersionNum: Number.parseInt(row.server_version_num, 10),
    superuser: row.rolsuper,
    createRole: row.rolcreaterole,
    createDb: row.rolcreatedb,
    replication: row.rolreplication,
    auditLogOwner,
    ownsAuditLog,
    ssl: row.ssl,
  };
}

export async function testEndpoint(ctx: CoreContext, profileName: string, role: EndpointRole, opts: { signal?: AbortSignal; connectTimeoutMs?: number } = {}): Promise<EndpointTest> {
  const profile = getProfile(ctx, profileName);
  const started = performance.now();
  const base: EndpointTest = {
    role,
    reachable: false,
    serverVersion: null,
    serverVersionNum: null,
    user: profile[role].user,
    superuser: null,
    createRole: null,
    createDb: null,
    replication: null,
    auditLogOwner: null,
    ownsAuditLog: null,
    ssl: null,
    latencyMs: null,
    error: null,
  };
  try {
    const facts = await withClient(ctx, profile.name, role, (c) => probe(c, role), { signal: opts.signal, connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULT_TEST_TIMEOUT_MS });
    return { ...base, ...facts, reachable: true, latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    if (e instanceof AppError && e.kind === 'Cancelled') throw e;
    return { ...base, error: toErrorData(e) };
  }
}

export async function testProfile(ctx: CoreContext, name: string, signal?: AbortSignal, opts: { connectTimeoutMs?: number } = {}): Promise<ProfileTest> {
  const profile = getProfile(ctx, name);
  const [main, audit] = await Promise.all([
    testEndpoint(ctx, profile.name, 'main', { signal, ...opts }),
    testEndpoint(ctx, profile.name, 'audit', { signal, ...opts }),
  ]);
  return { profile: profile.name, ok: main.reachable && audit.reachable, main, audit };
}
