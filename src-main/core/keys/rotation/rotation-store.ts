import { randomUUID } from 'node:crypto';
import type { LogDb } from '../../../store/log-store';
import type { IncidentStep, IncidentTick, RotationStatus } from '../../../contract/keys-rotation';

/**
 * Persisted rotation state in the SQLite log: one row per rotation and one per column with the
 * last primary key committed. Written after each batch commits, so a crash loses at most one
 * batch of bookkeeping — and redoing a batch is harmless (rows already under the new key are
 * left alone). Only fingerprints and primary keys are stored, never key material or values.
 */

export interface ColumnRef {
  schema: string;
  table: string;
  column: string;
}

export interface ColumnProgress extends ColumnRef {
  lastPk: string | null;
  done: boolean;
  reencrypted: number;
  alreadyNew: number;
  empty: number;
  conflicts: number;
}

export type RotationRecord = Omit<RotationStatus, 'columns' | 'nextSteps' | 'postBackup'> & { columns: ColumnProgress[] };

interface RotationRow {
  id: string;
  profile: string;
  agency: string | null;
  state: RotationStatus['state'];
  incident: number;
  old_fingerprints_json: string;
  new_fingerprint: string;
  started_at: string;
  verified_at: string | null;
  completed_at: string | null;
}

function toRecord(db: LogDb, r: RotationRow): RotationRecord {
  const cols = db.prepare(`SELECT * FROM key_rotation_columns WHERE rotation_id = ? ORDER BY schema_name, table_name, column_name`).all(r.id) as {
    schema_name: string; table_name: string; column_name: string; last_pk: string | null; done: number; reencrypted: number; already_new: number; empty: number; conflicts: number;
  }[];
  return {
    id: r.id,
    profile: r.profile,
    agency: r.agency,
    state: r.state,
    incident: r.incident === 1,
    oldFingerprints: JSON.parse(r.old_fingerprints_json) as string[],
    newFingerprint: r.new_fingerprint,
    startedAt: r.started_at,
    verifiedAt: r.verified_at,
    completedAt: r.completed_at,
    columns: cols.map((c) => ({ schema: c.schema_name, table: c.table_name, column: c.column_name, lastPk: c.last_pk, done: c.done === 1, reencrypted: c.reencrypted, alreadyNew: c.already_new, empty: c.empty, conflicts: c.conflicts })),
    checklist: checklistTicks(db, r.id),
  };
}

function checklistTicks(db: LogDb, rotationId: string): IncidentTick[] {
  const rows = db.prepare(`SELECT step, ticked_at, ticked_by FROM key_rotation_checklist WHERE rotation_id = ? ORDER BY ticked_at, step`).all(rotationId) as { step: IncidentStep; ticked_at: string; ticked_by: string }[];
  return rows.map((r) => ({ step: r.step, tickedAt: r.ticked_at, by: r.ticked_by }));
}

/** Ticks (keeping the first tick's time and person) or unticks one incident step. */
export function setChecklistTick(db: LogDb, rotationId: string, step: IncidentStep, ticked: boolean, by: string): void {
  if (ticked) db.prepare(`INSERT OR IGNORE INTO key_rotation_checklist (rotation_id, step, ticked_at, ticked_by) VALUES (?, ?, ?, ?)`).run(rotationId, step, new Date().toISOString(), by);
  else db.prepare(`DELETE FROM key_rotation_checklist WHERE rotation_id = ? AND step = ?`).run(rotationId, step);
}

export function createRotation(db: LogDb, r: { profile: string; agency: string | null; incident: boolean; oldFingerprints: string[]; newFingerprint: string }): string {
  const id = randomUUID();
  db.prepare(
    `INSERT INTO key_rotations (id, profile, agency, state, incident, old_fingerprints_json, new_fingerprint, started_at) VALUES (?, ?, ?, 'rotating', ?, ?, ?, ?)`,
  ).run(id, r.profile, r.agency, r.incident ? 1 : 0, JSON.stringify(r.oldFingerprints), r.newFingerprint, new Date().toISOString());
  return id;
}

/** The unfinished rotation of a profile (any scope): at most one at a time. */
export function activeRotation(db: LogDb, profile: string): RotationRecord | null {
  const row = db.prepare(`SELECT * FROM key_rotations WHERE profile = ? AND state <> 'completed' ORDER BY started_at DESC LIMIT 1`).get(profile) as RotationRow | undefined;
  return row ? toRecord(db, row) : null;
}

export function getRotation(db: LogDb, id: string): RotationRecord | null {
  const row = db.prepare(`SELECT * FROM key_rotations WHERE id = ?`).get(id) as RotationRow | undefined;
  return row ? toRecord(db, row) : null;
}

export function listRotations(db: LogDb, profile: string): RotationRecord[] {
  return (db.prepare(`SELECT * FROM key_rotations WHERE profile = ? ORDER BY started_at DESC`).all(profile) as RotationRow[]).map((r) => toRecord(db, r));
}

export function ensureColumns(db: LogDb, id: string, cols: ColumnRef[]): void {
  const ins = db.prepare(`INSERT OR IGNORE INTO key_rotation_columns (rotation_id, schema_name, table_name, column_name) VALUES (?, ?, ?, ?)`);
  db.transaction(() => cols.forEach((c) => ins.run(id, c.schema, c.table, c.column)))();
}

/**
 * Forgets the progress of columns the database no longer has (a KoNote migration renamed or
 * dropped them during the rotation); a renamed column is found again under its new name and
 * rotated from its first row (values already new are skipped). Returns the columns forgotten.
 */
export function forgetColumnsNotIn(db: LogDb, id: string, present: ColumnRef[]): ColumnRef[] {
  const key = (c: ColumnRef) => `${c.schema}\u0000${c.table}\u0000${c.column}`;
  const keep = new Set(present.map(key));
  const gone = (getRotation(db, id)?.columns ?? []).filter((c) => !keep.has(key(c)));
  const del = db.prepare(`DELETE FROM key_rotation_columns WHERE rotation_id = ? AND schema_name = ? AND table_name = ? AND column_name = ?`);
  db.transaction(() => gone.forEach((c) => del.run(id, c.schema, c.table, c.column)))();
  return gone.map(({ schema, table, column }) => ({ schema, table, column }));
}

export function saveBatch(db: LogDb, id: string, col: ColumnRef, b: { lastPk: string | null; done: boolean; reencrypted: number; alreadyNew: number; empty: number; conflicts: number }): void {
  db.prepare(
    `UPDATE key_rotation_columns SET last_pk = COALESCE(?, last_pk), done = ?, reencrypted = reencrypted + ?, already_new = already_new + ?, empty = empty + ?, conflicts = conflicts + ?
      WHERE rotation_id = ? AND schema_name = ? AND table_name = ? AND column_name = ?`,
  ).run(b.lastPk, b.done ? 1 : 0, b.reencrypted, b.alreadyNew, b.empty, b.conflicts, id, col.schema, col.table, col.column);
}

/**
 * Has columns scanned again from their first row on the next run: the final check found values
 * there that are not under the new key (a batch a database crash lost after its asynchronous
 * commit, or a KoNote still writing with the old key first). Re-encrypted and conflict counts
 * stay (that work happened); "already new" and "empty" are counted afresh by the new scan.
 */
export function rescanColumns(db: LogDb, id: string, cols: ColumnRef[]): void {
  const upd = db.prepare(
    `UPDATE key_rotation_columns SET last_pk = NULL, done = 0, already_new = 0, empty = 0 WHERE rotation_id = ? AND schema_name = ? AND table_name = ? AND column_name = ?`,
  );
  db.transaction(() => cols.forEach((c) => upd.run(id, c.schema, c.table, c.column)))();
}

export function setRotationState(db: LogDb, id: string, state: RotationStatus['state']): void {
  const at = new Date().toISOString();
  if (state === 'verified') db.prepare(`UPDATE key_rotations SET state = 'verified', verified_at = ? WHERE id = ?`).run(at, id);
  else if (state === 'completed') db.prepare(`UPDATE key_rotations SET state = 'completed', completed_at = ? WHERE id = ?`).run(at, id);
  else db.prepare(`UPDATE key_rotations SET state = 'rotating', verified_at = NULL WHERE id = ?`).run(id);
}
