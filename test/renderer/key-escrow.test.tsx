import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { KeyCustody } from '../../src-main/contract/keys';
import { estimateBits, passphraseStrength } from '../../src-renderer/wizards/keys/passphrase';
import { createFakeApi } from './fake-api';
import { renderApp } from './render-app';

const PROFILE = { name: 'Office', main: { host: 'db', port: 5432, database: 'konote', user: 'u', sslmode: 'prefer' as const }, audit: { host: 'db', port: 5432, database: 'konote_audit', user: 'u', sslmode: 'prefer' as const }, schemas: ['public'], sandbox: false, createdAt: '2026-01-01T00:00:00Z' };
const CUSTODY: KeyCustody = {
  profile: 'Office',
  listFingerprint: 'aaaa-bbbb-cccc-dddd',
  keys: [
    { fingerprint: '1111-2222-3333-4444', position: 0, primary: true, importedAt: '2026-01-01T00:00:00Z', becamePrimaryAt: '2026-01-01T00:00:00Z', retiredAt: null, source: 'generated' },
    { fingerprint: '9999-8888-7777-6666', position: -1, primary: false, importedAt: '2025-06-01T00:00:00Z', becamePrimaryAt: '2025-06-01T00:00:00Z', retiredAt: '2026-01-01T00:00:00Z', source: 'imported', backupSets: 7 },
  ],
  inKeychain: true,
  primaryAgeDays: 95,
  escrow: [
    { kind: 'file', createdAt: '2026-01-02T00:00:00Z', lastTestedAt: '2026-02-01T00:00:00Z' },
    { kind: 'split:2of3', createdAt: '2026-01-03T00:00:00Z', lastTestedAt: null },
  ],
  retainedRetired: ['9999-8888-7777-6666'],
};
const SECRET_PASS = 'orange tractor violin seventeen';
const SHARE = 'CUSTODIAN-SHARE-1:2of3:1:aaaa-bbbb-cccc-dddd:c2VjcmV0LXNoYXJlLWJ5dGVz:0123abcd';

function fake(overrides: Parameters<typeof createFakeApi>[0] = {}) {
  return createFakeApi({
    'profiles.list': () => ({ ok: true, value: [PROFILE] }),
    'keys.custody': () => ({ ok: true, value: CUSTODY }),
    ...overrides,
  });
}

describe('passphrase strength hint', () => {
  it('ranks length and variety, and does not reward repetition', () => {
    expect(passphraseStrength('short')).toBe('tooShort');
    expect(passphraseStrength('aaaaaaaaaaaaaaaa')).toBe('weak');
    expect(passphraseStrength('Password1234')).toBe('weak');
    expect(passphraseStrength(SECRET_PASS)).toBe('strong');
    expect(estimateBits('correct horse battery staple')).toBeGreaterThan(estimateBits('correct horse'));
  });
});

describe('keys page: custody record', { timeout: 20_000 }, () => {
  it('shows key age against 90 days, retired keys kept for old backups, and when each escrow copy was last tested', async () => {
    renderApp('#/keys', fake());
    expect(await screen.findByText(/95 days — rotation is due \(every 90 days\)/)).toBeInTheDocument();
    expect(screen.getByText(/kept in the keychain for older backups/)).toBeInTheDocument();
    expect(screen.getAllByTestId('key-backup-sets').map((c) => c.textContent)).toEqual(['0', '7']);
    const copies = screen.getAllByTestId('escrow-copy');
    expect(copies[0]).toHaveTextContent(/Key file, made .* last tested/);
    expect(copies[1]).toHaveTextContent(/Shares \(2of3\), made .* never tested/);
    // With keys in custody, adding a key is not offered; rotation is.
    expect(screen.queryByRole('button', { name: 'Import or generate a key' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Rotate the key' })).toBeInTheDocument();
  });
});

describe('escrow panel', { timeout: 20_000 }, () => {
  it('key file: passphrase typed twice with a strength hint; the passphrase is sent once and cleared', async () => {
    const user = userEvent.setup();
    const f = fake({ 'keys.escrow.file': () => ({ ok: true, value: { profile: 'Office', kind: 'file', listFingerprint: 'aaaa-bbbb-cccc-dddd', files: ['/media/usb/office.age'], holders: [] } }) });
    renderApp('#/keys', f);
    await user.click(await screen.findByRole('button', { name: 'Make an escrow copy' }));
    await user.type(screen.getByLabelText('Where to save the key file'), '/media/usb/office.age');
    await user.type(screen.getByLabelText('Passphrase'), 'too short');
    expect(screen.getByTestId('passphrase-strength')).toHaveTextContent('too short');
    await user.click(screen.getByRole('button', { name: 'Save key file' }));
    expect(screen.getByText('Use at least 12 characters.')).toBeInTheDocument();
    await user.clear(screen.getByLabelText('Passphrase'));
    await user.type(screen.getByLabelText('Passphrase'), SECRET_PASS);
    expect(screen.getByTestId('passphrase-strength')).toHaveTextContent('Strength: strong');
    await user.type(screen.getByLabelText('Type the passphrase again'), `${SECRET_PASS}x`);
    await user.click(screen.getByRole('button', { name: 'Save key file' }));
    expect(screen.getByText('The two passphrases are not the same.')).toBeInTheDocument();
    expect(f.callsTo('keys.escrow.file')).toEqual([]);
    await user.clear(screen.getByLabelText('Type the passphrase again'));
    await user.type(screen.getByLabelText('Type the passphrase again'), SECRET_PASS);
    await user.click(screen.getByRole('button', { name: 'Save key file' }));
    expect(await screen.findByText('/media/usb/office.age')).toBeInTheDocument();
    expect(f.callsTo('keys.escrow.file')).toEqual([{ profile: 'Office', path: '/media/usb/office.age', passphrase: SECRET_PASS }]);
    expect(screen.getByLabelText('Passphrase')).toHaveValue('');
    expect(document.body.innerHTML).not.toContain(SECRET_PASS);
  });

  it('split: names the holders and the threshold, and refuses a threshold above the number of holders', async () => {
    const user = userEvent.setup();
    const f = fake({ 'keys.escrow.split': () => ({ ok: true, value: { profile: 'Office', kind: 'split', listFingerprint: 'aaaa-bbbb-cccc-dddd', files: ['/tmp/shares.pdf'], holders: ['Director', 'Treasurer', 'IT'] } }) });
    renderApp('#/keys', f);
    await user.click(await screen.findByRole('button', { name: 'Make an escrow copy' }));
    await user.click(screen.getByLabelText(/Split between several people/));
    await user.type(screen.getByLabelText('Where to save the PDF'), '/tmp/shares.pdf');
    await user.type(screen.getByLabelText('Share holders'), 'Director, Treasurer, IT');
    await user.clear(screen.getByLabelText('Shares needed to recover'));
    await user.type(screen.getByLabelText('Shares needed to recover'), '4');
    await user.click(screen.getByRole('button', { name: 'Save shares' }));
    expect(screen.getByText('Choose a number from 2 to 3.')).toBeInTheDocument();
    await user.clear(screen.getByLabelText('Shares needed to recover'));
    await user.type(screen.getByLabelText('Shares needed to recover'), '2');
    await user.click(screen.getByRole('button', { name: 'Save shares' }));
    expect(await screen.findByText(/One page per holder: Director, Treasurer, IT/)).toBeInTheDocument();
    expect(f.callsTo('keys.escrow.split')).toEqual([{ profile: 'Office', path: '/tmp/shares.pdf', threshold: 2, holders: ['Director', 'Treasurer', 'IT'], textDir: null }]);
  });
});

describe('recover panel', { timeout: 20_000 }, () => {
  it('tests shares without touching the keychain by default, then forgets them', async () => {
    const user = userEvent.setup();
    const f = fake({
      'keys.recover': () => ({ ok: true, value: { profile: 'Office', listFingerprint: 'aaaa-bbbb-cccc-dddd', matchedCustody: true, imported: false, copiesMarkedTested: 1, databaseCheck: { profile: 'Office', checked: 20, decrypted: 20, failed: [], empty: 0, columns: [], ok: true } } }),
    });
    renderApp('#/keys', f);
    await user.click(await screen.findByRole('button', { name: 'Recover or test a copy' }));
    await user.click(screen.getByLabelText('Shares from several people'));
    expect(screen.getByLabelText(/Test only/)).toBeChecked();
    await user.click(screen.getByRole('button', { name: 'Test the copy' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Enter at least one share.');
    await user.type(screen.getByLabelText('Shares'), `${SHARE}\n${SHARE.replace(':1:', ':2:')}`);
    await user.click(screen.getByRole('button', { name: 'Test the copy' }));
    expect(await screen.findByText('The copy works: it holds key list aaaa-bbbb-cccc-dddd')).toBeInTheDocument();
    expect(screen.getByText('20 of 20 sampled values decrypted.')).toBeInTheDocument();
    expect(screen.getByText('1 recorded copy marked as tested today.')).toBeInTheDocument();
    expect(f.callsTo('keys.recover')).toEqual([{ profile: 'Office', source: { kind: 'shares', shares: [SHARE, SHARE.replace(':1:', ':2:')] }, checkDatabase: true, testOnly: true }]);
    expect(document.body.innerHTML).not.toContain('c2VjcmV0LXNoYXJlLWJ5dGVz');
  });

  it('recovering for real from a key file shows the core’s hint on a wrong passphrase', async () => {
    const user = userEvent.setup();
    const f = fake({ 'keys.recover': () => ({ ok: false, error: { kind: 'KeyMismatch', message: 'The passphrase does not open this key file.', hint: 'Check the passphrase (it is case-sensitive).' } }) });
    renderApp('#/keys', f);
    await user.click(await screen.findByRole('button', { name: 'Recover or test a copy' }));
    await user.type(screen.getByLabelText('Path of the key file'), '/media/usb/office.age');
    await user.type(screen.getByLabelText('Passphrase of the key file'), SECRET_PASS);
    await user.click(screen.getByLabelText(/Test only/));
    await user.click(screen.getByRole('button', { name: 'Recover the key' }));
    expect(await screen.findByText('Check the passphrase (it is case-sensitive).')).toBeInTheDocument();
    expect(f.callsTo('keys.recover')).toEqual([{ profile: 'Office', source: { kind: 'file', path: '/media/usb/office.age', passphrase: SECRET_PASS }, checkDatabase: true, testOnly: false }]);
    expect(screen.getByLabelText('Passphrase of the key file')).toHaveValue('');
  });
});
