import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Activity } from '../../../../src-main/contract/audit';

/**
 * Rows per day, stacked by action, as plain SVG (no chart library: nothing that injects styles
 * under our CSP). Each bar has a text title and the chart a summary list for screen readers.
 */

const COLORS = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9', '#f08c00', '#0c8599', '#c92a2a', '#5c7cfa'];

export function ActivityChart({ activity }: { activity: Activity | null }) {
  const { t } = useTranslation();
  if (!activity) return null;
  if (activity.buckets.length === 0) return <Text c="dimmed">{t('auditPage.activityEmpty')}</Text>;
  const days = [...new Set(activity.buckets.map((b) => b.day))].sort();
  const totals = new Map<string, number>();
  const byAction = new Map<string, number>();
  for (const b of activity.buckets) {
    totals.set(b.day, (totals.get(b.day) ?? 0) + b.count);
    byAction.set(b.action, (byAction.get(b.action) ?? 0) + b.count);
  }
  // The busiest actions get their own colour; the rest share the last one.
  const top = [...byAction.entries()].sort((a, b) => b[1] - a[1]).slice(0, COLORS.length - 1).map(([a]) => a);
  const color = (a: string) => COLORS[top.includes(a) ? top.indexOf(a) : COLORS.length - 1]!;
  const max = Math.max(...totals.values());
  const W = 720;
  const H = 160;
  const bw = W / days.length;
  return (
    <figure className="audit-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('auditPage.activity')} preserveAspectRatio="none" className="audit-chart-svg">
        {days.map((day, i) => {
          let y = H;
          return (
            <g key={day}>
              <title>{t('auditPage.activitySummary', { day, count: totals.get(day) })}</title>
              {activity.buckets
                .filter((b) => b.day === day)
                .map((b) => {
                  const h = (b.count / max) * (H - 4);
                  y -= h;
                  return <rect key={b.action} x={i * bw + 1} y={y} width={Math.max(1, bw - 2)} height={h} fill={color(b.action)} />;
                })}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="audit-legend">
          {[...top, ...(byAction.size > top.length ? ['…'] : [])].map((a) => (
            <li key={a}>
              <svg width="10" height="10" aria-hidden="true">
                <rect width="10" height="10" fill={a === '…' ? COLORS[COLORS.length - 1] : color(a)} />
              </svg>{' '}
              {a}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
