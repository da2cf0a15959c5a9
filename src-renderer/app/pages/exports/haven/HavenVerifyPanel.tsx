import { Alert, Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HavenCheck, HavenVerifyReport } from '../../../../../src-main/contract/haven';
import type { AppErrorData } from '../../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../../components/ErrorAlert';
import { call } from '../../../api';
import { PathInput } from '../../../../components/PathInput';

const STATUS_COLOR: Record<HavenCheck['status'], string> = { pass: 'green', fail: 'red', warn: 'yellow', 'not-verifiable': 'gray' };
const KNOWN_LABELS = ['layout', 'data-key', 'integrity', 'zip', 'contents', 'manifest', 'manifest.sha256', 'signature', 'master-key'];

/** Words a check in the user's language where its id is known; the core's own words otherwise. */
function useCheckWords() {
  const { t } = useTranslation();
  return {
    label(c: HavenCheck): string {
      if (c.id.startsWith('hash:')) return t('havenBundles.verify.label.hash', { name: c.id.slice(5) });
      return KNOWN_LABELS.includes(c.id) ? t(`havenBundles.verify.label.${c.id}`) : c.label;
    },
    detail(c: HavenCheck): string {
      // "Cannot be checked" needs the why in plain words: that is what the runbook got wrong.
      if (c.status === 'not-verifiable') {
        if (c.id === 'manifest.sha256' || c.id === 'signature') return t(`havenBundles.verify.explain.${c.id}`);
        if (c.id.startsWith('hash:')) return t('havenBundles.verify.explain.hash');
      }
      return c.detail;
    },
  };
}

/** Checks one bundle and shows every check: passed, failed, warning, or cannot be checked (and why). */
export function HavenVerifyPanel({ keyPresent }: { keyPresent: boolean }) {
  const { t } = useTranslation();
  const words = useCheckWords();
  const [file, setFile] = useState('');
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<HavenVerifyReport | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);

  const run = async () => {
    setBusy(true);
    setError(null);
    setReport(null);
    const r = await call('haven.verify', { file: file.trim() });
    setBusy(false);
    if (r.ok) setReport(r.value);
    else setError(r.error);
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="haven-verify-title">
      <Title order={3} size="h5" id="haven-verify-title" mb="xs">
        {t('havenBundles.verify.title')}
      </Title>
      <Text size="sm" mb="sm">
        {t('havenBundles.verify.intro')}
      </Text>
      <Stack gap="xs">
        <PathInput kind="open" extensions={['enc']} label={t('havenBundles.verify.file')} value={file} onChange={setFile} />
        <Group>
          <Button disabled={!keyPresent || !file.trim()} loading={busy} onClick={() => void run()}>
            {t('havenBundles.verify.run')}
          </Button>
        </Group>
        {error && <ErrorAlert error={error} />}
        {report && (
          <>
            <Alert color={report.ok ? 'green' : 'red'} role="status">
              {report.ok ? t('havenBundles.verify.ok') : t('havenBundles.verify.failed')}
            </Alert>
            <Table withTableBorder aria-label={t('havenBundles.verify.title')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('havenBundles.verify.colCheck')}</Table.Th>
                  <Table.Th>{t('havenBundles.verify.colResult')}</Table.Th>
                  <Table.Th>{t('havenBundles.verify.colDetail')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.checks.map((c, i) => (
                  <Table.Tr key={`${c.id}-${i}`} data-testid="haven-check">
                    <Table.Td>{words.label(c)}</Table.Td>
                    <Table.Td>
                      <Badge color={STATUS_COLOR[c.status]} variant="light">
                        {t(`havenBundles.verify.status.${c.status}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{words.detail(c)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {report.entries.length > 0 && <Text size="sm">{t('havenBundles.verify.files', { list: report.entries.map((e) => e.name).join(', ') })}</Text>}
          </>
        )}
      </Stack>
    </Paper>
  );
}
