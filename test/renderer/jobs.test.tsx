import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { act } from 'react';
import type { JobSummary } from '../../src-main/contract/jobs';
import { createFakeApi } from './fake-api';
import { renderApp } from './render-app';

const JOB: JobSummary = {
  id: 'job-1',
  kind: 'demo.sleep',
  title: 'Practice job',
  state: 'running',
  progress: { fraction: 0.25, message: 'Sleeping' },
  createdAt: '2026-01-01T10:00:00Z',
  startedAt: '2026-01-01T10:00:01Z',
  finishedAt: null,
  error: null,
  result: null,
};

describe('jobs panel', () => {
  it('lists jobs from jobs.list and cancels only after confirmation', async () => {
    const user = userEvent.setup();
    const fake = createFakeApi({
      'jobs.list': () => ({ ok: true, value: [JOB] }),
      'jobs.cancel': () => ({ ok: true, value: { cancelled: true } }),
      'jobs.log': () => ({ ok: true, value: [{ seq: 1, at: '2026-01-01T10:00:02Z', level: 'info', text: 'started sleeping' }] }),
    });
    renderApp('#/jobs', fake);
    const job = await screen.findByTestId('job');
    expect(within(job).getByText('Practice job')).toBeInTheDocument();
    expect(within(job).getByText('Running')).toBeInTheDocument();
    expect(within(job).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '25');

    await user.click(within(job).getByRole('button', { name: 'Show log' }));
    expect(await within(job).findByText(/started sleeping/)).toBeInTheDocument();

    await user.click(within(job).getByRole('button', { name: 'Cancel job' }));
    expect(fake.callsTo('jobs.cancel')).toEqual([]);
    await user.click(within(job).getByRole('button', { name: 'Keep running' }));
    expect(fake.callsTo('jobs.cancel')).toEqual([]);
    await user.click(within(job).getByRole('button', { name: 'Cancel job' }));
    await user.click(within(job).getByRole('button', { name: 'Stop the job' }));
    expect(fake.callsTo('jobs.cancel')).toEqual([{ jobId: 'job-1' }]);

    // The state event from the core updates the card live.
    act(() => fake.emit({ type: 'state', jobId: 'job-1', job: { ...JOB, state: 'cancelled', finishedAt: '2026-01-01T10:00:05Z' } }));
    expect(await within(screen.getByTestId('job')).findByText('Cancelled')).toBeInTheDocument();
    expect(within(screen.getByTestId('job')).queryByRole('button', { name: 'Cancel job' })).not.toBeInTheDocument();
  });

  it('says so when no job has run', async () => {
    renderApp('#/jobs', createFakeApi());
    expect(await screen.findByText('No jobs have run yet.')).toBeInTheDocument();
  });
});
