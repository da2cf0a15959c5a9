import { Alert, Button, Checkbox, Group, Loader, Paper, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { HavenRewrapReportSchema, type HavenRewrapReport } from '../../../../../src-main/contract/haven';
import type { AppErrorData } from '../../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../../components/ErrorAlert';
import { useJobs } from '../../../../state/jobs';
import { call } from '../../../api';
import { PathInput } from '../../../../components/PathInput';

const count = (r: HavenRewrapReport, a: HavenRewrapReport['files'][number]['action']) => r.files.filter((f) => f.action === a).length;

/**
 * Re-wrap a folder as the `haven.rewrap` job: always a dry run first (which also proves every
 * bundle decrypts intact), then the real run only after the user confirms the list they saw.
 */
export function HavenRewrapPanel({ keyPresent }: { keyPresent: boolean }) {
  const { t } = useTranslation();
  const [dir, setDir] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const [report, setReport] = useState<HavenRewrapReport | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [cancelled, setCancelled] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const job = useJobs((s) => (jobId ? s.jobs[jobId] : undefined));
  const running = jobId !== null && (!job || job.state === 'queued' || job.state === 'running');

  useEffect(() => {
    if (!jobId || !job || running) return;
    setJobId(null);
    if (job.state === 'succeeded') {
      const parsed = HavenRewrapReportSchema.safeParse(job.result);
      if (parsed.success) setReport(parsed.data);
      else setError({ kind: 'Internal', message: 'The re-wrap job returned a result this window does not understand.', hint: 'Update Custodian.' });
    } else if (job.state === 'cancelled') setCancelled(true);
    else if (job.error) setError(job.error as AppErrorData);
  }, [jobId, job, running]);

  const start = async (dryRun: boolean) => {
    setError(null);
    setCancelled(false);
    setConfirmed(false);
    if (dryRun) setReport(null);
    const r = await call('jobs.start', { kind: 'haven.rewrap', dir: dir.trim(), dryRun });
    if (r.ok) setJobId(r.value.jobId);
    else setError(r.error);
  };

  const toDo = report?.dryRun ? count(report, 'would-rewrap') : 0;
  const fraction = job?.progress.fraction ?? null;

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="haven-rewrap-title">
      <Title order={3} size="h5" id="haven-rewrap-title" mb="xs">
        {t('havenBundles.rewrap.title')}
      </Title>
      <Text size="sm" mb="sm">
        {t('havenBundles.rewrap.intro')}
      </Text>
      <Stack gap="xs">
        <PathInput
          kind="folder"
          label={t('havenBundles.rewrap.dir')}
          value={dir}
          onChange={(v) => {
            setDir(v);
            // A confirmation is for the folder that was checked, never for one typed afterwards.
            setReport(null);
            setConfirmed(false);
          }}
        />
        <Group>
          <Button variant="default" disabled={!keyPresent || !dir.trim() || running} onClick={() => void start(true)}>
            {t('havenBundles.rewrap.dryRun')}
          </Button>
        </Group>
        {running && (
          <Paper withBorder p="sm" aria-live="polite">
            {job ? <Text fw={600}>{job.title}</Text> : <Loader size="sm" aria-label={t('app.loading')} />}
            <Progress mt="xs" value={fraction === null ? 100 : Math.round(fraction * 100)} animated={fraction === null} striped={fraction === null} aria-label={t('jobs.progress', { title: job?.title ?? '' })} />
            {job?.progress.message && <Text size="sm">{job.progress.message}</Text>}
            <Button mt="xs" size="xs" variant="light" color="red" onClick={() => jobId && void call('jobs.cancel', { jobId })}>
              {t('havenBundles.rewrap.cancel')}
            </Button>
          </Paper>
        )}
        {cancelled && (
          <Alert color="gray" role="status">
            {t('havenBundles.rewrap.cancelled')}
          </Alert>
        )}
        {error && <ErrorAlert error={error} />}
        {report && (
          <Stack gap="xs">
            <Text size="sm" role="status">
              {report.dryRun ? `${t('havenBundles.rewrap.dryRunNote')} ` : ''}
              {t('havenBundles.rewrap.summary', { rewrapped: count(report, 'rewrapped'), would: toDo, current: count(report, 'already-current'), failed: report.failed, skipped: count(report, 'skipped') })}
            </Text>
            {report.files.length > 0 && (
              <Table withTableBorder aria-label={t('havenBundles.rewrap.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('havenBundles.rewrap.colFile')}</Table.Th>
                    <Table.Th>{t('havenBundles.rewrap.colAction')}</Table.Th>
                    <Table.Th>{t('havenBundles.rewrap.colDetail')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {report.files.map((f) => (
                    <Table.Tr key={f.file} data-testid="haven-rewrap-row">
                      <Table.Td>{f.file}</Table.Td>
                      <Table.Td>{t(`havenBundles.rewrap.action.${f.action}`)}</Table.Td>
                      <Table.Td>{f.detail}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            {report.dryRun && toDo === 0 && <Text size="sm">{t('havenBundles.rewrap.nothing')}</Text>}
            {report.dryRun && toDo > 0 && (
              <Group>
                <Checkbox label={t('havenBundles.rewrap.confirmCheck', { count: toDo })} checked={confirmed} onChange={(e) => setConfirmed(e.currentTarget.checked)} />
                <Button color="red" disabled={!confirmed || running} onClick={() => void start(false)}>
                  {t('havenBundles.rewrap.run')}
                </Button>
              </Group>
            )}
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}
