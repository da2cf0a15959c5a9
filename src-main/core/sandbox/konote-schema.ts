import type { Client } from 'pg';
import { quoteIdent } from '../common/sql';
import { AUDIT_DDL, MAIN_DDL_EXTRA, MAIN_DDL_REFERENCE } from './konote-ddl';

/**
 * Builds KoNote's two databases from the DDL in konote-ddl.ts: tables, the per-FK indexes
 * Django creates, django_migrations rows, and the audit roles as production has them.
 */

/** One `CREATE INDEX` per foreign-key column (Django's habit), derived from the DDL itself. */
export function foreignKeyIndexes(ddl: string): string[] {
  const out: string[] = [];
  for (const m of ddl.matchAll(/CREATE TABLE (\w+) \(([\s\S]*?)\);/g)) {
    const table = m[1]!;
    for (const col of m[2]!.matchAll(/(\w+) bigint (?:NOT )?NULL(?: UNIQUE)? REFERENCES/g)) {
      out.push(`CREATE INDEX ${quoteIdent(`${table}_${col[1]}_idx`)} ON ${quoteIdent(table)} (${quoteIdent(col[1]!)});`);
    }
  }
  return out;
}

export const MAIN_DDL = `${MAIN_DDL_REFERENCE}\n${MAIN_DDL_EXTRA}`;

/** A plausible slice of KoNote's applied migrations (verify_backup_restore only checks there are some). */
export const MAIN_MIGRATIONS: Array<[string, string]> = [
  ['contenttypes', '0001_initial'],
  ['contenttypes', '0002_remove_content_type_name'],
  ['auth', '0001_initial'],
  ['auth', '0012_alter_user_first_name_max_length'],
  ['auth_app', '0001_initial'],
  ['programs', '0001_initial'],
  ['clients', '0001_initial'],
  ['clients', '0002_client_detail_values'],
  ['plans', '0001_initial'],
  ['notes', '0001_initial'],
  ['reports', '0001_initial'],
  ['reports', '0002_secureexportlink'],
  ['reports', '0003_report_schedules'],
  ['circles', '0001_initial'],
  ['communications', '0001_initial'],
  ['portal', '0001_initial'],
  ['registration', '0001_initial'],
  ['surveys', '0001_initial'],
  ['admin_settings', '0001_initial'],
  ['sessions', '0001_initial'],
];
export const AUDIT_MIGRATIONS: Array<[string, string]> = [
  ['audit', '0001_initial'],
  ['audit', '0002_auditlog_is_demo_context'],
  ['audit', '0003_auditlog_is_confidential_context'],
  ['audit', '0004_auditlog_program_id'],
  ['audit', '0005_auditlog_tenant_schema'],
  ['audit', '0006_alter_auditlog_options'],
  ['audit', '0007_alter_auditlog_action'],
];

async function recordMigrations(client: Client, rows: Array<[string, string]>): Promise<void> {
  const start = Date.now() - 400 * 86_400_000;
  const params: unknown[] = [];
  const values = rows.map(([app, name], i) => {
    params.push(app, name, new Date(start + i * 3_600_000));
    return `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`;
  });
  await client.query(`INSERT INTO django_migrations (app, name, applied) VALUES ${values.join(', ')}`, params);
}

/** Creates the main database's tables in the current database (run as the owning role). */
export async function createMainSchema(client: Client): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(MAIN_DDL);
    for (const ix of foreignKeyIndexes(MAIN_DDL)) await client.query(ix);
    await recordMigrations(client, MAIN_MIGRATIONS);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

/** Creates audit_log and django_migrations (run as audit_writer, which then owns audit_log, as in production). */
export async function createAuditSchema(client: Client): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(AUDIT_DDL);
    await recordMigrations(client, AUDIT_MIGRATIONS);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

/**
 * KoNote's `lockdown_audit_db`, as production runs it: the writer keeps SELECT and INSERT; the
 * reader gets SELECT. Its known weakness is kept on purpose (the writer still owns the table and
 * could grant itself UPDATE/DELETE back) — the sandbox is where users practise finding and
 * fixing exactly that.
 */
export async function applyKonoteAuditLockdown(client: Client, writer = 'audit_writer', reader: string | null = 'audit_reader'): Promise<void> {
  const w = quoteIdent(writer);
  await client.query(`REVOKE ALL ON audit_log FROM ${w}`);
  await client.query(`GRANT SELECT, INSERT ON audit_log TO ${w}`);
  await client.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${w}`);
  if (reader) await client.query(`GRANT SELECT ON audit_log TO ${quoteIdent(reader)}`);
}
