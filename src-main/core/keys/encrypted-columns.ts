import type { Client } from 'pg';
import { quoteIdent } from '../common/sql';

/**
 * Where KoNote keeps ciphertext, found from the catalog rather than a fixed list (KoNote adds
 * tables): bytea columns named `_<field>_encrypted`, plus the two known exceptions.
 */
export interface EncryptedColumn {
  schema: string;
  table: string;
  column: string;
  /** The table's single-column primary key, or null when it has none (cannot be sampled by key). */
  primaryKey: string | null;
}

// Re-exported for the modules that already import it from here; one implementation in common/sql.
export { quoteIdent };

export const DISCOVER_ENCRYPTED_COLUMNS_SQL = `
  SELECT n.nspname AS schema, c.relname AS "table", a.attname AS "column",
         (SELECT pa.attname
            FROM pg_index i
            JOIN pg_attribute pa ON pa.attrelid = i.indrelid AND pa.attnum = i.indkey[0]
           WHERE i.indrelid = c.oid AND i.indisprimary AND i.indnkeyatts = 1) AS "primaryKey"
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = ANY($1::text[])
     AND c.relkind IN ('r', 'p')
     AND a.attnum > 0 AND NOT a.attisdropped
     AND a.atttypid = 'bytea'::regtype
     AND (a.attname LIKE '!_%!_encrypted' ESCAPE '!'
          OR (c.relname = 'survey_partial_answers' AND a.attname = 'value_encrypted')
          OR (n.nspname = 'public' AND c.relname = 'tenant_keys' AND a.attname = 'encrypted_key'))
   ORDER BY n.nspname, c.relname, a.attnum`;

export async function discoverEncryptedColumns(client: Client, schemas: string[]): Promise<EncryptedColumn[]> {
  const res = await client.query<EncryptedColumn>(DISCOVER_ENCRYPTED_COLUMNS_SQL, [schemas]);
  return res.rows;
}

/**
 * A spread sample without scanning the table: the oldest and the newest rows by primary key (the
 * newest are the ones most likely written under the newest key). Both halves use the key's index.
 */
export function sampleSql(col: EncryptedColumn, sample: number): { text: string; values: number[] } {
  if (!col.primaryKey) throw new Error('sampleSql needs a primary key');
  const t = `${quoteIdent(col.schema)}.${quoteIdent(col.table)}`;
  const pk = quoteIdent(col.primaryKey);
  const c = quoteIdent(col.column);
  const low = Math.ceil(sample / 2);
  const high = Math.floor(sample / 2);
  // ORDER BY uses the table-qualified column: a bare name would match the output alias first
  // (sorting "id" as text when the key is itself called id).
  const sorted = `${t}.${pk}`;
  return {
    text: `SELECT DISTINCT ON (sort_key) id, value FROM (
             (SELECT ${sorted}::text AS id, ${sorted} AS sort_key, ${c} AS value FROM ${t} ORDER BY ${sorted} ASC LIMIT $1)
             UNION ALL
             (SELECT ${sorted}::text AS id, ${sorted} AS sort_key, ${c} AS value FROM ${t} ORDER BY ${sorted} DESC LIMIT $2)
           ) s ORDER BY sort_key`,
    values: [low, high],
  };
}
