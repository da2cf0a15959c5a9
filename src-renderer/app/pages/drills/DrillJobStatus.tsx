import { Alert, Button, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DrillSummarySchema } from '../../../../src-main/contract/drills';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useJobs } from '../../../state/jobs';
import { call } from '../../api';
import { DrillResult } from './DrillResult';

/** Follows a drill.run or restore.run job live (progress, cancel with confirmation), then shows its result. */
export function DrillJobStatus({ jobId, onFinished, onClose }: { jobId: string; onFinished(): void; onClose(): void }) {
  const { t } = useTranslation();
  const job = useJobs((s) => s.jobs[jobId]);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const reported = useRef(false);
  const done = job && !['queued', 'running'].includes(job.state);

  useEffect(() => {
    if (done && !reported.current) {
      reported.current = true;
      onFinished();
    }
  }, [done, onFinished]);

  const cancel = async () => {
    setConfirming(false);
    const res = await call('jobs.cancel', { jobId });
    if (!res.ok) setError(res.error);
  };
  const parsed = job?.state === 'succeeded' ? DrillSummarySchema.safeParse(job.result) : null;
  const fraction = job?.progress.fraction ?? null;
  return (
    <Stack gap="sm" aria-live="polite">
      {!done && (
        <Paper withBorder p="sm">
          <Text fw={600}>{t('drills.running')}</Text>
          <Progress mt="xs" value={fraction === null ? 100 : Math.round(fraction * 100)} animated={fraction === null} striped={fraction === null} aria-label={t('jobs.progress', { title: job?.title ?? t('drills.running') })} />
          {job?.progress.message && <Text size="sm">{job.progress.message}</Text>}
          {!confirming ? (
            <Button mt="xs" size="xs" variant="light" color="red" onClick={() => setConfirming(true)}>
              {t('drills.cancel')}
            </Button>
          ) : (
            <Stack gap="xs" mt="xs" role="alertdialog" aria-label={t('drills.cancel')}>
              <Text size="sm">{t('drills.cancelConfirm')}</Text>
              <Group gap="xs">
                <Button size="xs" color="red" onClick={() => void cancel()}>
                  {t('drills.confirmCancel')}
                </Button>
                <Button size="xs" variant="default" onClick={() => setConfirming(false)}>
                  {t('drills.keepRunning')}
                </Button>
              </Group>
            </Stack>
          )}
        </Paper>
      )}
      {parsed?.success && <DrillResult drill={parsed.data} />}
      {job?.state === 'failed' && job.error && <ErrorAlert error={job.error} title={t('drills.failed')} />}
      {job?.state === 'cancelled' && (
        <Alert color="gray" variant="light" role="status">
          {t('drills.cancelled')}
        </Alert>
      )}
      {error && <ErrorAlert error={error} />}
      {done && (
        <Group>
          <Button variant="default" onClick={onClose}>
            {t('drills.close')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
