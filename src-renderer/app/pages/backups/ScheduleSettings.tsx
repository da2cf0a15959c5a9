import { Alert, Button, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ScheduleStatus } from '../../../../src-main/contract/backups';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { InlineConfirm } from '../../../components/InlineConfirm';
import { call } from '../../api';

const TIME = /^([01]?\d|2[0-3]):[0-5]\d$/;

/**
 * The daily backup in the OS scheduler: what is installed (read back from the scheduler), install
 * or move it, remove it (after a confirmation), and a test run of the same backup as a job.
 */
export function ScheduleSettings({ profile }: { profile: string }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<ScheduleStatus | null>(null);
  const [time, setTime] = useState('02:30');
  const [timeError, setTimeError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<'install' | 'remove' | 'test' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);

  const load = useCallback(async () => {
    const res = await call('schedule.show', { profile });
    if (res.ok) {
      setStatus(res.value);
      if (res.value.time) setTime(res.value.time);
    } else setError(res.error);
  }, [profile]);

  useEffect(() => {
    setStatus(null);
    void load();
  }, [load]);

  const install = async () => {
    if (!TIME.test(time.trim())) {
      setTimeError(t('backupSchedule.timeInvalid'));
      return;
    }
    setBusy('install');
    setError(null);
    setNotice(null);
    const res = await call('schedule.install', { profile, time: time.trim() });
    setBusy(null);
    if (res.ok) {
      setStatus(res.value);
      setNotice(t('backupSchedule.installedOk', { time: res.value.time ?? time.trim() }));
    } else setError(res.error);
  };

  const remove = async () => {
    setConfirming(false);
    setBusy('remove');
    setError(null);
    setNotice(null);
    const res = await call('schedule.remove', { profile });
    setBusy(null);
    if (res.ok) {
      setStatus(res.value);
      setNotice(t('backupSchedule.removedOk'));
    } else setError(res.error);
  };

  // The scheduler runs `custodian backup run --profile P`: defaults for folder and format, encrypted.
  const testRun = async () => {
    setBusy('test');
    setError(null);
    setNotice(null);
    const res = await call('jobs.start', { kind: 'backup.run', profile, format: 'custom', encrypt: true });
    setBusy(null);
    if (res.ok) setNotice(t('backupSchedule.testRunStarted'));
    else setError(res.error);
  };

  const schedulerName = status ? t(`backupSchedule.scheduler.${status.scheduler}`) : '';
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="schedule-title">
      <Title order={2} size="h4" id="schedule-title" mb="xs">
        {t('backupSchedule.title')}
      </Title>
      <Text size="sm" mb="sm">
        {t('backupSchedule.intro')}
      </Text>
      {status && (
        <Stack gap="xs">
          <Text fw={600} data-testid="schedule-status">
            {status.installed ? t('backupSchedule.installed', { time: status.time ?? '?', scheduler: schedulerName }) : t('backupSchedule.notInstalled', { scheduler: schedulerName })}
          </Text>
          {status.installed && (
            <Table>
              <Table.Tbody>
                <Table.Tr>
                  <Table.Th scope="row">{t('backupSchedule.location')}</Table.Th>
                  <Table.Td>{status.location}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">{t('backupSchedule.command')}</Table.Th>
                  <Table.Td>
                    <code>{status.command.join(' ')}</code>
                  </Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      )}
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void install();
        }}
      >
        <Group align="flex-end" mt="sm">
          <TextInput
            label={t('backupSchedule.time')}
            description={t('backupSchedule.timeHelp')}
            value={time}
            error={timeError}
            autoComplete="off"
            onChange={(e) => {
              setTime(e.currentTarget.value);
              setTimeError(null);
            }}
          />
          <Button type="submit" loading={busy === 'install'}>
            {status?.installed ? t('backupSchedule.move') : t('backupSchedule.install')}
          </Button>
        </Group>
      </form>
      <Group mt="sm">
        {status?.installed && !confirming && (
          <Button variant="light" color="red" loading={busy === 'remove'} onClick={() => setConfirming(true)}>
            {t('backupSchedule.remove')}
          </Button>
        )}
        <Button variant="default" loading={busy === 'test'} onClick={() => void testRun()} title={t('backupSchedule.testRunHelp')}>
          {t('backupSchedule.testRun')}
        </Button>
      </Group>
      <Text size="xs" c="dimmed" mt={4}>
        {t('backupSchedule.testRunHelp')}
      </Text>
      {confirming && (
        <InlineConfirm mt="sm" label={t('backupSchedule.remove')} message={t('backupSchedule.removeConfirm')} confirmLabel={t('backupSchedule.confirmRemove')} keepLabel={t('backupSchedule.keep')} onConfirm={() => void remove()} onKeep={() => setConfirming(false)} />
      )}
      {notice && (
        <Alert color="green" variant="light" role="status" mt="sm">
          {notice}
        </Alert>
      )}
      {error && (
        <Stack mt="sm">
          <ErrorAlert error={error} />
        </Stack>
      )}
    </Paper>
  );
}
