import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { JobSummary } from '../../src-main/contract/jobs';
import type { AzureRestoreResult, AzureWindow, CopyBackPlan, ParsedTarget, RecoverableWindow, Recovery } from '../../src-main/contract/pitr';
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
    'pitr.azure.config.get': () => ({ ok: true, value: null }),
  });
}

describe('point-in-time recovery page', () => {
  it('picks up recovered copies still running from before (after a restart), to use or discard them', async () => {
    const older: Recovery = { ...RECOVERY, id: 'rc-0', targetUtc: '2026-11-29T09:00:00.000Z', startedAt: '2026-11-29T12:00:00Z' };
    const audit: Recovery = { ...RECOVERY, id: 'rc-a', role: 'audit', startedAt: '2026-11-30T18:00:00Z' };
    let running = [older, RECOVERY, audit, { ...RECOVERY, id: 'rc-gone', state: 'discarded' as const }];
    const f = createFakeApi({
      'profiles.list': () => ({ ok: true, value: [PROFILE] }),
      'pitr.config.get': () => ({ ok: true, value: { profile: 'Office', role: 'main', archiveDir: '/mnt/wal', backupDir: null } }),
      'pitr.backups': () => ({ ok: true, value: [] }),
      'pitr.azure.config.get': () => ({ ok: true, value: null }),
      'pitr.recoveries': () => ({ ok: true, value: running }),
      'pitr.discard': (i) => {
        const id = (i as { recoveryId: string }).recoveryId;
        running = running.filter((r) => r.id !== id);
        return { ok: true, value: { ...RECOVERY, id, state: 'discarded' } };
      },
    });
    renderApp('#/pitr', f);
    // The newest main-database copy is the current one: copy-back and discard work on it.
    expect(await screen.findByText(/The copy runs on this computer until you discard it/, undefined, { timeout: 5000 })).toBeInTheDocument();
    expect(f.callsTo('pitr.recoveries')).toEqual([{ profile: 'Office' }]);
    const others = screen.getByTestId('pitr-other-copies');
    expect(within(others).getAllByRole('button', { name: /^Discard the copy recovered to/ })).toHaveLength(2);
    expect(within(others).getByText(/^Audit database recovered to/)).toBeInTheDocument();
    await userEvent.click(within(others).getAllByRole('button', { name: /^Discard the copy recovered to/ })[0]!);
    expect(f.callsTo('pitr.discard')).toEqual([{ recoveryId: 'rc-a' }]); // newest first
    await waitFor(() => expect(within(screen.getByTestId('pitr-other-copies')).getAllByRole('button')).toHaveLength(1));
    await userEvent.click(screen.getByRole('button', { name: 'Discard the copy' }));
    expect(f.callsTo('pitr.discard')[1]).toEqual({ recoveryId: 'rc-1' });
    expect(await screen.findByText('The copy was stopped and deleted.')).toBeInTheDocument();
  });

  it('shows the WAL the server keeps for an idle streaming slot, and removes the slot only after a confirmation', async () => {
    const slot = { profile: 'Office', role: 'main' as const, slot: 'custodian_office_main', exists: true, active: false, retainedBytes: 3 * 1024 * 1024 * 1024 };
    const f = createFakeApi({
      'profiles.list': () => ({ ok: true, value: [PROFILE] }),
      'pitr.config.get': () => ({ ok: true, value: { profile: 'Office', role: 'main', archiveDir: '/mnt/wal', backupDir: null } }),
      'pitr.backups': () => ({ ok: true, value: [] }),
      'pitr.azure.config.get': () => ({ ok: true, value: null }),
      'pitr.slot.status': () => ({ ok: true, value: slot }),
      'pitr.slot.drop': () => ({ ok: true, value: { ...slot, exists: false, retainedBytes: null } }),
    });
    renderApp('#/pitr', f);
    const box = await screen.findByTestId('wal-slot', undefined, { timeout: 5000 });
    expect(box).toHaveTextContent('the server keeps its WAL for the replication slot custodian_office_main: 3072.0 MB so far');
    await userEvent.click(within(box).getByRole('button', { name: 'Remove the slot' }));
    expect(f.callsTo('pitr.slot.drop')).toEqual([]);
    await userEvent.click(within(screen.getByRole('alertdialog', { name: 'Remove the slot' })).getByRole('button', { name: 'Keep it' }));
    expect(f.callsTo('pitr.slot.drop')).toEqual([]);
    await userEvent.click(within(box).getByRole('button', { name: 'Remove the slot' }));
    await userEvent.click(screen.getByRole('button', { name: 'Yes, remove it' }));
    expect(f.callsTo('pitr.slot.drop')).toEqual([{ profile: 'Office', role: 'main', confirm: true }]);
    await waitFor(() => expect(screen.queryByTestId('wal-slot')).not.toBeInTheDocument());
  });

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

const AZ_CONFIG = { subscription: null, resourceGroup: 'rg-konote', mainServer: 'konote-db', auditServer: 'konote-audit' };
const AZ_WINDOW: AzureWindow = {
  profile: 'Office',
  servers: [
    { role: 'main', server: 'konote-db', state: 'Ready', earliestRestore: '2026-11-23T09:00:00.000Z', retentionDays: 7, latest: '2026-11-30T16:00:00.000Z', fqdn: 'konote-db.postgres.database.azure.com' },
    { role: 'audit', server: 'konote-audit', state: 'Ready', earliestRestore: '2026-11-24T09:00:00.000Z', retentionDays: 14, latest: '2026-11-30T16:00:00.000Z', fqdn: 'konote-audit.postgres.database.azure.com' },
  ],
};
const AZ_RESULT: AzureRestoreResult = {
  profile: 'Office',
  targetUtc: '2026-11-30T15:00:00.000Z',
  servers: [
    { role: 'main', source: 'konote-db', restored: 'konote-db-r1', fqdn: 'konote-db-r1.postgres.database.azure.com', state: 'Ready' },
    { role: 'audit', source: 'konote-audit', restored: 'konote-audit-r1', fqdn: 'konote-audit-r1.postgres.database.azure.com', state: 'Ready' },
  ],
  profileUpdated: true,
  lockdown: [{ id: 'lockdown', title: 'Audit lockdown', status: 'FAIL', detail: 'connection timed out', hint: 'Add a firewall rule for this computer.' }],
  followUps: ['Copy the firewall rules of the old server to the new one.', 'Change DATABASE_URL in KoNote to the new server.'],
};

function azureFake() {
  const f = fake();
  let saved: unknown = null;
  const base = f.api.invoke.bind(f.api);
  // Layer the Azure channels over the page's fake: the config is stored like the core stores it.
  f.api.invoke = (async (channel: string, input: unknown) => {
    if (channel === 'pitr.azure.config.get') {
      f.calls.push({ channel, input });
      return { ok: true, value: saved };
    }
    if (channel === 'pitr.azure.config.set') {
      f.calls.push({ channel, input });
      saved = (input as { config: unknown }).config;
      return { ok: true, value: saved };
    }
    if (channel === 'pitr.azure.window') {
      f.calls.push({ channel, input });
      return { ok: true, value: AZ_WINDOW };
    }
    if (channel === 'jobs.start' && (input as { kind: string }).kind === 'pitr.azureRestore') {
      f.calls.push({ channel, input });
      return { ok: true, value: { jobId: 'job-az' } };
    }
    return base(channel as never, input as never);
  }) as typeof f.api.invoke;
  return f;
}

describe('Azure Flexible Server restore panel', () => {
  it('saves the servers, shows each server’s earliest restore point and retention, and reads the time back in local time and UTC', async () => {
    const f = azureFake();
    renderApp('#/pitr', f);
    const panel = within(await screen.findByRole('region', { name: 'Azure Flexible Server' }, { timeout: 5000 }));
    expect(panel.getByText(/Azure always restores into a NEW server/)).toBeInTheDocument();
    expect(panel.getByRole('button', { name: 'Show what Azure can restore' })).toBeDisabled();
    await userEvent.type(panel.getByLabelText('Resource group'), AZ_CONFIG.resourceGroup);
    await userEvent.type(panel.getByLabelText('Server of the main database'), AZ_CONFIG.mainServer);
    await userEvent.type(panel.getByLabelText(/Server of the audit database/), AZ_CONFIG.auditServer);
    await userEvent.click(panel.getByRole('button', { name: 'Save servers' }));
    expect(f.callsTo('pitr.azure.config.set')).toEqual([{ profile: 'Office', config: AZ_CONFIG }]);
    const show = panel.getByRole('button', { name: 'Show what Azure can restore' });
    await waitFor(() => expect(show).toBeEnabled());
    await userEvent.click(show);
    const table = within(await panel.findByTestId('pitr-azure-window'));
    expect(table.getByText('konote-audit')).toBeInTheDocument();
    expect(table.getByText('7 days')).toBeInTheDocument();
    expect(table.getByText('14 days')).toBeInTheDocument();
    expect(f.callsTo('pitr.azure.window')).toEqual([{ profile: 'Office' }]);
    await userEvent.type(panel.getByLabelText(/Moment to restore to/), '2026-11-30 10:00');
    expect(await panel.findByText('Local time: local of 2026-11-30T15:00:00.000Z')).toBeInTheDocument();
    expect(panel.getByText('UTC: 2026-11-30T15:00:00.000Z')).toBeInTheDocument();
  });

  it('needs the new server name typed back before it starts the restore job, then shows the follow-ups', async () => {
    const f = azureFake();
    renderApp('#/pitr', f);
    const panel = within(await screen.findByRole('region', { name: 'Azure Flexible Server' }, { timeout: 5000 }));
    await userEvent.type(panel.getByLabelText('Resource group'), AZ_CONFIG.resourceGroup);
    await userEvent.type(panel.getByLabelText('Server of the main database'), AZ_CONFIG.mainServer);
    await userEvent.type(panel.getByLabelText(/Server of the audit database/), AZ_CONFIG.auditServer);
    await userEvent.click(panel.getByRole('button', { name: 'Save servers' }));
    await userEvent.click(panel.getByRole('button', { name: 'Show what Azure can restore' }));
    await panel.findByTestId('pitr-azure-window');
    await userEvent.type(panel.getByLabelText(/Moment to restore to/), '2026-11-30 10:00');
    await panel.findByText('UTC: 2026-11-30T15:00:00.000Z');
    const start = panel.getByRole('button', { name: 'Restore into a new server' });
    await userEvent.type(panel.getByLabelText('Name of the new main server'), 'konote-db-r1');
    await userEvent.type(panel.getByLabelText('Name of the new audit server'), 'konote-audit-r1');
    const confirm = panel.getByLabelText('Type the new server name (konote-db-r1) to confirm');
    await userEvent.type(confirm, 'konote-db');
    expect(start).toBeDisabled();
    await userEvent.type(confirm, '-r1');
    expect(start).toBeEnabled();
    await userEvent.clear(panel.getByLabelText('Name of the new audit server'));
    expect(start).toBeDisabled();
    await userEvent.type(panel.getByLabelText('Name of the new audit server'), 'konote-audit-r1');
    expect(f.callsTo('jobs.start')).toEqual([]);
    await userEvent.click(start);
    expect(f.callsTo('jobs.start')).toEqual([{ kind: 'pitr.azureRestore', profile: 'Office', targetUtc: '2026-11-30T15:00:00.000Z', newMainServer: 'konote-db-r1', newAuditServer: 'konote-audit-r1', updateProfile: true }]);
    act(() => f.emit({ type: 'state', jobId: 'job-az', job: job({ id: 'job-az', kind: 'pitr.azureRestore', title: 'Azure restore', progress: { fraction: null, message: 'Waiting for konote-db-r1 to be Ready' } }) }));
    expect(await panel.findByText('Waiting for konote-db-r1 to be Ready')).toBeInTheDocument();
    await userEvent.click(panel.getByRole('button', { name: 'Stop waiting' }));
    await userEvent.click(panel.getByRole('button', { name: 'Stop' }));
    expect(f.callsTo('jobs.cancel')).toEqual([{ jobId: 'job-az' }]);
    act(() => f.emit({ type: 'state', jobId: 'job-az', job: job({ id: 'job-az', kind: 'pitr.azureRestore', state: 'succeeded', result: AZ_RESULT }) }));
    expect(await panel.findByText(/This profile now points at the new server/)).toBeInTheDocument();
    expect(panel.getByText('konote-audit-r1.postgres.database.azure.com')).toBeInTheDocument();
    expect(panel.getByText('Copy the firewall rules of the old server to the new one.')).toBeInTheDocument();
    expect(panel.getByText('Change DATABASE_URL in KoNote to the new server.')).toBeInTheDocument();
    expect(panel.getByText(/FAIL — Audit lockdown: connection timed out/)).toBeInTheDocument();
  });
});
