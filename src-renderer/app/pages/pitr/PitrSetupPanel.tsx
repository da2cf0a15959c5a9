import { Alert, Button, Code, Group, List, NativeSelect, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import type { SetupCheck } from '../../../../src-main/contract/pitr';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { call } from '../../api';
import { CheckTable } from '../drills/CheckTable';
import { PathInput } from '../../../components/PathInput';

/** Where the WAL archive is, and the server's archiving check with the settings to apply. */
export function PitrSetupPanel({ profile }: { profile: string }) {
  const { t } = useTranslation();
  const [archiveDir, setArchiveDir] = useState('');
  const [deployment, setDeployment] = useState<'docker' | 'plain'>('docker');
  const [check, setCheck] = useState<SetupCheck | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);

  useEffect(() => {
    void (async () => {
      const res = await call('pitr.config.get', { profile, role: 'main' });
      if (res.ok) setArchiveDir(res.value.archiveDir ?? '');
    })();
  }, [profile]);

  const save = async () => {
    setError(null);
    const res = await call('pitr.config.set', { profile, role: 'main', archiveDir: archiveDir.trim() || null, backupDir: null });
    setSaved(res.ok);
    if (!res.ok) setError(res.error);
  };
  const run = async () => {
    setBusy(true);
    setError(null);
    const res = await call('pitr.setupCheck', { profile, role: 'main', deployment });
    setBusy(false);
    if (res.ok) setCheck(res.value);
    else setError(res.error);
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="pitr-setup-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="pitr-setup-title">
          {t('pitr.setup.title')}
        </Title>
        <Group align="end">
          <PathInput kind="folder" label={t('pitr.setup.archiveDir')} description={t('pitr.setup.archiveDirHelp')} value={archiveDir} onChange={(v) => { setArchiveDir(v); setSaved(false); }} flex={1} />
          <Button variant="default" onClick={() => void save()}>
            {t('pitr.setup.save')}
          </Button>
        </Group>
        {saved && <Text size="sm" role="status">{t('pitr.setup.saved')}</Text>}
        <Group align="end">
          <NativeSelect label={t('pitr.setup.deployment')} value={deployment} onChange={(e) => setDeployment(e.currentTarget.value as 'docker' | 'plain')} data={[{ value: 'docker', label: t('pitr.setup.docker') }, { value: 'plain', label: t('pitr.setup.plain') }]} />
          <Button onClick={() => void run()} loading={busy}>
            {t('pitr.setup.check')}
          </Button>
        </Group>
        {error && <ErrorAlert error={error} />}
        {check && (
          <Stack gap="sm">
            <Alert color={check.ready ? 'green' : 'orange'} variant="light" role="status">
              {check.ready ? t('pitr.setup.ready') : t('pitr.setup.notReady')}
            </Alert>
            <CheckTable checks={check.checks} caption={t('pitr.setup.checksCaption')} />
            <Title order={3} size="h5">
              {t('pitr.setup.files')}
            </Title>
            {check.files.map((f, i) => (
              <div key={f.where}>
                <Text size="sm" fw={600} id={`pitr-file-${i}`}>
                  {f.where}
                </Text>
                {/* Long lines scroll sideways: focusable so keyboard users can scroll it too. */}
                <Code block tabIndex={0} role="region" aria-labelledby={`pitr-file-${i}`}>
                  {f.content}
                </Code>
              </div>
            ))}
            <Title order={3} size="h5">
              {t('pitr.setup.why')}
            </Title>
            <List size="sm" spacing={4}>
              {check.explanation.map((e) => (
                <List.Item key={e}>{e}</List.Item>
              ))}
            </List>
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}
