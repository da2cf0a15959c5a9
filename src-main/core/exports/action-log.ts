import { randomUUID } from 'node:crypto';
import type { CoreContext } from '../context';
import type { RevocationRecord } from '../../contract/exports';
import { AppError } from '../common/errors';

/**
 * Custodian's own log of what it did to export links (SQLite `export_actions`): the reason and
 * incident notes of a revocation live here, since KoNote's audit row carries only KoNote's four
 * metadata keys. A row stays "started" if the process died mid-way, which the details page shows.
 */

export type ActionKind = 'revoke' | 'cleanup' | 'summary' | 'deadlines';

export function startAction(ctx: CoreContext, a: { profile: string; kind: ActionKind; linkId?: string; byUser?: string; reason?: string }): string {
  const id = randomUUID();
  ctx.log
    .prepare(`INSERT INTO export_actions (id, profile, kind, link_id, at, by_user, reason, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'started')`)
    .run(id, a.profile, a.kind, a.linkId ?? null, new Date().toISOString(), a.byUser ?? '', a.reason ?? '');
  return id;
}

export function finishAction(ctx: CoreContext, id: string, state: 'done' | 'failed', result: unknown): void {
  ctx.log.prepare('UPDATE export_actions SET state = ?, result_json = ? WHERE id = ?').run(state, JSON.stringify(result), id);
}

export function revocationsFor(ctx: CoreContext, profile: string, linkId: string): RevocationRecord[] {
  const rows = ctx.log
    .prepare(`SELECT id, at, by_user, reason, notes, state FROM export_actions WHERE profile = ? AND link_id = ? AND kind = 'revoke' ORDER BY at`)
    .all(profile, linkId) as Array<{ id: string; at: string; by_user: string; reason: string; notes: string; state: RevocationRecord['state'] }>;
  return rows.map((r) => ({ id: r.id, at: r.at, byUser: r.by_user, reason: r.reason, notes: r.notes, state: r.state }));
}

/** Incident notes of the "investigate a suspicious export" flow, kept with the revocation. */
export function setIncidentNotes(ctx: CoreContext, recordId: string, notes: string): RevocationRecord {
  const r = ctx.log.prepare(`UPDATE export_actions SET notes = ? WHERE id = ? AND kind = 'revoke'`).run(notes, recordId);
  if (r.changes === 0) throw new AppError('NotFound', 'There is no revocation record with that id.', 'Open the link again; notes can be added to a link revoked from Custodian.');
  const row = ctx.log.prepare('SELECT id, at, by_user, reason, notes, state FROM export_actions WHERE id = ?').get(recordId) as { id: string; at: string; by_user: string; reason: string; notes: string; state: RevocationRecord['state'] };
  return { id: row.id, at: row.at, byUser: row.by_user, reason: row.reason, notes: row.notes, state: row.state };
}
