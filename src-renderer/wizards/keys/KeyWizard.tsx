import { Alert, Button, Group, List, Paper, Radio, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../src-main/contract/errors';
import type { KeyCustody } from '../../../src-main/contract/keys';
import { call } from '../../app/api';
import { ErrorAlert } from '../../components/ErrorAlert';

type Mode = 'import' | 'generate';

/**
 * Import the existing FIELD_ENCRYPTION_KEY list, or generate one for a new deployment. The pasted
 * key list lives in this component only until it is sent; afterwards only fingerprints are shown.
 */
export function KeyWizard({ profile, onDone }: { profile: string; onDone(custody: KeyCustody): void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<Mode>('import');
  const [keyList, setKeyList] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const [result, setResult] = useState<KeyCustody | null>(null);

  const finish = (res: Awaited<ReturnType<typeof call<'keys.import'>>>) => {
    setBusy(false);
    if (res.ok) {
      setResult(res.value);
      onDone(res.value);
    } else {
      setError(res.error);
    }
  };

  const submitImport = async () => {
    if (keyList.trim() === '') {
      setFieldError(t('keyWizard.keyListRequired'));
      return;
    }
    setBusy(true);
    setError(null);
    const toSend = keyList.trim();
    // Clear the field whatever the outcome: the key is never shown back, even after an error.
    setKeyList('');
    finish(await call('keys.import', { profile, keyList: toSend }));
  };

  const submitGenerate = async () => {
    setConfirming(false);
    setBusy(true);
    setError(null);
    finish(await call('keys.generate', { profile }));
  };

  if (result) {
    return (
      <Alert color="green" variant="light" role="status" title={t('keyWizard.imported')}>
        <List>
          {result.keys.map((k) => (
            <List.Item key={k.fingerprint}>
              <code data-testid="key-fingerprint">{k.fingerprint}</code>
              {k.primary ? ` — ${t('keys.primary')}` : ''}
            </List.Item>
          ))}
        </List>
      </Alert>
    );
  }

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="key-wizard-title">
      <Title order={2} size="h4" id="key-wizard-title" mb="sm">
        {t('keyWizard.title')}
      </Title>
      <Radio.Group label={t('keyWizard.choose')} value={mode} onChange={(v) => setMode(v as Mode)} mb="md">
        <Stack gap={6} mt={6}>
          <Radio value="import" label={t('keyWizard.importOption')} />
          <Radio value="generate" label={t('keyWizard.generateOption')} />
        </Stack>
      </Radio.Group>
      {mode === 'import' ? (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void submitImport();
          }}
        >
          {/* type=password: the key is never echoed on screen, nor kept by the browser's autofill. */}
          <TextInput
            type="password"
            label={t('keyWizard.keyList')}
            description={t('keyWizard.keyListHelp')}
            autoComplete="off"
            spellCheck={false}
            value={keyList}
            error={fieldError}
            onChange={(e) => {
              setKeyList(e.currentTarget.value);
              setFieldError(null);
            }}
          />
          <Group mt="md">
            <Button type="submit" loading={busy}>
              {t('keyWizard.import')}
            </Button>
          </Group>
        </form>
      ) : confirming ? (
        <Stack role="alertdialog" aria-labelledby="generate-confirm">
          <Text id="generate-confirm">{t('keyWizard.generateConfirm')}</Text>
          <Group>
            <Button color="orange" onClick={() => void submitGenerate()}>
              {t('keyWizard.generate')}
            </Button>
            <Button variant="default" onClick={() => setConfirming(false)}>
              {t('app.cancel')}
            </Button>
          </Group>
        </Stack>
      ) : (
        <Button loading={busy} onClick={() => setConfirming(true)}>
          {t('keyWizard.generate')}
        </Button>
      )}
      {error && (
        <Stack mt="md">
          {error.kind === 'Conflict' && <Alert color="yellow">{t('keyWizard.conflict')}</Alert>}
          <ErrorAlert error={error} />
        </Stack>
      )}
    </Paper>
  );
}
