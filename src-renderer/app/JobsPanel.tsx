import { Badge, Button, Code, Group, Paper, Progress, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../src-main/contract/errors';
import type { JobSummary } from '../../src-main/contract/jobs';
import { InlineConfirm } from '../components/InlineConfirm';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatLocal } from '../components/time';
import { useJobs } from '../state/jobs';
import { call, getApi } from './api';

const STATE_COLOR: Record<JobSummary['state'], string> = { queued: 'gray', running: 'blue', succeeded: 'green', failed: 'red', cancelled: 'orange' };

/** Load jobs.list once and follow job events for the life of the window. Used by App. */
export function useJobFeed(): void {
  useEffect(() => {
    const api = getApi();
    const unsubscribe = api.onJobEvent((event) => useJobs.getState().applyEvent(event));
    void api.invoke('jobs.list', { limit: 50 }).then((res) => {
      if (res.ok) useJobs.getState().setJobs(res.value);
    });
    return unsubscribe;
  }, []);
}

function JobCard({ job }: { job: JobSummary }) {
  const { t, i18n } = useTranslation();
  const lines = useJobs((s) => s.logs[job.id]);
  const [showLog, setShowLog] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const active = job.state === 'queued' || job.state === 'running';

  const toggleLog = async () => {
    const next = !showLog;
    setShowLog(next);
    if (next) {
      const res = await call('jobs.log', { jobId: job.id, afterSeq: 0 });
      if (res.ok) useJobs.getState().setLog(job.id, res.value);
      else setError(res.error);
    }
  };

  const cancel = async () => {
    setConfirming(false);
    const res = await call('jobs.cancel', { jobId: job.id });
    if (!res.ok) setError(res.error);
  };

  const fraction = job.progress.fraction;
  return (
    <Paper withBorder p="sm" component="li" data-testid="job">
      <Group justify="space-between" wrap="nowrap">
        <Text fw={600}>{job.title}</Text>
        <Badge color={STATE_COLOR[job.state]} variant="light">
          {t(`jobs.state.${job.state}`)}
        </Badge>
      </Group>
      <Text size="xs" c="dimmed">
        {formatLocal(job.createdAt, i18n.language)}
      </Text>
      {active && (
        <Progress
          mt="xs"
          value={fraction === null ? 100 : Math.round(fraction * 100)}
          animated={fraction === null}
          striped={fraction === null}
          aria-label={t('jobs.progress', { title: job.title })}
        />
      )}
      {active && job.progress.message && <Text size="sm">{job.progress.message}</Text>}
      {/* A cancelled job carries a Cancelled error; the badge already says so. */}
      {job.state === 'failed' && job.error && <ErrorAlert error={job.error} />}
      <Group mt="xs" gap="xs">
        <Button size="xs" variant="subtle" onClick={() => void toggleLog()} aria-expanded={showLog}>
          {showLog ? t('jobs.hideLog') : t('jobs.showLog')}
        </Button>
        {active && !confirming && (
          <Button size="xs" variant="light" color="red" onClick={() => setConfirming(true)}>
            {t('jobs.cancel')}
          </Button>
        )}
      </Group>
      {confirming && (
        <InlineConfirm mt="xs" label={t('jobs.cancel')} message={t('jobs.cancelConfirm', { title: job.title })} confirmLabel={t('jobs.confirmCancel')} keepLabel={t('jobs.keepRunning')} onConfirm={() => void cancel()} onKeep={() => setConfirming(false)} />
      )}
      {showLog && (
        <Code block mt="xs" className="job-log">
          {lines && lines.length > 0 ? lines.map((l) => `${l.at}  ${l.level.toUpperCase()}  ${l.text}`).join('\n') : t('jobs.logEmpty')}
        </Code>
      )}
      {error && <ErrorAlert error={error} />}
    </Paper>
  );
}

/** The jobs panel: what is running and what ran, from the persisted job log. */
export function JobsPanel({ headingLevel = 2 }: { headingLevel?: 1 | 2 }) {
  const { t } = useTranslation();
  const order = useJobs((s) => s.order);
  const jobs = useJobs((s) => s.jobs);
  const refresh = async () => {
    const res = await call('jobs.list', { limit: 50 });
    if (res.ok) useJobs.getState().setJobs(res.value);
  };
  return (
    <Stack gap="sm" component="section" aria-labelledby="jobs-title">
      <Group justify="space-between">
        <Title order={headingLevel} size={headingLevel === 1 ? 'h2' : 'h4'} id="jobs-title">
          {t('jobs.title')}
        </Title>
        <Button size="xs" variant="default" onClick={() => void refresh()}>
          {t('jobs.refresh')}
        </Button>
      </Group>
      {order.length === 0 ? (
        <Text size="sm">{t('jobs.none')}</Text>
      ) : (
        <ul className="job-list">
          {order.map((id) => {
            const job = jobs[id];
            return job ? <JobCard key={id} job={job} /> : null;
          })}
        </ul>
      )}
    </Stack>
  );
}
