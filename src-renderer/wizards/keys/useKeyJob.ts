import { useCallback, useState } from 'react';
import type { AppErrorData } from '../../../src-main/contract/errors';
import type { JobSpec, JobSummary } from '../../../src-main/contract/jobs';
import { call } from '../../app/api';
import { useJobs } from '../../state/jobs';

/**
 * Starts a job and follows it through the shared jobs store (fed by job events), so progress,
 * the final result and cancel work the same here as in the Jobs panel — and survive navigation.
 */
export function useKeyJob() {
  const [jobId, setJobId] = useState<string | null>(null);
  const [startError, setStartError] = useState<AppErrorData | null>(null);
  const job: JobSummary | null = useJobs((s) => (jobId ? (s.jobs[jobId] ?? null) : null));

  const start = useCallback(async (spec: JobSpec): Promise<string | null> => {
    setStartError(null);
    const res = await call('jobs.start', spec);
    if (!res.ok) {
      setStartError(res.error);
      return null;
    }
    setJobId(res.value.jobId);
    // Seed the store so the card shows at once, before the first event arrives.
    const list = await call('jobs.list', { limit: 50 });
    if (list.ok) {
      const mine = list.value.find((j) => j.id === res.value.jobId);
      if (mine && !useJobs.getState().jobs[mine.id]) useJobs.getState().applyEvent({ type: 'state', jobId: mine.id, job: mine });
    }
    return res.value.jobId;
  }, []);

  const cancel = useCallback(async () => {
    if (jobId) await call('jobs.cancel', { jobId });
  }, [jobId]);

  const reset = useCallback(() => {
    setJobId(null);
    setStartError(null);
  }, []);

  const active = job !== null && (job.state === 'queued' || job.state === 'running');
  return { jobId, job, active, start, cancel, reset, startError };
}
