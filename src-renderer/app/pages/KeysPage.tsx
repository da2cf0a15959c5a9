import { Badge, Button, Group, List, Loader, Paper, Stack, Table, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../src-main/contract/errors';
import type { KeyCustody } from '../../../src-main/contract/keys';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { formatLocal } from '../../components/time';
import { useActiveProfile } from '../../state/app';
import { KeyWizard } from '../../wizards/keys/KeyWizard';
import { EscrowPanel } from '../../wizards/keys/EscrowPanel';
import { RecoverPanel } from '../../wizards/keys/RecoverPanel';
import { RotationWizard } from '../../wizards/keys/RotationWizard';
import { call } from '../api';

export const KEY_ROTATION_DAYS = 90;

/** The page's panels; one is open at a time below the custody record. */
const PANELS = ['escrow', 'recover', 'rotate', 'add'] as const;
type Panel = (typeof PANELS)[number];

/** Key custody for the active profile: fingerprints only, never key material. */
export function KeysPage() {
  const { t, i18n } = useTranslation();
  const profile = useActiveProfile();
  const [custody, setCustody] = useState<KeyCustody | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);
  const [panel, setPanel] = useState<Panel | null>(null);

  const load = useCallback(async () => {
    if (!profile) return;
    const res = await call('keys.custody', { profile });
    if (res.ok) {
      setCustody(res.value);
      setError(null);
    } else setError(res.error);
  }, [profile]);

  useEffect(() => {
    setCustody(null);
    void load();
  }, [load]);

  if (!profile) {
    return (
      <>
        <PageTitle>{t('keys.title')}</PageTitle>
        <Text>{t('keys.noProfile')}</Text>
      </>
    );
  }

  const age = custody?.primaryAgeDays ?? null;
  return (
    <Stack gap="md">
      <PageTitle>{t('keys.title')}</PageTitle>
      <Text>{t('keys.intro')}</Text>
      {error && <ErrorAlert error={error} />}
      {!custody && !error && <Loader size="sm" aria-label={t('app.loading')} />}
      {custody && (
        <Paper withBorder p="md">
          {custody.keys.length === 0 ? (
            <Text>{t('keys.none')}</Text>
          ) : (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('keys.fingerprint')}</Table.Th>
                  <Table.Th>{t('keys.role')}</Table.Th>
                  <Table.Th>{t('keys.source')}</Table.Th>
                  <Table.Th>{t('keys.importedAt')}</Table.Th>
                  <Table.Th>{t('keys.backupSets')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {custody.keys.map((k) => (
                  <Table.Tr key={`${k.position}-${k.fingerprint}`}>
                    <Table.Td>
                      <code data-testid="custody-fingerprint">{k.fingerprint}</code>
                    </Table.Td>
                    <Table.Td>
                      {k.primary
                        ? t('keys.primaryRole')
                        : k.retiredAt
                          ? t(custody.retainedRetired?.includes(k.fingerprint) ? 'keys.retiredKept' : 'keys.retiredRole', { when: formatLocal(k.retiredAt, i18n.language) })
                          : t('keys.olderRole')}
                    </Table.Td>
                    <Table.Td>{t(`keys.sourceValue.${k.source}`)}</Table.Td>
                    <Table.Td>{formatLocal(k.importedAt, i18n.language)}</Table.Td>
                    <Table.Td data-testid="key-backup-sets">{k.backupSets ?? 0}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Table mt="md">
            <Table.Tbody>
              {custody.listFingerprint && (
                <Table.Tr>
                  <Table.Th scope="row">{t('keys.listFingerprint')}</Table.Th>
                  <Table.Td>
                    <code>{custody.listFingerprint}</code>
                  </Table.Td>
                </Table.Tr>
              )}
              {age !== null && (
                <Table.Tr>
                  <Table.Th scope="row">{t('keys.age')}</Table.Th>
                  <Table.Td>
                    {age >= KEY_ROTATION_DAYS ? (
                      <Badge color="red">{t('keys.ageDue', { days: age, limit: KEY_ROTATION_DAYS })}</Badge>
                    ) : (
                      t('keys.ageValue', { days: age, limit: KEY_ROTATION_DAYS })
                    )}
                  </Table.Td>
                </Table.Tr>
              )}
              <Table.Tr>
                <Table.Th scope="row">{t('keys.inKeychain')}</Table.Th>
                <Table.Td>{custody.inKeychain ? t('app.yes') : t('app.no')}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th scope="row">{t('keys.escrow')}</Table.Th>
                <Table.Td>
                  {custody.escrow.length === 0 ? (
                    t('keys.escrowNone')
                  ) : (
                    <List>
                      {custody.escrow.map((e) => (
                        <List.Item key={`${e.kind}-${e.createdAt}`} data-testid="escrow-copy">
                          {t('keys.escrowItem', { kind: t(`keys.escrowKind.${e.kind.split(':')[0]}`, { defaultValue: e.kind, detail: e.kind.split(':')[1] ?? '' }), when: formatLocal(e.createdAt, i18n.language) })}{' '}
                          {e.lastTestedAt ? t('keys.escrowTested', { when: formatLocal(e.lastTestedAt, i18n.language) }) : t('keys.escrowNeverTested')}
                        </List.Item>
                      ))}
                    </List>
                  )}
                </Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {custody && (
        <Group gap="xs" role="toolbar" aria-label={t('keys.actions')}>
          {PANELS.filter((p) => p !== 'add' || custody.keys.length === 0 || panel === 'add').map((p) => (
            <Button key={p} variant={panel === p ? 'filled' : 'light'} aria-pressed={panel === p} onClick={() => setPanel(panel === p ? null : p)}>
              {t(`keys.panel.${p}`)}
            </Button>
          ))}
        </Group>
      )}
      {panel === 'add' && <KeyWizard profile={profile} onDone={(c) => setCustody(c)} />}
      {panel === 'escrow' && <EscrowPanel profile={profile} onDone={() => void load()} />}
      {panel === 'recover' && <RecoverPanel profile={profile} onDone={() => void load()} />}
      {panel === 'rotate' && <RotationWizard profile={profile} onChanged={() => void load()} />}
    </Stack>
  );
}
