import { Button, Group, Stack, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import type { WalSlotStatus } from '../../../../src-main/contract/pitr';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { InlineConfirm } from '../../../components/InlineConfirm';
import { useJobs } from '../../../state/jobs';
import { call } from '../../api';

/**
 * Start/stop continuous WAL streaming (pg_receivewal into the archive folder) while the app runs.
 * The status is the running job's progress: last complete WAL file and MB received. While nobody
 * streams, the replication slot makes the server keep WAL (its disk fills): that is shown, with
 * the way to remove the slot when streaming is given up.
 */
export function PitrStreamControl({ profile }: { profile: string }) {
  const { t } = useTranslation();
  const job = useJobs((s) => Object.values(s.jobs).find((j) => j.kind === 'pitr.receiveWal' && ['queued', 'running'].includes(j.state) && j.title.includes(` ${profile} (main)`)));
  const last = useJobs((s) => Object.values(s.jobs).filter((j) => j.kind === 'pitr.receiveWal' && j.state === 'failed').at(0));
  const [error, setError] = useState<AppErrorData | null>(null);
  const [slot, setSlot] = useState<WalSlotStatus | null>(null);
  const [confirming, setConfirming] = useState(false);

  // Optional information: a server that cannot be asked simply shows no slot line.
  const loadSlot = useCallback(async () => {
    const res = await call('pitr.slot.status', { profile, role: 'main' });
    setSlot(res.ok ? res.value : null);
  }, [profile]);
  const streaming = !!job;
  useEffect(() => {
    void loadSlot();
  }, [loadSlot, streaming]);

  const start = async () => {
    setError(null);
    const res = await call('jobs.start', { kind: 'pitr.receiveWal', profile, role: 'main', dir: null, slot: null });
    if (!res.ok) setError(res.error);
  };
  const dropSlot = async () => {
    setConfirming(false);
    setError(null);
    const res = await call('pitr.slot.drop', { profile, role: 'main', confirm: true });
    if (res.ok) setSlot(res.value);
    else setError(res.error);
  };
  const mb = slot?.retainedBytes != null ? (slot.retainedBytes / 1024 / 1024).toFixed(1) : '0';
  return (
    <>
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" role="status" aria-live="polite">
          {job ? job.progress.message || t('pitr.stream.starting') : t('pitr.stream.off')}
        </Text>
        {job ? (
          <Button size="xs" variant="light" color="red" onClick={() => void call('jobs.cancel', { jobId: job.id })}>
            {t('pitr.stream.stop')}
          </Button>
        ) : (
          <Button size="xs" variant="light" onClick={() => void start()}>
            {t('pitr.stream.start')}
          </Button>
        )}
      </Group>
      {!job && slot?.exists && !slot.active && (
        <Stack gap="xs" data-testid="wal-slot">
          <Group justify="space-between" wrap="nowrap">
            <Text size="sm">{t('pitr.stream.slotKept', { slot: slot.slot, mb })}</Text>
            {!confirming && (
              <Button size="xs" variant="light" color="red" onClick={() => setConfirming(true)}>
                {t('pitr.stream.dropSlot')}
              </Button>
            )}
          </Group>
          {confirming && (
            <InlineConfirm label={t('pitr.stream.dropSlot')} message={t('pitr.stream.dropConfirm')} confirmLabel={t('pitr.stream.dropYes')} keepLabel={t('pitr.stream.dropNo')} onConfirm={() => void dropSlot()} onKeep={() => setConfirming(false)} />
          )}
        </Stack>
      )}
      {error && <ErrorAlert error={error} />}
      {!job && !error && last?.error && <ErrorAlert error={last.error as AppErrorData} />}
    </>
  );
}
