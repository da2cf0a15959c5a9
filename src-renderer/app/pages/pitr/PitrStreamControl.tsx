import { Button, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useJobs } from '../../../state/jobs';
import { call } from '../../api';

/**
 * Start/stop continuous WAL streaming (pg_receivewal into the archive folder) while the app runs.
 * The status is the running job's progress: last complete WAL file and MB received.
 */
export function PitrStreamControl({ profile }: { profile: string }) {
  const { t } = useTranslation();
  const job = useJobs((s) => Object.values(s.jobs).find((j) => j.kind === 'pitr.receiveWal' && ['queued', 'running'].includes(j.state) && j.title.includes(` ${profile} (main)`)));
  const last = useJobs((s) => Object.values(s.jobs).filter((j) => j.kind === 'pitr.receiveWal' && j.state === 'failed').at(0));
  const [error, setError] = useState<AppErrorData | null>(null);
  const start = async () => {
    setError(null);
    const res = await call('jobs.start', { kind: 'pitr.receiveWal', profile, role: 'main', dir: null, slot: null });
    if (!res.ok) setError(res.error);
  };
  return (
    <>
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" role="status" aria-live="polite">
          {job ? job.progress.message || t('pitr.stream.starting') : t('pitr.stream.off')}
        </Text>
        {job ? (
          <Button size="xs" variant="light" color="red" onClick={() => void call('jobs.cancel', { jobId: job.id })}>
            {t('pitr.stream.stop')}
          </Button>
        ) : (
          <Button size="xs" variant="light" onClick={() => void start()}>
            {t('pitr.stream.start')}
          </Button>
        )}
      </Group>
      {error && <ErrorAlert error={error} />}
      {!job && !error && last?.error && <ErrorAlert error={last.error as AppErrorData} />}
    </>
  );
}
