/**
 * The runbook's known restore failures, recognised from the tools' own words, each with its cause
 * and fix in plain language. Used on pg_restore / psql output and on verification failures.
 */

export interface Diagnosis {
  id: string;
  cause: string;
  fix: string;
  /** Harmless: reported but not a failure. */
  harmless: boolean;
}

const RULES: Array<{ re: RegExp } & Diagnosis> = [
  {
    id: 'role-missing',
    re: /role "[^"]+" does not exist/i,
    cause: 'The dump names a database role (user) that this server does not have.',
    fix: 'Harmless when restoring with --no-owner and --no-privileges (Custodian does): the objects belong to the user doing the restore.',
    harmless: true,
  },
  {
    id: 'public-schema',
    re: /schema "public" already exists|cannot drop schema public because other objects depend on it/i,
    cause: 'The backup re-creates the "public" schema, which every new database already has.',
    fix: 'Harmless: the tables are restored into the existing "public" schema.',
    harmless: true,
  },
  {
    id: 'permission-audit',
    re: /permission denied for (table|relation) audit_log|must be owner of (table|relation) audit_log/i,
    cause: 'The restoring user may not change audit_log: the audit lockdown is in force (as it should be).',
    fix: 'Restore the audit database as the owner of audit_log (or a superuser), then run `custodian lockdown` again.',
    harmless: false,
  },
  {
    id: 'permission',
    re: /permission denied|must be owner of/i,
    cause: 'The restoring user lacks a privilege the restore needs.',
    fix: 'Use a profile whose user owns the database (KoNote’s own user), or ask a database administrator to run the restore.',
    harmless: false,
  },
  {
    id: 'encoding',
    re: /invalid byte sequence for encoding|character with byte sequence .* has no equivalent|encoding "?\w+"? does not match/i,
    cause: 'A text encoding mismatch between the dump and the database or client.',
    fix: 'Create the target database with UTF8 encoding and set the client encoding to UTF8 (PGCLIENTENCODING=UTF8).',
    harmless: false,
  },
  {
    id: 'version',
    re: /unsupported version \([\d.]+\) in file header|server version mismatch|aborting because of server version mismatch/i,
    cause: 'pg_restore is older than the pg_dump that wrote the archive (or than the server).',
    fix: 'Install PostgreSQL client tools at least as new as the server (Settings → Tools shows what Custodian found).',
    harmless: false,
  },
  {
    id: 'exists',
    re: /already exists/i,
    cause: 'The target database already has the objects the backup creates.',
    fix: 'Restore into an empty database, or (real restores) let Custodian clean first with --clean --if-exists; a drill always uses new scratch databases.',
    harmless: false,
  },
  {
    id: 'decryption',
    re: /DecryptionError|InvalidToken|did not decrypt|\[DECRYPTION ERROR\]/i,
    cause: 'The key list in custody does not open the data in this backup.',
    fix: 'Use the key list that was active when the backup was taken (its fingerprint is on the set); recover it from escrow if it was rotated away.',
    harmless: false,
  },
  {
    id: 'truncated',
    re: /could not read (from )?input file|unexpected end of file|input file appears to be a text format dump|did not find magic string|could not find block ID/i,
    cause: 'The dump file is truncated or damaged.',
    fix: 'Use another backup set; run `custodian backup verify` on your sets to find the good ones.',
    harmless: false,
  },
  {
    id: 'no-data',
    re: /Tables present \(main\).*empty|No encrypted columns were found/i,
    cause: 'The restore shows no data: it went into a different database than the one checked.',
    fix: 'Check the database name in the profile and in the restore command; they must be the same.',
    harmless: false,
  },
];

export function diagnose(text: string): Diagnosis | null {
  for (const r of RULES) if (r.re.test(text)) return { id: r.id, cause: r.cause, fix: r.fix, harmless: r.harmless };
  return null;
}

/** Distinct diagnoses of many lines, harmful first. */
export function diagnoseAll(lines: string[]): Diagnosis[] {
  const seen = new Map<string, Diagnosis>();
  for (const l of lines) {
    const d = diagnose(l);
    if (d && !seen.has(d.id)) seen.set(d.id, d);
  }
  return [...seen.values()].sort((a, b) => Number(a.harmless) - Number(b.harmless));
}
