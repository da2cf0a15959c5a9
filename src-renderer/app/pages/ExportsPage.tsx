import { Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageTitle } from '../../components/PageTitle';
import { useActiveProfile } from '../../state/app';
import { LinksList } from './exports/LinksList';
import { LinkDetails } from './exports/LinkDetails';
import { CleanupPanel } from './exports/CleanupPanel';
import { SummaryPanel } from './exports/SummaryPanel';
import { DeadlinesPanel } from './exports/DeadlinesPanel';
import { ExportSettingsPanel } from './exports/ExportSettingsPanel';
import { HavenSection } from './exports/haven/HavenSection';

/**
 * Export links of the active profile: KoNote's "Manage Export Links" page, the runbook's
 * "investigate a suspicious export" flow (details → audit trail → revoke → incident notes), and
 * its three cron jobs (cleanup, weekly summary, report deadlines) run by hand with a preview first,
 * and Haven HMIS bundles (not tied to a profile, so shown even without one).
 */
export function ExportsPage() {
  const { t } = useTranslation();
  const profile = useActiveProfile();
  const [selected, setSelected] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  if (!profile) {
    return (
      <>
        <PageTitle>{t('exportLinks.title')}</PageTitle>
        <Text>{t('exportLinks.noProfile')}</Text>
        <HavenSection />
      </>
    );
  }
  return (
    <Stack gap="md">
      <PageTitle>{t('exportLinks.title')}</PageTitle>
      <Text>{t('exportLinks.intro')}</Text>
      <LinksList profile={profile} reload={reload} onSelect={setSelected} />
      {selected && <LinkDetails key={selected} profile={profile} id={selected} onClose={() => setSelected(null)} onChanged={() => setReload((n) => n + 1)} />}
      <CleanupPanel profile={profile} onCleaned={() => setReload((n) => n + 1)} />
      <SummaryPanel profile={profile} />
      <DeadlinesPanel profile={profile} />
      <ExportSettingsPanel profile={profile} onSaved={() => setReload((n) => n + 1)} />
      <HavenSection />
    </Stack>
  );
}
