import { Alert, Button, Checkbox, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../src-main/contract/errors';
import type { KeyHistory, RotationStatus } from '../../../src-main/contract/keys-rotation';
import { PostRotationBackupResultSchema, RotationDryRunSchema, RotationRunResultSchema } from '../../../src-main/contract/keys-rotation';
import { call } from '../../app/api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatLocal } from '../../components/time';
import { DryRunTable } from './DryRunTable';
import { IncidentChecklist } from './IncidentChecklist';
import { KeyJobProgress } from './KeyJobProgress';
import { KonoteEnv } from './KonoteEnv';
import { useKeyJob } from './useKeyJob';

/**
 * Rows per batch. Incident mode's urgency is no pause between the new key and re-encryption; the
 * batch size is the same, as 2000 measured fastest (see DEFAULT_BATCH in rotation-service.ts).
 */
const BATCH = { normal: 2000, incident: 2000 };

/** How long the scenario D checklist stays on screen after an incident rotation finished. */
const INCIDENT_FOLLOW_UP_MS = 30 * 86_400_000;

export type RotationStage = 'plan' | 'rotating' | 'verified' | 'completed';

/** Where the rotation stands, from the key history (newest rotation first). */
export function rotationStage(history: KeyHistory | null): { stage: RotationStage; status: RotationStatus | null } {
  const current = history?.rotations.find((r) => r.state !== 'completed') ?? null;
  if (current) return { stage: current.state === 'verified' ? 'verified' : 'rotating', status: current };
  const last = history?.rotations[0] ?? null;
  // A finished rotation stays on screen until its pinned backup is verified.
  if (last && last.state === 'completed' && !last.postBackup?.verified) return { stage: 'completed', status: last };
  return { stage: 'plan', status: null };
}

/**
 * The rotation wizard: dry run → new key and "new,old" list (KoNote told what to set) →
 * batched re-encryption as a job (progress, ETA, cancel, resume) → verification → drop the old key
 * (typed confirmation) → pinned post-rotation backup. Incident mode runs the same steps at once
 * and keeps the scenario D checklist on screen.
 */
export function RotationWizard({ profile, onChanged }: { profile: string; onChanged(): void }) {
  const { t, i18n } = useTranslation();
  const [history, setHistory] = useState<KeyHistory | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);
  const [incident, setIncident] = useState(false);
  const [agency, setAgency] = useState('');
  const [confirmStart, setConfirmStart] = useState(false);
  const [typed, setTyped] = useState('');
  const [dropping, setDropping] = useState(false);
  const [auditMissing, setAuditMissing] = useState(false);
  const dry = useKeyJob();
  const run = useKeyJob();
  const backup = useKeyJob();

  const load = async () => {
    const res = await call('keys.history', { profile });
    if (res.ok) {
      setHistory(res.value);
      setError(null);
    } else setError(res.error);
  };
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reload when the profile changes only
  }, [profile]);
  // Any job of this wizard that ends changes the rotation's state: read it again.
  const ended = [run.job, backup.job].map((j) => (j && j.state !== 'queued' && j.state !== 'running' ? `${j.id}:${j.state}` : '')).join('|');
  useEffect(() => {
    if (ended.replace(/\|/g, '')) {
      void load();
      onChanged();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed on job end only
  }, [ended]);

  const { stage, status } = rotationStage(history);
  const isIncident = status?.incident ?? incident;
  // The checklist follows the incident rotation under way, or the last one once it finished.
  const last = history?.rotations[0] ?? null;
  const recent = (r: RotationStatus) => Date.now() - Date.parse(r.completedAt ?? r.startedAt) < INCIDENT_FOLLOW_UP_MS;
  const incidentRotation = status?.incident ? status : last?.incident && recent(last) ? last : null;
  const scopeAgency = status?.agency ?? (agency.trim() || null);
  const dryResult = dry.job?.state === 'succeeded' ? RotationDryRunSchema.safeParse(dry.job.result).data ?? null : null;
  const runResult = run.job?.state === 'succeeded' ? RotationRunResultSchema.safeParse(run.job.result).data ?? null : null;
  const backupResult = backup.job?.state === 'succeeded' ? PostRotationBackupResultSchema.safeParse(backup.job.result).data ?? null : null;
  const busy = dry.active || run.active || backup.active;

  const startRotation = async () => {
    setConfirmStart(false);
    // Normal pace: prepare only, so KoNote gets "new,old" before any value is re-encrypted.
    await run.start({ kind: 'keys.rotate', profile, agency: scopeAgency, resume: false, incident, batchSize: incident ? BATCH.incident : BATCH.normal, prepareOnly: !incident });
  };
  const resume = () => run.start({ kind: 'keys.rotate', profile, agency: status?.agency ?? null, resume: true, incident: isIncident, batchSize: isIncident ? BATCH.incident : BATCH.normal, prepareOnly: false });
  const takeBackup = () => backup.start({ kind: 'keys.postRotationBackup', profile });

  const dropOld = async () => {
    setDropping(true);
    setError(null);
    const res = await call('keys.rotation.dropOld', { profile, agency: status?.agency ?? null, confirm: true });
    setDropping(false);
    setTyped('');
    if (!res.ok) {
      setError(res.error);
      return;
    }
    setAuditMissing(!res.value.auditRowWritten);
    await load();
    onChanged();
    await takeBackup(); // the runbook's "fresh backup right after", pinned
  };

  const verify = runResult?.verify ?? null;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="rotation-title">
      <Title order={2} size="h4" id="rotation-title" mb="xs">
        {t('keyRotation.title')}
      </Title>
      <Text size="sm" mb="sm">{t('keyRotation.intro')}</Text>
      {error && <ErrorAlert error={error} />}
      <Stack gap="md">
        {stage === 'plan' && (
          <>
            <Checkbox label={t('keyRotation.incident')} description={t('keyRotation.incidentHelp')} checked={incident} onChange={(e) => setIncident(e.currentTarget.checked)} />
            <TextInput label={t('keyRotation.agency')} description={t('keyRotation.agencyHelp')} value={agency} spellCheck={false} onChange={(e) => setAgency(e.currentTarget.value)} />
            <Group>
              <Button variant={dryResult ? 'default' : 'filled'} disabled={busy} onClick={() => void dry.start({ kind: 'keys.rotationDryRun', profile, agency: scopeAgency })}>
                {t('keyRotation.dryRun')}
              </Button>
            </Group>
            {dry.startError && <ErrorAlert error={dry.startError} />}
            {dry.job && <KeyJobProgress job={dry.job} onCancel={() => void dry.cancel()} />}
            {dryResult && <DryRunTable dry={dryResult} />}
            {dryResult?.ok && !confirmStart && (
              <Group>
                <Button color={incident ? 'red' : 'blue'} disabled={busy} onClick={() => setConfirmStart(true)}>
                  {incident ? t('keyRotation.startIncident') : t('keyRotation.prepare')}
                </Button>
              </Group>
            )}
            {confirmStart && (
              <Stack gap="xs" role="alertdialog" aria-labelledby="start-confirm">
                <Text size="sm" id="start-confirm">
                  {incident ? t('keyRotation.startIncidentConfirm') : t('keyRotation.prepareConfirm')}
                </Text>
                <Group gap="xs">
                  <Button color={incident ? 'red' : 'blue'} onClick={() => void startRotation()}>
                    {t('keyRotation.confirmStart')}
                  </Button>
                  <Button variant="default" onClick={() => setConfirmStart(false)}>
                    {t('app.cancel')}
                  </Button>
                </Group>
              </Stack>
            )}
          </>
        )}

        {status && (
          <Text size="sm" data-testid="rotation-state">
            {t(`keyRotation.state.${stage}`, { fingerprint: status.newFingerprint, olds: status.oldFingerprints.join(', '), when: formatLocal(status.startedAt, i18n.language) })}
          </Text>
        )}
        {status && stage !== 'plan' && <KonoteEnv profile={profile} status={status} />}

        {stage === 'rotating' && status && (
          <>
            <ColumnProgress status={status} />
            {!run.active && (
              <Group>
                <Button disabled={busy} onClick={() => void resume()}>
                  {status.columns.some((c) => c.reencrypted + c.alreadyNew + c.empty > 0) ? t('keyRotation.resume') : t('keyRotation.reencrypt')}
                </Button>
              </Group>
            )}
          </>
        )}
        {run.startError && <ErrorAlert error={run.startError} />}
        {run.job && <KeyJobProgress job={run.job} onCancel={() => void run.cancel()} cancelNote={t('keyRotation.cancelNote')} />}
        {verify && (
          <Alert color={verify.ok ? 'green' : 'red'} variant="light" role="status" data-testid="verify-result">
            {verify.ok ? t('keyRotation.verifyOk', { checked: verify.checked }) : t('keyRotation.verifyFailed', { count: verify.failed.length, rows: verify.failed.slice(0, 20).map((f) => `${f.schema}.${f.table}.${f.column} #${f.id}`).join(', ') })}
          </Alert>
        )}

        {stage === 'verified' && status && (
          <Stack gap="xs" component="form" onSubmit={(e) => { e.preventDefault(); if (typed === profile) void dropOld(); }}>
            <Text size="sm">{t('keyRotation.dropExplain', { olds: status.oldFingerprints.join(', ') })}</Text>
            <TextInput label={t('keyRotation.dropType', { profile })} value={typed} autoComplete="off" spellCheck={false} onChange={(e) => setTyped(e.currentTarget.value)} />
            <Group>
              <Button type="submit" color="red" disabled={typed !== profile || busy} loading={dropping}>
                {t('keyRotation.drop')}
              </Button>
            </Group>
          </Stack>
        )}
        {auditMissing && <Alert color="yellow">{t('keyRotation.auditMissing')}</Alert>}

        {stage === 'completed' && status && (
          <Stack gap="xs">
            <Text size="sm">{status.postBackup ? t('keyRotation.backupUnverified', { id: status.postBackup.setId }) : t('keyRotation.backupNeeded')}</Text>
            {!backup.active && (
              <Group>
                <Button disabled={busy} onClick={() => void takeBackup()}>
                  {t('keyRotation.takeBackup')}
                </Button>
              </Group>
            )}
          </Stack>
        )}
        {backup.startError && <ErrorAlert error={backup.startError} />}
        {backup.job && <KeyJobProgress job={backup.job} onCancel={() => void backup.cancel()} />}
        {backupResult && (
          <Alert color={backupResult.verified ? 'green' : 'red'} variant="light" role="status">
            {backupResult.verified ? t('keyRotation.backupDone', { id: backupResult.setId }) : t('keyRotation.backupUnverified', { id: backupResult.setId })}
          </Alert>
        )}

        {(incident || incidentRotation) && (
          <IncidentChecklist
            profile={profile}
            rotation={incidentRotation}
            onChanged={() => void load()}
            facts={{
              rotated: incidentRotation?.state === 'completed',
              backupTaken: !!incidentRotation?.postBackup?.verified || (!!incidentRotation && !!backupResult?.verified),
              newEscrow: incidentRotation?.state === 'completed' && (history?.custody.escrow.length ?? 0) > 0,
            }}
          />
        )}
      </Stack>
    </Paper>
  );
}

/** Per column: done or not, and what was re-encrypted so far (persisted after every batch). */
function ColumnProgress({ status }: { status: RotationStatus }) {
  const { t } = useTranslation();
  return (
    <Table data-testid="rotation-columns">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">{t('keyRotation.col.column')}</Table.Th>
          <Table.Th scope="col">{t('keyRotation.col.reencrypted')}</Table.Th>
          <Table.Th scope="col">{t('keyRotation.col.alreadyNew')}</Table.Th>
          <Table.Th scope="col">{t('keyRotation.col.done')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {status.columns.map((c) => (
          <Table.Tr key={`${c.schema}.${c.table}.${c.column}`}>
            <Table.Th scope="row">
              <code>{`${c.schema}.${c.table}.${c.column}`}</code>
            </Table.Th>
            <Table.Td>{c.reencrypted}</Table.Td>
            <Table.Td>{c.alreadyNew}</Table.Td>
            <Table.Td>{c.done ? t('app.yes') : t('app.no')}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
