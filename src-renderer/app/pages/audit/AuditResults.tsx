import { Badge, Button, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditRow } from '../../../../src-main/contract/audit';
import { formatLocal } from '../../../components/time';

/**
 * A virtualised results table: only the rows in view (plus a margin) are in the DOM, so tens of
 * thousands of loaded rows scroll smoothly. Rows are buttons-in-rows reachable by keyboard; the
 * selected row's full detail (old/new values, metadata) is shown pretty-printed beside it.
 */

const ROW_HEIGHT = 36;
const VIEWPORT = 480;
const OVERSCAN = 10;

export function visibleWindow(scrollTop: number, total: number): { start: number; end: number } {
  const start = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  return { start, end: Math.min(total, start + Math.ceil(VIEWPORT / ROW_HEIGHT) + 2 * OVERSCAN) };
}

function Json({ label, value }: { label: string; value: unknown }) {
  if (value === null || value === undefined) return null;
  return (
    <div>
      <Text size="sm" fw={600}>
        {label}
      </Text>
      <Code block className="audit-json">
        {JSON.stringify(value, null, 2)}
      </Code>
    </div>
  );
}

export function RowDetail({ row }: { row: AuditRow | null }) {
  const { t, i18n } = useTranslation();
  if (!row) return <Text c="dimmed">{t('auditPage.detailHint')}</Text>;
  return (
    <Stack gap="xs" aria-live="polite">
      <Title order={3} size="h5">
        {t('auditPage.detail', { id: row.id })}
      </Title>
      <Text size="sm">
        {formatLocal(row.eventTimestamp, i18n.language)} · {row.userDisplay || '—'}
        {row.userId !== null ? ` (#${row.userId})` : ''} · {row.action} · {row.resourceType}
        {row.resourceId !== null ? ` #${row.resourceId}` : ''} · {row.ipAddress ?? '—'}
      </Text>
      <Group gap="xs">
        {row.programId !== null && <Badge variant="light">{`${t('auditPage.detailFields.program')} ${row.programId}`}</Badge>}
        {row.isDemoContext && <Badge color="grape" variant="light">{t('auditPage.demo')}</Badge>}
        {row.isConfidentialContext && <Badge color="orange" variant="light">{t('auditPage.confidential')}</Badge>}
        {row.tenantSchema && <Badge variant="light">{`${t('auditPage.detailFields.tenant')}: ${row.tenantSchema}`}</Badge>}
      </Group>
      <Json label={t('auditPage.detailFields.metadata')} value={row.metadata} />
      <Json label={t('auditPage.detailFields.oldValues')} value={row.oldValues} />
      <Json label={t('auditPage.detailFields.newValues')} value={row.newValues} />
    </Stack>
  );
}

export function AuditResults({ rows, more, loadingMore, onMore }: { rows: AuditRow[]; more: boolean; loadingMore: boolean; onMore(): void }) {
  const { t, i18n } = useTranslation();
  const [scrollTop, setScrollTop] = useState(0);
  const [selected, setSelected] = useState<string | null>(null);
  const { start, end } = visibleWindow(scrollTop, rows.length);
  const row = rows.find((r) => r.id === selected) ?? null;
  if (rows.length === 0) return <Text>{t('auditPage.noRows')}</Text>;
  return (
    <div className="audit-results">
      <div>
        <div className="audit-viewport" onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} tabIndex={0} role="region" aria-label={t('auditPage.results')}>
          <table className="audit-table">
            <thead>
              <tr>
                <th scope="col">{t('auditPage.columns.time')}</th>
                <th scope="col">{t('auditPage.columns.user')}</th>
                <th scope="col">{t('auditPage.columns.action')}</th>
                <th scope="col">{t('auditPage.columns.resource')}</th>
                <th scope="col">{t('auditPage.columns.ip')}</th>
              </tr>
            </thead>
            <tbody>
              {start > 0 && <tr aria-hidden="true" style={{ height: start * ROW_HEIGHT }} />}
              {rows.slice(start, end).map((r) => (
                <tr key={r.id} data-testid="audit-row" aria-selected={r.id === selected} className={r.id === selected ? 'selected' : undefined}>
                  <td>
                    <button type="button" className="audit-row-button" onClick={() => setSelected(r.id)}>
                      {formatLocal(r.eventTimestamp, i18n.language)}
                    </button>
                  </td>
                  <td>{r.userDisplay || (r.userId === null ? '—' : `#${r.userId}`)}</td>
                  <td>{r.action}</td>
                  <td>
                    {r.resourceType}
                    {r.resourceId !== null ? ` #${r.resourceId}` : ''}
                  </td>
                  <td>{r.ipAddress ?? '—'}</td>
                </tr>
              ))}
              {end < rows.length && <tr aria-hidden="true" style={{ height: (rows.length - end) * ROW_HEIGHT }} />}
            </tbody>
          </table>
        </div>
        {more && (
          <Button mt="xs" variant="light" onClick={onMore} loading={loadingMore}>
            {t('auditPage.loadMore')}
          </Button>
        )}
      </div>
      <Paper withBorder p="sm">
        <RowDetail row={row} />
      </Paper>
    </div>
  );
}
