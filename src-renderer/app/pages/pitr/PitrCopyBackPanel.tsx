import { Alert, Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import type { CopyBackPlan, CopyBackResult } from '../../../../src-main/contract/pitr';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { call } from '../../api';

/** Preview the rows to copy back (parents first), then type the phrase to insert them in one transaction. */
export function PitrCopyBackPanel({ profile, recoveryId }: { profile: string; recoveryId: string }) {
  const { t } = useTranslation();
  const [table, setTable] = useState('client_files');
  const [plan, setPlan] = useState<CopyBackPlan | null>(null);
  const [confirm, setConfirm] = useState('');
  const [result, setResult] = useState<CopyBackResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);

  const preview = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    setConfirm('');
    const res = await call('pitr.copyBack.preview', { profile, recoveryId, schema: 'public', table: table.trim() });
    setBusy(false);
    if (res.ok) setPlan(res.value);
    else setError(res.error);
  };
  const apply = async () => {
    if (!plan) return;
    setBusy(true);
    setError(null);
    const res = await call('pitr.copyBack.apply', { profile, recoveryId, schema: 'public', table: table.trim(), digest: plan.digest, confirm });
    setBusy(false);
    if (res.ok) {
      setResult(res.value);
      setPlan(null);
    } else setError(res.error);
  };

  return (
    <Stack gap="sm">
      <Title order={3} size="h5">
        {t('pitr.copyBack.title')}
      </Title>
      <Group align="end">
        <TextInput label={t('pitr.copyBack.table')} description={t('pitr.copyBack.tableHelp')} value={table} onChange={(e) => { setTable(e.currentTarget.value); setPlan(null); }} />
        <Button variant="default" onClick={() => void preview()} loading={busy && !plan}>
          {t('pitr.copyBack.preview')}
        </Button>
      </Group>
      {plan && plan.total === 0 && <Text size="sm" role="status">{t('pitr.copyBack.nothing')}</Text>}
      {plan && plan.total > 0 && (
        <Stack gap="xs">
          <Table>
            <Table.Caption>{t('pitr.copyBack.caption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('pitr.copyBack.colTable')}</Table.Th>
                <Table.Th>{t('pitr.copyBack.colRows')}</Table.Th>
                <Table.Th>{t('pitr.copyBack.colKeys')}</Table.Th>
                <Table.Th>{t('pitr.copyBack.colVia')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {plan.tables.map((x) => (
                <Table.Tr key={`${x.schema}.${x.table}`}>
                  <Table.Td>{`${x.schema}.${x.table}`}</Table.Td>
                  <Table.Td>{x.count}</Table.Td>
                  <Table.Td>{x.sampleKeys.slice(0, 8).join('; ')}{x.count > 8 ? ' …' : ''}</Table.Td>
                  <Table.Td>{x.via ?? t('pitr.copyBack.chosen')}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text size="sm">{t('pitr.copyBack.total', { count: plan.total })}</Text>
          <TextInput label={t('pitr.copyBack.confirmLabel', { phrase: plan.confirmPhrase })} value={confirm} onChange={(e) => setConfirm(e.currentTarget.value)} autoComplete="off" />
          <Group>
            <Button color="red" onClick={() => void apply()} disabled={confirm.trim() !== plan.confirmPhrase} loading={busy}>
              {t('pitr.copyBack.apply')}
            </Button>
          </Group>
        </Stack>
      )}
      {result && (
        <Alert color="green" variant="light" role="status">
          {t('pitr.copyBack.done', { count: result.inserted, audit: result.auditRowId ?? '—' })}
        </Alert>
      )}
      {error && <ErrorAlert error={error} />}
    </Stack>
  );
}
