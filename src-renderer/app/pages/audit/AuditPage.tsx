import { Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Activity, AuditRow, SavedQuery } from '../../../../src-main/contract/audit';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { PageTitle } from '../../../components/PageTitle';
import { useActiveProfile } from '../../../state/app';
import { call } from '../../api';
import { AuditFilters, type AuditRequest } from './AuditFilters';
import { AuditResults } from './AuditResults';
import { ActivityChart } from './ActivityChart';
import { CheckpointPanel, ExportPanel, SuspiciousPanel, TrailPanel } from './AuditTools';

const PAGE = 200;

/** The Audit log page: filters and saved queries, results (keyset pages), activity, export, trail, patterns, checkpoints. */
export function AuditPage() {
  const { t } = useTranslation();
  const profile = useActiveProfile();
  const [saved, setSaved] = useState<SavedQuery[]>([]);
  const [request, setRequest] = useState<AuditRequest | null>(null);
  const [rows, setRows] = useState<AuditRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [elapsed, setElapsed] = useState<number | null>(null);
  const [activity, setActivity] = useState<Activity | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  useEffect(() => {
    void call('audit.savedQueries', {}).then((r) => r.ok && setSaved(r.value));
  }, []);

  const fetchPage = async (req: AuditRequest, before: string | null) => {
    if (!profile) return;
    setBusy(true);
    setError(null);
    const res = await call('audit.query', { profile, filter: req.filter as never, saved: req.saved, beforeId: before, limit: PAGE });
    setBusy(false);
    if (!res.ok) return setError(res.error);
    setRows((prev) => (before ? [...prev, ...res.value.rows] : res.value.rows));
    setCursor(res.value.nextCursor);
    setElapsed(res.value.elapsedMs);
  };

  const search = async (req: AuditRequest) => {
    setRequest(req);
    setActivity(null);
    await fetchPage(req, null);
    if (profile) {
      const a = await call('audit.activity', { profile, filter: req.filter as never, saved: req.saved });
      if (a.ok) setActivity(a.value);
    }
  };

  if (!profile) {
    return (
      <Stack>
        <PageTitle>{t('nav.audit')}</PageTitle>
        <Text>{t('auditPage.noProfile')}</Text>
      </Stack>
    );
  }
  return (
    <Stack gap="md">
      <PageTitle>{t('nav.audit')}</PageTitle>
      <Text>{t('auditPage.intro', { zone })}</Text>
      <AuditFilters saved={saved} busy={busy} onSearch={(r) => void search(r)} />
      {error && <ErrorAlert error={error} />}
      {request && (
        <section aria-labelledby="audit-results-title">
          <Title order={2} size="h4" id="audit-results-title">
            {t('auditPage.results')}
          </Title>
          {elapsed !== null && (
            <Text size="sm" c="dimmed" aria-live="polite">
              {t('auditPage.resultCount', { count: rows.length, ms: elapsed })}
            </Text>
          )}
          <AuditResults rows={rows} more={cursor !== null} loadingMore={busy} onMore={() => request && void fetchPage(request, cursor)} />
          <Title order={2} size="h4" mt="md">
            {t('auditPage.activity')}
          </Title>
          <ActivityChart activity={activity} />
        </section>
      )}
      <ExportPanel profile={profile} request={request} />
      <SuspiciousPanel profile={profile} request={request} />
      <TrailPanel profile={profile} />
      <CheckpointPanel profile={profile} />
    </Stack>
  );
}
