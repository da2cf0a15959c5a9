import type { Client } from 'pg';
import type { CheckResult } from '../../../contract/drills';
import type { BackupFile } from '../../backup/manifest';
import { MAIN_KEY_TABLES } from '../../backup/manifest';
import { quoteQualified } from '../../common/sql';

/**
 * The structural checks of the verification suite (KoNote's `verify_backup_restore`, without its
 * faults): tables present, key-table counts against the manifest, the four foreign-key orphan
 * relations, and the migrations table. Each returns a PASS/WARN/FAIL with the detail.
 */

/** Tables a KoNote main database must have for the other checks to mean anything. */
export const REQUIRED_MAIN_TABLES = ['django_migrations', ...MAIN_KEY_TABLES] as const;
export const REQUIRED_AUDIT_TABLES = ['django_migrations', 'audit_log'] as const;

/** KoNote's four orphan checks: child.column must point at an existing parent row. */
export const FK_RELATIONS = [
  { child: 'progress_notes', column: 'client_file_id', parent: 'client_files' },
  { child: 'plan_targets', column: 'plan_section_id', parent: 'plan_sections' },
  { child: 'plan_targets', column: 'client_file_id', parent: 'client_files' },
  { child: 'plan_sections', column: 'client_file_id', parent: 'client_files' },
] as const;

export async function existingTables(client: Client, schema: string): Promise<Set<string>> {
  const r = await client.query<{ name: string }>(`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`, [schema]);
  return new Set(r.rows.map((x) => x.name));
}

export function tablesCheck(role: 'main' | 'audit', present: Set<string>): CheckResult {
  const required = role === 'main' ? REQUIRED_MAIN_TABLES : REQUIRED_AUDIT_TABLES;
  const missing = required.filter((t) => !present.has(t));
  return missing.length === 0
    ? { id: `tables.${role}`, title: `Tables present (${role})`, status: 'PASS', detail: `${present.size} tables, including ${required.join(', ')}.` }
    : {
        id: `tables.${role}`,
        title: `Tables present (${role})`,
        status: 'FAIL',
        detail: `Missing: ${missing.join(', ')} (${present.size} tables found).`,
        hint: present.size === 0 ? 'The database is empty: the restore put nothing here, or this is the wrong database.' : 'Check that this is a KoNote database and that the restore finished without errors.',
      };
}

/** Exact counts of the key tables that exist. */
export async function countTables(client: Client, schema: string, tables: readonly string[], present: Set<string>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of tables) {
    if (!present.has(t)) continue;
    const r = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteQualified(schema, t)}`);
    counts[t] = Number(r.rows[0]!.n);
  }
  return counts;
}

/** Counts against the manifest (taken in the dump's snapshot, so they must be equal). */
export function countsCheck(role: 'main' | 'audit', counts: Record<string, number>, file: BackupFile | null): CheckResult {
  const id = `counts.${role}`;
  const title = `Row counts of key tables (${role})`;
  const shown = Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(', ') || 'none';
  if (!file) return { id, title, status: 'PASS', detail: `${shown} (no backup manifest to compare with: live check).` };
  const diffs = Object.entries(file.counts).filter(([t, n]) => counts[t] !== n).map(([t, n]) => `${t}: ${counts[t] ?? 'missing'} here, ${n} in the backup`);
  return diffs.length === 0
    ? { id, title, status: 'PASS', detail: `Equal to the backup manifest: ${shown}.` }
    : { id, title, status: 'FAIL', detail: `Differs from the backup manifest: ${diffs.join('; ')}.`, hint: 'Rows were lost (or added) during the restore. Check the restore log for errors; do not rely on this restore.' };
}

export async function orphanChecks(client: Client, schema: string, present: Set<string>): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const r of FK_RELATIONS) {
    const id = `fk.${r.child}.${r.column}`;
    const title = `No orphaned ${r.child} → ${r.parent}`;
    if (!present.has(r.child) || !present.has(r.parent)) {
      out.push({ id, title, status: 'FAIL', detail: `Cannot check: ${!present.has(r.child) ? r.child : r.parent} is missing.` });
      continue;
    }
    // NOT EXISTS uses the parent's primary key index; the child is read once.
    const q = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${quoteQualified(schema, r.child)} c
        WHERE c."${r.column}" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${quoteQualified(schema, r.parent)} p WHERE p.id = c."${r.column}")`,
    );
    const n = Number(q.rows[0]!.n);
    out.push(
      n === 0
        ? { id, title, status: 'PASS', detail: `Every ${r.child}.${r.column} points at an existing ${r.parent} row.` }
        : { id, title, status: 'FAIL', detail: `${n} ${r.child} row(s) point at ${r.parent} rows that do not exist.`, hint: 'The restore is incomplete (a table failed to load) or the source was already damaged. Check the restore log.' },
    );
  }
  return out;
}

export async function migrationsCheck(client: Client, role: 'main' | 'audit', schema: string, present: Set<string>): Promise<CheckResult> {
  const id = `migrations.${role}`;
  const title = `Migrations table (${role})`;
  if (!present.has('django_migrations')) {
    return { id, title, status: 'FAIL', detail: 'django_migrations is missing.', hint: 'KoNote would try to re-create every table on start. This is not a complete KoNote database.' };
  }
  const r = await client.query<{ n: string; last: Date | null }>(`SELECT count(*)::text AS n, max(applied) AS last FROM ${quoteQualified(schema, 'django_migrations')}`);
  const n = Number(r.rows[0]!.n);
  return n > 0
    ? { id, title, status: 'PASS', detail: `${n} migrations recorded, the latest applied ${r.rows[0]!.last?.toISOString() ?? 'at an unknown time'}.` }
    : { id, title, status: 'WARN', detail: 'django_migrations is empty.', hint: 'KoNote will try to apply every migration on start; check this is the right database.' };
}
