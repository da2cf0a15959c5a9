import { quoteConnValue } from '../backup/pg-dump-args';

/**
 * Argument builders for pg_restore and psql: pure and whitelisted like the pg_dump builder. Host,
 * port, user and password travel in the child's environment (PGHOST... and PGPASSWORD), never argv.
 */

const DB_NAME = /^[A-Za-z0-9_][A-Za-z0-9_$-]{0,62}$/;

export interface PgRestoreRequest {
  database: string;
  /** Parallel jobs; only with an archive file (pg_restore cannot run -j reading stdin). */
  jobs: number;
  /** Read this archive file; null reads standard input. */
  file: string | null;
  /** Real restores into an existing database: drop what the archive re-creates first. */
  clean: boolean;
}

export function buildPgRestoreArgs(req: PgRestoreRequest): string[] {
  if (!DB_NAME.test(req.database)) throw new Error(`invalid database name: ${req.database}`);
  const args = ['--no-password', '--no-owner', '--no-privileges', '--verbose'];
  if (req.clean) args.push('--clean', '--if-exists');
  const jobs = Math.max(1, Math.min(16, Math.trunc(req.jobs)));
  if (req.file && jobs > 1) args.push(`--jobs=${jobs}`);
  args.push(`--dbname=dbname=${quoteConnValue(req.database)}`);
  // "--" ends options: a file name can never be read as one.
  if (req.file) args.push('--', req.file);
  return args;
}

/**
 * psql for plain SQL sets, reading the dump from stdin. Errors do not stop it (a GRANT to a role
 * missing on this server is harmless); they are counted and judged by the caller.
 */
export function buildPsqlRestoreArgs(database: string): string[] {
  if (!DB_NAME.test(database)) throw new Error(`invalid database name: ${database}`);
  return ['--no-password', '--no-psqlrc', '--quiet', '--set=ON_ERROR_STOP=0', `--dbname=dbname=${quoteConnValue(database)}`];
}

/** Scratch databases of a drill: a fixed prefix, so a drill can never be pointed at production. */
export const SCRATCH_PREFIX = 'custodian_drill_';

export function scratchNames(drillStamp: string): { main: string; audit: string } {
  const s = drillStamp.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (!s) throw new Error('empty drill stamp');
  return { main: `${SCRATCH_PREFIX}${s}_main`, audit: `${SCRATCH_PREFIX}${s}_audit` };
}

export function isScratchName(name: string): boolean {
  return name.startsWith(SCRATCH_PREFIX) && DB_NAME.test(name);
}
