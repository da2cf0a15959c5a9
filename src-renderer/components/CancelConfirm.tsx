import { Button, Group, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** "Stop this job?" asked in place, so a cancel is never one stray click (Jobs panel, key jobs). */
export function CancelConfirm({ message, onConfirm, onKeep, mt }: { message: string; onConfirm(): void; onKeep(): void; mt?: string }) {
  const { t } = useTranslation();
  return (
    <Stack gap="xs" mt={mt} role="alertdialog" aria-label={t('jobs.cancel')}>
      <Text size="sm">{message}</Text>
      <Group gap="xs">
        <Button size="xs" color="red" onClick={onConfirm}>
          {t('jobs.confirmCancel')}
        </Button>
        <Button size="xs" variant="default" onClick={onKeep}>
          {t('jobs.keepRunning')}
        </Button>
      </Group>
    </Stack>
  );
}
