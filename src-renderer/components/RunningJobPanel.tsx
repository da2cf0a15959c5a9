import { Button, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { JobSummary } from '../../src-main/contract/jobs';

export interface RunningJobTexts {
  running: string;
  cancel: string;
  cancelConfirm: string;
  confirmCancel: string;
  keepRunning: string;
}

/**
 * A running job: headline, progress (striped while its size is unknown), the core's progress
 * message, and a cancel that asks first — cancelling kills real work (a pg_dump, a restore).
 */
export function RunningJobPanel({ job, texts, onCancel }: { job: JobSummary | undefined; texts: RunningJobTexts; onCancel(): void }) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const fraction = job?.progress.fraction ?? null;
  return (
    <Paper withBorder p="sm">
      <Text fw={600}>{texts.running}</Text>
      <Progress mt="xs" value={fraction === null ? 100 : Math.round(fraction * 100)} animated={fraction === null} striped={fraction === null} aria-label={t('jobs.progress', { title: job?.title ?? texts.running })} />
      {job?.progress.message && <Text size="sm">{job.progress.message}</Text>}
      {!confirming ? (
        <Button mt="xs" size="xs" variant="light" color="red" onClick={() => setConfirming(true)}>
          {texts.cancel}
        </Button>
      ) : (
        <Stack gap="xs" mt="xs" role="alertdialog" aria-label={texts.cancel}>
          <Text size="sm">{texts.cancelConfirm}</Text>
          <Group gap="xs">
            <Button
              size="xs"
              color="red"
              onClick={() => {
                setConfirming(false);
                onCancel();
              }}
            >
              {texts.confirmCancel}
            </Button>
            <Button size="xs" variant="default" onClick={() => setConfirming(false)}>
              {texts.keepRunning}
            </Button>
          </Group>
        </Stack>
      )}
    </Paper>
  );
}

/** The texts of a RunningJobPanel from an i18n prefix holding running/cancel/cancelConfirm/confirmCancel/keepRunning. */
export function runningJobTexts(t: (key: string) => string, prefix: string): RunningJobTexts {
  return {
    running: t(`${prefix}.running`),
    cancel: t(`${prefix}.cancel`),
    cancelConfirm: t(`${prefix}.cancelConfirm`),
    confirmCancel: t(`${prefix}.confirmCancel`),
    keepRunning: t(`${prefix}.keepRunning`),
  };
}
