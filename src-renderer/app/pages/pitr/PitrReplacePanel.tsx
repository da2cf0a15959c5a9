import { Alert, Button, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DrillSummary } from '../../../../src-main/contract/drills';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import type { JobSummary } from '../../../../src-main/contract/jobs';
import type { Recovery } from '../../../../src-main/contract/pitr';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatLocal } from '../../../components/time';
import { call } from '../../api';
import { PitrJobProgress } from './PitrJobProgress';

/**
 * "Replace": the recovered copy becomes production through the real restore's safe path (safety
 * backup, pg_restore --clean, lockdown, verification). The database name must be typed back.
 */
export function PitrReplacePanel({ profile, recovery }: { profile: string; recovery: Recovery }) {
  const { t, i18n } = useTranslation();
  const [confirm, setConfirm] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const [result, setResult] = useState<DrillSummary | null>(null);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);

  const start = async () => {
    setError(null);
    setResult(null);
    setDone(false);
    const res = await call('jobs.start', { kind: 'pitr.replace', profile, recoveryId: recovery.id, confirmDatabase: confirm.trim(), full: false, sample: 50, notes: '' });
    if (res.ok) setJobId(res.value.jobId);
    else setError(res.error);
  };
  const finished = useCallback((job: JobSummary) => {
    setDone(true);
    if (job.state === 'succeeded') setResult(job.result as DrillSummary);
  }, []);
  const running = !!jobId && !done;

  return (
    <Stack gap="sm">
      <Title order={3} size="h5">
        {t('pitr.replace.title')}
      </Title>
      <Alert color="red" variant="light">
        {t('pitr.replace.warning', { database: recovery.database, time: formatLocal(recovery.targetUtc, i18n.language) })}
      </Alert>
      <TextInput label={t('pitr.replace.confirmLabel', { database: recovery.database })} value={confirm} onChange={(e) => setConfirm(e.currentTarget.value)} autoComplete="off" disabled={running} />
      <Group>
        <Button color="red" onClick={() => void start()} disabled={confirm.trim() !== recovery.database || running}>
          {t('pitr.replace.start')}
        </Button>
      </Group>
      {jobId && <PitrJobProgress key={jobId} jobId={jobId} onDone={finished} cancelLabel={t('pitr.replace.cancel')} />}
      {result && (
        <Alert color={result.state === 'passed' ? 'green' : 'orange'} variant="light" role="status">
          <Text size="sm">{t(result.state === 'passed' ? 'pitr.replace.passed' : 'pitr.replace.failed', { safety: result.safetySetId ?? '—' })}</Text>
        </Alert>
      )}
      {error && <ErrorAlert error={error} />}
    </Stack>
  );
}
