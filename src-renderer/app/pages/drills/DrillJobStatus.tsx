import { Alert, Button, Group, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { DrillSummarySchema } from '../../../../src-main/contract/drills';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { DrillResult } from './DrillResult';
import { RunningJobPanel, runningJobTexts } from '../../../components/RunningJobPanel';
import { useFollowedJob } from '../../../state/use-followed-job';

/** Follows a drill.run or restore.run job live (progress, cancel with confirmation), then shows its result. */
export function DrillJobStatus({ jobId, onFinished, onClose }: { jobId: string; onFinished(): void; onClose(): void }) {
  const { t } = useTranslation();
  const { job, done, cancel, error } = useFollowedJob(jobId, onFinished);
  const parsed = job?.state === 'succeeded' ? DrillSummarySchema.safeParse(job.result) : null;
  return (
    <Stack gap="sm" aria-live="polite">
      {!done && <RunningJobPanel job={job} texts={runningJobTexts(t, 'drills')} onCancel={() => void cancel()} />}
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
