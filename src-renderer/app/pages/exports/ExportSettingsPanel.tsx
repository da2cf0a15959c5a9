import { Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExportSettings } from '../../../../src-main/contract/exports';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { call } from '../../api';
import { PathInput } from '../../../components/PathInput';

/** Where the export folder is reachable from here, and which KoNote admin revocations are recorded under. */
export function ExportSettingsPanel({ profile, onSaved }: { profile: string; onSaved(): void }) {
  const { t } = useTranslation();
  const [s, setS] = useState<ExportSettings | null>(null);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  useEffect(() => {
    void call('exports.settings.get', { profile }).then((r) => (r.ok ? setS(r.value) : setError(r.error)));
  }, [profile]);
  if (!s) return error ? <ErrorAlert error={error} /> : null;
  const text = (v: string) => (v.trim() ? v.trim() : null);
  const save = async () => {
    setSaved(false);
    const r = await call('exports.settings.save', s);
    if (r.ok) {
      setS(r.value);
      setSaved(true);
      setError(null);
      onSaved();
    } else setError(r.error);
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="export-settings-title">
      <Title order={2} size="h4" id="export-settings-title" mb="xs">
        {t('exportLinks.settings.title')}
      </Title>
      <Stack gap="xs">
        <PathInput kind="folder" label={t('exportLinks.settings.exportDir')} value={s.exportDir ?? ''} onChange={(v) => setS({ ...s, exportDir: text(v) })} />
        <TextInput label={t('exportLinks.settings.serverExportDir')} value={s.serverExportDir ?? ''} onChange={(e) => setS({ ...s, serverExportDir: text(e.currentTarget.value) })} />
        <TextInput label={t('exportLinks.settings.admin')} value={s.adminUsername ?? ''} onChange={(e) => setS({ ...s, adminUsername: text(e.currentTarget.value) })} />
        <TextInput type="number" min={0} label={t('exportLinks.settings.delay')} value={String(s.pendingDelayMinutes)} onChange={(e) => setS({ ...s, pendingDelayMinutes: Number(e.currentTarget.value) || 0 })} w={200} />
        {error && <ErrorAlert error={error} />}
        <Group>
          <Button variant="default" onClick={() => void save()}>
            {t('exportLinks.settings.save')}
          </Button>
          {saved && (
            <Text size="sm" role="status">
              {t('exportLinks.settings.saved')}
            </Text>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}
