import { Alert, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../src-main/contract/errors';
import type { Profile, ProfileTest } from '../../../src-main/contract/profiles';
import { call } from '../../app/api';
import { ConnectionResult } from '../../components/ConnectionResult';
import { ErrorAlert } from '../../components/ErrorAlert';
import { refreshProfiles, useAppState } from '../../state/app';
import { validateStep, type FieldErrors } from '../types';
import { WizardStepForm } from '../WizardStepForm';
import { EMPTY_PROFILE_FORM, PROFILE_STEPS, toProfileInput, type ProfileForm } from './steps';

/** Add a connection profile: steps from PROFILE_STEPS, then save, then "Test connection". */
export function ProfileWizard() {
  const { t } = useTranslation();
  const [form, setForm] = useState<ProfileForm>(EMPTY_PROFILE_FORM);
  const [index, setIndex] = useState(0);
  const [errors, setErrors] = useState<FieldErrors<ProfileForm>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const [saved, setSaved] = useState<Profile | null>(null);
  const [test, setTest] = useState<ProfileTest | null>(null);
  const step = PROFILE_STEPS[index]!;
  const last = index === PROFILE_STEPS.length - 1;

  const onChange = (name: keyof ProfileForm, value: string | boolean) => {
    setForm((f) => ({ ...f, [name]: value }));
    setErrors((e) => ({ ...e, [name]: undefined }));
  };

  const next = () => {
    const found = validateStep(step, form);
    setErrors(found);
    if (Object.keys(found).length === 0) setIndex((i) => i + 1);
  };

  const save = async () => {
    // Re-check every step: nothing is sent unless the whole form is valid.
    for (const [i, s] of PROFILE_STEPS.entries()) {
      const found = validateStep(s, form);
      if (Object.keys(found).length > 0) {
        setIndex(i);
        setErrors(found);
        return;
      }
    }
    setBusy(true);
    setError(null);
    const res = await call('profiles.save', toProfileInput(form));
    setBusy(false);
    if (!res.ok) {
      setError(res.error);
      return;
    }
    // The passwords now live in the keychain only; drop them from this window's memory.
    setForm((f) => ({ ...f, mainPassword: '', auditPassword: '' }));
    setSaved(res.value);
    const settings = await call('settings.update', { activeProfile: res.value.name });
    if (settings.ok) useAppState.getState().setSettings(settings.value);
    await refreshProfiles();
  };

  const runTest = async () => {
    if (!saved) return;
    setBusy(true);
    setError(null);
    const res = await call('profiles.test', { profile: saved.name });
    setBusy(false);
    if (res.ok) setTest(res.value);
    else setError(res.error);
  };

  if (saved) {
    return (
      <Stack gap="md">
        <Alert color="green" variant="light" role="status">
          {t('profileWizard.saved', { name: saved.name })}
        </Alert>
        <Group>
          <Button onClick={runTest} loading={busy}>
            {t('dashboard.testConnection')}
          </Button>
          <Button variant="default" component="a" href="#/dashboard">
            {t('nav.dashboard')}
          </Button>
        </Group>
        {error && <ErrorAlert error={error} />}
        {test && <ConnectionResult result={test} />}
      </Stack>
    );
  }

  const input = toProfileInput(form);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="wizard-step-title">
      <Text size="sm" c="dimmed">
        {t('profileWizard.stepOf', { n: index + 1, total: PROFILE_STEPS.length })}
      </Text>
      <Title order={2} size="h4" id="wizard-step-title" mb="sm">
        {t(step.title)}
      </Title>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (last) void save();
          else next();
        }}
      >
        {step.id === 'review' ? (
          <Table>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th scope="row">{t('profileWizard.field.name')}</Table.Th>
                <Table.Td>{input.name}</Table.Td>
              </Table.Tr>
              {(['main', 'audit'] as const).map((role) => (
                <Table.Tr key={role}>
                  <Table.Th scope="row">{t(`connection.${role}`)}</Table.Th>
                  <Table.Td>
                    {`${input[role].user}@${input[role].host}:${input[role].port}/${input[role].database} (${input[role].sslmode}) — ${t('profileWizard.field.password')}: ${
                      (role === 'main' ? input.mainPassword : input.auditPassword) ? t('profileWizard.reviewPassword') : t('profileWizard.reviewNoPassword')
                    }`}
                  </Table.Td>
                </Table.Tr>
              ))}
              <Table.Tr>
                <Table.Th scope="row">{t('profileWizard.field.schemas')}</Table.Th>
                <Table.Td>{(input.schemas ?? []).join(', ')}</Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        ) : (
          <WizardStepForm step={step} form={form} errors={errors} onChange={onChange} />
        )}
        {error && (
          <Stack mt="md">
            <ErrorAlert error={error} />
          </Stack>
        )}
        <Group mt="md">
          {index > 0 && (
            <Button variant="default" onClick={() => setIndex((i) => i - 1)}>
              {t('profileWizard.back')}
            </Button>
          )}
          <Button type="submit" loading={busy}>
            {last ? t('profileWizard.save') : t('profileWizard.next')}
          </Button>
        </Group>
      </form>
    </Paper>
  );
}
