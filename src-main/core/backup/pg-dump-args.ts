/**
 * The pg_dump argument builder: pure, whitelisted and version-aware (pgAdmin's lesson). It accepts
 * only the options Custodian uses, never free text, and never a password (that goes through the
 * child's environment). Connection details travel as separate argv items, so no value can be
 * re-interpreted as an option (a database named "--file=/etc/x" stays a database name).
 */
export type DumpFormat = 'custom' | 'plain';

export interface PgDumpRequest {
  host: string;
  port: number;
  user: string;
  database: string;
  format: DumpFormat;
  /** Exported snapshot id, so the dump sees the same data as the manifest's row counts. */
  snapshot?: string;
  /** Schemas to dump (default: all). */
  schemas?: string[];
  /** pg_dump's major version; gates options that older versions lack. */
  pgDumpMajor: number;
  compressLevel?: number;
  verbose?: boolean;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

export function buildPgDumpArgs(req: PgDumpRequest): string[] {
  if (!Number.isInteger(req.port) || req.port < 1 || req.port > 65535) throw new Error('invalid port');
  if (req.pgDumpMajor < 9) throw new Error('pg_dump older than 9.x is not supported');
  const args = [
    `--host=${req.host}`,
    `--port=${req.port}`,
    `--username=${req.user}`,
    '--no-password', // never prompt: the password comes from PGPASSWORD/PGPASSFILE or the job fails clearly
    `--format=${req.format === 'custom' ? 'custom' : 'plain'}`,
  ];
  if (req.verbose ?? true) args.push('--verbose');
  if (req.format === 'custom' && req.compressLevel !== undefined) {
    const level = Math.max(0, Math.min(9, Math.trunc(req.compressLevel)));
    // pg_dump 16 renamed the option's value syntax ("gzip:6"); a bare level is still accepted.
    args.push(`--compress=${level}`);
  }
  if (req.snapshot) {
    if (!/^[0-9A-F]+-[0-9A-F]+-[0-9]+$/i.test(req.snapshot)) throw new Error('invalid snapshot id');
    args.push(`--snapshot=${req.snapshot}`);
  }
  for (const schema of req.schemas ?? []) {
    if (!IDENT.test(schema)) throw new Error(`invalid schema name: ${schema}`);
    args.push(`--schema=${schema}`);
  }
  // Plain dumps are restored with psql: stop at the first error rather than half-restoring.
  if (req.format === 'plain') args.push('--no-owner');
  // The database name last, as --dbname so it can never be taken as an option.
  args.push(`--dbname=${connectionUri(req)}`);
  return args;
}

/** A libpq URI without password; the database name is percent-encoded. */
function connectionUri(req: Pick<PgDumpRequest, 'database'>): string {
  return `dbname=${quoteConnValue(req.database)}`;
}

/** libpq key=value quoting: single quotes, with \ and ' escaped. */
export function quoteConnValue(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `pg_restore --list` argv for verifying a custom-format archive read from stdin. */
export function buildPgRestoreListArgs(): string[] {
  return ['--list'];
}

/**
 * `pg_dumpall --globals-only` for the roles a restore onto a new server needs. Role passwords are
 * left out (`--no-role-passwords`): they are secrets, and without them the catalog view pg_roles
 * suffices, so a non-superuser backup role can take it too.
 */
export function buildPgDumpallGlobalsArgs(req: Pick<PgDumpRequest, 'host' | 'port' | 'user' | 'database'>): string[] {
  if (!Number.isInteger(req.port) || req.port < 1 || req.port > 65535) throw new Error('invalid port');
  return [`--host=${req.host}`, `--port=${req.port}`, `--username=${req.user}`, '--no-password', '--globals-only', '--no-role-passwords', `--dbname=${connectionUri(req)}`];
}
