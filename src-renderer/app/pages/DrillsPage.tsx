import { Button, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DrillSummary } from '../../../src-main/contract/drills';
import type { AppErrorData } from '../../../src-main/contract/errors';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { useActiveProfile, useAppState } from '../../state/app';
import { call } from '../api';
import { DrillHistory } from './drills/DrillHistory';
import { DrillWizard } from './drills/DrillWizard';
import { LockdownPanel } from './drills/LockdownPanel';
import { RestorePanel } from './drills/RestorePanel';

/** Drills & Restore: run a drill, the drill history with reports, the audit lockdown, the real restore. */
export function DrillsPage() {
  const { t } = useTranslation();
  const profile = useActiveProfile();
  const database = useAppState((s) => s.profiles.find((p) => p.name === profile)?.main.database ?? '');
  const [drills, setDrills] = useState<DrillSummary[] | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);
  const [wizard, setWizard] = useState(false);

  const load = useCallback(async () => {
    if (!profile) return;
    const res = await call('drills.list', { profile });
    if (res.ok) setDrills(res.value);
    setError(res.ok ? null : res.error);
  }, [profile]);

  useEffect(() => {
    setDrills(null);
    void load();
  }, [load]);

  if (!profile) {
    return (
      <>
        <PageTitle>{t('drills.title')}</PageTitle>
        <Text>{t('drills.noProfile')}</Text>
      </>
    );
  }
  return (
    <Stack gap="md">
      <PageTitle>{t('drills.title')}</PageTitle>
      <Text>{t('drills.intro')}</Text>
      {!wizard && (
        <Group>
          <Button onClick={() => setWizard(true)}>{t('drills.runDrill')}</Button>
        </Group>
      )}
      {wizard && <DrillWizard profile={profile} onClose={() => setWizard(false)} onFinished={() => void load()} />}
      {error && <ErrorAlert error={error} />}
      <Paper withBorder p="md" component="section" aria-labelledby="drill-history-title">
        <Group justify="space-between" mb="xs">
          <Title order={2} size="h4" id="drill-history-title">
            {t('drills.historyTitle')}
          </Title>
          <Button size="xs" variant="default" onClick={() => void load()}>
            {t('drills.refresh')}
          </Button>
        </Group>
        {!drills && !error && <Loader size="sm" aria-label={t('app.loading')} />}
        {drills && <DrillHistory drills={drills} />}
      </Paper>
      <LockdownPanel profile={profile} />
      <RestorePanel profile={profile} database={database} onFinished={() => void load()} />
    </Stack>
  );
}
