import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { BackupSetSummary, ScheduleStatus } from '../../src-main/contract/backups';
import type { JobSummary } from '../../src-main/contract/jobs';
import { createFakeApi } from './fake-api';
import { renderApp } from './render-app';

const PROFILE = { name: 'Office', main: { host: 'db', port: 5432, database: 'konote', user: 'u', sslmode: 'prefer' as const }, audit: { host: 'db', port: 5432, database: 'konote_audit', user: 'u', sslmode: 'prefer' as const }, schemas: ['public'], sandbox: false, createdAt: '2026-01-01T00:00:00Z' };
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

const SET_A: BackupSetSummary = {
  id: 'office_20260110T023000Z',
  profile: 'Office',
  dir: '/backups/office/office_20260110T023000Z',
  createdAt: hoursAgo(5),
  finishedAt: hoursAgo(5),
  state: 'verified',
  format: 'custom',
  encrypted: true,
  totalBytes: 12_345_678,
  keyListFingerprint: 'ab12-cd34',
  recipients: ['age1xyz'],
  checks: [],
  failure: null,
  pins: ['pre-upgrade'],
  jobId: 'job-a',
};
const SET_B: BackupSetSummary = { ...SET_A, id: 'office_20251101T023000Z', createdAt: hoursAgo(24 * 40), state: 'unverified', totalBytes: 2_000, pins: [], checks: [{ file: 'main.dump.age', check: 'sha256', ok: false, detail: 'SHA-256 does not match the manifest' }] };
const SET_C: BackupSetSummary = { ...SET_A, id: 'office_20251201T023000Z', createdAt: hoursAgo(30), state: 'failed', totalBytes: null, pins: [], keyListFingerprint: null, failure: { kind: 'PgConnect', message: 'pg_dump failed: server closed the connection' } };

function job(over: Partial<JobSummary>): JobSummary {
  return { id: 'job-1', kind: 'backup.run', title: 'Back up Office', state: 'running', progress: { fraction: 0.4, message: 'Main database: table public.client_files, 3.0 MB written' }, createdAt: hoursAgo(0), startedAt: hoursAgo(0), finishedAt: null, error: null, result: null, ...over };
}

function fakeWithSets(sets: BackupSetSummary[], extra: Parameters<typeof createFakeApi>[0] = {}) {
  let current = sets;
  const notInstalled: ScheduleStatus = { id: 'backup-office', scheduler: 'crontab', installed: false, time: null, command: ['/usr/bin/node', '/app/bin/custodian.mjs', 'backup', 'run', '--profile', 'Office', '--json'], location: 'user crontab' };
  const fake = createFakeApi({
    'profiles.list': () => ({ ok: true, value: [PROFILE] }),
    'backups.list': () => ({ ok: true, value: current }),
    'backups.alerts': () => ({ ok: true, value: [] }),
    'schedule.show': () => ({ ok: true, value: notInstalled }),
    ...extra,
  });
  return Object.assign(fake, { setSets: (s: BackupSetSummary[]) => (current = s) });
}

describe('backups page', () => {
  it('lists sets with status, size, age, key fingerprint and pins, and shows why a set is not good', async () => {
    renderApp('#/backups', fakeWithSets([SET_A, SET_B, SET_C]));
    const rows = await screen.findAllByTestId('backup-set');
    expect(rows).toHaveLength(3);
    const a = rows[0]!;
    expect(within(a).getByText('Verified')).toBeInTheDocument();
    expect(within(a).getByText('12.3 MB')).toBeInTheDocument();
    expect(within(a).getByText('5 h')).toBeInTheDocument();
    expect(within(a).getByText('ab12-cd34')).toBeInTheDocument();
    expect(within(a).getByText('Before an upgrade', { selector: '.mantine-Badge-label' })).toBeInTheDocument();
    expect(within(rows[1]!).getByText('Not verified')).toBeInTheDocument();
    expect(within(rows[1]!).getByText('40 days')).toBeInTheDocument();
    expect(within(rows[1]!).getByText(/SHA-256 does not match the manifest/)).toBeInTheDocument();
    expect(within(rows[2]!).getByText('Failed')).toBeInTheDocument();
    expect(within(rows[2]!).getByText(/server closed the connection/)).toBeInTheDocument();
    // A failed set has no files: nothing to verify or pin.
    expect(within(rows[2]!).queryByRole('button', { name: /Verify/ })).not.toBeInTheDocument();
    expect(screen.getByText('No alerts.')).toBeInTheDocument();
  });

  it('verifies a set as a backup.verify job and reloads the list when the job ends', async () => {
    const user = userEvent.setup();
    const fake = fakeWithSets([SET_B], { 'jobs.start': () => ({ ok: true, value: { jobId: 'verify-1' } }) });
    renderApp('#/backups', fake);
    const verify = await screen.findByRole('button', { name: `Verify set ${SET_B.id}` });
    // Keyboard: focus the button and press Enter.
    verify.focus();
    await user.keyboard('{Enter}');
    expect(fake.callsTo('jobs.start')).toEqual([{ kind: 'backup.verify', setId: SET_B.id }]);
    expect(await screen.findByText(/Verification of .* started/)).toBeInTheDocument();
    const listsBefore = fake.callsTo('backups.list').length;
    fake.setSets([{ ...SET_B, state: 'verified', checks: [] }]);
    act(() => fake.emit({ type: 'state', jobId: 'verify-1', job: job({ id: 'verify-1', kind: 'backup.verify', state: 'succeeded', finishedAt: hoursAgo(0), progress: { fraction: 1, message: '' } }) }));
    expect(await screen.findByText(/Verification of .* finished: Finished/)).toBeInTheDocument();
    expect(fake.callsTo('backups.list').length).toBeGreaterThan(listsBefore);
    expect(await within(screen.getByTestId('backup-set')).findByText('Verified')).toBeInTheDocument();
  });

  it('pins with a chosen reason and unpins, by keyboard', async () => {
    const user = userEvent.setup();
    const fake = fakeWithSets([SET_A], {
      'backups.pin': (input) => {
        const { pin, pinned } = input as { pin: BackupSetSummary['pins'][number]; pinned: boolean };
        return { ok: true, value: { ...SET_A, pins: pinned ? [...SET_A.pins, pin] : SET_A.pins.filter((p) => p !== pin) } };
      },
    });
    renderApp('#/backups', fake);
    const reason = await screen.findByRole('combobox', { name: `Reason to keep set ${SET_A.id}` });
    await user.selectOptions(reason, 'After a key rotation');
    screen.getByRole('button', { name: `Pin set ${SET_A.id}` }).focus();
    await user.keyboard('{Enter}');
    expect(fake.callsTo('backups.pin')).toEqual([{ setId: SET_A.id, pin: 'post-key-rotation', pinned: true }]);
    expect(await screen.findByText('After a key rotation', { selector: '.mantine-Badge-label' })).toBeInTheDocument();

    screen.getByRole('button', { name: `Remove the pin “Before an upgrade” from set ${SET_A.id}` }).focus();
    await user.keyboard('{Enter}');
    expect(fake.callsTo('backups.pin')[1]).toEqual({ setId: SET_A.id, pin: 'pre-upgrade', pinned: false });
  });

  it('prune shows the dry run first and deletes only after an explicit confirmation', async () => {
    const user = userEvent.setup();
    const plan = {
      entries: [
        { setId: SET_A.id, createdAt: SET_A.createdAt, state: 'verified', action: 'keep' as const, reasons: ['newest verified set', 'daily, kept 30 days'] },
        { setId: SET_B.id, createdAt: SET_B.createdAt, state: 'unverified', action: 'delete' as const, reasons: ['older than every retention period (40 days)'] },
      ],
    };
    const fake = fakeWithSets([SET_A, SET_B], {
      'backups.prune': (input) => {
        const { dryRun } = input as { dryRun: boolean };
        return { ok: true, value: { dryRun, ...plan, freedBytes: dryRun ? 0 : 2_000 } };
      },
    });
    renderApp('#/backups', fake);
    // The plan is on the page, with the very numbers prune uses.
    expect(await screen.findByText('Every set is kept 30 days.')).toBeInTheDocument();
    expect(screen.getByText('The set of each Monday is kept 90 days.')).toBeInTheDocument();
    expect(screen.getByText('The set of the 1st of each month is kept 365 days.')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Check what would be deleted' }));
    const shown = await screen.findByTestId('prune-plan');
    expect(fake.callsTo('backups.prune')).toEqual([{ profile: 'Office', dryRun: true }]);
    expect(within(shown).getByText('Dry run — nothing has been deleted yet')).toBeInTheDocument();
    expect(within(shown).getByText(/older than every retention period/)).toBeInTheDocument();

    await user.click(within(shown).getByRole('button', { name: 'Delete the 1 sets marked “Delete”' }));
    const dialog = screen.getByRole('alertdialog');
    expect(within(dialog).getByText(/cannot be undone/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Keep everything' }));
    expect(fake.callsTo('backups.prune')).toEqual([{ profile: 'Office', dryRun: true }]);

    // Keyboard: open the confirmation and confirm with Enter.
    within(shown).getByRole('button', { name: 'Delete the 1 sets marked “Delete”' }).focus();
    await user.keyboard('{Enter}');
    within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Yes, delete them' }).focus();
    await user.keyboard('{Enter}');
    expect(fake.callsTo('backups.prune')).toEqual([
      { profile: 'Office', dryRun: true },
      { profile: 'Office', dryRun: false },
    ]);
    expect(await screen.findByText('Deleted 1 sets, freeing 2 kB.')).toBeInTheDocument();
  });

  it('shows, installs, test-runs and (after confirmation) removes the daily schedule', async () => {
    const user = userEvent.setup();
    const base: ScheduleStatus = { id: 'backup-office', scheduler: 'crontab', installed: false, time: null, command: ['/usr/bin/node', '/app/bin/custodian.mjs', 'backup', 'run', '--profile', 'Office', '--json'], location: 'user crontab' };
    const fake = fakeWithSets([], {
      'schedule.show': () => ({ ok: true, value: base }),
      'schedule.install': (input) => ({ ok: true, value: { ...base, installed: true, time: (input as { time: string }).time } }),
      'schedule.remove': () => ({ ok: true, value: base }),
      'jobs.start': () => ({ ok: true, value: { jobId: 'test-run' } }),
    });
    renderApp('#/backups', fake);
    expect(await screen.findByText('No daily backup is scheduled (crontab).')).toBeInTheDocument();
    const time = screen.getByLabelText(/Time of day/);
    await user.clear(time);
    await user.type(time, '25:00{Enter}');
    expect(await screen.findByText('Enter a time such as 02:30.')).toBeInTheDocument();
    expect(fake.callsTo('schedule.install')).toEqual([]);
    await user.clear(time);
    await user.type(time, '03:15{Enter}');
    expect(await screen.findByText('Installed: every day at 03:15 (crontab).')).toBeInTheDocument();
    expect(fake.callsTo('schedule.install')).toEqual([{ profile: 'Office', time: '03:15' }]);
    expect(screen.getByText(/custodian\.mjs backup run --profile Office --json/)).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Test run now' }));
    expect(fake.callsTo('jobs.start')).toEqual([{ kind: 'backup.run', profile: 'Office', format: 'custom', encrypt: true }]);
    expect(await screen.findByText(/Test run started/)).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Remove the schedule' }));
    expect(fake.callsTo('schedule.remove')).toEqual([]);
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Remove it' }));
    expect(fake.callsTo('schedule.remove')).toEqual([{ profile: 'Office' }]);
    expect(await screen.findByText('No daily backup is scheduled (crontab).')).toBeInTheDocument();
  });

  it('lists backup alerts and whether they were emailed', async () => {
    const fake = fakeWithSets([], {
      'backups.alerts': () => ({
        ok: true,
        value: [
          { id: 2, profile: 'Office', kind: 'backup-small', message: 'This set is 20% of the previous verified set', createdAt: hoursAgo(1), emailedAt: hoursAgo(1), acknowledgedAt: null },
          { id: 1, profile: 'Office', kind: 'backup-failed', message: 'Backup of "Office" failed: pg_dump failed', createdAt: hoursAgo(3), emailedAt: null, acknowledgedAt: null },
        ],
      }),
    });
    renderApp('#/backups', fake);
    const alerts = await screen.findAllByTestId('backup-alert');
    expect(within(alerts[0]!).getByText('Backup suspiciously small')).toBeInTheDocument();
    expect(within(alerts[0]!).getByText(/^Sent /)).toBeInTheDocument();
    expect(within(alerts[1]!).getByText('Backup failed')).toBeInTheDocument();
    expect(within(alerts[1]!).getByText('Not sent')).toBeInTheDocument();
  });

  it('the dashboard tile words the last verified backup against the RPO from the core’s values', async () => {
    const fake = createFakeApi({
      'profiles.list': () => ({ ok: true, value: [PROFILE] }),
      'dashboard.health': () => ({ ok: true, value: [{ id: 'lastBackup', status: 'fail', messageKey: 'health.lastBackup.stale', values: { hours: 30, rpo: 24, at: hoursAgo(30) } }] }),
    });
    renderApp('#/dashboard', fake);
    const tile = await screen.findByTestId('tile-lastBackup');
    expect(await within(tile).findByText('Last verified backup is 30 hours old, older than the 24-hour target')).toBeInTheDocument();
    expect(within(tile).getByText('Problem')).toBeInTheDocument();
  });

  it('asks for a profile first', async () => {
    renderApp('#/backups', createFakeApi());
    expect(await screen.findByText(/Choose or add a connection profile/)).toBeInTheDocument();
  });
});
