import { Alert, Button, Checkbox, Group, List, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HavenKeyStatus } from '../../../../../src-main/contract/haven';
import type { AppErrorData } from '../../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../../components/ErrorAlert';
import { formatLocal } from '../../../../components/time';
import { call } from '../../../api';
import { checkMasterKeyText } from './master-key-check';

/**
 * Haven's master key: its status (fingerprints only) and the form that sends a new key to the
 * keychain once. The typed key lives in this component's state until it is sent, then is cleared.
 */
export function HavenKeyPanel({ onChanged }: { onChanged(status: HavenKeyStatus): void }) {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<HavenKeyStatus | null>(null);
  const [text, setText] = useState('');
  const [replace, setReplace] = useState(false);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);

  useEffect(() => {
    void call('haven.key.status', {}).then((r) => {
      if (r.ok) {
        setStatus(r.value);
        onChanged(r.value);
      } else setError(r.error);
    });
  }, [onChanged]);

  const check = checkMasterKeyText(text);
  const typed = text.trim().length > 0;
  const needsConfirm = !!status?.present;
  const canSave = typed && check.allHex && check.validLength && (!needsConfirm || replace) && !busy;

  const save = async () => {
    setBusy(true);
    setError(null);
    setSaved(false);
    const r = await call('haven.key.set', { hex: text });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setText('');
    setReplace(false);
    setSaved(true);
    setStatus(r.value);
    onChanged(r.value);
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="haven-key-title">
      <Title order={3} size="h5" id="haven-key-title" mb="xs">
        {t('havenBundles.key.title')}
      </Title>
      {status && (
        <Stack gap="xs" mb="sm" data-testid="haven-key-status">
          <Text size="sm">{status.present ? t('havenBundles.key.present', { bits: status.bits, fingerprint: status.fingerprint }) : t('havenBundles.key.none')}</Text>
          {status.warningCodes.map((w) => (
            <Alert key={w} color="yellow" role="alert">
              {t(`havenBundles.key.warning.${w}`)}
            </Alert>
          ))}
          {status.previous.length > 0 && (
            <>
              <Text size="sm">{t('havenBundles.key.previous')}</Text>
              <List size="sm">
                {status.previous.map((p) => (
                  <List.Item key={p.fingerprint}>{t('havenBundles.key.previousItem', { fingerprint: p.fingerprint, at: formatLocal(p.retiredAt, i18n.language) })}</List.Item>
                ))}
              </List>
            </>
          )}
        </Stack>
      )}
      <Stack gap="xs">
        <TextInput
          type="password"
          label={t('havenBundles.key.label')}
          description={t('havenBundles.key.description')}
          autoComplete="off"
          spellCheck={false}
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            setSaved(false);
          }}
          error={typed && (!check.allHex || !check.validLength) ? t('havenBundles.key.notHex', { count: check.length, notHex: check.allHex ? '' : t('havenBundles.key.notHexSuffix') }) : undefined}
        />
        {typed &&
          check.warnings.map((w) => (
            <Alert key={w} color="yellow" role="alert" data-testid="haven-key-typed-warning">
              {t(`havenBundles.key.warning.${w}`)}
            </Alert>
          ))}
        {needsConfirm && <Checkbox label={t('havenBundles.key.replaceConfirm')} checked={replace} onChange={(e) => setReplace(e.currentTarget.checked)} />}
        <Group>
          <Button disabled={!canSave} loading={busy} onClick={() => void save()}>
            {t('havenBundles.key.save')}
          </Button>
        </Group>
        {saved && (
          <Alert color="green" role="status">
            {t('havenBundles.key.saved')}
          </Alert>
        )}
        {error && <ErrorAlert error={error} />}
      </Stack>
    </Paper>
  );
}
