import { Alert, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatBytes } from '../../components/size';
import { RunningJobPanel, runningJobTexts } from '../../components/RunningJobPanel';
import { useFollowedJob } from '../../state/use-followed-job';

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
  const { job, done, cancel, error } = useFollowedJob(jobId, onFinished);

  const result = job?.state === 'succeeded' ? asRunResult(job.result) : null;
  return (
    <Stack gap="sm" aria-live="polite">
      {!done && <RunningJobPanel job={job} texts={runningJobTexts(t, 'backupWizard')} onCancel={() => void cancel()} />}
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
