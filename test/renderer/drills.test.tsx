import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { BackupSetSummary } from '../../src-main/contract/backups';
import type { CheckResult, DrillSummary, LockdownReport } from '../../src-main/contract/drills';
import type { JobSummary } from '../../src-main/contract/jobs';
import { createFakeApi } from './fake-api';
import { renderApp } from './render-app';

const PROFILE = { name: 'Office', main: { host: 'db', port: 5432, database: 'konote', user: 'u', sslmode: 'prefer' as const }, audit: { host: 'db', port: 5432, database: 'konote_audit', user: 'a', sslmode: 'prefer' as const }, schemas: ['public'], sandbox: false, createdAt: '2026-01-01T00:00:00Z' };
const NOW = new Date().toISOString();
const SET: BackupSetSummary = { id: 'office_20261130T020000Z', profile: 'Office', dir: '/b/office_20261130T020000Z', createdAt: NOW, finishedAt: NOW, state: 'verified', format: 'custom', encrypted: true, totalBytes: 1000, keyListFingerprint: 'ab12-cd34-ef56-7890', recipients: [], checks: [], failure: null, pins: [], jobId: null };
const PASS = (id: string, title: string): CheckResult => ({ id, title, status: 'PASS', detail: `${title} ok` });
const CHECKLIST = [PASS('set.file.main', 'main file present and unchanged'), PASS('identity', 'Backup identity available'), PASS('keys', 'Key list in custody')];
const DRILL: DrillSummary = {
  id: 'drill_1', kind: 'drill', profile: 'Office', setId: SET.id, state: 'passed', startedAt: NOW, finishedAt: NOW, rtoSeconds: 42.5, rpoSeconds: 7200, restoreMs: 30000, verifyMs: 12500, ranBy: 'it', host: 'pc', keyListFingerprint: SET.keyListFingerprint,
  scratch: { server: 'db:5432', main: 'custodian_drill_1_main', audit: 'custodian_drill_1_audit', kept: false, droppedAt: NOW }, preflight: CHECKLIST,
  verification: { target: { main: 'm', audit: 'a' }, mode: 'sample', sample: 50, againstManifest: SET.id, status: 'PASS', checks: [PASS('decrypt', 'Encrypted columns decrypt')], columns: [], counts: {}, startedAt: NOW, finishedAt: NOW, durationMs: 12500 },
  safetySetId: null, lockdown: null, failure: null, notes: '', jobId: 'job-d',
};
const RUNNING: JobSummary = { id: 'job-d', kind: 'drill.run', title: 'Restore drill', state: 'running', progress: { fraction: 0.4, message: 'Restoring the main database: public.progress_notes' }, createdAt: NOW, startedAt: NOW, finishedAt: null, error: null, result: null };

function fakeApi(overrides: Parameters<typeof createFakeApi>[0] = {}) {
  return createFakeApi({
    'profiles.list': () => ({ ok: true, value: [PROFILE] }),
    'backups.list': () => ({ ok: true, value: [SET] }),
    'drills.list': () => ({ ok: true, value: [] }),
    'drills.preflight': () => ({ ok: true, value: { setId: SET.id, ok: true, checks: CHECKLIST } }),
    'jobs.start': () => ({ ok: true, value: { jobId: 'job-d' } }),
    'jobs.cancel': () => ({ ok: true, value: { cancelled: true } }),
    ...overrides,
  });
}

describe('Drills & Restore page', () => {
  it('runs a drill in a few clicks: set → checklist → live progress → passed result with RTO/RPO and report', async () => {
    const user = userEvent.setup();
    const fake = fakeApi();
    renderApp('#/drills', fake);
    let clicks = 0;
    const click = async (el: HTMLElement) => {
      clicks++;
      await user.click(el);
    };
    expect(await screen.findByText('No drill has been run yet.')).toBeInTheDocument();
    await click(screen.getByRole('button', { name: 'Run a restore drill' }));
    expect(await screen.findByRole('heading', { name: 'Pick a backup set' })).toHaveFocus();
    expect(await screen.findByRole('combobox', { name: 'Backup set' })).toHaveValue(SET.id);
    await click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByTestId('check-keys')).toHaveTextContent('Key list in custody');
    expect(fake.callsTo('drills.preflight')).toEqual([{ profile: 'Office', setId: SET.id }]);
    await click(screen.getByRole('button', { name: 'Run the drill' }));
    expect(fake.callsTo('jobs.start')).toEqual([{ kind: 'drill.run', profile: 'Office', setId: SET.id, keep: false, full: false, sample: 50, notes: '' }]);
    act(() => fake.emit({ type: 'state', jobId: 'job-d', job: RUNNING }));
    expect(await screen.findByText(/public.progress_notes/)).toBeInTheDocument();
    act(() => fake.emit({ type: 'state', jobId: 'job-d', job: { ...RUNNING, state: 'succeeded', finishedAt: NOW, progress: { fraction: 1, message: 'Drill passed' }, result: DRILL } }));
    expect(await screen.findByText('Passed (drill_1)')).toBeInTheDocument();
    expect(screen.getByTestId('drill-rto')).toHaveTextContent('42.5 s');
    expect(screen.getByTestId('drill-rpo')).toHaveTextContent('2.0 h');
    expect(screen.getByRole('button', { name: 'Download the report' })).toBeInTheDocument();
    expect(clicks).toBeLessThanOrEqual(10);
    // The history is reloaded when the job ends.
    expect(fake.callsTo('drills.list').length).toBeGreaterThanOrEqual(2);
  });

  it('a local throwaway instance can be chosen: the checklist and the job ask for it, and nothing is kept', async () => {
    const user = userEvent.setup();
    const fake = fakeApi();
    renderApp('#/drills', fake);
    await user.click(await screen.findByRole('button', { name: 'Run a restore drill' }));
    await screen.findByRole('combobox', { name: 'Backup set' });
    const keep = screen.getByRole('checkbox', { name: /Keep the scratch databases/ });
    await user.click(keep);
    await user.click(screen.getByRole('checkbox', { name: /throwaway PostgreSQL instance on this computer/ }));
    expect(keep).toBeDisabled();
    expect(keep).not.toBeChecked();
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByTestId('check-keys');
    expect(fake.callsTo('drills.preflight')).toEqual([{ profile: 'Office', setId: SET.id, local: true }]);
    await user.click(screen.getByRole('button', { name: 'Run the drill' }));
    expect(fake.callsTo('jobs.start')).toEqual([{ kind: 'drill.run', profile: 'Office', setId: SET.id, keep: false, local: true, full: false, sample: 50, notes: '' }]);
  });

  it('a failing checklist keeps the drill from starting and says why', async () => {
    const user = userEvent.setup();
    const fail: CheckResult = { id: 'set.file.main', title: 'main file present and unchanged', status: 'FAIL', detail: 'SHA-256 differs from the manifest', hint: 'Do not restore from this set; use another one.' };
    const fake = fakeApi({ 'drills.preflight': () => ({ ok: true, value: { setId: SET.id, ok: false, checks: [fail] } }) });
    renderApp('#/drills', fake);
    await user.click(await screen.findByRole('button', { name: 'Run a restore drill' }));
    await screen.findByRole('combobox', { name: 'Backup set' });
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('Do not restore from this set; use another one.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Run the drill' })).toBeDisabled();
    expect(fake.callsTo('jobs.start')).toEqual([]);
  });

  it('lists the history with outcome, RTO and RPO', async () => {
    const fake = fakeApi({ 'drills.list': () => ({ ok: true, value: [DRILL, { ...DRILL, id: 'drill_0', state: 'failed', rtoSeconds: null, failure: { kind: 'Validation', message: 'Verification failed' } }] }) });
    renderApp('#/drills', fake);
    const rows = await screen.findAllByTestId('drill-row');
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByText('Passed')).toBeInTheDocument();
    expect(within(rows[0]!).getByText('42.5 s')).toBeInTheDocument();
    expect(within(rows[1]!).getByText('Failed')).toBeInTheDocument();
  });

  it('the real restore only starts once the production database name is typed back', async () => {
    const user = userEvent.setup();
    const fake = fakeApi();
    renderApp('#/drills', fake);
    await user.click(await screen.findByRole('button', { name: 'Restore into production…' }));
    const start = await screen.findByRole('button', { name: 'Replace production with this set' });
    expect(start).toBeDisabled();
    const field = screen.getByLabelText('Type the database name (konote) to confirm');
    await user.type(field, 'konote_audit');
    expect(start).toBeDisabled();
    await user.clear(field);
    await user.type(field, 'konote');
    await screen.findByRole('combobox', { name: 'Backup set' });
    expect(start).toBeEnabled();
    await user.click(start);
    expect(fake.callsTo('jobs.start')).toEqual([{ kind: 'restore.run', profile: 'Office', setId: SET.id, confirmDatabase: 'konote', full: false, sample: 50, notes: '' }]);
  });

  it('lockdown: check shows the owner weakness; apply needs a confirmation', async () => {
    const user = userEvent.setup();
    const report: LockdownReport = { profile: 'Office', database: 'konote_audit', writer: 'a', owner: 'a', writerIsOwner: true, writerIsSuperuser: false, writerCanRegrant: true, writerPrivileges: ['SELECT', 'INSERT'], readerExists: true, readerPrivileges: ['SELECT'], status: 'WARN', findings: [{ id: 'lockdown.owner', title: 'Writer cannot undo the lockdown', status: 'WARN', detail: '"a" owns audit_log', hint: 'Transfer ownership to a NOLOGIN role.' }], applied: [] };
    const fake = fakeApi({ 'lockdown.check': () => ({ ok: true, value: report }), 'lockdown.apply': () => ({ ok: true, value: { ...report, applied: ['REVOKE', 'GRANT', 'GRANT'] } }) });
    renderApp('#/drills', fake);
    await user.click(await screen.findByRole('button', { name: 'Check the lockdown' }));
    expect(await screen.findByText('Transfer ownership to a NOLOGIN role.')).toBeInTheDocument();
    expect(screen.getByTestId('lockdown-owner')).toHaveTextContent('audit_log belongs to a; a may: SELECT, INSERT.');
    await user.click(screen.getByRole('button', { name: 'Apply the lockdown' }));
    expect(fake.callsTo('lockdown.apply')).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Yes, apply' }));
    expect(await screen.findByText('Applied 3 statements.')).toBeInTheDocument();
    expect(fake.callsTo('lockdown.apply')).toEqual([{ profile: 'Office', confirm: true }]);
  });
});
