import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { JobSummary } from '../../src-main/contract/jobs';
import type { CopyBackPlan, ParsedTarget, RecoverableWindow, Recovery } from '../../src-main/contract/pitr';
import { createFakeApi } from './fake-api';
import { renderApp } from './render-app';

const PROFILE = { name: 'Office', main: { host: 'db', port: 5432, database: 'konote', user: 'u', sslmode: 'prefer' as const }, audit: { host: 'db', port: 5432, database: 'konote_audit', user: 'u', sslmode: 'prefer' as const }, schemas: ['public'], sandbox: false, createdAt: '2026-01-01T00:00:00Z' };
const WINDOW: RecoverableWindow = { profile: 'Office', role: 'main', archiveDir: '/mnt/wal', earliest: '2026-11-30T10:00:00.000Z', latest: '2026-11-30T16:00:00.000Z', baseBackupId: 'pb-1', segments: 12, lastSegment: '00000001000000000000000C', missing: [], notes: [] };
const target = (utc: string): ParsedTarget => ({ input: 'x', utc, zone: 'America/Toronto', local: `local of ${utc}`, note: null });
const RECOVERY: Recovery = { id: 'rc-1', profile: 'Office', role: 'main', backupId: 'pb-1', targetUtc: '2026-11-30T15:00:00.000Z', state: 'ready', dir: '/x', host: '/x/run', port: 5999, database: 'konote', user: 'u', stoppedAt: 'before commit of transaction 740, time 2026-11-30 15:00:01+00', startedAt: '2026-11-30T17:00:00Z', finishedAt: '2026-11-30T17:01:00Z', error: null };
const PLAN: CopyBackPlan = {
  recoveryId: 'rc-1', profile: 'Office', targetUtc: RECOVERY.targetUtc, total: 3, digest: 'a'.repeat(64), confirmPhrase: 'copy back 3 rows',
  tables: [
    { schema: 'public', table: 'client_files', order: 0, count: 1, sampleKeys: ['7'], via: null },
    { schema: 'public', table: 'progress_notes', order: 1, count: 2, sampleKeys: ['71', '72'], via: 'public.progress_notes.client_file_id → public.client_files' },
  ],
};
const job = (over: Partial<JobSummary>): JobSummary => ({ id: 'job-r', kind: 'pitr.recover', title: 'Recover Office', state: 'running', progress: { fraction: 0.5, message: 'Replaying WAL: 3 of about 6 files' }, createdAt: '', startedAt: '', finishedAt: null, error: null, result: null, ...over });

function fake() {
  return createFakeApi({
    'profiles.list': () => ({ ok: true, value: [PROFILE] }),
    'pitr.config.get': () => ({ ok: true, value: { profile: 'Office', role: 'main', archiveDir: '/mnt/wal', backupDir: null } }),
    'pitr.backups': () => ({ ok: true, value: [] }),
    'pitr.window': () => ({ ok: true, value: WINDOW }),
    'pitr.parseTarget': (i) => {
      const input = (i as { input: string }).input;
      if (input.includes('EST')) return { ok: false, error: { kind: 'Validation', message: '"EST" is a time-zone abbreviation', hint: 'Write the offset instead' } };
      return { ok: true, value: target(input.startsWith('late') ? '2026-11-30T17:00:00.000Z' : '2026-11-30T15:00:00.000Z') };
    },
    'jobs.start': (i) => ({ ok: true, value: { jobId: (i as { kind: string }).kind === 'pitr.replace' ? 'job-x' : 'job-r' } }),
    'pitr.copyBack.preview': () => ({ ok: true, value: PLAN }),
    'pitr.copyBack.apply': () => ({ ok: true, value: { ...PLAN, inserted: 3, auditRowId: '991' } }),
  });
}

describe('point-in-time recovery page', () => {
  it('states the dangers, shows the window as a timeline and the chosen time in local time and UTC', async () => {
    const f = fake();
    renderApp('#/pitr', f);
    expect(await screen.findByText(/Recovery never changes production/, undefined, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Point-in-time recovery' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Show the recoverable window' }));
    expect(await screen.findByTestId('pitr-timeline')).toBeInTheDocument();
    const recover = screen.getByRole('button', { name: 'Recover into a copy' });
    expect(recover).toBeDisabled();
    await userEvent.type(screen.getByLabelText(/Moment to recover to/), '2026-11-30 10:00');
    expect(await screen.findByText('Local time: local of 2026-11-30T15:00:00.000Z')).toBeInTheDocument();
    expect(screen.getByText('UTC: 2026-11-30T15:00:00.000Z')).toBeInTheDocument();
    await waitFor(() => expect(recover).toBeEnabled());
  });

  it('refuses a time outside the window and shows the core’s error for an abbreviated zone', async () => {
    const f = fake();
    renderApp('#/pitr', f);
    await userEvent.click(await screen.findByRole('button', { name: 'Show the recoverable window' }));
    await screen.findByTestId('pitr-timeline');
    const input = screen.getByLabelText(/Moment to recover to/);
    await userEvent.type(input, 'late');
    expect(await screen.findByText('This moment is outside the recoverable window.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Recover into a copy' })).toBeDisabled();
    await userEvent.clear(input);
    await userEvent.type(input, '2026-11-30 10:00 EST');
    expect(await screen.findByText(/time-zone abbreviation/)).toBeInTheDocument();
  });

  it('runs the recovery job, then previews copy-back and needs the typed phrase before writing', async () => {
    const f = fake();
    renderApp('#/pitr', f);
    await userEvent.click(await screen.findByRole('button', { name: 'Show the recoverable window' }));
    await screen.findByTestId('pitr-timeline');
    await userEvent.type(screen.getByLabelText(/Moment to recover to/), '2026-11-30 10:00');
    const recover = screen.getByRole('button', { name: 'Recover into a copy' });
    await waitFor(() => expect(recover).toBeEnabled());
    await userEvent.click(recover);
    expect(f.callsTo('jobs.start')).toEqual([{ kind: 'pitr.recover', profile: 'Office', role: 'main', targetUtc: '2026-11-30T15:00:00.000Z', backupId: null }]);
    act(() => f.emit({ type: 'state', jobId: 'job-r', job: job({}) }));
    expect(await screen.findByText('Replaying WAL: 3 of about 6 files')).toBeInTheDocument();
    act(() => f.emit({ type: 'state', jobId: 'job-r', job: job({ state: 'succeeded', result: RECOVERY }) }));
    expect(await screen.findByText(/PostgreSQL stopped before commit of transaction 740/)).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(await screen.findByText('public.progress_notes.client_file_id → public.client_files')).toBeInTheDocument();
    const apply = screen.getByRole('button', { name: 'Copy back into production' });
    expect(apply).toBeDisabled();
    await userEvent.type(screen.getByLabelText(/Type “copy back 3 rows”/), 'copy back 3 rows');
    expect(apply).toBeEnabled();
    await userEvent.click(apply);
    expect(await screen.findByText(/Copied back 3 rows in one transaction; audit row 991 written/)).toBeInTheDocument();
    expect(f.callsTo('pitr.copyBack.apply')).toEqual([{ profile: 'Office', recoveryId: 'rc-1', schema: 'public', table: 'client_files', digest: PLAN.digest, confirm: 'copy back 3 rows' }]);
  });

  it('replace needs the production database name typed back, then runs the safe-path job and shows the safety backup', async () => {
    const f = fake();
    renderApp('#/pitr', f);
    await userEvent.click(await screen.findByRole('button', { name: 'Show the recoverable window' }));
    await userEvent.type(screen.getByLabelText(/Moment to recover to/), '2026-11-30 10:00');
    const recover = screen.getByRole('button', { name: 'Recover into a copy' });
    await waitFor(() => expect(recover).toBeEnabled());
    await userEvent.click(recover);
    act(() => f.emit({ type: 'state', jobId: 'job-r', job: job({ state: 'succeeded', result: RECOVERY }) }));
    expect(await screen.findByText(/Everything written after that moment is lost/)).toBeInTheDocument();
    const replace = screen.getByRole('button', { name: 'Replace production' });
    expect(replace).toBeDisabled();
    await userEvent.type(screen.getByLabelText(/Type the database name \(konote\)/), 'konote_audit');
    expect(replace).toBeDisabled();
    await userEvent.clear(screen.getByLabelText(/Type the database name \(konote\)/));
    await userEvent.type(screen.getByLabelText(/Type the database name \(konote\)/), 'konote');
    expect(replace).toBeEnabled();
    await userEvent.click(replace);
    expect(f.callsTo('jobs.start').at(-1)).toEqual({ kind: 'pitr.replace', profile: 'Office', recoveryId: 'rc-1', confirmDatabase: 'konote', full: false, sample: 50, notes: '' });
    act(() => f.emit({ type: 'state', jobId: 'job-x', job: job({ id: 'job-x', kind: 'pitr.replace', title: 'REPLACE production', progress: { fraction: 0.3, message: 'Taking a safety backup' } }) }));
    expect(await screen.findByText('Taking a safety backup')).toBeInTheDocument();
    act(() => f.emit({ type: 'state', jobId: 'job-x', job: job({ id: 'job-x', kind: 'pitr.replace', state: 'succeeded', result: { state: 'passed', safetySetId: 'Office_20261130-1' } }) }));
    expect(await screen.findByText(/Production now holds the recovered data and passed verification. Safety backup: Office_20261130-1/)).toBeInTheDocument();
  });
});
