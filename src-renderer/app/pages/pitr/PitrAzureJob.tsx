import { Alert, List, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { AzureRestoreResultSchema } from '../../../../src-main/contract/pitr';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { RunningJobPanel, runningJobTexts } from '../../../components/RunningJobPanel';
import { useJobs } from '../../../state/jobs';
import { call } from '../../api';

/**
 * A running pitr.azureRestore job (progress, cancel that asks first), then its result: the new
 * servers, the lockdown/verification checks, and what must still be done by hand in Azure.
 */
export function PitrAzureJob({ jobId }: { jobId: string }) {
  const { t } = useTranslation();
  const job = useJobs((s) => s.jobs[jobId]);
  const [error, setError] = useState<AppErrorData | null>(null);
  const done = !!job && !['queued', 'running'].includes(job.state);
  const cancel = async () => {
    const res = await call('jobs.cancel', { jobId });
    if (!res.ok) setError(res.error);
  };
  const parsed = job?.state === 'succeeded' ? AzureRestoreResultSchema.safeParse(job.result) : null;
  const result = parsed?.success ? parsed.data : null;
  return (
    <Stack gap="sm" aria-live="polite">
      {!done && <RunningJobPanel job={job} texts={runningJobTexts(t, 'pitr.azure')} onCancel={() => void cancel()} />}
      {job?.state === 'failed' && job.error && <ErrorAlert error={job.error} />}
      {job?.state === 'cancelled' && (
        <Alert color="gray" variant="light" role="status">
          {t('pitr.azure.cancelled')}
        </Alert>
      )}
      {error && <ErrorAlert error={error} />}
      {result && (
        <Stack gap="sm">
          <Alert color="green" variant="light" role="status">
            {t(result.profileUpdated ? 'pitr.azure.doneProfile' : 'pitr.azure.done', { time: result.targetUtc })}
          </Alert>
          <Table>
            <Table.Caption>{t('pitr.azure.serversCaption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('pitr.azure.colRole')}</Table.Th>
                <Table.Th>{t('pitr.azure.colSource')}</Table.Th>
                <Table.Th>{t('pitr.azure.colRestored')}</Table.Th>
                <Table.Th>{t('pitr.azure.colState')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.servers.map((s) => (
                <Table.Tr key={s.role}>
                  <Table.Td>{s.role}</Table.Td>
                  <Table.Td>{s.source}</Table.Td>
                  <Table.Td>{s.fqdn}</Table.Td>
                  <Table.Td>{s.state}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {result.lockdown.length > 0 && (
            <List size="sm" spacing={2} aria-label={t('pitr.azure.checks')}>
              {result.lockdown.map((c) => (
                <List.Item key={c.id}>
                  {c.status} — {c.title}: {c.detail}
                  {c.hint ? ` ${c.hint}` : ''}
                </List.Item>
              ))}
            </List>
          )}
          <Text fw={600}>{t('pitr.azure.followUps')}</Text>
          <List size="sm" spacing={2} type="ordered">
            {result.followUps.map((f) => (
              <List.Item key={f}>{f}</List.Item>
            ))}
          </List>
        </Stack>
      )}
    </Stack>
  );
}
