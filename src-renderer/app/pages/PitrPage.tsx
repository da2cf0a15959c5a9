import { Alert, List, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PageTitle } from '../../components/PageTitle';
import { useActiveProfile } from '../../state/app';
import { PitrSetupPanel } from './pitr/PitrSetupPanel';
import { PitrBackupsPanel } from './pitr/PitrBackupsPanel';
import { PitrRecoverWizard } from './pitr/PitrRecoverWizard';
import { PitrAzurePanel } from './pitr/PitrAzurePanel';

/**
 * Point-in-time recovery: archiving set-up, base backups, recovery to a time into a local copy
 * (window as a timeline, the moment in local time and UTC), then copy-back of deleted records.
 * The dangers are said first, in plain words.
 */
export function PitrPage() {
  const { t } = useTranslation();
  const profile = useActiveProfile();
  if (!profile) {
    return (
      <>
        <PageTitle>{t('pitr.title')}</PageTitle>
        <Text>{t('pitr.noProfile')}</Text>
      </>
    );
  }
  return (
    <Stack gap="md">
      <PageTitle>{t('pitr.title')}</PageTitle>
      <Text>{t('pitr.intro')}</Text>
      <Alert color="orange" variant="light" title={t('pitr.dangersTitle')}>
        <List size="sm" spacing={4}>
          {(['copy', 'window', 'zone', 'disk'] as const).map((k) => (
            <List.Item key={k}>{t(`pitr.dangers.${k}`)}</List.Item>
          ))}
        </List>
      </Alert>
      <PitrSetupPanel profile={profile} />
      <PitrBackupsPanel profile={profile} />
      <PitrRecoverWizard profile={profile} />
      <PitrAzurePanel profile={profile} />
    </Stack>
  );
}
