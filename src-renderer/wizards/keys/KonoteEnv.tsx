import { Alert, Button, Code, Group, List, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../src-main/contract/errors';
import type { KeyReveal, RotationStatus } from '../../../src-main/contract/keys-rotation';
import { call } from '../../app/api';
import { ErrorAlert } from '../../components/ErrorAlert';

/** How long a revealed key list stays on screen before it is hidden again. */
export const REVEAL_MS = 120_000;

/**
 * What to set in KoNote's environment at this stage of a rotation, and when to restart. The key
 * list itself is shown only if the user asks (after a warning), so it can be copied into KoNote's
 * settings; it is hidden again after two minutes or when this leaves the screen.
 */
export function KonoteEnv({ profile, status }: { profile: string; status: RotationStatus }) {
  const { t } = useTranslation();
  const [warning, setWarning] = useState(false);
  const [revealed, setRevealed] = useState<KeyReveal | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const olds = status.oldFingerprints.join(', ');

  useEffect(() => {
    if (!revealed) return;
    const timer = setTimeout(() => setRevealed(null), REVEAL_MS);
    return () => clearTimeout(timer);
  }, [revealed]);
  // A new stage means a different list: never leave an outdated one on screen.
  useEffect(() => setRevealed(null), [status.state]);

  const reveal = async () => {
    setWarning(false);
    setError(null);
    const res = await call('keys.reveal', { profile, confirm: true });
    if (res.ok) setRevealed(res.value);
    else setError(res.error);
  };

  const copy = async () => {
    if (!revealed) return;
    try {
      await navigator.clipboard.writeText(revealed.envLine);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  if (status.agency !== null) {
    return (
      <Alert color="blue" variant="light" title={t('keyEnv.title')} data-testid="konote-env">
        <Text size="sm">{t('keyEnv.agency', { agency: status.agency })}</Text>
      </Alert>
    );
  }

  const steps =
    status.state === 'completed'
      ? [t('keyEnv.completed.set', { fingerprint: status.newFingerprint }), t('keyEnv.restart'), t('keyEnv.completed.retired', { olds })]
      : [t('keyEnv.rotating.set', { fingerprint: status.newFingerprint, olds }), t('keyEnv.restart'), t(status.state === 'verified' ? 'keyEnv.rotating.keepUntilDrop' : 'keyEnv.rotating.why')];

  return (
    <Alert color="blue" variant="light" data-testid="konote-env">
      <Title order={3} size="h5" mb="xs">
        {t('keyEnv.title')}
      </Title>
      <List type="ordered" size="sm">
        {steps.map((s) => (
          <List.Item key={s}>{s}</List.Item>
        ))}
      </List>
      <Stack gap="xs" mt="sm">
        {!revealed && !warning && (
          <Group>
            <Button size="xs" variant="light" onClick={() => setWarning(true)}>
              {t('keyEnv.reveal')}
            </Button>
          </Group>
        )}
        {warning && (
          <Stack gap="xs" role="alertdialog" aria-labelledby="reveal-warning">
            <Text size="sm" id="reveal-warning">
              {t('keyEnv.revealWarning')}
            </Text>
            <Group gap="xs">
              <Button size="xs" color="orange" onClick={() => void reveal()}>
                {t('keyEnv.revealConfirm')}
              </Button>
              <Button size="xs" variant="default" onClick={() => setWarning(false)}>
                {t('app.cancel')}
              </Button>
            </Group>
          </Stack>
        )}
        {revealed && (
          <Stack gap="xs">
            <Text size="sm">{t('keyEnv.revealedFor', { fingerprint: revealed.listFingerprint, count: revealed.keyCount })}</Text>
            <Code block data-testid="revealed-env-line" className="revealed-key">
              {revealed.envLine}
            </Code>
            <Group gap="xs">
              <Button size="xs" onClick={() => void copy()}>
                {t('keyEnv.copy')}
              </Button>
              <Button size="xs" variant="default" onClick={() => { setRevealed(null); setCopied(false); }}>
                {t('keyEnv.hide')}
              </Button>
            </Group>
            {copied && <Text size="sm" role="status">{t('keyEnv.copied')}</Text>}
          </Stack>
        )}
        {error && <ErrorAlert error={error} />}
      </Stack>
    </Alert>
  );
}
