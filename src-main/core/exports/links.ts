import type { Client } from 'pg';
import type { CoreContext } from '../context';
import { ExportListInputSchema, type ExportLink, type ExportLinkDetail, type ExportList, type ExportListInput, type FileState } from '../../contract/exports';
import { AppError } from '../common/errors';
import { withClient } from '../connections/pg-client';
import { exportFolderState, localPathFor, readExportSettings } from './export-settings';
import { checkExportPath } from './safe-path';
import { isKnownExportType, linkStatus, pendingUntil } from './link-status';
import { linkAuditTrail } from './audit-trail';
import { revocationsFor } from './action-log';

/** Reading export links: the list with KoNote's statuses and filters, and one link's details. */

export interface LinkRow {
  id: string;
  created_at: Date;
  expires_at: Date;
  download_count: number;
  last_downloaded_at: Date | null;
  export_type: string;
  filters_json: string;
  client_count: number;
  includes_notes: boolean;
  recipient: string;
  filename: string;
  is_elevated: boolean;
  admin_notified_at: Date | null;
  revoked: boolean;
  revoked_at: Date | null;
  file_path: string;
  contains_pii: boolean;
  agency_notes: string;
  approved_at: Date | null;
  cb_id: string | null;
  cb_username: string | null;
  cb_display: string | null;
  rb_id: string | null;
  rb_username: string | null;
  rb_display: string | null;
}

export const LINK_SELECT = `
  SELECT l.id::text AS id, l.created_at, l.expires_at, l.download_count, l.last_downloaded_at, l.export_type, l.filters_json,
         l.client_count, l.includes_notes, l.recipient, l.filename, l.is_elevated, l.admin_notified_at, l.revoked, l.revoked_at,
         l.file_path, l.contains_pii, l.agency_notes, l.approved_at,
         cb.id AS cb_id, cb.username AS cb_username, cb.display_name AS cb_display,
         rb.id AS rb_id, rb.username AS rb_username, rb.display_name AS rb_display
    FROM reports_secureexportlink l
    LEFT JOIN users cb ON cb.id = l.created_by_id
    LEFT JOIN users rb ON rb.id = l.revoked_by_id`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const userRef = (id: string | null, username: string | null, display: string | null) => (id === null ? null : { id: Number(id), username: username ?? '', displayName: display ?? '' });

export interface FileContext {
  realDir: string | null;
  settings: { exportDir: string | null; serverExportDir: string | null };
}

export function fileStateOf(fc: FileContext, filePath: string): { state: FileState; problem: string | null } {
  if (!fc.realDir) return { state: 'unknown', problem: null };
  const c = checkExportPath(fc.realDir, localPathFor(fc.settings, filePath));
  if (c.kind === 'outside') return { state: 'outside', problem: c.reason };
  return { state: c.exists ? 'present' : 'missing', problem: null };
}

export function toLink(r: LinkRow, fc: FileContext, now: Date, delayMinutes: number): ExportLink {
  const file = fileStateOf(fc, r.file_path);
  return {
    id: r.id,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    exportType: r.export_type,
    typeKnown: isKnownExportType(r.export_type),
    status: linkStatus({ revoked: r.revoked, expiresAt: r.expires_at, createdAt: r.created_at, isElevated: r.is_elevated, fileState: file.state }, now, delayMinutes),
    fileState: file.state,
    pathProblem: file.problem,
    clientCount: r.client_count,
    includesNotes: r.includes_notes,
    containsPii: r.contains_pii,
    isElevated: r.is_elevated,
    pendingUntil: r.is_elevated ? pendingUntil(r.created_at, delayMinutes).toISOString() : null,
    recipient: r.recipient,
    filename: r.filename,
    downloadCount: r.download_count,
    lastDownloadedAt: iso(r.last_downloaded_at),
    revoked: r.revoked,
    revokedAt: iso(r.revoked_at),
    createdBy: userRef(r.cb_id, r.cb_username, r.cb_display),
    revokedBy: userRef(r.rb_id, r.rb_username, r.rb_display),
  };
}

/** The export folder as seen from here, for every read and write on links. */
export function fileContext(ctx: CoreContext, profile: string, exportDirOverride?: string) {
  const settings = readExportSettings(ctx, profile);
  const effective = exportDirOverride ? { ...settings, exportDir: exportDirOverride } : settings;
  const folder = exportFolderState(effective.exportDir);
  return { settings: effective, folder, fc: { realDir: folder.realDir, settings: effective } as FileContext };
}

function validationError(e: { issues: Array<{ path: PropertyKey[]; message: string }> }): AppError {
  const first = e.issues[0];
  return new AppError('Validation', `The filter is not valid: ${first?.path.join('.') || 'input'}: ${first?.message ?? 'invalid'}.`, `Statuses: revoked, expired, file_missing, file_unknown, pending, active. Types: metrics, standard_report, individual_client, session_report, client_data (legacy: funder_report, cmt). Dates as YYYY-MM-DD.`);
}

export async function listLinks(ctx: CoreContext, input: ExportListInput): Promise<ExportList> {
  const parsed = ExportListInputSchema.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error);
  const f = parsed.data;
  const { settings, folder, fc } = fileContext(ctx, f.profile);
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('$?', `$${params.length}`));
  };
  if (f.type) add('l.export_type = $?', f.type);
  if (f.creator) {
    if (/^\d+$/.test(f.creator)) add('l.created_by_id = $?', Number(f.creator));
    else {
      params.push(f.creator);
      where.push(`(lower(cb.username) = lower($${params.length}) OR lower(cb.display_name) = lower($${params.length}))`);
    }
  }
  if (f.from) add(`l.created_at >= $?::date`, f.from);
  if (f.to) add(`l.created_at < ($?::date + 1)`, f.to);
  if (f.elevated !== undefined) add('l.is_elevated = $?', f.elevated);
  if (f.pii !== undefined) add('l.contains_pii = $?', f.pii);
  // Cheap pre-filters; the exact status (file checks, pending window) is computed below.
  if (f.status === 'revoked') where.push('l.revoked');
  else if (f.status === 'expired') where.push('NOT l.revoked AND l.expires_at < now()');
  else if (f.status) where.push('NOT l.revoked AND l.expires_at >= now()');
  const sql = `${LINK_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY l.created_at DESC, l.id LIMIT ${f.limit + 1}`;
  const { rows, otherSchemas } = await withClient(ctx, f.profile, 'main', async (c) => ({ rows: (await c.query<LinkRow>(sql, params)).rows, otherSchemas: await otherLinkSchemas(c) }));
  const now = new Date();
  const truncated = rows.length > f.limit;
  let links = rows.slice(0, f.limit).map((r) => toLink(r, fc, now, settings.pendingDelayMinutes));
  if (f.status) links = links.filter((l) => l.status === f.status);
  const unknownTypes = [...new Set(links.filter((l) => !l.typeKnown).map((l) => l.exportType))];
  return { folder: { exportDir: folder.exportDir, reachable: folder.reachable, detail: folder.detail }, links, truncated, unknownTypes, otherSchemas };
}

/**
 * Schemas other than the one the search path finds that hold an export-link table: in a
 * multi-agency deployment each agency has its own. Their links are not listed or revoked here
 * yet, so the list says they exist rather than leaving them out silently.
 */
export async function otherLinkSchemas(c: Client): Promise<string[]> {
  const r = await c.query<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = 'reports_secureexportlink' AND c.relkind IN ('r', 'p') AND c.oid IS DISTINCT FROM to_regclass('reports_secureexportlink')
      ORDER BY 1`,
  );
  return r.rows.map((x) => x.schema);
}

export async function fetchLinkRow(c: Client, id: string, lock = false): Promise<(LinkRow & { lb_id: string | null; lb_username: string | null; lb_display: string | null; ab_id: string | null; ab_username: string | null; ab_display: string | null }) | null> {
  const sql = `SELECT x.*, lb.id AS lb_id, lb.username AS lb_username, lb.display_name AS lb_display, ab.id AS ab_id, ab.username AS ab_username, ab.display_name AS ab_display
     FROM (${LINK_SELECT} WHERE l.id = $1::uuid) x
     JOIN reports_secureexportlink l2 ON l2.id = x.id::uuid
     LEFT JOIN users lb ON lb.id = l2.last_downloaded_by_id
     LEFT JOIN users ab ON ab.id = l2.approved_by_id`;
  if (lock) await c.query('SELECT 1 FROM reports_secureexportlink WHERE id = $1::uuid FOR UPDATE', [id]);
  return (await c.query(sql, [id])).rows[0] ?? null;
}

export const notFound = (id: string) =>
  new AppError('NotFound', `There is no export link with id ${id}.`, 'Check the id (copy it from `custodian exports list`); the link may have been removed by a cleanup.');

export function assertLinkId(id: string): void {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new AppError('Validation', `"${id}" is not an export link id.`, 'An export link id is a UUID such as 3f2b6c1e-8a4d-4f0e-9b7a-2c5d1e0f9a8b; copy it from `custodian exports list`.');
}

export async function showLink(ctx: CoreContext, profile: string, id: string): Promise<ExportLinkDetail> {
  assertLinkId(id);
  const { settings, fc } = fileContext(ctx, profile);
  const r = await withClient(ctx, profile, 'main', (c) => fetchLinkRow(c, id));
  if (!r) throw notFound(id);
  const base = toLink(r, fc, new Date(), settings.pendingDelayMinutes);
  let filters: unknown = null;
  try {
    filters = JSON.parse(r.filters_json);
  } catch {
    filters = null;
  }
  let trail: ExportLinkDetail['trail'] = [];
  let trailError: string | null = null;
  try {
    trail = await linkAuditTrail(ctx, profile, id, r.created_at);
  } catch (e) {
    // The details stay useful when the audit database is down; say so instead of failing.
    trailError = e instanceof Error ? e.message : String(e);
  }
  return {
    ...base,
    filePath: r.file_path,
    filters,
    filtersRaw: r.filters_json,
    lastDownloadedBy: userRef(r.lb_id, r.lb_username, r.lb_display),
    approvedAt: iso(r.approved_at),
    approvedBy: userRef(r.ab_id, r.ab_username, r.ab_display),
    adminNotifiedAt: iso(r.admin_notified_at),
    agencyNotes: r.agency_notes,
    trail,
    trailError,
    revocations: revocationsFor(ctx, profile, id),
  };
}
