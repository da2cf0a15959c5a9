import { Badge, Button, Checkbox, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SecurityReport, SecurityResult } from '../../../src-main/contract/audit';
import type { AppErrorData } from '../../../src-main/contract/errors';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { formatLocal } from '../../components/time';
import { useActiveProfile } from '../../state/app';
import { useKeyJob } from '../../wizards/keys/useKeyJob';

const COLOR: Record<SecurityResult['status'], string> = { PASS: 'green', WARN: 'yellow', FAIL: 'red', SKIP: 'gray' };
const MARK: Record<SecurityResult['status'], string> = { PASS: '✓', WARN: '!', FAIL: '✗', SKIP: '–' };
const CATEGORIES = ['ENC', 'RBAC', 'AUD', 'BAK'] as const;

/** The Security check page: runs the security.audit job and shows the result as a checklist, each finding with its fix. */
export function SecurityPage() {
  const { t, i18n } = useTranslation();
  const profile = useActiveProfile();
  const [full, setFull] = useState(false);
  const { job, active, start, cancel, startError } = useKeyJob();
  const report = job?.state === 'succeeded' ? (job.result as SecurityReport) : null;
  if (!profile) {
    return (
      <Stack>
        <PageTitle>{t('nav.security')}</PageTitle>
        <Text>{t('securityPage.noProfile')}</Text>
      </Stack>
    );
  }
  return (
    <Stack gap="md">
      <PageTitle>{t('nav.security')}</PageTitle>
      <Text>{t('securityPage.intro')}</Text>
      <Checkbox label={t('securityPage.full')} checked={full} onChange={(e) => setFull(e.currentTarget.checked)} />
      <Group>
        <Button loading={active} onClick={() => void start({ kind: 'security.audit', profile, categories: [...CATEGORIES], full, sample: 50 })}>
          {t('securityPage.run')}
        </Button>
        {active && job && (
          <>
            <Text size="sm" aria-live="polite">
              {t('securityPage.running', { message: job.progress.message })}
            </Text>
            <Button variant="subtle" size="xs" onClick={() => void cancel()}>
              {t('auditPage.cancel')}
            </Button>
          </>
        )}
      </Group>
      {startError && <ErrorAlert error={startError} />}
      {job?.state === 'failed' && job.error && <ErrorAlert error={job.error as AppErrorData} />}
      {report && (
        <>
          <Text fw={600} role="status">
            {t('securityPage.summary', report.summary)} · {t('securityPage.ranAt', { at: formatLocal(report.timestamp, i18n.language) })}
          </Text>
          {CATEGORIES.map((cat) => {
            const items = report.results.filter((r) => r.category === cat);
            if (items.length === 0) return null;
            return (
              <Paper withBorder p="sm" key={cat}>
                <Title order={2} size="h4">
                  {t(`securityPage.categories.${cat}`)}
                </Title>
                <List listStyleType="none" spacing="sm" mt="xs">
                  {items.map((r) => (
                    <List.Item key={r.check_id} data-testid="security-check" data-status={r.status}>
                      <Group gap="xs" wrap="nowrap" align="flex-start">
                        <Badge color={COLOR[r.status]} variant="light" aria-label={t(`securityPage.status.${r.status}`)}>
                          {MARK[r.status]} {t(`securityPage.status.${r.status}`)}
                        </Badge>
                        <div>
                          <Text size="sm" fw={600}>
                            {r.check_id} · {r.description}
                          </Text>
                          <Text size="sm">{r.detail}</Text>
                          {r.fix && r.status !== 'PASS' && (
                            <Text size="sm">
                              <strong>{t('securityPage.fix')}:</strong> {r.fix}
                            </Text>
                          )}
                        </div>
                      </Group>
                    </List.Item>
                  ))}
                </List>
              </Paper>
            );
          })}
        </>
      )}
    </Stack>
  );
}
