import { Alert, Button, Checkbox, Code, Group, List, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../src-main/contract/errors';
import { call } from '../../app/api';
import { ErrorAlert } from '../../components/ErrorAlert';

export interface Recipient {
  recipient: string;
  label: string;
  identityInKeychain: boolean;
}

export interface RevealedIdentity {
  recipient: string;
  identity: string;
}

interface Props {
  profile: string;
  encrypt: boolean;
  recipients: Recipient[] | null;
  revealed: RevealedIdentity | null;
  acknowledged: boolean;
  onCreated(identity: RevealedIdentity): void;
  onAcknowledge(value: boolean): void;
}

/**
 * The encryption step's detail: which public keys the set is encrypted to, and — when there is
 * none — creating the backup identity. The private key is shown exactly once (the contract's one
 * "reveal" flow); the wizard forgets it as soon as the user confirms they stored it offline.
 */
export function EncryptionPanel({ profile, encrypt, recipients, revealed, acknowledged, onCreated, onAcknowledge }: Props) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);

  const create = async () => {
    setBusy(true);
    setError(null);
    const res = await call('backups.createIdentity', { profile });
    setBusy(false);
    if (res.ok) onCreated(res.value);
    else setError(res.error);
  };

  if (!encrypt) {
    return (
      <Alert color="red" variant="light" role="alert">
        {t('backupWizard.unencryptedWarning')}
      </Alert>
    );
  }
  return (
    <Stack gap="sm">
      <Text size="sm">{t('backupWizard.encryptHelp')}</Text>
      {revealed && (
        <Alert color="orange" variant="light" title={t('backupWizard.identityTitle')} role="alert">
          <Stack gap="xs">
            <Text size="sm" fw={600}>
              {t('backupWizard.identityWarning')}
            </Text>
            <Text size="sm" id="backup-identity-label">
              {t('backupWizard.identityLabel')}
            </Text>
            <Code block aria-labelledby="backup-identity-label" data-testid="backup-identity">
              {revealed.identity}
            </Code>
            <Text size="sm">
              {t('backupWizard.publicKey')}: <code>{revealed.recipient}</code>
            </Text>
            <Group>
              <Button size="xs" variant="default" onClick={() => window.print()}>
                {t('backupWizard.print')}
              </Button>
            </Group>
            <Checkbox label={t('backupWizard.identityStored')} checked={acknowledged} onChange={(e) => onAcknowledge(e.currentTarget.checked)} />
          </Stack>
        </Alert>
      )}
      {recipients && recipients.length > 0 && (
        <div>
          <Text size="sm">{t('backupWizard.recipients')}</Text>
          <List size="sm">
            {recipients.map((r) => (
              <List.Item key={r.recipient}>
                <code>{r.recipient}</code> — {r.identityInKeychain ? t('backupWizard.inKeychain') : t('backupWizard.offline')}
              </List.Item>
            ))}
          </List>
        </div>
      )}
      {recipients && recipients.length === 0 && !revealed && (
        <Stack gap="xs" align="flex-start">
          <Alert color="yellow" variant="light">
            {t('backupWizard.noRecipient')}
          </Alert>
          <Button onClick={() => void create()} loading={busy}>
            {t('backupWizard.createIdentity')}
          </Button>
        </Stack>
      )}
      {error && <ErrorAlert error={error} />}
    </Stack>
  );
}
