import { Alert, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../src-main/contract/errors';

/** An error from any call: what happened (message) and what to do about it (hint). */
export function ErrorAlert({ error, title }: { error: AppErrorData | { kind: string; message: string; hint?: string }; title?: string }) {
  const { t } = useTranslation();
  // The core's own hint is specific to the failure; the per-kind text is the fallback.
  const hint = error.hint ?? t(`errors.${error.kind}`, { defaultValue: t('errors.Internal') });
  return (
    <Alert color="red" variant="light" title={title ?? t('errors.title')} role="alert">
      <Text size="sm">{error.message}</Text>
      <Text size="sm" fw={600} mt={4} data-testid="error-hint">
        {hint}
      </Text>
    </Alert>
  );
}
