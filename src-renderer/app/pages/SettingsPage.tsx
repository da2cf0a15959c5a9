import { Alert, Button, Group, List, NativeSelect, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DoctorReport } from '../../../src-main/contract/channels';
import type { AppErrorData } from '../../../src-main/contract/errors';
import type { ToolFound } from '../../../src-main/contract/tools';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageTitle } from '../../components/PageTitle';
import { LANGUAGES, type Language } from '../../i18n';
import { useAppState } from '../../state/app';
import { call } from '../api';
import { PathInput } from '../../components/PathInput';

function ToolsTable({ tools }: { tools: ToolFound[] }) {
  const { t } = useTranslation();
  return (
    <Table>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('settings.tool')}</Table.Th>
          <Table.Th>{t('settings.toolVersion')}</Table.Th>
          <Table.Th>{t('settings.toolPath')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {tools.map((tool) => (
          <Table.Tr key={tool.tool}>
            <Table.Td>{tool.tool}</Table.Td>
            <Table.Td>{tool.version ?? '—'}</Table.Td>
            <Table.Td>{tool.path ?? t('settings.notFound')}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function SettingsPage() {
  const { t, i18n } = useTranslation();
  const settings = useAppState((s) => s.settings);
  const [info, setInfo] = useState<{ version: string; dataFolder: string } | null>(null);
  const [folder, setFolder] = useState(settings?.toolOverrides.folder ?? '');
  const [folderSaved, setFolderSaved] = useState(false);
  const [tools, setTools] = useState<ToolFound[] | null>(null);
  const [doctor, setDoctor] = useState<DoctorReport | null>(null);
  const [busy, setBusy] = useState<'tools' | 'doctor' | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);

  useEffect(() => {
    void call('app.info', {}).then((res) => (res.ok ? setInfo(res.value) : setError(res.error)));
  }, []);

  const update = async (patch: { language?: Language; toolOverrides?: Record<string, string> }) => {
    const res = await call('settings.update', patch);
    if (!res.ok) {
      setError(res.error);
      return false;
    }
    useAppState.getState().setSettings(res.value);
    if (patch.language) await i18n.changeLanguage(res.value.language);
    return true;
  };

  const saveFolder = async () => {
    const overrides = { ...(settings?.toolOverrides ?? {}) };
    if (folder.trim() === '') delete overrides.folder;
    else overrides.folder = folder.trim();
    setFolderSaved(await update({ toolOverrides: overrides }));
  };

  const detect = async () => {
    setBusy('tools');
    const res = await call('tools.discover', {});
    setBusy(null);
    if (res.ok) setTools(res.value);
    else setError(res.error);
  };

  const runDoctor = async () => {
    setBusy('doctor');
    const res = await call('doctor.run', {});
    setBusy(null);
    if (res.ok) setDoctor(res.value);
    else setError(res.error);
  };

  return (
    <Stack gap="md">
      <PageTitle>{t('settings.title')}</PageTitle>
      {error && <ErrorAlert error={error} />}
      <Paper withBorder p="md">
        <NativeSelect
          label={t('settings.language')}
          data={LANGUAGES.map((l) => ({ value: l, label: t(`settings.languageNames.${l}`) }))}
          value={settings?.language ?? i18n.language}
          onChange={(e) => void update({ language: e.currentTarget.value as Language })}
        />
      </Paper>
      <Paper withBorder p="md">
        <Table>
          <Table.Tbody>
            <Table.Tr>
              <Table.Th scope="row">{t('settings.dataFolder')}</Table.Th>
              <Table.Td data-testid="data-folder">{info?.dataFolder ?? '…'}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th scope="row">{t('settings.version')}</Table.Th>
              <Table.Td>{info?.version ?? '…'}</Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      </Paper>
      <Paper withBorder p="md">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void saveFolder();
          }}
        >
          <PathInput
            kind="folder"
            label={t('settings.toolFolder')}
            description={t('settings.toolFolderHelp')}
            value={folder}
            onChange={(v) => {
              setFolder(v);
              setFolderSaved(false);
            }}
          />
          <Group mt="sm">
            <Button type="submit" variant="default">
              {t('settings.saveToolFolder')}
            </Button>
            {folderSaved && (
              <Text size="sm" role="status">
                {t('settings.saved')}
              </Text>
            )}
          </Group>
        </form>
      </Paper>
      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="sm">
          {t('settings.tools')}
        </Title>
        <Button variant="default" onClick={() => void detect()} loading={busy === 'tools'}>
          {t('settings.detect')}
        </Button>
        {tools && <ToolsTable tools={tools} />}
      </Paper>
      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="sm">
          {t('settings.doctor')}
        </Title>
        <Button variant="default" onClick={() => void runDoctor()} loading={busy === 'doctor'}>
          {t('settings.doctorRun')}
        </Button>
        {doctor && (
          <Stack mt="sm" gap="sm">
            <Alert color={doctor.ok ? 'green' : 'orange'} variant="light">
              {doctor.ok ? t('settings.doctorOk') : t('settings.doctorProblems')}
            </Alert>
            <Text>
              {t('settings.keychain')}:{' '}
              {doctor.keychain.available
                ? t('settings.keychainAvailable', { backend: doctor.keychain.backend })
                : t('settings.keychainUnavailable', { backend: doctor.keychain.backend })}
              {doctor.keychain.detail ? ` — ${doctor.keychain.detail}` : ''}
            </Text>
            {doctor.profiles.length > 0 && (
              <>
                <Text fw={600}>{t('settings.profiles')}</Text>
                <List>
                  {doctor.profiles.map((p) => (
                    <List.Item key={p.name}>
                      {t('settings.profileLine', {
                        name: p.name,
                        main: p.main ? t('settings.reachable') : t('settings.unreachable'),
                        audit: p.audit ? t('settings.reachable') : t('settings.unreachable'),
                      })}
                      {p.detail ? ` — ${p.detail}` : ''}
                    </List.Item>
                  ))}
                </List>
              </>
            )}
            <ToolsTable tools={doctor.tools} />
          </Stack>
        )}
      </Paper>
    </Stack>
  );
}
