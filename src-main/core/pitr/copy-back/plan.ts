import { createHash } from 'node:crypto';
import type { Client } from 'pg';
import { AppError } from '../../common/errors';
import { quoteIdent } from '../../common/sql';
import { qualified, referencingKeys, requireTable, tableKey, type ForeignKey, type TableId, type TableInfo } from './catalog';

/**
 * Which rows to copy back: rows of the chosen table that exist in the recovered copy and not in
 * production (by primary key), then, following every foreign key that points at a table in the
 * plan, the child rows of those rows that production lacks too — recursively. Keys travel as text
 * so any key type (bigint, uuid, composite) compares exactly; nothing else of the rows is read here.
 */

export type Key = string[];
export interface PlannedTable {
  info: TableInfo;
  keys: Map<string, Key>;
  via: string | null;
  order: number;
}
export interface CopyPlan {
  tables: PlannedTable[];
  total: number;
  digest: string;
}

const BATCH = 5000;
/** Copy-back is for a deleted batch of records, not a whole database: beyond this use "replace". */
export const MAX_ROWS = 500_000;

const keyId = (k: Key) => JSON.stringify(k);

/** `unnest($1::text[], $2::text[]) AS k(k0, k1)` for a key of n columns, with its parameters. */
function keyTable(keys: Key[], width: number, alias = 'k'): { sql: string; params: string[][] } {
  const cols = Array.from({ length: width }, (_, i) => `${alias}${i}`);
  const params = cols.map((_, i) => keys.map((k) => k[i]!));
  return { sql: `unnest(${cols.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS ${alias}(${cols.join(', ')})`, params };
}

const matchKey = (t: TableInfo, rowAlias: string, keyAlias = 'k') => t.pk.map((c, i) => `${rowAlias}.${quoteIdent(c.name)} = ${keyAlias}.${keyAlias}${i}::${c.type}`).join(' AND ');

/** The subset of `keys` that production already has. */
export async function existingKeys(prod: Client, t: TableInfo, keys: Key[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += BATCH) {
    const part = keys.slice(i, i + BATCH);
    const kt = keyTable(part, t.pk.length);
    const cols = t.pk.map((_, j) => `k.k${j}`).join(', ');
    const rows = (await prod.query({ text: `SELECT ${cols} FROM ${kt.sql} WHERE EXISTS (SELECT 1 FROM ${qualified(t)} r WHERE ${matchKey(t, 'r')})`, values: kt.params, rowMode: 'array' })).rows as string[][];
    for (const r of rows) found.add(keyId(r));
  }
  return found;
}

/** Every primary key of a table in the recovered copy, page by page (keyset pagination). */
async function* scratchKeys(scratch: Client, t: TableInfo): AsyncGenerator<Key[]> {
  const pkList = t.pk.map((c) => quoteIdent(c.name)).join(', ');
  const sel = t.pk.map((c) => `${quoteIdent(c.name)}::text`).join(', ');
  let last: Key | null = null;
  for (;;) {
    const where = last ? `WHERE (${pkList}) > (${t.pk.map((c, i) => `$${i + 1}::${c.type}`).join(', ')})` : '';
    const res = await scratch.query({ text: `SELECT ${sel} FROM ${qualified(t)} ${where} ORDER BY ${pkList} LIMIT ${BATCH}`, values: last ?? [], rowMode: 'array' });
    const rows = res.rows as string[][];
    if (rows.length === 0) return;
    yield rows;
    last = rows[rows.length - 1]!;
    if (rows.length < BATCH) return;
  }
}

/** Child keys (in the recovered copy) whose foreign key points at one of `parentKeys`. */
async function childKeysOf(scratch: Client, fk: ForeignKey, child: TableInfo, parent: TableInfo, parentKeys: Key[]): Promise<Key[]> {
  const out: Key[] = [];
  const join = fk.childColumns.map((c, i) => `c.${quoteIdent(c)} = p.${quoteIdent(fk.parentColumns[i]!)}`).join(' AND ');
  const sel = child.pk.map((c) => `c.${quoteIdent(c.name)}::text`).join(', ');
  for (let i = 0; i < parentKeys.length; i += BATCH) {
    const kt = keyTable(parentKeys.slice(i, i + BATCH), parent.pk.length);
    const res = await scratch.query({ text: `SELECT DISTINCT ${sel} FROM ${kt.sql} JOIN ${qualified(parent)} p ON ${matchKey(parent, 'p')} JOIN ${qualified(child)} c ON ${join}`, values: kt.params, rowMode: 'array' });
    out.push(...(res.rows as string[][]));
  }
  return out;
}

function tooMany(total: number): AppError {
  return new AppError('Validation', `More than ${MAX_ROWS.toLocaleString('en')} rows would be copied back (${total.toLocaleString('en')} so far).`, 'This is not a few deleted records: restore the recovered database over production instead (dump it and use `custodian restore`).');
}

export async function planCopyBack(scratch: Client, prod: Client, root: TableId): Promise<CopyPlan> {
  const rootInfo = await requireTable(scratch, root, 'the recovered copy');
  await requireTable(prod, root, 'production');
  const tables = new Map<string, PlannedTable>();
  const edges: Array<[string, string]> = [];
  let total = 0;
  const add = (info: TableInfo, keys: Key[], via: string | null): Key[] => {
    let t = tables.get(tableKey(info));
    if (!t) tables.set(tableKey(info), (t = { info, keys: new Map(), via, order: 0 }));
    const fresh: Key[] = [];
    for (const k of keys) {
      const id = keyId(k);
      if (t.keys.has(id)) continue;
      t.keys.set(id, k);
      fresh.push(k);
    }
    total += fresh.length;
    if (total > MAX_ROWS) throw tooMany(total);
    return fresh;
  };

  const rootFresh: Key[] = [];
  add(rootInfo, [], null);
  for await (const page of scratchKeys(scratch, rootInfo)) {
    const have = await existingKeys(prod, rootInfo, page);
    rootFresh.push(...add(rootInfo, page.filter((k) => !have.has(keyId(k))), null));
  }

  // Breadth-first over foreign keys pointing at tables in the plan, with only the newly found keys.
  const queue: Array<{ info: TableInfo; keys: Key[] }> = rootFresh.length ? [{ info: rootInfo, keys: rootFresh }] : [];
  const infoCache = new Map<string, { scratch: TableInfo; checked: boolean }>();
  while (queue.length) {
    const { info: parent, keys } = queue.shift()!;
    for (const fk of await referencingKeys(scratch, parent)) {
      const ck = tableKey(fk.child);
      let cached = infoCache.get(ck);
      if (!cached) {
        cached = { scratch: await requireTable(scratch, fk.child, 'the recovered copy'), checked: false };
        infoCache.set(ck, cached);
      }
      const child = cached.scratch;
      const candidates = await childKeysOf(scratch, fk, child, parent, keys);
      if (candidates.length === 0) continue;
      if (!cached.checked) {
        await requireTable(prod, fk.child, 'production');
        cached.checked = true;
      }
      const have = await existingKeys(prod, child, candidates);
      const fresh = add(child, candidates.filter((k) => !have.has(keyId(k))), `${ck}.${fk.childColumns.join(',')} → ${tableKey(parent)}`);
      if (ck !== tableKey(parent)) edges.push([tableKey(parent), ck]);
      if (fresh.length) queue.push({ info: child, keys: fresh });
    }
  }

  // Parents before children: the longest path from the chosen table decides each table's place.
  for (let round = 0; round < tables.size; round++) {
    for (const [p, c] of edges) {
      const tp = tables.get(p)!;
      const tc = tables.get(c)!;
      if (tc.order < tp.order + 1) tc.order = tp.order + 1;
    }
  }
  const ordered = [...tables.values()].filter((t) => t.keys.size > 0 || t.via === null).sort((a, b) => a.order - b.order || tableKey(a.info).localeCompare(tableKey(b.info)));
  return { tables: ordered, total, digest: digestOf(ordered) };
}

export function digestOf(tables: PlannedTable[]): string {
  const h = createHash('sha256');
  for (const t of tables) {
    h.update(`${tableKey(t.info)}\n`);
    for (const id of [...t.keys.keys()].sort()) h.update(`${id}\n`);
  }
  return h.digest('hex');
}
