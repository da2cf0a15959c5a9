import { Alert, Button, Checkbox, Group, Loader, NativeSelect, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackupSetSummary } from '../../../../src-main/contract/backups';
import type { PreflightResult } from '../../../../src-main/contract/drills';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatLocal } from '../../../components/time';
import { call } from '../../api';
import { CheckTable } from './CheckTable';
import { DrillJobStatus } from './DrillJobStatus';

const STEPS = ['set', 'checklist', 'run'] as const;

/**
 * The drill wizard: pick a set (newest verified by default) → the checklist the app checks →
 * run with live progress → results and report. Five clicks from the Drills page to a report.
 */
export function DrillWizard({ profile, onClose, onFinished }: { profile: string; onClose(): void; onFinished(): void }) {
  const { t, i18n } = useTranslation();
  const [index, setIndex] = useState(0);
  const [sets, setSets] = useState<BackupSetSummary[] | null>(null);
  const [setId, setSetId] = useState('');
  const [keep, setKeep] = useState(false);
  const [local, setLocal] = useState(false);
  const [full, setFull] = useState(false);
  const [preflight, setPreflight] = useState<PreflightResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    void (async () => {
      const res = await call('backups.list', { profile });
      if (!res.ok) return setError(res.error);
      const usable = res.value.filter((s) => s.state === 'verified' || s.state === 'unverified');
      setSets(usable);
      setSetId(usable.find((s) => s.state === 'verified')?.id ?? usable[0]?.id ?? '');
    })();
  }, [profile]);

  // Keyboard and screen-reader users land on the new step's title.
  useEffect(() => {
    titleRef.current?.focus();
  }, [index]);

  const toChecklist = async () => {
    setBusy(true);
    setError(null);
    setPreflight(null);
    setIndex(1);
    const res = await call('drills.preflight', { profile, setId: setId || null, ...(local ? { local } : {}) });
    setBusy(false);
    if (res.ok) setPreflight(res.value);
    else setError(res.error);
  };

  const start = async () => {
    setBusy(true);
    setError(null);
    const res = await call('jobs.start', { kind: 'drill.run', profile, setId: preflight?.setId ?? setId, keep: keep && !local, ...(local ? { local } : {}), full, sample: 50, notes: '' });
    setBusy(false);
    if (!res.ok) return setError(res.error);
    setJobId(res.value.jobId);
    setIndex(2);
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="drill-wizard-title">
      <Title order={2} size="h4" id="drill-wizard-title" mb="xs">
        {t('drills.wizardTitle')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('drills.stepOf', { n: index + 1, total: STEPS.length })}
      </Text>
      <Title order={3} size="h5" mb="sm" ref={titleRef} tabIndex={-1} className="page-title">
        {t(`drills.steps.${STEPS[index]}`)}
      </Title>
      {index === 0 && (
        <Stack gap="sm">
          {!sets && !error && <Loader size="sm" aria-label={t('app.loading')} />}
          {sets && sets.length === 0 && <Alert color="orange" variant="light">{t('drills.noSets')}</Alert>}
          {sets && sets.length > 0 && (
            <>
              <NativeSelect
                label={t('drills.set')}
                value={setId}
                onChange={(e) => setSetId(e.currentTarget.value)}
                data={sets.map((s) => ({ value: s.id, label: `${formatLocal(s.createdAt, i18n.language)} — ${s.id} (${t(`backups.state.${s.state}`, { defaultValue: s.state })})` }))}
              />
              <Checkbox label={t('drills.full')} checked={full} onChange={(e) => setFull(e.currentTarget.checked)} />
              <Checkbox label={t('drills.local')} checked={local} onChange={(e) => setLocal(e.currentTarget.checked)} />
              {/* A local instance is removed after the drill: there is nothing to keep. */}
              <Checkbox label={t('drills.keep')} checked={keep && !local} disabled={local} onChange={(e) => setKeep(e.currentTarget.checked)} />
            </>
          )}
          <Group>
            <Button onClick={() => void toChecklist()} disabled={!setId}>
              {t('drills.next')}
            </Button>
            <Button variant="subtle" onClick={onClose}>
              {t('app.cancel')}
            </Button>
          </Group>
        </Stack>
      )}
      {index === 1 && (
        <Stack gap="sm">
          {busy && !preflight && <Text size="sm">{t('drills.checking')}</Text>}
          {preflight && <CheckTable checks={preflight.checks} caption={t('drills.checklist')} />}
          {preflight && !preflight.ok && (
            <Alert color="red" variant="light" role="alert">
              {t('drills.checklistFailed')}
            </Alert>
          )}
          <Group>
            <Button variant="default" onClick={() => setIndex(0)}>
              {t('drills.back')}
            </Button>
            <Button onClick={() => void start()} disabled={!preflight?.ok} loading={busy}>
              {t('drills.start')}
            </Button>
          </Group>
        </Stack>
      )}
      {index === 2 && jobId && <DrillJobStatus jobId={jobId} onFinished={onFinished} onClose={onClose} />}
      {error && (
        <Stack mt="md">
          <ErrorAlert error={error} />
        </Stack>
      )}
    </Paper>
  );
}
