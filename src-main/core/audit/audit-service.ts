import type { Activity, AuditFilter, AuditPage, LinkTrail, SavedQuery } from '../../contract/audit';
import type { CoreContext } from '../context';
import { AppError } from '../common/errors';
import { withClient } from '../connections/pg-client';
import { resolveProfile } from '../connections/profile-store';
import { emptyFilter } from './filters';
import { applySavedQuery, SAVED_QUERIES } from './saved-queries';
import { forEachPage, planQuery, queryAuditPage } from './query';
import { sessionTimeZone, withAuditClient } from './audit-db';

/** The audit review surface shared by the app's handlers and the CLI. */

export interface AuditQueryRequest {
  profile?: string;
  filter: AuditFilter;
  saved: string | null;
  beforeId: string | null;
  limit: number;
}

export function listSavedQueries(): SavedQuery[] {
  return SAVED_QUERIES;
}

/** With no time at all the review defaults to the last 7 days (scanning years by accident is slow and rarely meant). */
export function withDefaultWindow(f: AuditFilter, since = '7d'): AuditFilter {
  return f.since || f.from || f.to || f.linkId ? f : { ...f, since };
}

export async function queryAudit(ctx: CoreContext, req: AuditQueryRequest): Promise<AuditPage> {
  const filter = withDefaultWindow(applySavedQuery(req.saved, req.filter));
  return withAuditClient(ctx, req.profile, (c) => queryAuditPage(c, filter, { beforeId: req.beforeId, limit: req.limit }));
}

/** Rows per local day and action over the filter's range (the chart on the Audit page). */
export async function auditActivity(ctx: CoreContext, req: { profile?: string; filter: AuditFilter; saved: string | null }): Promise<Activity> {
  const filter = withDefaultWindow(applySavedQuery(req.saved, req.filter), '30d');
  return withAuditClient(ctx, req.profile, async (c) => {
    const timeZone = await sessionTimeZone(c);
    const plan = await planQuery(c, filter);
    if (!plan.range) return { buckets: [], timeZone };
    const tz = plan.params.add(timeZone);
    const r = await c.query<{ day: string; action: string; n: string }>(
      `SELECT to_char(event_timestamp AT TIME ZONE ${tz}, 'YYYY-MM-DD') AS day, action, count(*)::text AS n
         FROM public.audit_log WHERE ${plan.where.join(' AND ')} GROUP BY 1, 2 ORDER BY 1, 2`,
      plan.params.values,
    );
    return { buckets: r.rows.map((x) => ({ day: x.day, action: x.action, count: Number(x.n) })), timeZone };
  });
}

const TRAIL_CAP = 2000;

/**
 * An export link's whole trail: creation, downloads, revocation, matched by the link id that
 * KoNote keeps only in metadata. The search is limited to the link's lifetime when the main
 * database still has the link (cleanup deletes expired ones), otherwise it reads the whole log.
 */
export async function linkTrail(ctx: CoreContext, profileName: string | undefined, linkId: string): Promise<LinkTrail> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(linkId)) {
    throw new AppError('Validation', 'That is not an export link id.', 'An export link id looks like 3f2b8c1e-0d4a-4c1b-9a7e-5b2f1c0d9e8a (it is in the link’s address).');
  }
  const life = await withAuditLinkLifetime(ctx, profileName, linkId);
  const filter = emptyFilter({ linkId, ...(life ? { from: life.from.toISOString(), to: life.to.toISOString() } : {}) });
  return withAuditClient(ctx, profileName, async (c) => {
    const plan = await planQuery(c, filter);
    const rows: LinkTrail['rows'] = [];
    await forEachPage(c, plan, 1000, (page) => {
      rows.push(...page.slice(0, TRAIL_CAP - rows.length));
    });
    rows.reverse(); // oldest first: a trail reads as a story
    return {
      linkId,
      scope: life ? 'link-lifetime' : 'whole-log',
      rows,
      created: rows.some((r) => r.resourceType !== 'export_download' && r.resourceType !== 'export_link_revoked'),
      downloads: rows.filter((r) => r.resourceType === 'export_download').length,
      revoked: rows.some((r) => r.resourceType === 'export_link_revoked'),
    };
  });
}

/** The link's life from the main database, padded a day each side; null when the row is gone or unreadable. */
async function withAuditLinkLifetime(ctx: CoreContext, profileName: string | undefined, linkId: string): Promise<{ from: Date; to: Date } | null> {
  try {
    const profile = resolveProfile(ctx, profileName);
    return await withClient(ctx, profile.name, 'main', async (c) => {
      const r = await c.query<{ created_at: Date; expires_at: Date; revoked_at: Date | null }>(
        `SELECT created_at, expires_at, revoked_at FROM public.reports_secureexportlink WHERE id::text = $1`,
        [linkId.toLowerCase()],
      );
      const row = r.rows[0];
      if (!row) return null;
      const day = 86_400_000;
      const end = Math.max(row.expires_at.getTime(), row.revoked_at?.getTime() ?? 0, row.created_at.getTime()) + day;
      return { from: new Date(row.created_at.getTime() - day), to: new Date(Math.min(end, Date.now() + day)) };
    });
  } catch {
    return null;
  }
}
