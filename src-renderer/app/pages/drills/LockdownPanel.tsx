import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LockdownReport } from '../../../../src-main/contract/drills';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { call } from '../../api';
import { CheckTable } from './CheckTable';

/** Audit lockdown: check what protection is really there; apply KoNote's statements after a confirmation. */
export function LockdownPanel({ profile }: { profile: string }) {
  const { t } = useTranslation();
  const [report, setReport] = useState<LockdownReport | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const run = async (apply: boolean) => {
    setBusy(true);
    setError(null);
    setConfirming(false);
    const res = apply ? await call('lockdown.apply', { profile, confirm: true }) : await call('lockdown.check', { profile });
    setBusy(false);
    if (res.ok) setReport(res.value);
    else setError(res.error);
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="lockdown-title">
      <Title order={2} size="h4" id="lockdown-title" mb="xs">
        {t('drills.lockdown.title')}
      </Title>
      <Text size="sm" mb="sm">
        {t('drills.lockdown.intro')}
      </Text>
      <Group>
        <Button variant="default" onClick={() => void run(false)} loading={busy}>
          {t('drills.lockdown.check')}
        </Button>
        {!confirming && (
          <Button variant="light" onClick={() => setConfirming(true)}>
            {t('drills.lockdown.apply')}
          </Button>
        )}
      </Group>
      {confirming && (
        <Stack gap="xs" mt="sm" role="alertdialog" aria-label={t('drills.lockdown.apply')}>
          <Text size="sm">{t('drills.lockdown.applyConfirm')}</Text>
          <Group gap="xs">
            <Button size="xs" onClick={() => void run(true)}>
              {t('drills.lockdown.confirmApply')}
            </Button>
            <Button size="xs" variant="default" onClick={() => setConfirming(false)}>
              {t('app.cancel')}
            </Button>
          </Group>
        </Stack>
      )}
      {report && (
        <Stack gap="xs" mt="sm" aria-live="polite">
          {report.applied.length > 0 && <Text size="sm">{t('drills.lockdown.applied', { count: report.applied.length })}</Text>}
          <Text size="sm" data-testid="lockdown-owner">
            {t('drills.lockdown.owner', { owner: report.owner ?? '?', writer: report.writer, privs: report.writerPrivileges.join(', ') || '—' })}
          </Text>
          <CheckTable checks={report.findings} caption={t('drills.lockdown.title')} />
        </Stack>
      )}
      {error && <ErrorAlert error={error} />}
    </Paper>
  );
}
