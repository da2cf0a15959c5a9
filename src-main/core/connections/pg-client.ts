import pg from 'pg';
import type { ClientConfig, Client } from 'pg';
import type { DatabaseEndpoint } from '../../contract/profiles';
import type { CoreContext } from '../context';
import { AppError, isAppError } from '../common/errors';
import { vaultAccounts } from '../keys/vault';
import { getProfile } from './profile-store';

/**
 * One way to reach a profile's database: the pg client for queries, and the same settings as
 * environment variables for spawned PostgreSQL tools (the password travels in PGPASSWORD, never
 * argv). Errors become AppErrors with the fix in plain words.
 */

export type EndpointRole = 'main' | 'audit';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Long enough for a restore verification count on a large table, short enough to surface a hung server. */
const STATEMENT_TIMEOUT_MS = 30 * 60_000;

export interface EndpointConnection {
  profile: string;
  role: EndpointRole;
  endpoint: DatabaseEndpoint;
  /** Null when the profile has no stored password (e.g. trust or peer authentication). */
  password: string | null;
  /** For the pg client. */
  clientConfig: ClientConfig;
  /**
   * For spawned tools: the base environment with every inherited PG* variable removed (a stray
   * PGSERVICE or PGPASSFILE must not redirect a backup) and ours set. Contains the password.
   */
  env: NodeJS.ProcessEnv;
}

/** Maps libpq's sslmode to node-postgres' `ssl` option. `prefer`/`allow` fall back in withClient. */
export function sslOption(mode: DatabaseEndpoint['sslmode']): ClientConfig['ssl'] {
  switch (mode) {
    case 'disable':
    case 'allow':
      return false;
    case 'prefer':
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      // The chain must be trusted, but (as libpq's verify-ca) the host name is not checked.
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true };
  }
}

export function clientConfigFor(endpoint: DatabaseEndpoint, password: string | null, opts: { connectTimeoutMs?: number; ssl?: ClientConfig['ssl'] } = {}): ClientConfig {
  return {
    host: endpoint.host,
    port: endpoint.port,
    database: endpoint.database,
    user: endpoint.user,
    password: password ?? undefined,
    ssl: opts.ssl === undefined ? sslOption(endpoint.sslmode) : opts.ssl,
    application_name: 'custodian',
    connectionTimeoutMillis: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    // Keeps a half-open connection (laptop sleep, VPN drop) from hanging a job forever.
    keepAlive: true,
  };
}

export function toolEnvFor(endpoint: DatabaseEndpoint, password: string | null, base: NodeJS.ProcessEnv = process.env, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.startsWith('PG')) env[k] = v;
  env.PGHOST = endpoint.host;
  env.PGPORT = String(endpoint.port);
  env.PGDATABASE = endpoint.database;
  env.PGUSER = endpoint.user;
  env.PGSSLMODE = endpoint.sslmode;
  env.PGAPPNAME = 'custodian';
  env.PGCONNECT_TIMEOUT = String(Math.max(2, Math.ceil(connectTimeoutMs / 1000)));
  if (password !== null) env.PGPASSWORD = password;
  return env;
}

/** Everything needed to reach one endpoint of a profile; reads the password from the keychain. */
export async function endpointConnectionConfig(ctx: CoreContext, profileName: string, role: EndpointRole, opts: { connectTimeoutMs?: number } = {}): Promise<EndpointConnection> {
  const profile = getProfile(ctx, profileName);
  const endpoint = profile[role];
  const password = await ctx.vault.get(vaultAccounts.dbPassword(profile.name, role));
  return {
    profile: profile.name,
    role,
    endpoint,
    password,
    clientConfig: clientConfigFor(endpoint, password, opts),
    env: toolEnvFor(endpoint, password, ctx.env, opts.connectTimeoutMs),
  };
}

function where(endpoint: Pick<DatabaseEndpoint, 'host' | 'port' | 'database' | 'user'>): string {
  return `${endpoint.user}@${endpoint.host}:${endpoint.port}/${endpoint.database}`;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** Translates a pg / socket / TLS error into an AppError with the fix. Never includes the password. */
export function pgErrorToAppError(e: unknown, endpoint: Pick<DatabaseEndpoint, 'host' | 'port' | 'database' | 'user'>): AppError {
  if (isAppError(e)) return e;
  const err = (e ?? {}) as { code?: string; message?: string };
  const code = typeof err.code === 'string' ? err.code : '';
  const message = typeof err.message === 'string' ? err.message : String(e);
  const at = where(endpoint);
  const opt = { cause: e };

  const sqlState = /^[0-9A-Z]{5}$/.test(code) && !TLS_CODES.has(code);
  const tlsProblem = sqlState ? code === '28000' && /no encryption/i.test(message) : TLS_CODES.has(code) || /does not support SSL|SSL|TLS|certificate/i.test(message);
  if (tlsProblem) {
    const serverNoSsl = /does not support SSL/i.test(message);
    const serverNeedsSsl = /no encryption/i.test(message);
    return new AppError(
      'PgTls',
      `Secure connection (TLS) problem with ${at}: ${message}`,
      serverNoSsl
        ? 'This server does not offer TLS. Set the profile’s SSL mode to "disable" (or "prefer") if the network path is private, or enable SSL on the server.'
        : serverNeedsSsl
          ? 'The server only accepts encrypted connections: set the profile’s SSL mode to "require" (Azure needs it).'
          : 'The server’s certificate could not be verified. Use SSL mode "require" to encrypt without verifying, or install the server’s CA certificate and use "verify-full".',
      opt,
    );
  }
  if (code === '28P01' || code === '28000') {
    return new AppError('PgAuth', `The server refused the login for ${at}: ${message}`, 'Check the user name and password, then re-enter the password in the profile (Settings → Connections, or `custodian profile add NAME ... --password-stdin`).', opt);
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EAI_AGAIN' || code === 'ECONNRESET') {
    return new AppError(
      'PgConnect',
      `Could not reach the database server at ${endpoint.host}:${endpoint.port} (${code}).`,
      code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'The host name could not be found: check the spelling of the host in the profile and your network/VPN.'
        : 'Is the PostgreSQL server running? Check the host and port in the profile, and that a firewall allows the connection.',
      opt,
    );
  }
  if (code === 'ETIMEDOUT' || /timeout|timed out/i.test(message) || code === '57014') {
    return new AppError(
      'PgTimeout',
      code === '57014' ? `A query on ${at} took too long and was stopped.` : `The database server at ${endpoint.host}:${endpoint.port} did not answer in time.`,
      code === '57014' ? 'Try again when the server is less busy.' : 'Check the host and port, that the server is up, and that a firewall or VPN is not silently dropping the connection.',
      opt,
    );
  }
  if (code === '3D000') {
    return new AppError('NotFound', `The database "${endpoint.database}" does not exist on ${endpoint.host}:${endpoint.port}.`, 'Check the database name in the profile (KoNote uses "konote" and "konote_audit" by default).', opt);
  }
  if (code === '42501') {
    return new AppError('Forbidden', `The user "${endpoint.user}" is not allowed to do this on ${at}: ${message}`, 'Use a profile whose user has the needed privileges, or ask the database owner to grant them.', opt);
  }
  if (code === 'ABORT_ERR') return new AppError('Cancelled', 'The operation was cancelled.', undefined, opt);
  if (sqlState) {
    return new AppError('PgQuery', `The database reported an error on ${at}: ${message} (${code})`, 'Check the server log for details; if it keeps happening, run `custodian doctor`.', opt);
  }
  if (/Connection terminated/i.test(message)) {
    return new AppError('PgConnect', `The connection to ${endpoint.host}:${endpoint.port} was closed unexpectedly.`, 'Check that the server is running and that nothing between you (VPN, firewall) cuts connections.', opt);
  }
  return new AppError('Internal', `Unexpected database error on ${at}: ${message}`, 'Run `custodian doctor` and try again.', opt);
}

async function connect(config: ClientConfig): Promise<Client> {
  const client = new pg.Client(config);
  // An idle client whose server goes away emits 'error'; without a listener that would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (e) {
    await client.end().catch(() => {});
    throw e;
  }
}

/**
 * Runs `fn` with a connected client and always closes it. `prefer`/`allow` behave like libpq: try
 * one way, and fall back to the other when the server does not do TLS (or insists on it).
 * Cancelling via `signal` closes the connection, which makes the server abandon the running query.
 */
export async function withClient<T>(
  ctx: CoreContext,
  profile: string,
  role: 'main' | 'audit',
  fn: (client: import('pg').Client) => Promise<T>,
  opts?: { connectTimeoutMs?: number; signal?: AbortSignal },
): Promise<T> {
  const conn = await endpointConnectionConfig(ctx, profile, role, { connectTimeoutMs: opts?.connectTimeoutMs });
  return withEndpointClient(conn.endpoint, conn.password, fn, opts);
}

/** withClient for an endpoint that is not (yet) a saved profile: the sandbox and tests use it. */
export async function withEndpointClient<T>(
  endpoint: DatabaseEndpoint,
  password: string | null,
  fn: (client: Client) => Promise<T>,
  opts?: { connectTimeoutMs?: number; signal?: AbortSignal },
): Promise<T> {
  const signal = opts?.signal;
  if (signal?.aborted) throw new AppError('Cancelled', 'The operation was cancelled.');
  const base = clientConfigFor(endpoint, password, { connectTimeoutMs: opts?.connectTimeoutMs });
  let client: Client;
  try {
    client = await connect(base);
  } catch (e) {
    const msg = e instanceof Error ? e.message : '';
    if (endpoint.sslmode === 'prefer' && /does not support SSL/i.test(msg)) client = await connect({ ...base, ssl: false }).catch((e2) => { throw pgErrorToAppError(e2, endpoint); });
    else if (endpoint.sslmode === 'allow' && /no encryption/i.test(msg)) client = await connect({ ...base, ssl: { rejectUnauthorized: false } }).catch((e2) => { throw pgErrorToAppError(e2, endpoint); });
    else throw pgErrorToAppError(e, endpoint);
  }
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    void client.end().catch(() => {});
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await fn(client);
  } catch (e) {
    if (aborted) throw new AppError('Cancelled', 'The operation was cancelled.', undefined, { cause: e });
    throw pgErrorToAppError(e, endpoint);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!aborted) await client.end().catch(() => {});
  }
}

/** Opens one more connection for the duration of `fn` (e.g. `(fn) => withEndpointClient(endpoint, password, fn)`). */
export type OpenClient = <R>(fn: (client: Client) => Promise<R>) => Promise<R>;

/**
 * Runs `fn` with `first` plus up to `extra` more connections, for work PostgreSQL can do in
 * parallel, one query per connection. A connection that cannot be opened (e.g. the server's
 * connection limit) is simply not used: the work runs on fewer, more slowly, rather than failing.
 */
export async function withMoreClients<T>(first: Client | Client[], extra: number, open: OpenClient, fn: (clients: Client[]) => Promise<T>): Promise<T> {
  const clients = Array.isArray(first) ? first : [first];
  if (extra <= 0) return fn(clients);
  let entered = false;
  try {
    return await open((c) => {
      entered = true;
      return withMoreClients([...clients, c], extra - 1, open, fn);
    });
  } catch (e) {
    if (entered) throw e;
    return fn(clients);
  }
}
