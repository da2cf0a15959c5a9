import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createFakeApi } from './fake-api';
import { renderApp } from './render-app';

const savedProfile = (input: unknown) => {
  const i = input as { name: string; main: object; audit: object; schemas: string[] };
  return { ok: true as const, value: { name: i.name, main: i.main, audit: i.audit, schemas: i.schemas, sandbox: false, createdAt: '2026-01-01T00:00:00Z' } };
};

describe('add-profile wizard', () => {
  it('shows a plain-language field error for a bad port and sends nothing', async () => {
    const user = userEvent.setup();
    const fake = createFakeApi({ 'profiles.save': savedProfile });
    renderApp('#/add-profile', fake);
    await user.type(await screen.findByLabelText('Profile name'), 'Head office');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.type(await screen.findByLabelText('Server (host name or IP address)'), 'db.example.org');
    const port = screen.getByLabelText('Port');
    await user.clear(port);
    await user.type(port, '70000');
    await user.type(screen.getByLabelText('User name'), 'konote');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText(/Enter a port number between 1 and 65535/)).toBeInTheDocument();
    expect(screen.getByLabelText('Port')).toHaveAttribute('aria-invalid', 'true');
    // Still on the main-database step, and nothing went to the core.
    expect(screen.getByText('Step 2 of 5')).toBeInTheDocument();
    expect(fake.callsTo('profiles.save')).toEqual([]);
  });

  it('sends the right profiles.save input, then tests the connection', async () => {
    const user = userEvent.setup();
    const fake = createFakeApi({
      'profiles.save': savedProfile,
      'profiles.test': () => ({
        ok: true,
        value: {
          profile: 'Head office',
          ok: true,
          main: { role: 'main', reachable: true, serverVersion: '15.8', serverVersionNum: 150008, user: 'konote', superuser: false, createRole: false, createDb: false, replication: false, auditLogOwner: null, ownsAuditLog: null, ssl: false, latencyMs: 3, error: null },
          audit: { role: 'audit', reachable: true, serverVersion: '15.8', serverVersionNum: 150008, user: 'konote', superuser: false, createRole: false, createDb: false, replication: false, auditLogOwner: 'konote', ownsAuditLog: true, ssl: false, latencyMs: 3, error: null },
        },
      }),
    });
    renderApp('#/add-profile', fake);
    await user.type(await screen.findByLabelText('Profile name'), 'Head office');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.type(await screen.findByLabelText('Server (host name or IP address)'), 'db.example.org');
    await user.clear(screen.getByLabelText('Port'));
    await user.type(screen.getByLabelText('Port'), '6543');
    await user.type(screen.getByLabelText('User name'), 'konote');
    await user.type(screen.getByLabelText(/^Password/), 's3cret!');
    await user.selectOptions(screen.getByLabelText('Encryption (SSL mode)'), 'require');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    // Audit step: "same server" is on by default; only the database name is asked.
    expect(await screen.findByLabelText('Same server as the main database')).toBeChecked();
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.clear(await screen.findByRole('textbox', { name: 'Schemas' }));
    await user.type(screen.getByRole('textbox', { name: 'Schemas' }), 'public, agency_a');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText(/konote@db.example.org:6543\/konote \(require\)/)).toBeInTheDocument();
    expect(screen.queryByText(/s3cret!/)).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save profile' }));

    expect(await screen.findByText('Profile “Head office” saved.')).toBeInTheDocument();
    expect(fake.callsTo('profiles.save')).toEqual([
      {
        name: 'Head office',
        main: { host: 'db.example.org', port: 6543, database: 'konote', user: 'konote', sslmode: 'require' },
        audit: { host: 'db.example.org', port: 6543, database: 'konote_audit', user: 'konote', sslmode: 'require' },
        schemas: ['public', 'agency_a'],
        mainPassword: 's3cret!',
        auditPassword: 's3cret!',
      },
    ]);
    expect(fake.callsTo('settings.update')).toContainEqual({ activeProfile: 'Head office' });

    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByTestId('version-main')).toHaveTextContent('15.8');
    expect(fake.callsTo('profiles.test')).toEqual([{ profile: 'Head office' }]);
  });

  it('shows the core error and its hint when saving fails', async () => {
    const user = userEvent.setup();
    const fake = createFakeApi({ 'profiles.save': () => ({ ok: false, error: { kind: 'KeychainUnavailable', message: 'No Secret Service.', hint: 'Start gnome-keyring and unlock it.' } }) });
    renderApp('#/add-profile', fake);
    await user.type(await screen.findByLabelText('Profile name'), 'X');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.type(await screen.findByLabelText('Server (host name or IP address)'), 'h');
    await user.type(screen.getByLabelText('User name'), 'u');
    for (let i = 0; i < 3; i++) await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(await screen.findByRole('button', { name: 'Save profile' }));
    expect(await screen.findByText('Start gnome-keyring and unlock it.')).toBeInTheDocument();
    expect(screen.getByText('No Secret Service.')).toBeInTheDocument();
  });
});
