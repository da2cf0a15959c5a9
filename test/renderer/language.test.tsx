import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SettingsSchema } from '../../src-main/contract/channels';
import { createFakeApi } from './fake-api';
import { renderApp } from './render-app';

describe('language', () => {
  it('switching to French in Settings saves it and changes the navigation labels', async () => {
    const user = userEvent.setup();
    const fake = createFakeApi();
    renderApp('#/settings', fake);
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getByRole('link', { name: 'Keys' })).toBeInTheDocument();
    await user.selectOptions(await screen.findByLabelText('Language'), 'fr');
    expect(await within(screen.getByRole('navigation', { name: 'Navigation principale' })).findByRole('link', { name: 'Clés' })).toHaveAttribute('href', '#/keys');
    expect(screen.getByRole('link', { name: 'Tableau de bord' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Dashboard' })).not.toBeInTheDocument();
    expect(fake.callsTo('settings.update')).toContainEqual({ language: 'fr' });
  });

  it('starts in the saved language', async () => {
    const fake = createFakeApi({ 'settings.get': () => ({ ok: true, value: SettingsSchema.parse({ language: 'fr' }) }) });
    renderApp('#/dashboard', fake);
    expect(await screen.findByRole('link', { name: 'Journal d’audit' })).toBeInTheDocument();
  });
});
