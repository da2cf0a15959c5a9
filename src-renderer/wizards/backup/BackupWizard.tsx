import { Alert, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../src-main/contract/errors';
import { call } from '../../app/api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { validateStep, type FieldErrors } from '../types';
import { WizardStepForm } from '../WizardStepForm';
import { BackupJobStatus } from './BackupJobStatus';
import { EncryptionPanel, type Recipient, type RevealedIdentity } from './EncryptionPanel';
import { BACKUP_STEPS, EMPTY_BACKUP_FORM, toBackupJobSpec, type BackupForm } from './steps';

/**
 * "Back up now": folder → format → encryption → review, then a backup.run job followed live.
 * Steps come from BACKUP_STEPS; the encryption step adds the recipient / identity panel.
 */
export function BackupWizard({ profile, onClose, onFinished }: { profile: string; onClose(): void; onFinished(): void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState<BackupForm>(EMPTY_BACKUP_FORM);
  const [index, setIndex] = useState(0);
  const [errors, setErrors] = useState<FieldErrors<BackupForm>>({});
  const [stepError, setStepError] = useState<string | null>(null);
  const [recipients, setRecipients] = useState<Recipient[] | null>(null);
  const [revealed, setRevealed] = useState<RevealedIdentity | null>(null);
  const [acknowledged, setAcknowledged] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);
  const step = BACKUP_STEPS[index]!;
  const last = index === BACKUP_STEPS.length - 1;

  const loadRecipients = useCallback(async () => {
    const res = await call('backups.recipients', { profile });
    if (res.ok) setRecipients(res.value);
    else setError(res.error);
  }, [profile]);

  useEffect(() => {
    void loadRecipients();
  }, [loadRecipients]);

  // Keyboard and screen-reader users land on the new step's title, not at the top of the page.
  useEffect(() => {
    titleRef.current?.focus();
  }, [index]);

  const onChange = (name: keyof BackupForm, value: string | boolean) => {
    setForm((f) => ({ ...f, [name]: value }));
    setErrors((e) => ({ ...e, [name]: undefined }));
    setStepError(null);
  };

  const encryptionProblem = (): string | null => {
    if (!form.encrypt) return null;
    if (revealed && !acknowledged) return 'backupWizard.identityStoredRequired';
    if (!revealed && (recipients?.length ?? 0) === 0) return 'backupWizard.needRecipient';
    return null;
  };

  const next = () => {
    const found = validateStep(step, form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    if (step.id === 'encryption') {
      const problem = encryptionProblem();
      setStepError(problem);
      if (problem) return;
      if (revealed) {
        // Confirmed stored offline: forget the private key in this window, show the recipient list.
        setRevealed(null);
        void loadRecipients();
      }
    }
    setIndex((i) => i + 1);
  };

  const start = async () => {
    setBusy(true);
    setError(null);
    const res = await call('jobs.start', toBackupJobSpec(profile, form));
    setBusy(false);
    if (res.ok) setJobId(res.value.jobId);
    else setError(res.error);
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="backup-wizard-title">
      <Title order={2} size="h4" id="backup-wizard-title" mb="xs">
        {t('backupWizard.title')}
      </Title>
      {jobId ? (
        <BackupJobStatus jobId={jobId} onFinished={onFinished} onClose={onClose} />
      ) : (
        <>
          <Text size="sm" c="dimmed">
            {t('backupWizard.stepOf', { n: index + 1, total: BACKUP_STEPS.length })}
          </Text>
          <Title order={3} size="h5" mb="sm" ref={titleRef} tabIndex={-1} className="page-title">
            {t(step.title)}
          </Title>
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              if (last) void start();
              else next();
            }}
          >
            {step.id === 'review' ? (
              <Table>
                <Table.Tbody>
                  <Table.Tr>
                    <Table.Th scope="row">{t('backupWizard.target')}</Table.Th>
                    <Table.Td>{form.target.trim() || t('backupWizard.targetDefault')}</Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Th scope="row">{t('backupWizard.format')}</Table.Th>
                    <Table.Td>{t(`backupWizard.formatOption.${form.format}`)}</Table.Td>
                  </Table.Tr>
                  <Table.Tr>
                    <Table.Th scope="row">{t('backupWizard.steps.encryption')}</Table.Th>
                    <Table.Td>{form.encrypt ? t('backupWizard.encryptionValue.on') : t('backupWizard.encryptionValue.off')}</Table.Td>
                  </Table.Tr>
                </Table.Tbody>
              </Table>
            ) : (
              <WizardStepForm step={step} form={form} errors={errors} onChange={onChange} />
            )}
            {step.id === 'encryption' && (
              <Stack mt="sm">
                <EncryptionPanel
                  profile={profile}
                  encrypt={form.encrypt}
                  recipients={recipients}
                  revealed={revealed}
                  acknowledged={acknowledged}
                  onCreated={(id) => {
                    setRevealed(id);
                    setAcknowledged(false);
                    setStepError(null);
                  }}
                  onAcknowledge={(v) => {
                    setAcknowledged(v);
                    setStepError(null);
                  }}
                />
              </Stack>
            )}
            {stepError && (
              <Alert color="red" variant="light" role="alert" mt="sm">
                {t(stepError)}
              </Alert>
            )}
            {error && (
              <Stack mt="md">
                <ErrorAlert error={error} />
              </Stack>
            )}
            <Group mt="md">
              {index > 0 && (
                <Button variant="default" onClick={() => setIndex((i) => i - 1)}>
                  {t('backupWizard.back')}
                </Button>
              )}
              <Button type="submit" loading={busy}>
                {last ? t('backupWizard.start') : t('backupWizard.next')}
              </Button>
              <Button variant="subtle" onClick={onClose}>
                {t('app.cancel')}
              </Button>
            </Group>
          </form>
        </>
      )}
    </Paper>
  );
}
