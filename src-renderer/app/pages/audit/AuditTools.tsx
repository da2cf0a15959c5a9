import { Alert, Button, Group, List, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CheckpointSummary, CheckpointVerify, LinkTrail, SuspiciousReport } from '../../../../src-main/contract/audit';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatLocal } from '../../../components/time';
import { useKeyJob } from '../../../wizards/keys/useKeyJob';
import { call } from '../../api';
import type { AuditRequest } from './AuditFilters';
import { AuditResults } from './AuditResults';
import { PathInput } from '../../../components/PathInput';

/** The Audit page's tools around the results: CSV export, link trail, suspicious patterns, checkpoints. */

function JobLine({ job, onCancel }: { job: ReturnType<typeof useKeyJob>['job']; onCancel(): void }) {
  const { t } = useTranslation();
  if (!job || (job.state !== 'queued' && job.state !== 'running')) return null;
  return (
    <Group gap="xs" aria-live="polite">
      <Text size="sm">{t('auditPage.running', { message: job.progress.message })}</Text>
      <Button size="xs" variant="subtle" onClick={onCancel}>
        {t('auditPage.cancel')}
      </Button>
    </Group>
  );
}

export function ExportPanel({ profile, request }: { profile: string; request: AuditRequest | null }) {
  const { t } = useTranslation();
  const [out, setOut] = useState('');
  const { job, active, start, cancel, startError } = useKeyJob();
  const done = job?.state === 'succeeded' ? (job.result as { rows: number; out: string }) : null;
  return (
    <Paper withBorder p="sm">
      <Title order={2} size="h4">
        {t('auditPage.export')}
      </Title>
      <PathInput kind="save" extensions={['csv']} label={t('auditPage.exportPath')} description={t('auditPage.exportPathHelp')} value={out} onChange={setOut} />
      <Group mt="xs">
        <Button disabled={!out.trim() || active || !request} onClick={() => request && void start({ kind: 'audit.export', profile, filter: request.filter as never, saved: request.saved, out: out.trim() })}>
          {t('auditPage.exportStart')}
        </Button>
        <JobLine job={job} onCancel={() => void cancel()} />
      </Group>
      {done && <Alert color="green" mt="xs">{t('auditPage.exportDone', { rows: done.rows, out: done.out })}</Alert>}
      {job?.state === 'failed' && job.error && <ErrorAlert error={job.error as AppErrorData} />}
      {startError && <ErrorAlert error={startError} />}
    </Paper>
  );
}

export function TrailPanel({ profile }: { profile: string }) {
  const { t } = useTranslation();
  const [linkId, setLinkId] = useState('');
  const [trail, setTrail] = useState<LinkTrail | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);
  const show = async () => {
    setError(null);
    const res = await call('audit.linkTrail', { profile, linkId: linkId.trim() });
    if (res.ok) setTrail(res.value);
    else setError(res.error);
  };
  return (
    <Paper withBorder p="sm">
      <Title order={2} size="h4">
        {t('auditPage.trail')}
      </Title>
      <Group align="end">
        <TextInput label={t('auditPage.trailHelp')} value={linkId} onChange={(e) => setLinkId(e.currentTarget.value)} className="grow" />
        <Button onClick={() => void show()} disabled={!linkId.trim()}>
          {t('auditPage.trailShow')}
        </Button>
      </Group>
      {error && <ErrorAlert error={error} />}
      {trail && (
        <Stack gap="xs" mt="xs">
          <Text size="sm">
            {t('auditPage.trailSummary', { rows: trail.rows.length, created: trail.created ? t('auditPage.trailCreated') : t('auditPage.trailNotCreated'), downloads: trail.downloads, revoked: trail.revoked ? t('auditPage.trailRevoked') : '' })}
          </Text>
          <AuditResults rows={trail.rows} more={false} loadingMore={false} onMore={() => {}} />
        </Stack>
      )}
    </Paper>
  );
}

export function SuspiciousPanel({ profile, request }: { profile: string; request: AuditRequest | null }) {
  const { t } = useTranslation();
  const [report, setReport] = useState<SuspiciousReport | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const find = async () => {
    setBusy(true);
    setError(null);
    const res = await call('audit.suspicious', { profile, filter: (request?.filter ?? { since: '7d' }) as never, saved: request?.saved ?? null });
    setBusy(false);
    if (res.ok) setReport(res.value);
    else setError(res.error);
  };
  return (
    <Paper withBorder p="sm">
      <Title order={2} size="h4">
        {t('auditPage.suspicious')}
      </Title>
      <Button mt="xs" variant="light" loading={busy} onClick={() => void find()}>
        {t('auditPage.suspiciousFind')}
      </Button>
      {error && <ErrorAlert error={error} />}
      {report && report.patterns.length === 0 && <Text mt="xs">{t('auditPage.suspiciousNone')}</Text>}
      {report && report.patterns.length > 0 && (
        <List mt="xs" spacing="xs">
          {report.patterns.map((p, i) => (
            <List.Item key={`${p.kind}-${p.subject}-${i}`} data-testid="suspicious-pattern">
              <Text size="sm" fw={600}>
                {t(`auditPage.patternKinds.${p.kind}`)}: {p.subject}
              </Text>
              <Text size="sm">{p.detail}</Text>
              <Button size="xs" variant="subtle" onClick={() => setOpen(open === i ? null : i)} aria-expanded={open === i}>
                {t('auditPage.suspiciousShowRows')}
              </Button>
              {open === i && <AuditResults rows={p.rows} more={false} loadingMore={false} onMore={() => {}} />}
            </List.Item>
          ))}
        </List>
      )}
    </Paper>
  );
}

export function CheckpointPanel({ profile }: { profile: string }) {
  const { t, i18n } = useTranslation();
  const [list, setList] = useState<CheckpointSummary[]>([]);
  const [error, setError] = useState<AppErrorData | null>(null);
  const take = useKeyJob();
  const verify = useKeyJob();
  const load = useCallback(async () => {
    const res = await call('audit.checkpoints', { profile });
    if (res.ok) setList(res.value);
    else setError(res.error);
  }, [profile]);
  useEffect(() => {
    void load();
  }, [load, take.job?.state]);
  const result = verify.job?.state === 'succeeded' ? (verify.job.result as CheckpointVerify) : null;
  return (
    <Paper withBorder p="sm">
      <Title order={2} size="h4">
        {t('auditPage.checkpoints')}
      </Title>
      <Text size="sm">{t('auditPage.checkpointsIntro')}</Text>
      {error && <ErrorAlert error={error} />}
      {list.length === 0 ? (
        <Text size="sm" mt="xs" c="dimmed">
          {t('auditPage.checkpointsNone')}
        </Text>
      ) : (
        <List size="sm" mt="xs">
          {list.slice(-5).map((c) => (
            <List.Item key={c.id}>{t('auditPage.checkpointLine', { seq: c.seq, toId: c.toId, rows: c.rowCount, at: formatLocal(c.createdAt, i18n.language) })}</List.Item>
          ))}
        </List>
      )}
      <Group mt="xs">
        <Button variant="light" disabled={take.active} onClick={() => void take.start({ kind: 'audit.checkpoint', profile, reason: 'review', file: null, settleSeconds: 60 })}>
          {t('auditPage.checkpointTake')}
        </Button>
        <Button variant="light" disabled={verify.active || list.length === 0} onClick={() => void verify.start({ kind: 'audit.verify', profile, file: null })}>
          {t('auditPage.checkpointVerify')}
        </Button>
        <JobLine job={take.job} onCancel={() => void take.cancel()} />
        <JobLine job={verify.job} onCancel={() => void verify.cancel()} />
      </Group>
      {result && (
        <Alert mt="xs" color={result.ok ? 'green' : 'red'} role={result.ok ? 'status' : 'alert'}>
          {result.ok ? t('auditPage.verifyOk', { count: result.verified, rows: result.rowsVerified }) : t('auditPage.verifyBad', { first: result.firstProblem })}
        </Alert>
      )}
      {[take.job, verify.job].map((j, i) => (j?.state === 'failed' && j.error ? <ErrorAlert key={i} error={j.error as AppErrorData} /> : null))}
      {take.startError && <ErrorAlert error={take.startError} />}
    </Paper>
  );
}
