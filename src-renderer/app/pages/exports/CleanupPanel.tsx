import { Alert, Button, Checkbox, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CleanupResult } from '../../../../src-main/contract/exports';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { call } from '../../api';

/** Cleanup: always a dry run first; the real run needs the user to confirm the list they saw. */
export function CleanupPanel({ profile, onCleaned }: { profile: string; onCleaned(): void }) {
  const { t } = useTranslation();
  const [preview, setPreview] = useState<CleanupResult | null>(null);
  const [done, setDone] = useState<CleanupResult | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);

  const run = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    const r = await call('exports.cleanup', { profile, dryRun });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    if (dryRun) {
      setPreview(r.value);
      setDone(null);
      setConfirmed(false);
    } else {
      setDone(r.value);
      setPreview(null);
      onCleaned();
    }
  };
  const shown = done ?? preview;
  const toRemove = shown ? shown.expired.filter((e) => e.rowAction !== 'kept') : [];
  const orphans = shown ? shown.orphans.filter((o) => o.action !== 'refused') : [];
  const somethingToDo = toRemove.length > 0 || orphans.length > 0;

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="cleanup-title">
      <Title order={2} size="h4" id="cleanup-title" mb="xs">
        {t('exportLinks.cleanup.title')}
      </Title>
      <Text size="sm" mb="sm">
        {t('exportLinks.cleanup.intro')}
      </Text>
      <Group mb="sm">
        <Button variant="default" loading={busy && !preview} onClick={() => void run(true)}>
          {t('exportLinks.cleanup.preview')}
        </Button>
      </Group>
      {error && <ErrorAlert error={error} />}
      {shown && (
        <Stack gap="xs">
          {done && <Alert color="green" role="status">{t('exportLinks.cleanup.done', { audit: done.auditRowId ?? '—' })}</Alert>}
          <Text size="sm">{t('exportLinks.cleanup.rows', { count: toRemove.length, kept: shown.keptRevokedUnexpired })}</Text>
          <Text size="sm">{t('exportLinks.cleanup.orphans', { count: orphans.length })}</Text>
          {(toRemove.length > 0 || orphans.length > 0) && (
            <Table withTableBorder aria-label={t('exportLinks.cleanup.title')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('exportLinks.cleanup.colLink')}</Table.Th>
                  <Table.Th>{t('exportLinks.cleanup.colFile')}</Table.Th>
                  <Table.Th>{t('exportLinks.cleanup.colAction')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {toRemove.map((e) => (
                  <Table.Tr key={e.id} data-testid="cleanup-row">
                    <Table.Td>{e.id}</Table.Td>
                    <Table.Td>{e.filePath}</Table.Td>
                    <Table.Td>{t(`exportLinks.cleanup.action.${e.fileAction}`)}</Table.Td>
                  </Table.Tr>
                ))}
                {orphans.map((o) => (
                  <Table.Tr key={o.name} data-testid="cleanup-row">
                    <Table.Td>—</Table.Td>
                    <Table.Td>{o.name}</Table.Td>
                    <Table.Td>{t(`exportLinks.cleanup.action.${o.action}`)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {shown.refused.length > 0 && (
            <Alert color="red" title={t('exportLinks.cleanup.refused')}>
              {shown.refused.map((r) => (
                <Text size="sm" key={`${r.linkId}-${r.path}`}>
                  {r.linkId ?? '—'}: {r.reason}
                </Text>
              ))}
            </Alert>
          )}
          {preview && !somethingToDo && <Text size="sm">{t('exportLinks.cleanup.nothing')}</Text>}
          {preview && somethingToDo && (
            <Group>
              <Checkbox label={t('exportLinks.cleanup.confirmCheck')} checked={confirmed} onChange={(e) => setConfirmed(e.currentTarget.checked)} />
              <Button color="red" disabled={!confirmed} loading={busy} onClick={() => void run(false)}>
                {t('exportLinks.cleanup.confirm')}
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </Paper>
  );
}
