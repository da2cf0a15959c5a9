import { Alert, Checkbox, List, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../src-main/contract/errors';
import { IncidentStepSchema, type IncidentStep, type RotationStatus } from '../../../src-main/contract/keys-rotation';
import { call } from '../../app/api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatLocal } from '../../components/time';

/**
 * Scenario D (the key is compromised): what to do besides rotating. Steps Custodian can observe
 * tick themselves (rotation finished, fresh backup pinned, new escrow copies made); the others are
 * the user's, and their ticks are kept with the incident rotation (who and when), so they survive
 * a restart and the response is on record (`custodian key incident` shows the same list).
 */
export interface IncidentFacts {
  rotated: boolean;
  backupTaken: boolean;
  newEscrow: boolean;
}

const USER_STEPS: readonly IncidentStep[] = IncidentStepSchema.options;

export function IncidentChecklist({ facts, profile, rotation, onChanged }: { facts: IncidentFacts; profile: string; rotation: RotationStatus | null; onChanged(): void }) {
  const { t, i18n } = useTranslation();
  const [saving, setSaving] = useState<IncidentStep | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);
  const auto: Array<[keyof IncidentFacts, string]> = [
    ['rotated', 'keyIncident.rotated'],
    ['backupTaken', 'keyIncident.backupTaken'],
    ['newEscrow', 'keyIncident.newEscrow'],
  ];
  const tick = async (step: IncidentStep, ticked: boolean) => {
    if (!rotation) return;
    setSaving(step);
    const res = await call('keys.rotation.checklist', { profile, rotationId: rotation.id, step, ticked });
    setSaving(null);
    setError(res.ok ? null : res.error);
    if (res.ok) onChanged();
  };
  return (
    <Alert color="red" variant="light" data-testid="incident-checklist">
      <Title order={3} size="h5" mb="xs">
        {t('keyIncident.title')}
      </Title>
      <Text size="sm" mb="xs">{t('keyIncident.intro')}</Text>
      <Stack gap={6}>
        {auto.map(([k, label]) => (
          <Checkbox key={k} label={t(label)} checked={facts[k]} readOnly onChange={() => undefined} description={facts[k] ? t('keyIncident.doneByCustodian') : t('keyIncident.notYet')} />
        ))}
        {USER_STEPS.map((step) => {
          const done = rotation?.checklist.find((c) => c.step === step);
          const description = !rotation ? t('keyIncident.afterStart') : done ? t('keyIncident.tickedBy', { by: done.by, at: formatLocal(done.tickedAt, i18n.language) }) : undefined;
          return (
            <Checkbox
              key={step}
              label={t(`keyIncident.${step}`)}
              checked={!!done}
              disabled={!rotation || saving !== null}
              description={description}
              onChange={(e) => void tick(step, e.currentTarget.checked)}
            />
          );
        })}
      </Stack>
      {error && <ErrorAlert error={error} />}
      <Text size="sm" fw={600} mt="sm">{t('keyIncident.whereTitle')}</Text>
      <List size="sm">
        {(['env', 'hosting', 'ci', 'history', 'messages', 'escrow'] as const).map((w) => (
          <List.Item key={w}>{t(`keyIncident.where.${w}`)}</List.Item>
        ))}
      </List>
    </Alert>
  );
}
