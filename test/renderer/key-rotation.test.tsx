import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { JobSummary } from '../../src-main/contract/jobs';
import type { KeyCustody } from '../../src-main/contract/keys';
import type { IncidentStep, KeyHistory, RotationDryRun, RotationStatus } from '../../src-main/contract/keys-rotation';
import { createFakeApi } from './fake-api';
import { renderApp } from './render-app';

const PROFILE = { name: 'Office', main: { host: 'db', port: 5432, database: 'konote', user: 'u', sslmode: 'prefer' as const }, audit: { host: 'db', port: 5432, database: 'konote_audit', user: 'u', sslmode: 'prefer' as const }, schemas: ['public'], sandbox: false, createdAt: '2026-01-01T00:00:00Z' };
const CUSTODY: KeyCustody = {
  profile: 'Office', listFingerprint: 'list-1', inKeychain: true, primaryAgeDays: 91, escrow: [],
  keys: [{ fingerprint: 'old0-old0-old0-old0', position: 0, primary: true, importedAt: '2025-09-01T00:00:00Z', becamePrimaryAt: '2025-09-01T00:00:00Z', retiredAt: null, source: 'imported' }],
};
const DRY: RotationDryRun = {
  profile: 'Office', agency: null, rotationActive: false, unsupported: [], ok: true,
  columns: [
    { schema: 'public', table: 'client_files', column: '_first_name_encrypted', toReencrypt: 40, alreadyNew: 0, empty: 2, undecryptable: [], undecryptableCount: 0 },
    { schema: 'public', table: 'tenant_keys', column: 'encrypted_key', toReencrypt: 1, alreadyNew: 0, empty: 0, undecryptable: [], undecryptableCount: 0 },
  ],
  totals: { toReencrypt: 41, alreadyNew: 0, empty: 2, undecryptable: 0 },
};
const BAD_DRY: RotationDryRun = {
  ...DRY, ok: false,
  columns: [{ ...DRY.columns[0]!, undecryptable: ['17', '23'], undecryptableCount: 2 }],
  totals: { ...DRY.totals, undecryptable: 2 },
};
const ago = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
const status = (state: RotationStatus['state'], extra: Partial<RotationStatus> = {}): RotationStatus => ({
  id: 'rot-1', profile: 'Office', agency: null, state, incident: false, oldFingerprints: ['old0-old0-old0-old0'], newFingerprint: 'new1-new1-new1-new1',
  startedAt: ago(3), verifiedAt: state === 'rotating' ? null : ago(2), completedAt: state === 'completed' ? ago(1) : null,
  columns: [{ schema: 'public', table: 'client_files', column: '_first_name_encrypted', done: state !== 'rotating', reencrypted: state === 'rotating' ? 0 : 40, alreadyNew: 0, empty: state === 'rotating' ? 0 : 2, conflicts: 0 }],
  nextSteps: [], postBackup: null, checklist: [], ...extra,
});
const KEY_LIST = 'bmV3LWtleS1ub3QtcmVhbGx5LWEta2V5LWJ1dC1zZWNyZXQ=,b2xkLWtleS1ub3QtcmVhbGx5LWEta2V5LWJ1dC1zZWNyZXQ=';

const job = (id: string, kind: string, state: JobSummary['state'], result: unknown = null, progress = { fraction: null as number | null, message: '' }): JobSummary => ({
  id, kind, title: `${kind} job`, state, progress, createdAt: '2026-03-01T10:00:00Z', startedAt: new Date(Date.now() - 60_000).toISOString(), finishedAt: null, error: null, result,
});

/** A fake core whose rotation history the test moves forward, as the real jobs would. */
function setup() {
  const history: { rotations: RotationStatus[] } = { rotations: [] };
  let n = 0;
  const f = createFakeApi({
    'profiles.list': () => ({ ok: true, value: [PROFILE] }),
    'keys.custody': () => ({ ok: true, value: CUSTODY }),
    'keys.history': () => ({ ok: true, value: { custody: CUSTODY, rotations: history.rotations } satisfies KeyHistory }),
    'jobs.start': () => ({ ok: true, value: { jobId: `job-${++n}` } }),
    'jobs.cancel': () => ({ ok: true, value: { cancelled: true } }),
    'keys.reveal': () => ({ ok: true, value: { profile: 'Office', listFingerprint: 'list-2', keyList: KEY_LIST, envLine: `FIELD_ENCRYPTION_KEY=${KEY_LIST}`, keyCount: 2 } }),
    'keys.rotation.checklist': (input) => {
      const { step, ticked } = input as { step: IncidentStep; ticked: boolean };
      const r = history.rotations[0]!;
      const checklist = ticked ? [...r.checklist, { step, tickedAt: '2026-03-01T12:30:00Z', by: 'ana' }] : r.checklist.filter((c) => c.step !== step);
      history.rotations = [{ ...r, checklist }];
      return { ok: true, value: history.rotations[0]! };
    },
    'keys.rotation.dropOld': () => {
      history.rotations = [status('completed')];
      return { ok: true, value: { status: status('completed'), custody: CUSTODY, auditRowWritten: true, nextSteps: [] } };
    },
  });
  const emit = (j: JobSummary) => act(() => f.emit({ type: 'state', jobId: j.id, job: j }));
  return { f, history, emit };
}

describe('rotation wizard', { timeout: 20_000 }, () => {
  it('walks dry run → new key → KoNote instructions → re-encryption with progress and cancel → drop old → pinned backup', async () => {
    const user = userEvent.setup();
    const { f, history, emit } = setup();
    renderApp('#/keys', f);
    await user.click(await screen.findByRole('button', { name: 'Rotate the key' }));

    // Dry run as a job; its table per schema.table.column.
    await user.click(await screen.findByRole('button', { name: 'Run the dry run' }));
    expect(f.callsTo('jobs.start')).toEqual([{ kind: 'keys.rotationDryRun', profile: 'Office', agency: null }]);
    emit(job('job-1', 'keys.rotationDryRun', 'succeeded', DRY));
    const table = await screen.findByTestId('dry-run-table');
    expect(within(table).getByText('public.tenant_keys.encrypted_key')).toBeInTheDocument();
    expect(within(table).getByRole('row', { name: /public.client_files._first_name_encrypted 40 0 2 0/ })).toBeInTheDocument();

    // Normal pace: only the new key first, after a confirmation.
    await user.click(screen.getByRole('button', { name: 'Create the new key' }));
    expect(f.callsTo('jobs.start')).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: 'Yes, start' }));
    expect(f.callsTo('jobs.start')[1]).toEqual({ kind: 'keys.rotate', profile: 'Office', agency: null, resume: false, incident: false, batchSize: 2000, prepareOnly: true });
    history.rotations = [status('rotating')];
    emit(job('job-2', 'keys.rotate', 'succeeded', { status: status('rotating'), verify: null }));

    // Exactly what to set in KoNote, by fingerprint; the key itself only after an explicit reveal.
    const env = await screen.findByTestId('konote-env');
    expect(env).toHaveTextContent('set FIELD_ENCRYPTION_KEY to the new list: the new key (new1-new1-new1-new1) first, then the old key(s) (old0-old0-old0-old0)');
    expect(env).toHaveTextContent('Restart KoNote');
    expect(document.body.innerHTML).not.toContain(KEY_LIST);
    await user.click(within(env).getByRole('button', { name: 'Show the value to copy into KoNote' }));
    expect(f.callsTo('keys.reveal')).toEqual([]);
    expect(within(env).getByText(/Anyone who sees it can read all participant data/)).toBeInTheDocument();
    await user.click(within(env).getByRole('button', { name: 'Show the key' }));
    expect(await within(env).findByTestId('revealed-env-line')).toHaveTextContent(`FIELD_ENCRYPTION_KEY=${KEY_LIST}`);
    expect(f.callsTo('keys.reveal')).toEqual([{ profile: 'Office', confirm: true }]);
    await user.click(within(env).getByRole('button', { name: 'Hide' }));
    expect(document.body.innerHTML).not.toContain(KEY_LIST);

    // Re-encryption: progress, ETA, cancel (asks first).
    await user.click(screen.getByRole('button', { name: /KoNote has the new list and was restarted/ }));
    expect(f.callsTo('jobs.start')[2]).toMatchObject({ kind: 'keys.rotate', resume: true, prepareOnly: false });
    emit(job('job-3', 'keys.rotate', 'running', null, { fraction: 0.5, message: 'Re-encrypting public.client_files._first_name_encrypted' }));
    const card = await screen.findByTestId('key-job');
    expect(within(card).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '50');
    expect(within(card).getByText(/About (59|6\d|7\d) s left/)).toBeInTheDocument();
    await user.click(within(card).getByRole('button', { name: 'Cancel job' }));
    expect(within(card).getByText(/This is safe: every value stays readable/)).toBeInTheDocument();
    await user.click(within(card).getByRole('button', { name: 'Stop the job' }));
    expect(f.callsTo('jobs.cancel')).toEqual([{ jobId: 'job-3' }]);

    // Finished and verified: drop the old key only after typing the profile name.
    history.rotations = [status('verified')];
    emit(job('job-3', 'keys.rotate', 'succeeded', { status: status('verified'), verify: { ok: true, checked: 42, failed: [] } }));
    expect(await screen.findByTestId('verify-result')).toHaveTextContent('all 42 values open with the new key alone');
    const drop = await screen.findByRole('button', { name: 'Drop the old key' });
    expect(drop).toBeDisabled();
    await user.type(screen.getByLabelText(/Type the profile name/), 'Offic');
    expect(drop).toBeDisabled();
    await user.type(screen.getByLabelText(/Type the profile name/), 'e');
    await user.click(drop);
    expect(f.callsTo('keys.rotation.dropOld')).toEqual([{ profile: 'Office', agency: null, confirm: true }]);
    // The pinned post-rotation backup starts by itself, and KoNote is told to use the new key alone.
    expect(f.callsTo('jobs.start')[3]).toEqual({ kind: 'keys.postRotationBackup', profile: 'Office' });
    expect(await screen.findByTestId('konote-env')).toHaveTextContent('set FIELD_ENCRYPTION_KEY to the new key (new1-new1-new1-new1) alone');
    history.rotations = [status('completed', { postBackup: { setId: 'office_20260301T120500Z', createdAt: '2026-03-01T12:05:00Z', state: 'verified', verified: true } })];
    emit(job('job-4', 'keys.postRotationBackup', 'succeeded', { rotationId: 'rot-1', setId: 'office_20260301T120500Z', dir: '/b/office_20260301T120500Z', verified: true, keyListFingerprint: 'list-3', pins: ['post-key-rotation'] }));
    expect(await screen.findByText('Backup set office_20260301T120500Z taken, verified and pinned “post-key-rotation”.')).toBeInTheDocument();
  });

  it('refuses to go on when rows open with no key, listing their ids', async () => {
    const user = userEvent.setup();
    const { f, emit } = setup();
    renderApp('#/keys', f);
    await user.click(await screen.findByRole('button', { name: 'Rotate the key' }));
    await user.click(await screen.findByRole('button', { name: 'Run the dry run' }));
    emit(job('job-1', 'keys.rotationDryRun', 'succeeded', BAD_DRY));
    expect(await screen.findByText('2: ids 17, 23')).toBeInTheDocument();
    expect(screen.getByText(/2 values open with no key in the list/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Create the new key' })).not.toBeInTheDocument();
  });

  it('incident mode rotates straight through and keeps the scenario D checklist, with the user\'s ticks recorded', async () => {
    const user = userEvent.setup();
    const { f, history, emit } = setup();
    renderApp('#/keys', f);
    await user.click(await screen.findByRole('button', { name: 'Rotate the key' }));
    await user.click(await screen.findByLabelText(/The key is compromised/));
    const list = screen.getByTestId('incident-checklist');
    expect(within(list).getByLabelText(/Take a fresh backup right after/)).not.toBeChecked();
    expect(within(list).getByText(/\.env files and copies of them/)).toBeInTheDocument();
    // The user's own steps are kept with the rotation, so they wait until there is one.
    expect(within(list).getByLabelText(/Revoke old copies/)).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Run the dry run' }));
    emit(job('job-1', 'keys.rotationDryRun', 'succeeded', DRY));
    await user.click(await screen.findByRole('button', { name: 'Rotate now (incident)' }));
    await user.click(screen.getByRole('button', { name: 'Yes, start' }));
    expect(f.callsTo('jobs.start')[1]).toEqual({ kind: 'keys.rotate', profile: 'Office', agency: null, resume: false, incident: true, batchSize: 2000, prepareOnly: false });
    // Finished, old key dropped, backup verified: Custodian ticks what it can check.
    history.rotations = [status('completed', { incident: true, postBackup: { setId: 's1', createdAt: '2026-03-01T12:05:00Z', state: 'verified', verified: true } })];
    emit(job('job-2', 'keys.rotate', 'succeeded', { status: status('verified', { incident: true }), verify: { ok: true, checked: 42, failed: [] } }));
    const after = await screen.findByTestId('incident-checklist');
    expect(await within(after).findByLabelText(/Take a fresh backup right after/)).toBeChecked();
    expect(within(after).getByLabelText(/Rotate to a new key/)).toBeChecked();
    expect(within(after).getByLabelText(/Make new escrow copies/)).not.toBeChecked();
    // The user's ticks are recorded with the rotation (who, when) and read back from it.
    await user.click(within(after).getByLabelText(/Revoke old copies/));
    expect(f.callsTo('keys.rotation.checklist')).toEqual([{ profile: 'Office', rotationId: 'rot-1', step: 'revokeCopies', ticked: true }]);
    expect(await within(after).findByText(/Ticked by ana/)).toBeInTheDocument();
    expect(within(after).getByLabelText(/Revoke old copies/)).toBeChecked();
    expect(within(after).getByLabelText(/Find where the key leaked/)).not.toBeChecked();
    await user.click(within(after).getByLabelText(/Revoke old copies/));
    expect(f.callsTo('keys.rotation.checklist')[1]).toMatchObject({ step: 'revokeCopies', ticked: false });
    await vi.waitFor(() => expect(within(after).getByLabelText(/Revoke old copies/)).not.toBeChecked());
  });
});
