import { Badge, Button, CloseButton, Group, NativeSelect, Table, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PinReasonSchema, type BackupSetSummary } from '../../../../src-main/contract/backups';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatBytes, hoursSince } from '../../../components/size';
import { formatLocal } from '../../../components/time';
import { useJobs } from '../../../state/jobs';
import { call } from '../../api';

const STATE_COLOR: Record<BackupSetSummary['state'], string> = { running: 'blue', verified: 'green', unverified: 'orange', failed: 'red', pruned: 'gray' };
const PIN_REASONS = PinReasonSchema.options;
type PinReason = (typeof PIN_REASONS)[number];

function Age({ iso }: { iso: string }) {
  const { t } = useTranslation();
  const hours = hoursSince(iso);
  return <>{hours < 48 ? t('backups.ageHours', { hours }) : t('backups.ageDays', { days: Math.floor(hours / 24) })}</>;
}

/** One set: its facts, a Verify button (a backup.verify job), and its pins with add / remove. */
function SetRow({ set, onChanged }: { set: BackupSetSummary; onChanged(updated?: BackupSetSummary): void }) {
  const { t, i18n } = useTranslation();
  const [reason, setReason] = useState<PinReason>('manual');
  const [verifyJob, setVerifyJob] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);
  const job = useJobs((s) => (verifyJob ? s.jobs[verifyJob] : undefined));
  const verifying = verifyJob !== null && (!job || job.state === 'queued' || job.state === 'running');
  const canAct = set.state === 'verified' || set.state === 'unverified';

  // When the verify job ends, the set's state in the log has changed: reload the list.
  useEffect(() => {
    if (verifyJob && job && !verifying) {
      setVerifyJob(null);
      setOutcome(job.state);
      onChanged();
    }
  }, [verifyJob, job, verifying, onChanged]);

  const verify = async () => {
    setError(null);
    setOutcome(null);
    const res = await call('jobs.start', { kind: 'backup.verify', setId: set.id });
    if (res.ok) setVerifyJob(res.value.jobId);
    else setError(res.error);
  };

  const pin = async (pin: PinReason, pinned: boolean) => {
    setError(null);
    const res = await call('backups.pin', { setId: set.id, pin, pinned });
    if (res.ok) onChanged(res.value);
    else setError(res.error);
  };

  const failedChecks = set.checks.filter((c) => !c.ok);
  return (
    <Table.Tr data-testid="backup-set">
      <Table.Td>
        <Text size="sm" fw={600}>
          {formatLocal(set.createdAt, i18n.language)}
        </Text>
        <Text size="xs" c="dimmed">
          {set.id}
        </Text>
      </Table.Td>
      <Table.Td>
        <Badge color={STATE_COLOR[set.state]} variant="light">
          {t(`backups.state.${set.state}`)}
        </Badge>
        {!set.encrypted && (
          <Text size="xs" c="red">
            {t('backups.notEncrypted')}
          </Text>
        )}
        {set.failure && <Text size="xs">{set.failure.message}</Text>}
        {failedChecks.length > 0 && <Text size="xs">{t('backups.failedChecks', { details: failedChecks.map((c) => c.detail).join('; ') })}</Text>}
      </Table.Td>
      <Table.Td>{formatBytes(set.totalBytes, i18n.language)}</Table.Td>
      <Table.Td>
        <Age iso={set.createdAt} />
      </Table.Td>
      <Table.Td>{set.keyListFingerprint ? <code>{set.keyListFingerprint}</code> : t('backups.noKey')}</Table.Td>
      <Table.Td>
        {set.pins.length === 0 ? (
          <Text size="sm">{t('backups.noPins')}</Text>
        ) : (
          <Group gap={4}>
            {set.pins.map((p) => (
              <Badge key={p} variant="outline" rightSection={<CloseButton size="xs" aria-label={t('backups.unpinLabel', { reason: t(`backups.pinReason.${p}`), id: set.id })} onClick={() => void pin(p, false)} />}>
                {t(`backups.pinReason.${p}`)}
              </Badge>
            ))}
          </Group>
        )}
      </Table.Td>
      <Table.Td>
        {canAct && (
          <Group gap="xs" wrap="nowrap" align="flex-end">
            <Button size="xs" variant="light" loading={verifying} onClick={() => void verify()} aria-label={t('backups.verifyLabel', { id: set.id })}>
              {t('backups.verify')}
            </Button>
            <NativeSelect
              size="xs"
              aria-label={t('backups.pinReasonFor', { id: set.id })}
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value as PinReason)}
              data={PIN_REASONS.map((r) => ({ value: r, label: t(`backups.pinReason.${r}`) }))}
            />
            <Button size="xs" variant="default" onClick={() => void pin(reason, true)} aria-label={t('backups.pinLabel', { id: set.id })}>
              {t('backups.pin')}
            </Button>
          </Group>
        )}
        {verifyJob && <Text size="xs">{t('backups.verifyStarted', { id: set.id })}</Text>}
        {outcome && (
          <Text size="xs" role="status">
            {t('backups.verifyDone', { id: set.id, state: t(`jobs.state.${outcome}`) })}
          </Text>
        )}
        {error && <ErrorAlert error={error} />}
      </Table.Td>
    </Table.Tr>
  );
}

export function BackupSetsTable({ sets, onChanged }: { sets: BackupSetSummary[]; onChanged(updated?: BackupSetSummary): void }) {
  const { t } = useTranslation();
  if (sets.length === 0) return <Text>{t('backups.none')}</Text>;
  return (
    <div className="table-scroll">
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('backups.col.created')}</Table.Th>
            <Table.Th>{t('backups.col.status')}</Table.Th>
            <Table.Th>{t('backups.col.size')}</Table.Th>
            <Table.Th>{t('backups.col.age')}</Table.Th>
            <Table.Th>{t('backups.col.key')}</Table.Th>
            <Table.Th>{t('backups.col.pins')}</Table.Th>
            <Table.Th>{t('backups.col.actions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sets.map((s) => (
            <SetRow key={s.id} set={s} onChanged={onChanged} />
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}
