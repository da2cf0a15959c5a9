import type { CoreContext } from '../context';
import type { ExportSummary } from '../../contract/exports';
import { AppError } from '../common/errors';
import { withClient } from '../connections/pg-client';
import { sendExportMail } from './mail';
import { finishAction, startAction } from './action-log';

/**
 * KoNote's `send_export_summary`: links created in the last N days; totals by export_type;
 * elevated; downloaded (download_count > 0); "pending" = never downloaded and not revoked;
 * revoked; top 5 creators by display name. Subject as KoNote words it. Sent to the recipients
 * configured in Custodian's email settings.
 */

/** KoNote runs on America/Toronto; its summary names dates in that zone. */
export const konoteDate = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Toronto', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);

export interface SummaryFigures {
  total: number;
  byType: Array<{ type: string; count: number }>;
  elevated: number;
  downloaded: number;
  notDownloaded: number;
  revoked: number;
  topCreators: Array<{ name: string; count: number }>;
}

export function summaryText(f: SummaryFigures, start: string, end: string, profile: string): { subject: string; text: string } {
  const lines = [
    `Export activity for ${profile}, ${start} to ${end}`,
    '',
    `Total exports: ${f.total}`,
    ...f.byType.map((t) => `  ${t.type}: ${t.count}`),
    `Elevated exports: ${f.elevated}`,
    `Downloaded: ${f.downloaded}`,
    `Not yet downloaded (pending): ${f.notDownloaded}`,
    `Revoked: ${f.revoked}`,
    '',
    'Top creators:',
    ...(f.topCreators.length ? f.topCreators.map((c, i) => `  ${i + 1}. ${c.name}: ${c.count}`) : ['  (none)']),
    '',
    '— Sent by Custodian',
  ];
  return { subject: `KoNote — Export Activity Summary (${start} to ${end})`, text: lines.join('\n') };
}

export async function exportSummary(ctx: CoreContext, input: { profile: string; days: number; dryRun: boolean }): Promise<ExportSummary> {
  if (!Number.isInteger(input.days) || input.days < 1 || input.days > 366) throw new AppError('Validation', `--days must be a whole number from 1 to 366 (got ${input.days}).`, 'KoNote’s weekly summary uses 7.');
  const { figures, startAt, endAt } = await withClient(ctx, input.profile, 'main', async (c) => {
    const w = (await c.query<{ s: Date; e: Date }>(`SELECT now() - make_interval(days => $1) AS s, now() AS e`, [input.days])).rows[0]!;
    const agg = (
      await c.query<{ total: string; elevated: string; downloaded: string; not_downloaded: string; revoked: string }>(
        `SELECT count(*) AS total, count(*) FILTER (WHERE is_elevated) AS elevated, count(*) FILTER (WHERE download_count > 0) AS downloaded,
                count(*) FILTER (WHERE download_count = 0 AND NOT revoked) AS not_downloaded, count(*) FILTER (WHERE revoked) AS revoked
           FROM reports_secureexportlink WHERE created_at >= $1`,
        [w.s],
      )
    ).rows[0]!;
    const byType = (await c.query<{ t: string; n: string }>(`SELECT export_type AS t, count(*) AS n FROM reports_secureexportlink WHERE created_at >= $1 GROUP BY export_type ORDER BY count(*) DESC, export_type`, [w.s])).rows;
    const top = (
      await c.query<{ name: string; n: string }>(
        `SELECT coalesce(u.display_name, '(unknown user ' || l.created_by_id || ')') AS name, count(*) AS n
           FROM reports_secureexportlink l LEFT JOIN users u ON u.id = l.created_by_id
          WHERE l.created_at >= $1 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 5`,
        [w.s],
      )
    ).rows;
    const figures: SummaryFigures = {
      total: Number(agg.total),
      byType: byType.map((r) => ({ type: r.t, count: Number(r.n) })),
      elevated: Number(agg.elevated),
      downloaded: Number(agg.downloaded),
      notDownloaded: Number(agg.not_downloaded),
      revoked: Number(agg.revoked),
      topCreators: top.map((r) => ({ name: r.name, count: Number(r.n) })),
    };
    return { figures, startAt: w.s, endAt: w.e };
  });
  const start = konoteDate(startAt);
  const end = konoteDate(endAt);
  const { subject, text } = summaryText(figures, start, end, input.profile);
  const recipients = ctx.settings.get().smtp?.to ?? [];
  const result: ExportSummary = { start, end, days: input.days, ...figures, subject, text, recipients, sent: false, dryRun: input.dryRun };
  if (!input.dryRun) {
    await sendExportMail(ctx, { subject, text });
    result.sent = true;
    const id = startAction(ctx, { profile: input.profile, kind: 'summary' });
    finishAction(ctx, id, 'done', { start, end, total: figures.total, recipients });
  }
  return result;
}
