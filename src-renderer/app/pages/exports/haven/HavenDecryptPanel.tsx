import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HavenDecryptResult } from '../../../../../src-main/contract/haven';
import type { AppErrorData } from '../../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../../components/ErrorAlert';
import { formatBytes } from '../../../../components/size';
import { call } from '../../../api';
import { PathInput } from '../../../../components/PathInput';

/** Decrypt one `.enc` into a new ZIP (the core never overwrites and writes nothing on failure). */
export function HavenDecryptPanel({ keyPresent }: { keyPresent: boolean }) {
  const { t, i18n } = useTranslation();
  const [file, setFile] = useState('');
  const [out, setOut] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<HavenDecryptResult | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);

  const run = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    const r = await call('haven.decrypt', { file: file.trim(), out: out.trim() });
    setBusy(false);
    if (r.ok) setDone(r.value);
    else setError(r.error);
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="haven-decrypt-title">
      <Title order={3} size="h5" id="haven-decrypt-title" mb="xs">
        {t('havenBundles.decrypt.title')}
      </Title>
      <Text size="sm" mb="sm">
        {t('havenBundles.decrypt.intro')}
      </Text>
      <Stack gap="xs">
        <PathInput kind="open" extensions={['enc']} label={t('havenBundles.decrypt.file')} value={file} onChange={setFile} />
        <PathInput kind="save" extensions={['zip']} label={t('havenBundles.decrypt.out')} value={out} onChange={setOut} />
        <Group>
          <Button disabled={!keyPresent || !file.trim() || !out.trim()} loading={busy} onClick={() => void run()}>
            {t('havenBundles.decrypt.run')}
          </Button>
        </Group>
        {done && (
          <Alert color="green" role="status">
            {t('havenBundles.decrypt.done', { out: done.out, bytes: formatBytes(done.bytes, i18n.language), key: t(`havenBundles.decrypt.keyUsed.${done.keyUsed}`) })}
          </Alert>
        )}
        {error && <ErrorAlert error={error} />}
      </Stack>
    </Paper>
  );
}
