/**
 * SQL helpers shared by every capability. Values always travel as parameters; identifiers cannot,
 * so they are quoted here (one place to get it right).
 */

/** Quotes a PostgreSQL identifier: wraps in double quotes and doubles any embedded quote. */
export function quoteIdent(name: string): string {
  if (name.includes('\u0000')) throw new Error('An identifier cannot contain a NUL character.');
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes `schema.table`. */
export function quoteQualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** Quotes a string literal (only for statements that cannot take parameters, e.g. ALTER ROLE ... PASSWORD). */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('A literal cannot contain a NUL character.');
  return `'${value.replace(/'/g, "''")}'`;
}
