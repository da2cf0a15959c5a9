import { Button, Group, Progress, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { JobSummary } from '../../../src-main/contract/jobs';
import { InlineConfirm } from '../../components/InlineConfirm';
import { ErrorAlert } from '../../components/ErrorAlert';

/** Seconds left, from the fraction done and the time spent so far (null until it can be told). */
export function etaSeconds(job: Pick<JobSummary, 'startedAt' | 'progress'>, now = Date.now()): number | null {
  const f = job.progress.fraction;
  if (!job.startedAt || f === null || f <= 0.01 || f >= 1) return null;
  const elapsed = (now - Date.parse(job.startedAt)) / 1000;
  return elapsed > 0 ? Math.max(0, Math.round((elapsed * (1 - f)) / f)) : null;
}

/** A running job's progress, ETA and a cancel that asks first; failures show their hint. */
export function KeyJobProgress({ job, onCancel, cancelNote }: { job: JobSummary; onCancel(): void; cancelNote?: string }) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const active = job.state === 'queued' || job.state === 'running';
  const f = job.progress.fraction;
  const eta = etaSeconds(job);
  return (
    <Stack gap="xs" data-testid="key-job">
      <Text fw={600}>{job.title}</Text>
      {active && (
        <>
          <Progress value={f === null ? 100 : Math.round(f * 100)} animated={f === null} striped={f === null} aria-label={t('jobs.progress', { title: job.title })} />
          <Text size="sm">{job.progress.message}</Text>
          {eta !== null && <Text size="sm">{eta >= 90 ? t('keyRotation.etaMinutes', { minutes: Math.round(eta / 60) }) : t('keyRotation.etaSeconds', { seconds: eta })}</Text>}
          {!confirming ? (
            <Group>
              <Button size="xs" variant="light" color="red" onClick={() => setConfirming(true)}>
                {t('jobs.cancel')}
              </Button>
            </Group>
          ) : (
            <InlineConfirm
              label={t('jobs.cancel')}
              message={cancelNote ?? t('jobs.cancelConfirm', { title: job.title })}
              confirmLabel={t('jobs.confirmCancel')}
              keepLabel={t('jobs.keepRunning')}
              onConfirm={() => {
                setConfirming(false);
                onCancel();
              }}
              onKeep={() => setConfirming(false)}
            />
          )}
        </>
      )}
      {job.state === 'cancelled' && <Text size="sm">{t('keyRotation.jobCancelled')}</Text>}
      {job.state === 'failed' && job.error && job.error.kind !== 'Cancelled' && <ErrorAlert error={job.error} />}
    </Stack>
  );
}
