import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';

/** Inserts one reports_secureexportlink row with every NOT NULL column (Django sets no defaults). */
export async function insertExportLink(
  c: Client,
  o: { filePath: string; createdMinAgo: number; expiresMinAgo?: number; type?: string; revoked?: boolean; createdById?: number; clientCount?: number; elevated?: boolean; pii?: boolean; downloads?: number },
): Promise<string> {
  const id = randomUUID();
  const created = new Date(Date.now() - o.createdMinAgo * 60_000);
  const expires = o.expiresMinAgo === undefined ? new Date(created.getTime() + 24 * 3_600_000) : new Date(Date.now() - o.expiresMinAgo * 60_000);
  await c.query(
    `INSERT INTO reports_secureexportlink (id, created_at, expires_at, download_count, last_downloaded_at, export_type, filters_json, client_count, includes_notes,
       recipient, filename, is_elevated, admin_notified_at, revoked, revoked_at, file_path, created_by_id, last_downloaded_by_id, revoked_by_id, contains_pii,
       agency_notes, approved_at, approved_by_id)
     VALUES ($1, $2, $3, $4, NULL, $5, '{"program": 2}', $6, false, 'Test recipient', 'test.csv', $7, NULL, $8, $9, $10, $11, NULL, NULL, $12, '', NULL, NULL)`,
    [id, created, expires, o.downloads ?? 0, o.type ?? 'metrics', o.clientCount ?? 5, o.elevated ?? false, o.revoked ?? false, o.revoked ? created : null, o.filePath, o.createdById ?? 4, o.pii ?? false],
  );
  return id;
}
