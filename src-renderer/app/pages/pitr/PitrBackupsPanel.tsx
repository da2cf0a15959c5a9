import { Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import type { BaseBackup } from '../../../../src-main/contract/pitr';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatLocal } from '../../../components/time';
import { call } from '../../api';
import { PitrJobProgress } from './PitrJobProgress';
import { PitrStreamControl } from './PitrStreamControl';

const COLOR = { running: 'blue', verified: 'green', failed: 'red' } as const;

/** The base backup catalogue and the button that takes one (a job with progress and cancel). */
export function PitrBackupsPanel({ profile }: { profile: string }) {
  const { t, i18n } = useTranslation();
  const [backups, setBackups] = useState<BaseBackup[] | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);

  const load = useCallback(async () => {
    const res = await call('pitr.backups', { profile });
    if (res.ok) setBackups(res.value);
    else setError(res.error);
  }, [profile]);
  useEffect(() => {
    void load();
  }, [load]);

  const take = async () => {
    setError(null);
    const res = await call('jobs.start', { kind: 'pitr.baseBackup', profile, role: 'main' });
    if (res.ok) setJobId(res.value.jobId);
    else setError(res.error);
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="pitr-backups-title">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h4" id="pitr-backups-title">
            {t('pitr.backups.title')}
          </Title>
          <Button onClick={() => void take()} disabled={!!jobId}>
            {t('pitr.backups.take')}
          </Button>
        </Group>
        {jobId && (
          <PitrJobProgress
            jobId={jobId}
            onDone={(job) => {
              setJobId(null);
              if (job.error && job.state === 'failed') setError(job.error as AppErrorData);
              void load();
            }}
          />
        )}
        {error && <ErrorAlert error={error} />}
        <PitrStreamControl profile={profile} />
        {backups && backups.length === 0 && <Text size="sm">{t('pitr.backups.empty')}</Text>}
        {backups && backups.length > 0 && (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('pitr.backups.colId')}</Table.Th>
                <Table.Th>{t('pitr.backups.colState')}</Table.Th>
                <Table.Th>{t('pitr.backups.colFinished')}</Table.Th>
                <Table.Th>{t('pitr.backups.colWal')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {backups.map((b) => (
                <Table.Tr key={b.id}>
                  <Table.Td>{b.id}</Table.Td>
                  <Table.Td>
                    <Badge color={COLOR[b.state]} variant="light">
                      {t(`pitr.backups.state.${b.state}`)}
                    </Badge>
                    {b.error && <Text size="xs">{b.error.message}</Text>}
                  </Table.Td>
                  <Table.Td>{b.finishedAt ? formatLocal(b.finishedAt, i18n.language) : '—'}</Table.Td>
                  <Table.Td>{b.startLsn ? `${b.startLsn} → ${b.endLsn}` : '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Paper>
  );
}
