import type { Client } from 'pg';
import type { CoreContext } from '../context';
import { RevokeInputSchema, type RevokeResult } from '../../contract/exports';
import { AppError, isAppError } from '../common/errors';
import { withClient } from '../connections/pg-client';
import { assertLinkId, fetchLinkRow, fileContext, notFound } from './links';
import { localPathFor } from './export-settings';
import { deleteInside } from './safe-path';
import { insertAuditRow } from './audit-trail';
import { finishAction, startAction } from './action-log';

/**
 * Revoking a link as KoNote's admin view does: set `revoked`, `revoked_by_id`, `revoked_at`,
 * write the `update` / `export_link_revoked` audit row, delete the file. The order is chosen so a
 * failure leaves a state we can name: the main-database change and the audit row commit together
 * (the audit row is inserted while the main transaction is open; if it fails we roll back and
 * nothing changed). The file is deleted last: a leftover file of a revoked link cannot be
 * downloaded (KoNote checks `revoked` first) and is reported, and cleanup removes it later.
 */

export interface KonoteAdmin {
  id: number;
  username: string;
  displayName: string;
  isDemo: boolean;
}

/** The KoNote admin account the action is recorded under: named, configured, or the only one. */
export async function resolveAdmin(c: Client, wanted: string | null): Promise<KonoteAdmin> {
  const rows = (
    await c.query<{ id: string; username: string; display_name: string; is_demo: boolean }>(
      'SELECT id, username, display_name, is_demo FROM users WHERE is_admin AND is_active ORDER BY username',
    )
  ).rows;
  const pick = (r: (typeof rows)[number]) => ({ id: Number(r.id), username: r.username, displayName: r.display_name, isDemo: r.is_demo });
  if (wanted) {
    const r = rows.find((x) => x.username.toLowerCase() === wanted.toLowerCase());
    if (!r) {
      throw new AppError('Validation', `"${wanted}" is not an active KoNote admin account.`, `Revocations are recorded under a KoNote admin. Active admins: ${rows.map((x) => x.username).join(', ') || '(none)'}. Pass --as USERNAME or set it in the Export links settings.`);
    }
    return pick(r);
  }
  if (rows.length === 1) return pick(rows[0]!);
  throw new AppError(
    'Validation',
    rows.length ? 'Which KoNote admin account should this be recorded under?' : 'This KoNote has no active admin account to record the revocation under.',
    rows.length ? `Pass --as USERNAME (one of: ${rows.map((x) => x.username).join(', ')}) or set the admin account in the Export links settings.` : 'KoNote only lets admins revoke links. Activate an admin account in KoNote first.',
  );
}

export async function revokeLink(ctx: CoreContext, input: { profile: string; id: string; reason: string; asUser?: string; confirm: true }): Promise<RevokeResult> {
  assertLinkId(input.id);
  const parsed = RevokeInputSchema.safeParse(input);
  if (!parsed.success) throw new AppError('Validation', `The revocation is not valid: ${parsed.error.issues[0]?.message ?? 'invalid input'}.`, 'Give a short reason (at least 3 characters) and confirm. Nothing was changed.');
  const { profile, id, reason } = parsed.data;
  const { settings, folder } = fileContext(ctx, profile);

  const committed = await withClient(ctx, profile, 'main', async (main) => {
    await main.query('BEGIN');
    let recordId: string | null = null;
    try {
      const row = await fetchLinkRow(main, id, true);
      if (!row) throw notFound(id);
      if (row.revoked) {
        throw new AppError('Conflict', `This link was already revoked${row.revoked_at ? ` on ${row.revoked_at.toISOString()}` : ''}${row.rb_display ? ` by ${row.rb_display}` : ''}.`, 'Nothing was changed. If its file is still on disk, `custodian exports cleanup` removes it once the link has expired.');
      }
      const admin = await resolveAdmin(main, parsed.data.asUser ?? settings.adminUsername);
      recordId = startAction(ctx, { profile, kind: 'revoke', linkId: id, byUser: admin.displayName, reason });
      const upd = await main.query<{ revoked_at: Date }>(
        'UPDATE reports_secureexportlink SET revoked = true, revoked_by_id = $2, revoked_at = now() WHERE id = $1::uuid AND NOT revoked RETURNING revoked_at',
        [id, admin.id],
      );
      if (upd.rowCount !== 1) throw new AppError('Conflict', 'The link changed while it was being revoked.', 'Nothing was changed. Open it again and retry.');
      let auditRowId: number;
      try {
        auditRowId = await withClient(ctx, profile, 'audit', (audit) =>
          insertAuditRow(audit, {
            userId: admin.id,
            userDisplay: admin.displayName,
            action: 'update',
            resourceType: 'export_link_revoked',
            metadata: { link_id: id, created_by: row.cb_display ?? '', export_type: row.export_type, client_count: row.client_count },
            isDemo: admin.isDemo,
          }),
        );
      } catch (e) {
        const inner = isAppError(e) ? e : null;
        throw new AppError(
          inner?.kind ?? 'Internal',
          `The audit row could not be written, so the link was NOT revoked: ${e instanceof Error ? e.message : String(e)}`,
          `Nothing was changed. ${inner?.hint ?? 'Check the audit database connection (custodian profile test) and try again.'}`,
          { cause: e },
        );
      }
      try {
        await main.query('COMMIT');
      } catch (e) {
        throw new AppError('Internal', `The audit row ${auditRowId} was written but the revocation could not be saved: ${e instanceof Error ? e.message : String(e)}.`, 'The link is still active. Try again; the audit log will then show two revocation rows for this link, the first of which did not take effect.', { cause: e });
      }
      return { row, admin, revokedAt: upd.rows[0]!.revoked_at, auditRowId, recordId };
    } catch (e) {
      await main.query('ROLLBACK').catch(() => {});
      if (recordId) finishAction(ctx, recordId, 'failed', { error: e instanceof Error ? e.message : String(e) });
      throw e;
    }
  });

  // Last: the file. Only ever inside the export folder; everything else is reported.
  let file: RevokeResult['file'];
  if (!folder.realDir) file = { action: 'not-reachable', detail: `The file was not deleted: ${folder.detail} Delete ${committed.row.file_path} on the server, or run cleanup from a computer that reaches the export folder.` };
  else {
    const d = deleteInside(folder.realDir, localPathFor(settings, committed.row.file_path));
    file = d.ok ? (d.gone ? { action: 'already-gone', detail: 'The file was already gone.' } : { action: 'deleted', detail: 'The file was deleted.' }) : { action: d.refused ? 'refused' : 'failed', detail: d.reason };
  }
  const result: RevokeResult = {
    linkId: id,
    revokedAt: committed.revokedAt.toISOString(),
    revokedBy: { id: committed.admin.id, username: committed.admin.username, displayName: committed.admin.displayName },
    auditRowId: committed.auditRowId,
    file,
    recordId: committed.recordId,
  };
  finishAction(ctx, committed.recordId, 'done', result);
  return result;
}
