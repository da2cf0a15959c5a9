import { Alert, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PageTitle } from '../../components/PageTitle';

export type PlannedArea = 'drills' | 'pitr' | 'audit' | 'exports' | 'security';

/** A capability that a later version delivers: say what it will do, and that it is not here yet. */
export function PlannedPage({ area }: { area: PlannedArea }) {
  const { t } = useTranslation();
  return (
    <Stack gap="md">
      <PageTitle>{t(`nav.${area}`)}</PageTitle>
      <Text fw={600}>{t('planned.intro')}</Text>
      <Text>{t(`planned.${area}`)}</Text>
      <Alert color="gray" variant="light">
        {t('app.notAvailable')}
      </Alert>
    </Stack>
  );
}
