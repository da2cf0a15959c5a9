import { Alert, Checkbox, List, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Scenario D (the key is compromised): what to do besides rotating. Steps Custodian can observe
 * tick themselves (rotation finished, fresh backup pinned, new escrow copies made); the others are
 * the user's to tick as a working list for this session.
 */
export interface IncidentFacts {
  rotated: boolean;
  backupTaken: boolean;
  newEscrow: boolean;
}

const MANUAL = ['revokeCopies', 'findLeak', 'otherSecrets', 'reviewAudit'] as const;

export function IncidentChecklist({ facts }: { facts: IncidentFacts }) {
  const { t } = useTranslation();
  const [ticked, setTicked] = useState<Record<string, boolean>>({});
  const auto: Array<[keyof IncidentFacts, string]> = [
    ['rotated', 'keyIncident.rotated'],
    ['backupTaken', 'keyIncident.backupTaken'],
    ['newEscrow', 'keyIncident.newEscrow'],
  ];
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
        {MANUAL.map((k) => (
          <Checkbox key={k} label={t(`keyIncident.${k}`)} checked={!!ticked[k]} onChange={(e) => { const v = e.currentTarget.checked; setTicked((s) => ({ ...s, [k]: v })); }} />
        ))}
      </Stack>
      <Text size="sm" fw={600} mt="sm">{t('keyIncident.whereTitle')}</Text>
      <List size="sm">
        {(['env', 'hosting', 'ci', 'history', 'messages', 'escrow'] as const).map((w) => (
          <List.Item key={w}>{t(`keyIncident.where.${w}`)}</List.Item>
        ))}
      </List>
    </Alert>
  );
}
