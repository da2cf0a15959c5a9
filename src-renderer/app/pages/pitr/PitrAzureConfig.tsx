import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import type { AzureConfig } from '../../../../src-main/contract/pitr';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { call } from '../../api';

/**
 * Which Azure servers hold this profile's databases (pitr.azure.config.*). The core validates the
 * names (Azure's own rules) so a typo is refused with its hint before any `az` command runs.
 */
export function PitrAzureConfig({ profile, onChange }: { profile: string; onChange(cfg: AzureConfig | null): void }) {
  const { t } = useTranslation();
  const [resourceGroup, setResourceGroup] = useState('');
  const [mainServer, setMainServer] = useState('');
  const [auditServer, setAuditServer] = useState('');
  const [subscription, setSubscription] = useState('');
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);

  useEffect(() => {
    let live = true;
    void call('pitr.azure.config.get', { profile }).then((res) => {
      if (!live) return;
      if (!res.ok) return setError(res.error);
      const cfg = res.value;
      setResourceGroup(cfg?.resourceGroup ?? '');
      setMainServer(cfg?.mainServer ?? '');
      setAuditServer(cfg?.auditServer ?? '');
      setSubscription(cfg?.subscription ?? '');
      onChange(cfg);
    });
    return () => {
      live = false;
    };
    // onChange is a parent setter; loading again only when the profile changes is intended.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [profile]);

  const save = async () => {
    setError(null);
    setSaved(false);
    const config = { resourceGroup: resourceGroup.trim(), mainServer: mainServer.trim(), auditServer: auditServer.trim() || null, subscription: subscription.trim() || null };
    const res = await call('pitr.azure.config.set', { profile, config });
    if (res.ok) {
      setSaved(true);
      onChange(res.value);
    } else setError(res.error);
  };

  return (
    <Stack gap="xs">
      <Group grow align="flex-start">
        <TextInput label={t('pitr.azure.resourceGroup')} value={resourceGroup} onChange={(e) => setResourceGroup(e.currentTarget.value)} />
        <TextInput label={t('pitr.azure.mainServer')} value={mainServer} onChange={(e) => setMainServer(e.currentTarget.value)} />
      </Group>
      <Group grow align="flex-start">
        <TextInput label={t('pitr.azure.auditServer')} description={t('pitr.azure.auditServerHelp')} value={auditServer} onChange={(e) => setAuditServer(e.currentTarget.value)} />
        <TextInput label={t('pitr.azure.subscription')} description={t('pitr.azure.subscriptionHelp')} value={subscription} onChange={(e) => setSubscription(e.currentTarget.value)} />
      </Group>
      <Group>
        <Button variant="default" onClick={() => void save()} disabled={!resourceGroup.trim() || !mainServer.trim()}>
          {t('pitr.azure.save')}
        </Button>
        {saved && (
          <Text size="sm" role="status">
            {t('pitr.setup.saved')}
          </Text>
        )}
      </Group>
      {error && <ErrorAlert error={error} />}
    </Stack>
  );
}
