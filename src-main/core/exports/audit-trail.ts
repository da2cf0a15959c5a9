import type { Client } from 'pg';
import type { CoreContext } from '../context';
import type { AuditTrailRow } from '../../contract/exports';
import { withClient } from '../connections/pg-client';

/**
 * Audit rows about one export link. `audit_log` has no index but its primary key, and the link
 * UUID is only in `metadata`; ids grow with event_timestamp, so a few primary-key probes find the
 * first id at the link's creation and only the rows after it are scanned.
 */

const SLACK_MS = 10 * 60_000;
const MAX_ROWS = 500;

/** Smallest id whose event_timestamp is at or after `at` (binary search over the id range). */
export async function firstIdAtOrAfter(c: Client, at: Date): Promise<number | null> {
  const b = (await c.query<{ lo: string | null; hi: string | null }>('SELECT min(id) AS lo, max(id) AS hi FROM audit_log')).rows[0]!;
  if (b.lo === null || b.hi === null) return null;
  let lo = Number(b.lo);
  let hi = Number(b.hi) + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const r = (await c.query<{ id: string; event_timestamp: Date }>('SELECT id, event_timestamp FROM audit_log WHERE id >= $1 ORDER BY id LIMIT 1', [mid])).rows[0];
    if (!r) hi = mid;
    else if (r.event_timestamp.getTime() >= at.getTime()) hi = Math.min(mid, Number(r.id));
    else lo = Number(r.id) + 1;
  }
  return lo;
}

export async function linkAuditTrail(ctx: CoreContext, profile: string, linkId: string, createdAt: Date): Promise<AuditTrailRow[]> {
  return withClient(ctx, profile, 'audit', async (c) => {
    const from = (await firstIdAtOrAfter(c, new Date(createdAt.getTime() - SLACK_MS))) ?? 0;
    const rows = (
      await c.query<{ id: string; event_timestamp: Date; user_display: string; action: string; resource_type: string; metadata: Record<string, unknown> | null }>(
        `SELECT id, event_timestamp, user_display, action, resource_type, metadata FROM audit_log
          WHERE id >= $1 AND (metadata->>'link_id' = $2 OR metadata->>'secure_link_id' = $2)
          ORDER BY id LIMIT ${MAX_ROWS}`,
        [from, linkId],
      )
    ).rows;
    return rows.map((r) => ({ id: Number(r.id), at: r.event_timestamp.toISOString(), user: r.user_display, action: r.action, resourceType: r.resource_type, metadata: r.metadata }));
  });
}

export interface AuditRowInput {
  userId: number | null;
  userDisplay: string;
  action: string;
  resourceType: string;
  metadata: Record<string, unknown>;
  isDemo?: boolean;
  tenantSchema?: string;
}

/**
 * Writes one row exactly as KoNote's AuditLog model would (every NOT NULL column supplied, since
 * Django creates no defaults). Returns the new id. Needs only INSERT (what lockdown leaves).
 */
export async function insertAuditRow(c: Client, row: AuditRowInput): Promise<number> {
  const r = await c.query<{ id: string }>(
    `INSERT INTO audit_log (event_timestamp, user_id, user_display, ip_address, action, resource_type, resource_id, program_id,
                            old_values, new_values, metadata, is_demo_context, is_confidential_context, tenant_schema)
     VALUES (now(), $1, $2, NULL, $3, $4, NULL, NULL, NULL, NULL, $5::jsonb, $6, false, $7) RETURNING id`,
    [row.userId, row.userDisplay, row.action, row.resourceType, JSON.stringify(row.metadata), row.isDemo ?? false, row.tenantSchema ?? ''],
  );
  return Number(r.rows[0]!.id);
}
