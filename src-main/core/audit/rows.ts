import type { AuditRow } from '../../contract/audit';

/**
 * The columns every audit query returns, and their mapping to the contract's AuditRow. `id` is
 * returned as text (bigint), so ORDER BY must name the table's column (`public.audit_log.id`):
 * a bare `id` would sort the text alias, putting 999 after 2903.
 */
export const ROW_COLUMNS = `id::text AS id, event_timestamp, user_id, user_display, abbrev(ip_address) AS ip_address, action, resource_type,
  resource_id, program_id, old_values, new_values, metadata, is_demo_context, is_confidential_context, tenant_schema`;

export interface RawAuditRow {
  id: string;
  event_timestamp: Date;
  user_id: number | null;
  user_display: string;
  ip_address: string | null;
  action: string;
  resource_type: string;
  resource_id: number | null;
  program_id: number | null;
  old_values: unknown;
  new_values: unknown;
  metadata: unknown;
  is_demo_context: boolean;
  is_confidential_context: boolean;
  tenant_schema: string;
}

export function toAuditRow(r: RawAuditRow): AuditRow {
  return {
    id: r.id,
    eventTimestamp: r.event_timestamp.toISOString(),
    userId: r.user_id,
    userDisplay: r.user_display,
    ipAddress: r.ip_address,
    action: r.action,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    programId: r.program_id,
    oldValues: r.old_values ?? null,
    newValues: r.new_values ?? null,
    metadata: r.metadata ?? null,
    isDemoContext: r.is_demo_context,
    isConfidentialContext: r.is_confidential_context,
    tenantSchema: r.tenant_schema,
  };
}
