import { Paper, Stack, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HavenKeyStatus } from '../../../../../src-main/contract/haven';
import { HavenKeyPanel } from './HavenKeyPanel';
import { HavenDecryptPanel } from './HavenDecryptPanel';
import { HavenVerifyPanel } from './HavenVerifyPanel';
import { HavenRewrapPanel } from './HavenRewrapPanel';

/**
 * Haven HMIS export bundles: the master key, decrypt, verify and re-wrap — the three runbook
 * steps that do not work as written. Independent of the connection profile (one key per computer).
 */
export function HavenSection() {
  const { t } = useTranslation();
  const [keyPresent, setKeyPresent] = useState(false);
  const onKey = useCallback((s: HavenKeyStatus) => setKeyPresent(s.present), []);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="haven-title">
      <Title order={2} size="h4" id="haven-title" mb="xs">
        {t('havenBundles.title')}
      </Title>
      <Text size="sm" mb="sm">
        {t('havenBundles.intro')}
      </Text>
      <Stack gap="md">
        <HavenKeyPanel onChanged={onKey} />
        <HavenDecryptPanel keyPresent={keyPresent} />
        <HavenVerifyPanel keyPresent={keyPresent} />
        <HavenRewrapPanel keyPresent={keyPresent} />
      </Stack>
    </Paper>
  );
}
