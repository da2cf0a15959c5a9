import { Alert, Button, Paper, Progress, Stack, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { JobSummary } from '../../../../src-main/contract/jobs';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useJobs } from '../../../state/jobs';
import { call } from '../../api';

/** Live progress of a PITR job with a cancel button; reports the finished job once. */
export function PitrJobProgress({ jobId, onDone, cancelLabel }: { jobId: string; onDone(job: JobSummary): void; cancelLabel?: string }) {
  const { t } = useTranslation();
  const job = useJobs((s) => s.jobs[jobId]);
  const reported = useRef(false);
  const done = !!job && !['queued', 'running'].includes(job.state);
  useEffect(() => {
    if (done && job && !reported.current) {
      reported.current = true;
      onDone(job);
    }
  }, [done, job, onDone]);
  const fraction = job?.progress.fraction ?? null;
  return (
    <Stack gap="xs" aria-live="polite">
      {!done && (
        <Paper withBorder p="sm">
          <Text fw={600}>{job?.title ?? '…'}</Text>
          <Progress mt="xs" value={fraction === null ? 100 : Math.round(fraction * 100)} animated={fraction === null} striped={fraction === null} aria-label={t('jobs.progress', { title: job?.title ?? '' })} />
          {job?.progress.message && <Text size="sm">{job.progress.message}</Text>}
          <Button mt="xs" size="xs" variant="light" color="red" onClick={() => void call('jobs.cancel', { jobId })}>
            {cancelLabel ?? t('drills.cancel')}
          </Button>
        </Paper>
      )}
      {job?.state === 'failed' && job.error && <ErrorAlert error={job.error} />}
      {job?.state === 'cancelled' && (
        <Alert color="gray" variant="light" role="status">
          {t('drills.cancelled')}
        </Alert>
      )}
    </Stack>
  );
}
