import { Alert, Button, Group, NativeSelect, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackupSetSummary } from '../../../../src-main/contract/backups';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatLocal } from '../../../components/time';
import { call } from '../../api';
import { DrillJobStatus } from './DrillJobStatus';

/**
 * The real restore ("restore from dump"): closed until asked for; the production database's name
 * must be typed back before the button works. The core checks the same name again.
 */
export function RestorePanel({ profile, database, onFinished }: { profile: string; database: string; onFinished(): void }) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const [sets, setSets] = useState<BackupSetSummary[]>([]);
  const [setId, setSetId] = useState('');
  const [typed, setTyped] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);

  useEffect(() => {
    if (!open) return;
    void (async () => {
      const res = await call('backups.list', { profile });
      if (!res.ok) return setError(res.error);
      const usable = res.value.filter((s) => s.state === 'verified');
      setSets(usable);
      setSetId((id) => id || usable[0]?.id || '');
    })();
  }, [open, profile]);

  const start = async () => {
    setError(null);
    const res = await call('jobs.start', { kind: 'restore.run', profile, setId, confirmDatabase: typed.trim(), full: false, sample: 50, notes: '' });
    if (res.ok) setJobId(res.value.jobId);
    else setError(res.error);
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="restore-title">
      <Title order={2} size="h4" id="restore-title" mb="xs">
        {t('drills.restore.title')}
      </Title>
      <Text size="sm" mb="sm">
        {t('drills.restore.intro')}
      </Text>
      {!open && (
        <Button variant="light" color="red" onClick={() => setOpen(true)}>
          {t('drills.restore.open')}
        </Button>
      )}
      {open && !jobId && (
        <Stack gap="sm">
          {sets.length === 0 ? (
            <Alert color="orange" variant="light">
              {t('drills.noSets')}
            </Alert>
          ) : (
            <NativeSelect label={t('drills.set')} value={setId} onChange={(e) => setSetId(e.currentTarget.value)} data={sets.map((s) => ({ value: s.id, label: `${formatLocal(s.createdAt, i18n.language)} — ${s.id}` }))} />
          )}
          <TextInput label={t('drills.restore.confirmLabel', { database })} value={typed} onChange={(e) => setTyped(e.currentTarget.value)} autoComplete="off" spellCheck={false} />
          <Group>
            <Button color="red" disabled={!setId || typed.trim() !== database} onClick={() => void start()}>
              {t('drills.restore.start')}
            </Button>
            <Button variant="subtle" onClick={() => setOpen(false)}>
              {t('app.cancel')}
            </Button>
          </Group>
        </Stack>
      )}
      {jobId && <DrillJobStatus jobId={jobId} onFinished={onFinished} onClose={() => { setJobId(null); setOpen(false); setTyped(''); }} />}
      {error && <ErrorAlert error={error} />}
    </Paper>
  );
}
