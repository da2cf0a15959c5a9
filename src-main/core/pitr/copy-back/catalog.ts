import type { Client } from 'pg';
import { AppError } from '../../common/errors';
import { quoteQualified } from '../../common/sql';

/**
 * Catalog facts copy-back needs, read from PostgreSQL itself: a table's primary key, its columns
 * and types, and the foreign keys of other tables that point at it. Works for any table KoNote
 * adds, composite keys included.
 */

export interface TableId {
  schema: string;
  table: string;
}
export interface ColumnInfo {
  name: string;
  type: string;
  identityAlways: boolean;
}
export interface TableInfo extends TableId {
  pk: ColumnInfo[];
  columns: ColumnInfo[];
}
/** A foreign key of `child` whose columns reference `parent`'s columns, pairwise. */
export interface ForeignKey {
  name: string;
  child: TableId;
  childColumns: string[];
  parent: TableId;
  parentColumns: string[];
}

export const tableKey = (t: TableId) => `${t.schema}.${t.table}`;
export const qualified = (t: TableId) => quoteQualified(t.schema, t.table);

export async function tableInfo(c: Client, t: TableId): Promise<TableInfo | null> {
  const cols = (
    await c.query<{ name: string; type: string; ident: string; pkpos: number | null }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attidentity AS ident,
              array_position(i.indkey::int2[], a.attnum) AS pkpos
         FROM pg_attribute a
         JOIN pg_class cl ON cl.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = cl.relnamespace
         LEFT JOIN pg_index i ON i.indrelid = cl.oid AND i.indisprimary
        WHERE n.nspname = $1 AND cl.relname = $2 AND cl.relkind IN ('r','p') AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        ORDER BY a.attnum`,
      [t.schema, t.table],
    )
  ).rows;
  if (cols.length === 0) return null;
  const columns = cols.map((x) => ({ name: x.name, type: x.type, identityAlways: x.ident === 'a' }));
  const pk = cols
    .filter((x) => x.pkpos !== null)
    .sort((a, b) => a.pkpos! - b.pkpos!)
    .map((x) => ({ name: x.name, type: x.type, identityAlways: x.ident === 'a' }));
  return { ...t, pk, columns };
}

export async function requireTable(c: Client, t: TableId, where: string): Promise<TableInfo> {
  const info = await tableInfo(c, t);
  if (!info) throw new AppError('NotFound', `There is no table ${tableKey(t)} in ${where}.`, 'Check the table name (KoNote’s tables are lower-case, e.g. client_files).');
  if (info.pk.length === 0) throw new AppError('Validation', `${tableKey(t)} has no primary key, so missing rows cannot be told apart.`, 'Copy-back works on tables with a primary key.');
  return info;
}

/** Every foreign key, in any schema, that references `parent`. */
export async function referencingKeys(c: Client, parent: TableId): Promise<ForeignKey[]> {
  const rows = (
    await c.query<{ name: string; cs: string; ct: string; ccols: string[]; pcols: string[] }>(
      `SELECT con.conname AS name, cn.nspname AS cs, cc.relname AS ct,
              ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o)::text[] AS ccols,
              ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o)::text[] AS pcols
         FROM pg_constraint con
         JOIN pg_class pc ON pc.oid = con.confrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
         JOIN pg_class cc ON cc.oid = con.conrelid JOIN pg_namespace cn ON cn.oid = cc.relnamespace
        WHERE con.contype = 'f' AND pn.nspname = $1 AND pc.relname = $2
        ORDER BY cn.nspname, cc.relname, con.conname`,
      [parent.schema, parent.table],
    )
  ).rows;
  return rows.map((r) => ({ name: r.name, child: { schema: r.cs, table: r.ct }, childColumns: r.ccols, parent, parentColumns: r.pcols }));
}
