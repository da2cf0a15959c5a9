import { Alert, Button, Paper, Progress, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { JobSummary } from '../../../../src-main/contract/jobs';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useFollowedJob } from '../../../state/use-followed-job';

/** Live progress of a PITR job with a cancel button; reports the finished job once. */
export function PitrJobProgress({ jobId, onDone, cancelLabel }: { jobId: string; onDone(job: JobSummary): void; cancelLabel?: string }) {
  const { t } = useTranslation();
  const { job, done, cancel } = useFollowedJob(jobId, onDone);
  const fraction = job?.progress.fraction ?? null;
  return (
    <Stack gap="xs" aria-live="polite">
      {!done && (
        <Paper withBorder p="sm">
          <Text fw={600}>{job?.title ?? '…'}</Text>
          <Progress mt="xs" value={fraction === null ? 100 : Math.round(fraction * 100)} animated={fraction === null} striped={fraction === null} aria-label={t('jobs.progress', { title: job?.title ?? '' })} />
          {job?.progress.message && <Text size="sm">{job.progress.message}</Text>}
          <Button mt="xs" size="xs" variant="light" color="red" onClick={() => void cancel()}>
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
