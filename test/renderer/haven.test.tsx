import { act, screen, within, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { HavenKeyStatus, HavenRewrapReport, HavenVerifyReport } from '../../src-main/contract/haven';
import type { JobSummary } from '../../src-main/contract/jobs';
import { createFakeApi } from './fake-api';
import { renderApp } from './render-app';
import { createI18n } from '../../src-renderer/i18n';

/**
 * The Haven bundles section of the Export links page: key status and set-key form (warnings
 * before anything is sent), decrypt, verify in plain words, and re-wrap as a dry run then a
 * confirmed job. Shown without a connection profile: the master key belongs to the computer.
 */

const NO_KEY: HavenKeyStatus = { present: false, fingerprint: null, bits: null, previous: [], warnings: [], warningCodes: [] };
const KEY: HavenKeyStatus = { present: true, fingerprint: '0123456789abcdef', bits: 256, previous: [], warnings: [], warningCodes: [] };
const FLOW = { timeout: 30_000 };

function job(over: Partial<JobSummary>): JobSummary {
  return { id: 'rw-1', kind: 'haven.rewrap', title: 'Dry run: re-wrap Haven bundles in /srv/haven', state: 'running', progress: { fraction: 0.5, message: 'Checking b.enc (2 of 3)' }, createdAt: '2026-03-10T14:00:00Z', startedAt: '2026-03-10T14:00:00Z', finishedAt: null, error: null, result: null, ...over };
}

function fake(extra: Parameters<typeof createFakeApi>[0] = {}, initial: HavenKeyStatus = KEY) {
  let status = initial;
  return createFakeApi({
    'haven.key.status': () => ({ ok: true, value: status }),
    'haven.key.set': (input) => {
      const hex = (input as { hex: string }).hex;
      status = { ...KEY, fingerprint: 'fedcba9876543210', bits: hex.length * 4, previous: initial.present ? [{ fingerprint: initial.fingerprint!, retiredAt: '2026-03-10T14:00:00Z' }] : [], warningCodes: /^0+$/.test(hex) ? ['all-zero'] : hex.length === 32 ? ['aes-128'] : [] };
      return { ok: true, value: status };
    },
    ...extra,
  });
}

describe('Haven bundles (Export links page)', () => {
  it('set-key form: warns on an all-zero or 16-byte key before sending, sends the key once, clears it, shows only the fingerprint', FLOW, async () => {
    const f = fake({}, NO_KEY);
    renderApp('#/exports', f);
    expect(await screen.findByText('No Haven master key is stored on this computer yet.')).toBeInTheDocument();
    const input = screen.getByLabelText('New master key (KMS_MASTER_KEY_HEX)');
    expect(input).toHaveAttribute('type', 'password');
    const save = screen.getByRole('button', { name: 'Store the master key' });
    // Decrypt, verify and re-wrap wait for a key.
    expect(screen.getByRole('button', { name: 'Decrypt' })).toBeDisabled();

    await userEvent.type(input, 'abc');
    expect(screen.getByText(/this has 3 character\(s\)/)).toBeInTheDocument();
    expect(save).toBeDisabled();

    await userEvent.clear(input);
    await userEvent.type(input, '7e'.repeat(16));
    expect(screen.getByTestId('haven-key-typed-warning')).toHaveTextContent(/only 16 bytes/);
    await userEvent.clear(input);
    await userEvent.type(input, '0'.repeat(64));
    expect(screen.getByTestId('haven-key-typed-warning')).toHaveTextContent(/all zeros/);
    expect(f.callsTo('haven.key.set')).toEqual([]); // nothing left the form while typing

    await userEvent.click(save);
    expect(f.callsTo('haven.key.set')).toEqual([{ hex: '0'.repeat(64) }]);
    expect(await screen.findByText('The master key is stored in the keychain.')).toBeInTheDocument();
    expect(input).toHaveValue('');
    const status = screen.getByTestId('haven-key-status');
    expect(status).toHaveTextContent('256-bit, fingerprint fedcba9876543210');
    expect(within(status).getByRole('alert')).toHaveTextContent(/Haven’s shipped default/);
    expect(screen.getByRole('button', { name: 'Decrypt' })).toBeDisabled(); // paths still empty
  });

  it('replacing a stored key needs a confirmation; the old one is listed as previous', FLOW, async () => {
    const f = fake();
    renderApp('#/exports', f);
    expect(await screen.findByText(/fingerprint 0123456789abcdef/)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('New master key (KMS_MASTER_KEY_HEX)'), `KMS_MASTER_KEY_HEX=${'5c'.repeat(32)}`);
    const save = screen.getByRole('button', { name: 'Store the master key' });
    expect(save).toBeDisabled();
    await userEvent.click(screen.getByLabelText(/replace the current master key/));
    await userEvent.click(save);
    expect(f.callsTo('haven.key.set')).toEqual([{ hex: `KMS_MASTER_KEY_HEX=${'5c'.repeat(32)}` }]);
    expect(await screen.findByText(/0123456789abcdef \(replaced/)).toBeInTheDocument();
  });

  it('decrypts to the paths given and shows a typed error with its fix', FLOW, async () => {
    let fail = false;
    const f = fake({
      'haven.decrypt': (input) =>
        fail
          ? { ok: false, error: { kind: 'Validation', message: '/d/x.enc failed its integrity check (GCM tag).', hint: 'Download the bundle again from Haven. Nothing was written.' } }
          : { ok: true, value: { ...(input as { file: string; out: string }), bytes: 12_345, keyUsed: 'previous', warnings: [] } },
    });
    renderApp('#/exports', f);
    await screen.findByText(/fingerprint 0123456789abcdef/);
    const box = screen.getByRole('region', { name: 'Decrypt a bundle' });
    await userEvent.type(within(box).getByLabelText('Bundle (.enc) — full path'), ' /d/x.enc ');
    await userEvent.type(screen.getByLabelText('Write the ZIP to — full path of a new file'), '/d/x.zip');
    await userEvent.click(screen.getByRole('button', { name: 'Decrypt' }));
    expect(await screen.findByText('Decrypted into /d/x.zip (12.3 kB), opened with the previous master key.')).toBeInTheDocument();
    expect(f.callsTo('haven.decrypt')).toEqual([{ file: '/d/x.enc', out: '/d/x.zip' }]);
    fail = true;
    await userEvent.click(screen.getByRole('button', { name: 'Decrypt' }));
    expect(await screen.findByText(/failed its integrity check/)).toBeInTheDocument();
    expect(screen.getByTestId('error-hint')).toHaveTextContent('Nothing was written.');
  });

  it('verify: a table of what was checked, in plain words, with "cannot be checked" explained', FLOW, async () => {
    const report: HavenVerifyReport = {
      file: '/d/x.enc', size: 1000, ok: false,
      entries: [{ name: 'Client.csv', size: 10 }, { name: 'manifest.json', size: 5 }],
      checks: [
        { id: 'integrity', label: 'Content integrity (AES-GCM tag)', status: 'pass', detail: 'The content is exactly what Haven encrypted.' },
        { id: 'hash:Client.csv', label: 'Client.csv hash', status: 'fail', detail: 'SHA-256 is aa…, manifest.json says bb….' },
        { id: 'hash:Extra.csv', label: 'Extra.csv hash', status: 'not-verifiable', detail: 'manifest.json lists no SHA-256 for this file.' },
        { id: 'manifest.sha256', label: 'manifest.sha256', status: 'not-verifiable', detail: 'core words' },
        { id: 'signature', label: 'signature.txt', status: 'not-verifiable', detail: 'core words' },
      ],
    };
    const f = fake({ 'haven.verify': () => ({ ok: true, value: report }) });
    renderApp('#/exports', f);
    await screen.findByText(/fingerprint 0123456789abcdef/);
    const verifyBox = screen.getByRole('region', { name: 'Check a bundle' });
    await userEvent.type(within(verifyBox).getByLabelText('Bundle (.enc) — full path'), '/d/x.enc');
    await userEvent.click(within(verifyBox).getByRole('button', { name: 'Check' }));
    const rows = await screen.findAllByTestId('haven-check');
    expect(rows).toHaveLength(5);
    expect(within(rows[0]!).getByText('Content not altered (AES-GCM tag)')).toBeInTheDocument();
    expect(within(rows[0]!).getByText('Passed')).toBeInTheDocument();
    expect(within(rows[1]!).getByText('Client.csv matches its SHA-256 in manifest.json')).toBeInTheDocument();
    expect(within(rows[1]!).getByText('Failed')).toBeInTheDocument();
    expect(within(rows[2]!).getByText(/lists no SHA-256 for this file, so its content cannot be compared/)).toBeInTheDocument();
    expect(within(rows[3]!).getByText('Cannot be checked')).toBeInTheDocument();
    expect(within(rows[3]!).getByText(/sha256sum -c cannot work/)).toBeInTheDocument();
    expect(within(rows[4]!).getByText(/does not put in the bundle/)).toBeInTheDocument();
    expect(screen.getByText(/At least one check failed/)).toBeInTheDocument();
    expect(screen.getByText('Files in the bundle: Client.csv, manifest.json')).toBeInTheDocument();
    expect(f.callsTo('haven.verify')).toEqual([{ file: '/d/x.enc' }]);
  });

  it('re-wrap: dry run job with progress, then the real run only after confirming the list', FLOW, async () => {
    let n = 0;
    const f = fake({ 'jobs.start': () => ({ ok: true, value: { jobId: `rw-${++n}` } }), 'jobs.cancel': () => ({ ok: true, value: { cancelled: true } }) });
    renderApp('#/exports', f);
    await screen.findByText(/fingerprint 0123456789abcdef/);
    await userEvent.type(screen.getByLabelText('Folder holding the .enc bundles — full path'), '/srv/haven');
    await userEvent.click(screen.getByRole('button', { name: 'Check the folder (dry run)' }));
    expect(f.callsTo('jobs.start')).toEqual([{ kind: 'haven.rewrap', dir: '/srv/haven', dryRun: true }]);

    act(() => f.emit({ type: 'state', jobId: 'rw-1', job: job({ id: 'rw-1' }) }));
    expect(await screen.findByText('Checking b.enc (2 of 3)')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(f.callsTo('jobs.cancel')).toEqual([{ jobId: 'rw-1' }]);

    const dry: HavenRewrapReport = { dir: '/srv/haven', dryRun: true, failed: 1, warnings: [], files: [
      { file: '/srv/haven/a.enc', action: 'would-rewrap', detail: 'Opens with a previous key and decrypts intact; would be re-wrapped.' },
      { file: '/srv/haven/b.enc', action: 'already-current', detail: 'Already under the current master key.' },
      { file: '/srv/haven/c.enc', action: 'failed', detail: '/srv/haven/c.enc failed its integrity check (GCM tag).' },
    ] };
    act(() => f.emit({ type: 'state', jobId: 'rw-1', job: job({ id: 'rw-1', state: 'succeeded', progress: { fraction: 1, message: '' }, result: dry }) }));
    const rows = await screen.findAllByTestId('haven-rewrap-row');
    expect(rows).toHaveLength(3);
    expect(within(rows[0]!).getByText('will be re-wrapped')).toBeInTheDocument();
    expect(within(rows[2]!).getByText('failed')).toBeInTheDocument();
    expect(screen.getByText(/Dry run: nothing was changed\. 0 re-wrapped, 1 to re-wrap, 1 already current, 1 failed, 0 skipped\./)).toBeInTheDocument();

    const go = screen.getByRole('button', { name: 'Re-wrap now' });
    expect(go).toBeDisabled();
    await userEvent.click(screen.getByLabelText('I checked the list above and want to re-wrap 1 bundle(s).'));
    await userEvent.click(go);
    expect(f.callsTo('jobs.start')).toEqual([{ kind: 'haven.rewrap', dir: '/srv/haven', dryRun: true }, { kind: 'haven.rewrap', dir: '/srv/haven', dryRun: false }]);
    const real: HavenRewrapReport = { ...dry, dryRun: false, files: [{ ...dry.files[0]!, action: 'rewrapped', detail: 'Data key re-wrapped; body unchanged; decrypts under the current key.' }, dry.files[1]!, dry.files[2]!] };
    act(() => f.emit({ type: 'state', jobId: 'rw-2', job: job({ id: 'rw-2', title: 'Re-wrap Haven bundles in /srv/haven', state: 'succeeded', result: real }) }));
    expect(await screen.findByText('1 re-wrapped, 0 to re-wrap, 1 already current, 1 failed, 0 skipped.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Re-wrap now' })).not.toBeInTheDocument();
  });

  it('a cancelled re-wrap says what state the files are in', FLOW, async () => {
    const f = fake({ 'jobs.start': () => ({ ok: true, value: { jobId: 'rw-c' } }) });
    renderApp('#/exports', f);
    await screen.findByText(/fingerprint 0123456789abcdef/);
    await userEvent.type(screen.getByLabelText('Folder holding the .enc bundles — full path'), '/srv/haven');
    await userEvent.click(screen.getByRole('button', { name: 'Check the folder (dry run)' }));
    await waitFor(() => expect(f.callsTo('jobs.start')).toHaveLength(1));
    act(() => f.emit({ type: 'state', jobId: 'rw-c', job: job({ id: 'rw-c', state: 'cancelled' }) }));
    expect(await screen.findByText(/either as it was or completely re-wrapped/)).toBeInTheDocument();
  });

  it('has every Haven text in French', () => {
    const fr = createI18n('fr');
    expect(fr.t('havenBundles.verify.status.not-verifiable')).toBe('Impossible à vérifier');
    expect(fr.t('havenBundles.key.warning.all-zero')).toMatch(/zéros/);
    expect(fr.t('health.suspicious.found', { count: 3, days: 7 })).toMatch(/^3 comportement/);
  });
});
