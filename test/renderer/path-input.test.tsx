import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { KeyCustody } from '../../src-main/contract/keys';
import { createFakeApi } from './fake-api';
import { renderApp } from './render-app';

/** Path fields: typed anywhere; in the desktop app also chosen with the system's own dialog. */
const PROFILE = { name: 'Office', main: { host: 'db', port: 5432, database: 'konote', user: 'u', sslmode: 'prefer' as const }, audit: { host: 'db', port: 5432, database: 'konote_audit', user: 'u', sslmode: 'prefer' as const }, schemas: ['public'], sandbox: false, createdAt: '2026-01-01T00:00:00Z' };
const CUSTODY: KeyCustody = {
  profile: 'Office', listFingerprint: 'aaaa-bbbb-cccc-dddd', inKeychain: true, primaryAgeDays: 3, escrow: [],
  keys: [{ fingerprint: '1111-2222-3333-4444', position: 0, primary: true, importedAt: '2026-01-01T00:00:00Z', becamePrimaryAt: '2026-01-01T00:00:00Z', retiredAt: null, source: 'generated' }],
};

function fake(preview: boolean, picks: Array<string | null>) {
  return createFakeApi({
    'app.info': () => ({ ok: true, value: { version: '0.1.0', dataFolder: '/tmp/h', preview, platform: 'win32' } }),
    'profiles.list': () => ({ ok: true, value: [PROFILE] }),
    'keys.custody': () => ({ ok: true, value: CUSTODY }),
    'app.pickPath': () => ({ ok: true, value: { path: picks.shift() ?? null } }),
  });
}

describe('path fields', { timeout: 20_000 }, () => {
  it('desktop: "Browse…" opens the save dialog for the field, fills in the choice, and leaves the field alone when the dialog is closed', async () => {
    const user = userEvent.setup();
    const f = fake(false, ['D:\\Escrow\\office.age', null]);
    renderApp('#/keys', f);
    await user.click(await screen.findByRole('button', { name: 'Make an escrow copy' }));
    const field = screen.getByLabelText('Where to save the key file');
    await user.type(field, 'E:\\old.age');
    await user.click(screen.getByRole('button', { name: 'Browse for: Where to save the key file' }));
    expect(f.callsTo('app.pickPath')).toEqual([{ kind: 'save', title: 'Where to save the key file', defaultPath: 'E:\\old.age', extensions: ['age'] }]);
    expect(field).toHaveValue('D:\\Escrow\\office.age');
    await user.click(screen.getByRole('button', { name: 'Browse for: Where to save the key file' }));
    expect(f.callsTo('app.pickPath')).toHaveLength(2);
    expect(field).toHaveValue('D:\\Escrow\\office.age');
  });

  it('desktop: the backup wizard\'s folder step offers a folder dialog', async () => {
    const user = userEvent.setup();
    const f = fake(false, ['D:\\Backups']);
    renderApp('#/backups', f);
    await user.click(await screen.findByRole('button', { name: /Back up now/ }));
    const field = await screen.findByRole('textbox', { name: 'Backup folder' });
    await user.click(within(field.closest('form')!).getByRole('button', { name: 'Browse for: Backup folder' }));
    expect(f.callsTo('app.pickPath')[0]).toMatchObject({ kind: 'folder', title: 'Backup folder' });
    expect(field).toHaveValue('D:\\Backups');
  });

  it('web preview: no dialog to offer, so the field is typed only', async () => {
    const user = userEvent.setup();
    renderApp('#/keys', fake(true, []));
    await user.click(await screen.findByRole('button', { name: 'Make an escrow copy' }));
    expect(screen.getByLabelText('Where to save the key file')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Browse/ })).not.toBeInTheDocument();
  });
});
