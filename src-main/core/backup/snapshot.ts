import type { Client } from 'pg';
import { quoteIdent } from '../common/sql';

export interface SnapshotFacts {
  snapshot: string;
  serverVersion: string;
  serverMajor: number;
  /** schema.table → estimated rows (pg_class.reltuples; -1 when never analysed). */
  tableEstimates: Record<string, number>;
  /** schema.table → bytes on disk, to weight pg_dump's per-table progress. */
  tableBytes: Record<string, number>;
  counts: Record<string, number>;
  maxAuditId: number | null;
}

/**
 * Opens a REPEATABLE READ READ ONLY transaction, exports its snapshot for pg_dump --snapshot, and
 * counts the key tables inside that same snapshot, so the manifest's counts describe exactly the
 * data in the dump. The transaction must stay open while pg_dump runs; `fn` runs the dump.
 */
export async function withExportedSnapshot<T>(client: Client, keyTables: readonly string[], schemas: string[], fn: (facts: SnapshotFacts) => Promise<T>): Promise<T> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const snap = await client.query<{ snapshot: string; version: string; num: string }>(
      `SELECT pg_export_snapshot() AS snapshot, current_setting('server_version') AS version, current_setting('server_version_num') AS num`,
    );
    const row = snap.rows[0]!;
    // Sizes from pg_class.relpages, not pg_relation_size(): the latter takes a lock on each table,
    // so a migration holding a table would hang the backup before pg_dump even starts.
    const tables = await client.query<{ schema: string; name: string; est: number; bytes: string }>(
      `SELECT n.nspname AS schema, c.relname AS name, c.reltuples::float8 AS est, (c.relpages::bigint * current_setting('block_size')::bigint)::text AS bytes
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1::text[])`,
      [schemas],
    );
    const tableEstimates: Record<string, number> = {};
    const tableBytes: Record<string, number> = {};
    for (const t of tables.rows) {
      tableEstimates[`${t.schema}.${t.name}`] = Math.round(t.est);
      tableBytes[`${t.schema}.${t.name}`] = Number(t.bytes);
    }
    const counts: Record<string, number> = {};
    const primary = schemas[0] ?? 'public';
    for (const table of keyTables) {
      if (!(`${primary}.${table}` in tableEstimates)) continue; // a missing table is reported by drills, not here
      const r = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteIdent(primary)}.${quoteIdent(table)}`);
      counts[table] = Number(r.rows[0]!.n);
    }
    let maxAuditId: number | null = null;
    if (`${primary}.audit_log` in tableEstimates) {
      const r = await client.query<{ m: string | null }>(`SELECT max(id)::text AS m FROM ${quoteIdent(primary)}.audit_log`);
      maxAuditId = r.rows[0]!.m === null ? null : Number(r.rows[0]!.m);
    }
    const facts: SnapshotFacts = { snapshot: row.snapshot, serverVersion: row.version, serverMajor: Math.floor(Number(row.num) / 10000), tableEstimates, tableBytes, counts, maxAuditId };
    return await fn(facts);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}
