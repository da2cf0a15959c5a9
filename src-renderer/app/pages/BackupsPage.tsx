import { Button, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { AlertSchema, BackupSetSummary } from '../../../src-main/contract/backups';
import type { AppErrorData } from '../../../src-main/contract/errors';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useActiveProfile } from '../../state/app';
import { BackupWizard } from '../../wizards/backup/BackupWizard';
import { call } from '../api';
import { BackupAlerts } from './backups/BackupAlerts';
import { BackupSetsTable } from './backups/BackupSetsTable';
import { RetentionSettings } from './backups/RetentionSettings';
import { ScheduleSettings } from './backups/ScheduleSettings';

/** Backups of the active profile: sets, "Back up now", schedule, retention and alerts. */
export function BackupsPage() {
  const { t } = useTranslation();
  const profile = useActiveProfile();
  const [sets, setSets] = useState<BackupSetSummary[] | null>(null);
  const [alerts, setAlerts] = useState<z.infer<typeof AlertSchema>[]>([]);
  const [error, setError] = useState<AppErrorData | null>(null);
  const [wizard, setWizard] = useState(false);

  const load = useCallback(async () => {
    if (!profile) return;
    const [s, a] = await Promise.all([call('backups.list', { profile }), call('backups.alerts', { profile })]);
    if (s.ok) setSets(s.value);
    if (a.ok) setAlerts(a.value);
    const failure = !s.ok ? s.error : !a.ok ? a.error : null;
    setError(failure);
  }, [profile]);

  useEffect(() => {
    setSets(null);
    void load();
  }, [load]);

  const onSetChanged = useCallback(
    (updated?: BackupSetSummary) => {
      if (updated) setSets((list) => list?.map((s) => (s.id === updated.id ? updated : s)) ?? null);
      else void load();
    },
    [load],
  );

  if (!profile) {
    return (
      <>
        <PageTitle>{t('backups.title')}</PageTitle>
        <Text>{t('backups.noProfile')}</Text>
      </>
    );
  }

  return (
    <Stack gap="md">
      <PageTitle>{t('backups.title')}</PageTitle>
      <Text>{t('backups.intro')}</Text>
      {!wizard && (
        <Group>
          <Button onClick={() => setWizard(true)}>{t('backups.backUpNow')}</Button>
        </Group>
      )}
      {wizard && <BackupWizard profile={profile} onClose={() => setWizard(false)} onFinished={() => void load()} />}
      {error && <ErrorAlert error={error} />}
      <Paper withBorder p="md" component="section" aria-labelledby="sets-title">
        <Group justify="space-between" mb="xs">
          <Title order={2} size="h4" id="sets-title">
            {t('backups.setsTitle')}
          </Title>
          <Button size="xs" variant="default" onClick={() => void load()}>
            {t('backups.refresh')}
          </Button>
        </Group>
        {!sets && !error && <Loader size="sm" aria-label={t('app.loading')} />}
        {sets && <BackupSetsTable sets={sets} onChanged={onSetChanged} />}
      </Paper>
      <ScheduleSettings profile={profile} />
      <RetentionSettings profile={profile} onPruned={() => void load()} />
      <BackupAlerts alerts={alerts} />
    </Stack>
  );
}
