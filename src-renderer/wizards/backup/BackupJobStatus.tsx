import { Alert, Button, Group, Paper, Progress, Stack, Table, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../src-main/contract/errors';
import { call } from '../../app/api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatBytes } from '../../components/size';
import { useJobs } from '../../state/jobs';

/** What a backup.run job returns (BackupRunResult in the core); read defensively, it crosses IPC as unknown. */
interface RunResult {
  setId: string;
  dir: string;
  verified: boolean;
  files: { file: string; bytes: number; sha256: string }[];
}

function asRunResult(value: unknown): RunResult | null {
  const v = value as Partial<RunResult> | null;
  if (!v || typeof v.setId !== 'string' || typeof v.verified !== 'boolean' || !Array.isArray(v.files)) return null;
  return { setId: v.setId, dir: String(v.dir ?? ''), verified: v.verified, files: v.files };
}

/**
 * Follows one backup.run job through the job events (progress, then its final state) and shows
 * the outcome honestly: "verified" only when the core said so; otherwise the failure and its hint.
 */
export function BackupJobStatus({ jobId, onFinished, onClose }: { jobId: string; onFinished(): void; onClose(): void }) {
  const { t, i18n } = useTranslation();
  const job = useJobs((s) => s.jobs[jobId]);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const reported = useRef(false);
  const done = job && !['queued', 'running'].includes(job.state);

  useEffect(() => {
    if (done && !reported.current) {
      reported.current = true;
      onFinished();
    }
  }, [done, onFinished]);

  const cancel = async () => {
    setConfirming(false);
    const res = await call('jobs.cancel', { jobId });
    if (!res.ok) setError(res.error);
  };

  const result = job?.state === 'succeeded' ? asRunResult(job.result) : null;
  const fraction = job?.progress.fraction ?? null;
  return (
    <Stack gap="sm" aria-live="polite">
      {!done && (
        <Paper withBorder p="sm">
          <Text fw={600}>{t('backupWizard.running')}</Text>
          <Progress
            mt="xs"
            value={fraction === null ? 100 : Math.round(fraction * 100)}
            animated={fraction === null}
            striped={fraction === null}
            aria-label={t('jobs.progress', { title: job?.title ?? t('backupWizard.title') })}
          />
          {job?.progress.message && <Text size="sm">{job.progress.message}</Text>}
          {!confirming ? (
            <Button mt="xs" size="xs" variant="light" color="red" onClick={() => setConfirming(true)}>
              {t('backupWizard.cancel')}
            </Button>
          ) : (
            <Stack gap="xs" mt="xs" role="alertdialog" aria-label={t('backupWizard.cancel')}>
              <Text size="sm">{t('backupWizard.cancelConfirm')}</Text>
              <Group gap="xs">
                <Button size="xs" color="red" onClick={() => void cancel()}>
                  {t('backupWizard.confirmCancel')}
                </Button>
                <Button size="xs" variant="default" onClick={() => setConfirming(false)}>
                  {t('backupWizard.keepRunning')}
                </Button>
              </Group>
            </Stack>
          )}
        </Paper>
      )}
      {result && (
        <Alert color={result.verified ? 'green' : 'orange'} variant="light" role="status" title={result.verified ? t('backupWizard.verified', { id: result.setId }) : t('backupWizard.notVerified', { id: result.setId })}>
          <Text size="sm">
            {t('backupWizard.folder')}: <code>{result.dir}</code>
          </Text>
          <Table mt="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('backupWizard.colFile')}</Table.Th>
                <Table.Th>{t('backupWizard.colSize')}</Table.Th>
                <Table.Th>{t('backupWizard.colSha')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.files.map((f) => (
                <Table.Tr key={f.file}>
                  <Table.Td>{f.file}</Table.Td>
                  <Table.Td>{formatBytes(f.bytes, i18n.language)}</Table.Td>
                  <Table.Td>
                    <code title={f.sha256}>{f.sha256.slice(0, 16)}…</code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Alert>
      )}
      {job?.state === 'failed' && job.error && <ErrorAlert error={job.error} title={t('backupWizard.failedTitle')} />}
      {job?.state === 'cancelled' && (
        <Alert color="gray" variant="light" role="status">
          {t('backupWizard.cancelled')}
        </Alert>
      )}
      {error && <ErrorAlert error={error} />}
      {done && (
        <Group>
          <Button variant="default" onClick={onClose}>
            {t('backupWizard.close')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
