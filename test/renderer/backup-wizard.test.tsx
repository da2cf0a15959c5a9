import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { JobSummary } from '../../src-main/contract/jobs';
import { createFakeApi } from './fake-api';
import { renderApp } from './render-app';

const PROFILE = { name: 'Office', main: { host: 'db', port: 5432, database: 'konote', user: 'u', sslmode: 'prefer' as const }, audit: { host: 'db', port: 5432, database: 'konote_audit', user: 'u', sslmode: 'prefer' as const }, schemas: ['public'], sandbox: false, createdAt: '2026-01-01T00:00:00Z' };
const IDENTITY = 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';
const RECIPIENT = 'age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq';
const NOW = new Date().toISOString();
const RUNNING: JobSummary = { id: 'job-b', kind: 'backup.run', title: 'Back up Office (custom, encrypted)', state: 'running', progress: { fraction: 0.3, message: 'Main database: table public.progress_notes, 4.2 MB written' }, createdAt: NOW, startedAt: NOW, finishedAt: null, error: null, result: null };

function fakeApi(opts: { recipients?: boolean } = {}) {
  let recipients = opts.recipients ? [{ recipient: RECIPIENT, label: 'Custodian backup identity', createdAt: NOW, identityInKeychain: true }] : [];
  return createFakeApi({
    'profiles.list': () => ({ ok: true, value: [PROFILE] }),
    'backups.list': () => ({ ok: true, value: [] }),
    'backups.alerts': () => ({ ok: true, value: [] }),
    'schedule.show': () => ({ ok: true, value: { id: 'backup-office', scheduler: 'crontab', installed: false, time: null, command: [], location: 'user crontab' } }),
    'backups.recipients': () => ({ ok: true, value: recipients }),
    'backups.createIdentity': () => {
      recipients = [{ recipient: RECIPIENT, label: 'Custodian backup identity', createdAt: NOW, identityInKeychain: true }];
      return { ok: true, value: { recipient: RECIPIENT, identity: IDENTITY } };
    },
    'jobs.start': () => ({ ok: true, value: { jobId: 'job-b' } }),
    'jobs.cancel': () => ({ ok: true, value: { cancelled: true } }),
  });
}

describe('"Back up now" wizard', () => {
  it('runs by keyboard alone: folder, format, creating the identity shown once, review, start, verified result', async () => {
    const user = userEvent.setup();
    const fake = fakeApi();
    renderApp('#/backups', fake);
    (await screen.findByRole('button', { name: 'Back up now' })).focus();
    await user.keyboard('{Enter}');

    // Step 1: the folder. A relative path is refused inline; Enter submits the step.
    expect(await screen.findByText('Step 1 of 4')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Backup folder' })).toHaveFocus();
    await user.tab();
    expect(screen.getByLabelText(/^Backup folder/)).toHaveFocus();
    await user.keyboard('backups{Enter}');
    expect(await screen.findByText(/Enter a full folder path/)).toBeInTheDocument();
    await user.clear(screen.getByLabelText(/^Backup folder/));
    await user.keyboard('/mnt/usb/konote{Enter}');

    // Step 2: the format, custom by default; choose plain with the keyboard.
    expect(await screen.findByRole('heading', { name: 'Format' })).toHaveFocus();
    const format = screen.getByRole('combobox', { name: 'Format' });
    expect(format).toHaveValue('custom');
    await user.tab();
    expect(format).toHaveFocus();
    await user.selectOptions(format, 'plain');
    // Enter does not submit from a <select>: Tab past "Back" to "Next".
    await user.tab();
    expect(screen.getByRole('button', { name: 'Back' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Next' })).toHaveFocus();
    await user.keyboard('{Enter}');

    // Step 3: encryption, on by default; with no recipient the wizard will not go on.
    expect(await screen.findByRole('heading', { name: 'Encryption' })).toHaveFocus();
    const encrypt = screen.getByRole('checkbox', { name: 'Encrypt the backup (recommended)' });
    expect(encrypt).toBeChecked();
    expect(screen.getByText(/No backup encryption key is set up/)).toBeInTheDocument();
    screen.getByRole('button', { name: 'Next' }).focus();
    await user.keyboard('{Enter}');
    expect(await screen.findByText('Create the backup encryption key first, or turn encryption off.')).toBeInTheDocument();

    screen.getByRole('button', { name: 'Create the backup encryption key' }).focus();
    await user.keyboard('{Enter}');
    expect(fake.callsTo('backups.createIdentity')).toEqual([{ profile: 'Office' }]);
    expect(await screen.findByTestId('backup-identity')).toHaveTextContent(IDENTITY);
    expect(screen.getByText(/store it OFFLINE/)).toBeInTheDocument();
    expect(screen.getByText(RECIPIENT)).toBeInTheDocument();
    // Not acknowledged yet: Next refuses.
    screen.getByRole('button', { name: 'Next' }).focus();
    await user.keyboard('{Enter}');
    expect(await screen.findByText('Confirm that you stored the private key offline first.')).toBeInTheDocument();
    screen.getByRole('checkbox', { name: 'I have stored the private key offline' }).focus();
    await user.keyboard(' ');
    screen.getByRole('button', { name: 'Next' }).focus();
    await user.keyboard('{Enter}');

    // Step 4: review. The private key is gone from the page for good.
    expect(await screen.findByRole('heading', { name: 'Review' })).toHaveFocus();
    expect(document.body.innerHTML).not.toContain(IDENTITY);
    expect(screen.getByText('/mnt/usb/konote')).toBeInTheDocument();
    expect(screen.getByText(/Plain SQL/)).toBeInTheDocument();
    expect(screen.getByText('Encrypted')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Back' }));
    expect(await screen.findByRole('heading', { name: 'Encryption' })).toBeInTheDocument();
    expect(screen.queryByTestId('backup-identity')).not.toBeInTheDocument();
    expect(await screen.findByText(/private key in this computer’s keychain/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Next' }));
    screen.getByRole('button', { name: 'Start backup' }).focus();
    await user.keyboard('{Enter}');
    expect(fake.callsTo('jobs.start')).toEqual([{ kind: 'backup.run', profile: 'Office', target: '/mnt/usb/konote', format: 'plain', encrypt: true }]);

    // Live progress from job events, then the verified result with its files.
    act(() => fake.emit({ type: 'state', jobId: 'job-b', job: RUNNING }));
    expect(await screen.findByText(/public\.progress_notes, 4\.2 MB written/)).toBeInTheDocument();
    expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '30');
    const listsBefore = fake.callsTo('backups.list').length;
    const result = {
      setId: 'office_20260110T023000Z',
      dir: '/mnt/usb/konote/office_20260110T023000Z',
      verified: true,
      files: [
        { role: 'main', file: 'main_20260110T023000Z.sql.age', bytes: 5_400_000, sha256: 'a'.repeat(64) },
        { role: 'audit', file: 'audit_20260110T023000Z.sql.age', bytes: 900_000, sha256: 'b'.repeat(64) },
      ],
    };
    act(() => fake.emit({ type: 'state', jobId: 'job-b', job: { ...RUNNING, state: 'succeeded', finishedAt: NOW, progress: { fraction: 1, message: 'Backup verified' }, result } }));
    expect(await screen.findByText('Backup set office_20260110T023000Z is verified.')).toBeInTheDocument();
    expect(screen.getByText('main_20260110T023000Z.sql.age')).toBeInTheDocument();
    expect(screen.getByText('5.4 MB')).toBeInTheDocument();
    expect(screen.getByText(`${'a'.repeat(16)}…`)).toBeInTheDocument();
    expect(fake.callsTo('backups.list').length).toBeGreaterThan(listsBefore);
    await user.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.getByRole('button', { name: 'Back up now' })).toBeInTheDocument();
  }, 30_000); // many steps typed one key at a time: slow on a busy 2-core machine, not a hang

  it('warns when encryption is turned off, and shows a failed run with its hint (never as a success)', async () => {
    const user = userEvent.setup();
    const fake = fakeApi({ recipients: true });
    renderApp('#/backups', fake);
    await user.click(await screen.findByRole('button', { name: 'Back up now' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByText(RECIPIENT)).toBeInTheDocument();
    await user.click(screen.getByRole('checkbox', { name: 'Encrypt the backup (recommended)' }));
    expect(screen.getByText(/anyone who gets these files can read client data/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByText('NOT encrypted')).toBeInTheDocument();
    expect(screen.getByText('Custodian’s data folder (backups)')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Start backup' }));
    expect(fake.callsTo('jobs.start')).toEqual([{ kind: 'backup.run', profile: 'Office', target: undefined, format: 'custom', encrypt: false }]);

    act(() => fake.emit({ type: 'state', jobId: 'job-b', job: RUNNING }));
    // Cancel asks first.
    await user.click(await screen.findByRole('button', { name: 'Cancel backup' }));
    expect(fake.callsTo('jobs.cancel')).toEqual([]);
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Keep running' }));
    expect(fake.callsTo('jobs.cancel')).toEqual([]);

    act(() =>
      fake.emit({ type: 'state', jobId: 'job-b', job: { ...RUNNING, state: 'failed', finishedAt: NOW, error: { kind: 'Forbidden', message: 'Custodian cannot write to the backup folder /mnt/usb (EACCES).', hint: 'Choose a folder you can write to.' } } }),
    );
    expect(await screen.findByText('The backup did not complete')).toBeInTheDocument();
    expect(screen.getByText('Choose a folder you can write to.')).toBeInTheDocument();
    expect(screen.queryByText(/is verified/)).not.toBeInTheDocument();
  });

  it('cancels a running backup after confirmation', async () => {
    const user = userEvent.setup();
    const fake = fakeApi({ recipients: true });
    renderApp('#/backups', fake);
    await user.click(await screen.findByRole('button', { name: 'Back up now' }));
    for (let i = 0; i < 3; i++) await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Start backup' }));
    act(() => fake.emit({ type: 'state', jobId: 'job-b', job: RUNNING }));
    await user.click(await screen.findByRole('button', { name: 'Cancel backup' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Stop the backup' }));
    expect(fake.callsTo('jobs.cancel')).toEqual([{ jobId: 'job-b' }]);
    act(() => fake.emit({ type: 'state', jobId: 'job-b', job: { ...RUNNING, state: 'cancelled', finishedAt: NOW, error: { kind: 'Cancelled', message: 'Cancelled' } } }));
    expect(await screen.findByText(/The backup was cancelled/)).toBeInTheDocument();
  });
});
