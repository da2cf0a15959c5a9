import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { KeyCustody } from '../../src-main/contract/keys';
import { createFakeApi } from './fake-api';
import { renderApp } from './render-app';

const PROFILE = { name: 'Office', main: { host: 'db', port: 5432, database: 'konote', user: 'u', sslmode: 'prefer' as const }, audit: { host: 'db', port: 5432, database: 'konote_audit', user: 'u', sslmode: 'prefer' as const }, schemas: ['public'], sandbox: false, createdAt: '2026-01-01T00:00:00Z' };
const EMPTY: KeyCustody = { profile: 'Office', listFingerprint: null, keys: [], inKeychain: false, primaryAgeDays: null, escrow: [] };
const PASTED = 'not-a-real-fernet-key-but-a-secret-looking-string=';

describe('key wizard', () => {
  it('shows the hint on KeyInvalid and never displays the pasted key again', async () => {
    const user = userEvent.setup();
    const fake = createFakeApi({
      'profiles.list': () => ({ ok: true, value: [PROFILE] }),
      'keys.custody': () => ({ ok: true, value: EMPTY }),
      'keys.import': () => ({ ok: false, error: { kind: 'KeyInvalid', message: 'Key 1 of 1 is not a valid Fernet key (wrong length).', hint: 'Copy the whole FIELD_ENCRYPTION_KEY value from KoNote’s .env, including the trailing =.' } }),
    });
    renderApp('#/keys', fake);
    await user.click(await screen.findByRole('button', { name: 'Import or generate a key' }));
    const field = screen.getByLabelText(/^FIELD_ENCRYPTION_KEY/);
    expect(field).toHaveAttribute('type', 'password');
    await user.click(field);
    await user.paste(PASTED);
    await user.click(screen.getByRole('button', { name: 'Import key' }));

    expect(await screen.findByText(/including the trailing =/)).toBeInTheDocument();
    expect(screen.getByText(/not a valid Fernet key/)).toBeInTheDocument();
    expect(fake.callsTo('keys.import')).toEqual([{ profile: 'Office', keyList: PASTED }]);
    // The key is nowhere on the page afterwards: not in text, not in any input's value.
    expect(document.body.innerHTML).not.toContain(PASTED);
    expect(screen.getByLabelText(/^FIELD_ENCRYPTION_KEY/)).toHaveValue('');
  });

  it('shows fingerprints after a successful import, and explains rotation on Conflict', async () => {
    const user = userEvent.setup();
    let imports = 0;
    const fake = createFakeApi({
      'profiles.list': () => ({ ok: true, value: [PROFILE] }),
      'keys.custody': () => ({ ok: true, value: EMPTY }),
      'keys.import': () =>
        ++imports === 1
          ? { ok: false, error: { kind: 'Conflict', message: 'Office already has a key list.' } }
          : { ok: true, value: { ...EMPTY, listFingerprint: 'list-fp', inKeychain: true, primaryAgeDays: 0, keys: [{ fingerprint: 'fp-1234', position: 0, primary: true, importedAt: '2026-01-01T00:00:00Z', becamePrimaryAt: null, retiredAt: null, source: 'imported' }] } },
    });
    renderApp('#/keys', fake);
    await user.click(await screen.findByRole('button', { name: 'Import or generate a key' }));
    await user.click(screen.getByLabelText(/^FIELD_ENCRYPTION_KEY/));
    await user.paste(PASTED);
    await user.click(screen.getByRole('button', { name: 'Import key' }));
    expect(await screen.findByText(/key rotation, which is a separate/)).toBeInTheDocument();

    await user.click(screen.getByLabelText(/^FIELD_ENCRYPTION_KEY/));
    await user.paste(PASTED);
    await user.click(screen.getByRole('button', { name: 'Import key' }));
    expect(await screen.findByTestId('key-fingerprint')).toHaveTextContent('fp-1234');
    expect(screen.getByTestId('custody-fingerprint')).toHaveTextContent('fp-1234');
    expect(document.body.innerHTML).not.toContain(PASTED);
  });

  it('asks for confirmation before generating a key', async () => {
    const user = userEvent.setup();
    const fake = createFakeApi({
      'profiles.list': () => ({ ok: true, value: [PROFILE] }),
      'keys.custody': () => ({ ok: true, value: EMPTY }),
      'keys.generate': () => ({ ok: false, error: { kind: 'KeychainUnavailable', message: 'The keychain is locked.', hint: 'Unlock your login keychain.' } }),
    });
    renderApp('#/keys', fake);
    await user.click(await screen.findByRole('button', { name: 'Import or generate a key' }));
    await user.click(screen.getByLabelText(/Generate a new key/));
    await user.click(screen.getByRole('button', { name: 'Generate key' }));
    expect(fake.callsTo('keys.generate')).toEqual([]);
    expect(screen.getByText(/Only generate a key for a new, empty KoNote deployment/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Generate key' }));
    expect(await screen.findByText('Unlock your login keychain.')).toBeInTheDocument();
    expect(fake.callsTo('keys.generate')).toEqual([{ profile: 'Office' }]);
  });
});
