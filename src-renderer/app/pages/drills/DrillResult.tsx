import { Alert, Group, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { DrillSummary } from '../../../../src-main/contract/drills';
import { CheckTable, useDuration } from './CheckTable';
import { ReportButton } from './ReportButton';

/** The outcome of a drill or restore: verdict, measured RTO/RPO, every check, the report. */
export function DrillResult({ drill }: { drill: DrillSummary }) {
  const { t } = useTranslation();
  const duration = useDuration();
  const passed = drill.state === 'passed';
  return (
    <Stack gap="sm">
      <Alert color={passed ? 'green' : 'red'} variant="light" role="status" title={t(passed ? 'drills.passed' : 'drills.failed', { id: drill.id })}>
        {drill.failure && <Text size="sm">{drill.failure.message}</Text>}
        {drill.failure?.hint && (
          <Text size="sm" fw={600}>
            {drill.failure.hint}
          </Text>
        )}
        <Text size="sm" data-testid="drill-rto">
          {t('drills.rto', { value: duration(drill.rtoSeconds) })}
        </Text>
        <Text size="sm" data-testid="drill-rpo">
          {t('drills.rpo', { value: duration(drill.rpoSeconds) })}
        </Text>
      </Alert>
      <CheckTable checks={drill.preflight} caption={t('drills.checklist')} />
      {drill.verification && <CheckTable checks={drill.verification.checks} caption={t('drills.verification')} />}
      <Group>
        <ReportButton id={drill.id} />
      </Group>
    </Stack>
  );
}
