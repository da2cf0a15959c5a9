import { Alert, Button, Group, Paper, Progress, Stack, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import type { JobSummary } from '../../../../src-main/contract/jobs';
import { RecoverySchema, type RecoverableWindow, type Recovery } from '../../../../src-main/contract/pitr';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatLocal } from '../../../components/time';
import { call } from '../../api';
import { PitrCopyBackPanel } from './PitrCopyBackPanel';
import { PitrReplacePanel } from './PitrReplacePanel';
import { PitrJobProgress } from './PitrJobProgress';
import { useParsedTarget } from './useParsedTarget';

/** Where `at` lies in the window, 0..100 (clamped), for the timeline. */
export function positionInWindow(w: Pick<RecoverableWindow, 'earliest' | 'latest'>, at: string): number {
  const a = Date.parse(w.earliest ?? '');
  const b = Date.parse(w.latest ?? '');
  const x = Date.parse(at);
  if (!(b > a) || Number.isNaN(x)) return 0;
  return Math.max(0, Math.min(100, ((x - a) / (b - a)) * 100));
}

/**
 * Recover to a time: the window as a timeline, a time typed in local time and read back in local
 * time and UTC (by the core, which refuses ambiguous or abbreviated zones), the recovery job, then
 * copy-back from the recovered copy.
 */
export function PitrRecoverWizard({ profile }: { profile: string }) {
  const { t, i18n } = useTranslation();
  const [win, setWin] = useState<RecoverableWindow | null>(null);
  const [input, setInput] = useState('');
  const { target, parseError } = useParsedTarget(input);
  const [jobId, setJobId] = useState<string | null>(null);
  const [recovery, setRecovery] = useState<Recovery | null>(null);
  const [discarded, setDiscarded] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  /** Other recovered copies still running (an earlier recovery, the audit database's). */
  const [others, setOthers] = useState<Recovery[]>([]);

  // A recovered copy keeps running (and holding personal data) after this page is left or the app
  // restarts: pick it up again, so it can still be used and, above all, discarded from here.
  // `current` is the copy a recovery job just made; without one, the newest main-database copy.
  const loadRunning = useCallback(
    async (current?: Recovery) => {
      const res = await call('pitr.recoveries', { profile });
      if (!res.ok) return setError(res.error);
      const ready = res.value.filter((r) => r.state === 'ready').sort((a, b) => b.startedAt.localeCompare(a.startedAt));
      const chosen = current ?? ready.find((r) => r.role === 'main') ?? null;
      setRecovery(chosen);
      setOthers(ready.filter((r) => r.id !== chosen?.id));
    },
    [profile],
  );
  useEffect(() => {
    void loadRunning();
  }, [loadRunning]);

  const loadWindow = async () => {
    setError(null);
    const res = await call('pitr.window', { profile, role: 'main' });
    if (res.ok) setWin(res.value);
    else setError(res.error);
  };

  const inside = !!(target && win?.earliest && win.latest && target.utc >= win.earliest && target.utc < win.latest);
  const start = async () => {
    if (!target) return;
    setError(null);
    setRecovery(null);
    setDiscarded(false);
    const res = await call('jobs.start', { kind: 'pitr.recover', profile, role: 'main', targetUtc: target.utc, backupId: null });
    if (res.ok) setJobId(res.value.jobId);
    else setError(res.error);
  };
  const finished = useCallback((job: JobSummary) => {
    setJobId(null);
    const parsed = RecoverySchema.safeParse(job.result);
    if (job.state === 'succeeded' && parsed.success) {
      setRecovery(parsed.data);
      void loadRunning(parsed.data); // an earlier copy still running moves to the list of others
    } else if (job.error) setError(job.error as AppErrorData);
  }, [loadRunning]);
  const discard = async (r: Recovery) => {
    const res = await call('pitr.discard', { recoveryId: r.id });
    if (!res.ok) return setError(res.error);
    setDiscarded(true);
    if (r.id === recovery?.id) setRecovery(null);
    setOthers((o) => o.filter((x) => x.id !== r.id));
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="pitr-recover-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="pitr-recover-title">
          {t('pitr.recover.title')}
        </Title>
        <Group>
          <Button variant="default" onClick={() => void loadWindow()}>
            {t('pitr.recover.loadWindow')}
          </Button>
        </Group>
        {win && !win.earliest && (
          <Alert color="orange" variant="light" role="status">
            {t('pitr.recover.windowEmpty')} {win.notes.join(' ')}
          </Alert>
        )}
        {win?.earliest && win.latest && (
          <Stack gap={4} data-testid="pitr-timeline">
            <Progress.Root size="xl" aria-label={t('pitr.recover.timeline')}>
              <Progress.Section value={target ? positionInWindow(win, target.utc) : 0} color={inside ? 'blue' : 'gray'} />
              <Progress.Section value={100 - (target ? positionInWindow(win, target.utc) : 0)} color="green" />
            </Progress.Root>
            <Group justify="space-between">
              <Text size="sm">
                {t('pitr.recover.earliest')}: {formatLocal(win.earliest, i18n.language)}
              </Text>
              <Text size="sm">
                {t('pitr.recover.latest')}: {formatLocal(win.latest, i18n.language)}
              </Text>
            </Group>
          </Stack>
        )}
        <TextInput label={t('pitr.recover.time')} description={t('pitr.recover.timeHelp')} value={input} onChange={(e) => setInput(e.currentTarget.value)} />
        {target && (
          <Stack gap={2} role="status">
            <Text size="sm" fw={600}>
              {t('pitr.recover.local', { value: target.local })}
            </Text>
            <Text size="sm" fw={600}>
              {t('pitr.recover.utc', { value: target.utc })}
            </Text>
            {target.note && <Text size="sm">{target.note}</Text>}
          </Stack>
        )}
        {parseError && <ErrorAlert error={parseError} />}
        {target && win && !inside && (
          <Alert color="red" variant="light" role="alert">
            {t('pitr.recover.outside')}
          </Alert>
        )}
        <Group>
          <Button onClick={() => void start()} disabled={!target || !inside || !!jobId}>
            {t('pitr.recover.start')}
          </Button>
        </Group>
        {jobId && <PitrJobProgress jobId={jobId} onDone={finished} cancelLabel={t('pitr.recover.cancel')} />}
        {error && <ErrorAlert error={error} />}
        {recovery && (
          <Stack gap="sm">
            <Alert color="green" variant="light" role="status">
              {t('pitr.recover.ready', { time: formatLocal(recovery.targetUtc, i18n.language), stopped: recovery.stoppedAt ?? '—' })}
            </Alert>
            <PitrCopyBackPanel profile={profile} recoveryId={recovery.id} />
            <PitrReplacePanel profile={profile} recovery={recovery} />
            <Group>
              <Button variant="light" color="red" onClick={() => void discard(recovery)}>
                {t('pitr.recover.discard')}
              </Button>
            </Group>
          </Stack>
        )}
        {others.length > 0 && (
          <Alert color="orange" variant="light" title={t('pitr.recover.othersTitle')} data-testid="pitr-other-copies">
            <Stack gap="xs">
              {others.map((r) => (
                <Group key={r.id} justify="space-between" wrap="nowrap">
                  <Text size="sm">{t('pitr.recover.other', { role: t(`pitr.role.${r.role}`), time: formatLocal(r.targetUtc, i18n.language), since: formatLocal(r.startedAt, i18n.language) })}</Text>
                  <Button size="xs" variant="light" color="red" onClick={() => void discard(r)} aria-label={t('pitr.recover.discardOther', { time: formatLocal(r.targetUtc, i18n.language) })}>
                    {t('pitr.recover.discard')}
                  </Button>
                </Group>
              ))}
            </Stack>
          </Alert>
        )}
        {discarded && (
          <Text size="sm" role="status">
            {t('pitr.recover.discarded')}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
