import type { CoreContext } from '../core/context';
import type { JobSpec, JobSummary } from '../contract/jobs';
import { AppError } from '../core/common/errors';

/**
 * Runs a job from the command line exactly as the app would (persisted, so the app's job list
 * shows scheduled runs), printing progress to stderr for people and cancelling on Ctrl+C.
 * Resolves with the job's result, or throws its error.
 */
export async function runJobFromCli<T>(core: CoreContext, spec: JobSpec, opts: { json?: boolean }): Promise<T> {
  const jobId = core.jobs.start(spec);
  let lastLine = '';
  const off = core.jobs.onEvent((e) => {
    if (e.jobId !== jobId || opts.json) return;
    if (e.type === 'progress') {
      const pct = e.progress.fraction === null ? '' : `${Math.round(e.progress.fraction * 100)}% `;
      const line = `${pct}${e.progress.message}`;
      if (line !== lastLine) process.stderr.write(`  ${line}\n`);
      lastLine = line;
    } else if (e.type === 'log' && e.line.level !== 'info') {
      process.stderr.write(`  ${e.line.level === 'warn' ? 'Warning' : 'Error'}: ${e.line.text}\n`);
    }
  });
  const onSigint = () => {
    process.stderr.write('\nCancelling… (the job stops its work and removes unfinished files)\n');
    core.jobs.cancel(jobId);
  };
  process.once('SIGINT', onSigint);
  let done: JobSummary;
  try {
    done = await core.jobs.wait(jobId);
  } finally {
    off();
    process.removeListener('SIGINT', onSigint);
  }
  if (done.state !== 'succeeded') {
    const err = done.error ?? { kind: 'Internal', message: 'The job failed.' };
    throw new AppError(err.kind as never, err.message, err.hint);
  }
  return done.result as T;
}
