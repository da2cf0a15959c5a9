import { useEffect, useRef, useState } from 'react';
import type { AppErrorData } from '../../src-main/contract/errors';
import type { JobSummary } from '../../src-main/contract/jobs';
import { call } from '../app/api';
import { useJobs } from './jobs';

/**
 * One job followed through its events: the job, whether it has ended, `onFinished` called exactly
 * once when it does (the caller reloads its list), and a cancel whose refusal becomes `error`.
 */
export function useFollowedJob(jobId: string, onFinished: (job: JobSummary) => void) {
  const job = useJobs((s) => s.jobs[jobId]);
  const [error, setError] = useState<AppErrorData | null>(null);
  const reported = useRef(false);
  const done = Boolean(job && !['queued', 'running'].includes(job.state));

  useEffect(() => {
    if (done && job && !reported.current) {
      reported.current = true;
      onFinished(job);
    }
  }, [done, job, onFinished]);

  const cancel = async () => {
    const res = await call('jobs.cancel', { jobId });
    if (!res.ok) setError(res.error);
  };
  return { job, done, cancel, error };
}
