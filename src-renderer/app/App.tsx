import { Badge, Group, MantineProvider, NavLink, Text, Title } from '@mantine/core';
import type { i18n as I18n } from 'i18next';
import { useEffect, useState } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { refreshProfiles, useAppState } from '../state/app';
import { ErrorAlert } from '../components/ErrorAlert';
import type { AppErrorData } from '../../src-main/contract/errors';
import { call } from './api';
import { JobsPanel, useJobFeed } from './JobsPanel';
import { BackupsPage } from './pages/BackupsPage';
import { DashboardPage } from './pages/DashboardPage';
import { DrillsPage } from './pages/DrillsPage';
import { ExportsPage } from './pages/ExportsPage';
import { KeysPage } from './pages/KeysPage';
import { PlannedPage } from './pages/PlannedPage';
import { PitrPage } from './pages/PitrPage';
import { SettingsPage } from './pages/SettingsPage';
import { SecurityPage } from './pages/SecurityPage';
import { AuditPage } from './pages/audit/AuditPage';
import { NAV_ROUTES, useRoute, type Route } from './routes';
import { ProfileWizard } from '../wizards/profile/ProfileWizard';
import { PageTitle } from '../components/PageTitle';

function Page({ route }: { route: Route }) {
  const { t } = useTranslation();
  switch (route) {
    case 'dashboard':
      return <DashboardPage />;
    case 'backups':
      return <BackupsPage />;
    case 'keys':
      return <KeysPage />;
    case 'drills':
      return <DrillsPage />;
    case 'exports':
      return <ExportsPage />;
    case 'pitr':
      return <PitrPage />;
    case 'audit':
      return <AuditPage />;
    case 'security':
      return <SecurityPage />;
    case 'settings':
      return <SettingsPage />;
    case 'jobs':
      return <JobsPanel headingLevel={1} />;
    case 'add-profile':
      return (
        <>
          <PageTitle>{t('profileWizard.title')}</PageTitle>
          <ProfileWizard />
        </>
      );
    default:
      return <PlannedPage area={route} />;
  }
}

function Shell() {
  const { t, i18n } = useTranslation();
  const route = useRoute();
  const [preview, setPreview] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  useJobFeed();

  useEffect(() => {
    void (async () => {
      const [settings, info] = await Promise.all([call('settings.get', {}), call('app.info', {})]);
      if (settings.ok) {
        useAppState.getState().setSettings(settings.value);
        if (settings.value.language !== i18n.language) await i18n.changeLanguage(settings.value.language);
      } else setError(settings.error);
      if (info.ok) {
        setPreview(info.value.preview);
        useAppState.getState().setNativeDialogs(!info.value.preview);
      }
      await refreshProfiles();
      useAppState.getState().setLoaded();
    })();
  }, [i18n]);

  useEffect(() => {
    document.documentElement.lang = i18n.language;
  }, [i18n.language]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(e) => {
        // Hash links are our router; move focus to the content without changing the page.
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        {t('app.skipToContent')}
      </a>
      <header className="shell-header">
        <Group gap="sm">
          <Title order={2} size="h3" component="p">
            {t('app.title')}
          </Title>
          <Text size="sm" c="dimmed" className="tagline">
            {t('app.tagline')}
          </Text>
          {preview && (
            <Badge color="grape" variant="light">
              {t('app.previewBadge')}
            </Badge>
          )}
        </Group>
      </header>
      <nav className="shell-nav" aria-label={t('app.navLabel')}>
        <ul>
          {NAV_ROUTES.map((r) => (
            <li key={r}>
              <NavLink component="a" href={`#/${r}`} label={t(`nav.${r}`)} active={route === r} aria-current={route === r ? 'page' : undefined} />
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="shell-main" tabIndex={-1}>
        {error && <ErrorAlert error={error} />}
        <Page route={route} />
      </main>
    </div>
  );
}

export function App({ i18n }: { i18n: I18n }) {
  return (
    <I18nextProvider i18n={i18n}>
      {/* No runtime <style> tags (our CSP has no 'unsafe-inline' for styles): Mantine's CSS variables and
          global classes come from the static stylesheet, so the theme stays Mantine's default. */}
      <MantineProvider withCssVariables={false} withGlobalClasses={false}>
        <Shell />
      </MantineProvider>
    </I18nextProvider>
  );
}
