import { screen, within } from '@testing-library/react';
import type { HealthTile } from '../../src-main/contract/channels';
import { createFakeApi } from './fake-api';
import { renderApp } from './render-app';

// What the core's dashboardHealth answers for a fresh install with no profile.
const EMPTY_TILES: HealthTile[] = [
  { id: 'lastBackup', status: 'warn', messageKey: 'health.lastBackup.none', values: {} },
  { id: 'lastDrill', status: 'warn', messageKey: 'health.lastDrill.none', values: {} },
  { id: 'keyAge', status: 'unknown', messageKey: 'health.noProfile', values: {} },
  { id: 'escrow', status: 'unknown', messageKey: 'health.noProfile', values: {} },
  { id: 'auditLockdown', status: 'unknown', messageKey: 'health.auditLockdown.unchecked', values: {} },
];

describe('dashboard', () => {
  it('shows honest empty states from the health tiles', async () => {
    const fake = createFakeApi({ 'dashboard.health': () => ({ ok: true, value: EMPTY_TILES }) });
    renderApp('#/dashboard', fake);
    const backup = await screen.findByTestId('tile-lastBackup');
    expect(within(backup).getByText('No backup recorded yet')).toBeInTheDocument();
    expect(within(backup).getByText('Needs attention')).toBeInTheDocument();
    // A tile that is not OK links to where its next step is done; one waiting for a profile does not.
    expect(within(backup).getByRole('link', { name: 'Back up now →' })).toHaveAttribute('href', '#/backups');
    expect(within(screen.getByTestId('tile-lastDrill')).getByRole('link', { name: 'Run a restore drill →' })).toHaveAttribute('href', '#/drills');
    expect(within(screen.getByTestId('tile-keyAge')).queryByRole('link')).not.toBeInTheDocument();
    expect(within(screen.getByTestId('tile-lastDrill')).getByText('No restore drill recorded yet')).toBeInTheDocument();
    expect(within(screen.getByTestId('tile-keyAge')).getByText('Choose a connection profile first')).toBeInTheDocument();
    expect(within(screen.getByTestId('tile-auditLockdown')).getByText('Not checked yet')).toBeInTheDocument();
    expect(screen.getByText(/No connection profile yet/)).toBeInTheDocument();
    expect(fake.callsTo('dashboard.health')).toEqual([{ profile: null }]);
  });

  it('words key age with its values and asks health for the active profile', async () => {
    const fake = createFakeApi({
      'profiles.list': () => ({
        ok: true,
        value: [{ name: 'Office', main: { host: 'db', port: 5432, database: 'konote', user: 'u', sslmode: 'prefer' }, audit: { host: 'db', port: 5432, database: 'konote_audit', user: 'u', sslmode: 'prefer' }, schemas: ['public'], sandbox: false, createdAt: '2026-01-01T00:00:00Z' }],
      }),
      'dashboard.health': () => ({ ok: true, value: [{ id: 'keyAge', status: 'warn', messageKey: 'health.keyAge.due', values: { days: 80, limit: 90, fingerprint: 'ab' } }] }),
    });
    renderApp('#/dashboard', fake);
    expect(await screen.findByText('Primary key is 80 days old: rotation is due every 90 days')).toBeInTheDocument();
    expect(within(screen.getByTestId('tile-keyAge')).getByRole('link', { name: 'Rotate the key →' })).toHaveAttribute('href', '#/keys');
    expect(fake.callsTo('dashboard.health')).toContainEqual({ profile: 'Office' });
  });

  it('words the suspicious-activity tile: count and where to look, or why it is not known', async () => {
    const fake = createFakeApi({
      'dashboard.health': () => ({ ok: true, value: [
        { id: 'suspicious', status: 'warn', messageKey: 'health.suspicious.found', values: { count: 3, days: 7 } },
        { id: 'auditLockdown', status: 'unknown', messageKey: 'health.suspicious.timeout', values: { seconds: 3, days: 7 } },
      ] }),
    });
    renderApp('#/dashboard', fake);
    const tile = await screen.findByTestId('tile-suspicious');
    expect(within(tile).getByText('Suspicious activity')).toBeInTheDocument();
    expect(within(tile).getByText('Needs attention')).toBeInTheDocument();
    expect(within(tile).getByText('3 suspicious pattern(s) in the audit log in the last 7 days: review them on the Audit log page')).toBeInTheDocument();
    expect(screen.getByText('Not known: the audit log did not answer within 3 seconds (see the Audit log page)')).toBeInTheDocument();
  });

  it('shows recovered copies still running, with the way to the page that discards them', async () => {
    const fake = createFakeApi({ 'dashboard.health': () => ({ ok: true, value: [{ id: 'recoveredCopies', status: 'warn', messageKey: 'health.recoveredCopies.running', values: { count: 2, hours: 5 } }] }) });
    renderApp('#/dashboard', fake);
    const tile = await screen.findByTestId('tile-recoveredCopies');
    expect(within(tile).getByText('Recovered copies')).toBeInTheDocument();
    expect(within(tile).getByText(/2 recovered copy\(ies\) of the database still running on this computer, the oldest for 5 hour\(s\)/)).toBeInTheDocument();
    expect(within(tile).getByRole('link', { name: 'Use or discard them →' })).toHaveAttribute('href', '#/pitr');
  });

  it('shows the error hint when health cannot be read', async () => {
    const fake = createFakeApi({ 'dashboard.health': () => ({ ok: false, error: { kind: 'KeyMissing', message: 'The keychain has no key for Office.', hint: 'Recover the key from escrow.' } }) });
    renderApp('#/dashboard', fake);
    expect(await screen.findByText('The keychain has no key for Office.')).toBeInTheDocument();
    expect(screen.getByText('Recover the key from escrow.')).toBeInTheDocument();
  });
});
