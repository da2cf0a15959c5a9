import { Alert, Badge, Button, Group, List, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { DEFAULT_RETENTION_POLICY, type PruneResultSchema } from '../../../../src-main/contract/backups';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatBytes } from '../../../components/size';
import { call } from '../../api';

type PruneResult = z.infer<typeof PruneResultSchema>;

/**
 * The retention plan (the very numbers prune uses) and pruning. Deleting is two deliberate steps:
 * a dry run that lists every set with its decision and reasons, then an explicit confirmation;
 * only then is `backups.prune` called with dryRun: false.
 */
export function RetentionSettings({ profile, onPruned }: { profile: string; onPruned(): void }) {
  const { t, i18n } = useTranslation();
  const [plan, setPlan] = useState<PruneResult | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<PruneResult | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);
  const toDelete = plan?.entries.filter((e) => e.action === 'delete') ?? [];

  const dryRun = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    setConfirming(false);
    const res = await call('backups.prune', { profile, dryRun: true });
    setBusy(false);
    if (res.ok) setPlan(res.value);
    else setError(res.error);
  };

  const prune = async () => {
    setConfirming(false);
    setBusy(true);
    setError(null);
    const res = await call('backups.prune', { profile, dryRun: false });
    setBusy(false);
    if (!res.ok) {
      setError(res.error);
      return;
    }
    setPlan(null);
    setDone(res.value);
    onPruned();
  };

  const p = DEFAULT_RETENTION_POLICY;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="retention-title">
      <Title order={2} size="h4" id="retention-title" mb="xs">
        {t('retention.title')}
      </Title>
      <Text size="sm">{t('retention.intro')}</Text>
      <List size="sm" mb="sm">
        <List.Item>{t('retention.daily', { days: p.dailyDays })}</List.Item>
        <List.Item>{t('retention.weekly', { days: p.weeklyDays })}</List.Item>
        <List.Item>{t('retention.monthly', { days: p.monthlyDays })}</List.Item>
        <List.Item>{t('retention.pins')}</List.Item>
        <List.Item>{t('retention.newest')}</List.Item>
      </List>
      <Button variant="default" onClick={() => void dryRun()} loading={busy && !plan}>
        {t('retention.check')}
      </Button>
      {plan && (
        <Stack gap="sm" mt="sm" data-testid="prune-plan">
          <Text fw={600}>{t('retention.dryRunTitle')}</Text>
          {plan.entries.length > 0 && (
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('retention.colSet')}</Table.Th>
                  <Table.Th>{t('retention.colAction')}</Table.Th>
                  <Table.Th>{t('retention.colWhy')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {plan.entries.map((e) => (
                  <Table.Tr key={e.setId}>
                    <Table.Td>{e.setId}</Table.Td>
                    <Table.Td>
                      <Badge color={e.action === 'delete' ? 'red' : 'green'} variant="light">
                        {t(`retention.action.${e.action}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{e.reasons.join('; ')}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {toDelete.length === 0 ? (
            <Text size="sm">{t('retention.nothing')}</Text>
          ) : confirming ? (
            <Stack gap="xs" role="alertdialog" aria-labelledby="prune-confirm">
              <Text size="sm" fw={600} id="prune-confirm">
                {t('retention.confirm', { count: toDelete.length })}
              </Text>
              <Group gap="xs">
                <Button color="red" onClick={() => void prune()} loading={busy}>
                  {t('retention.confirmYes')}
                </Button>
                <Button variant="default" onClick={() => setConfirming(false)}>
                  {t('retention.keepAll')}
                </Button>
              </Group>
            </Stack>
          ) : (
            <Group>
              <Button color="red" variant="light" onClick={() => setConfirming(true)}>
                {t('retention.deleteMarked', { count: toDelete.length })}
              </Button>
            </Group>
          )}
        </Stack>
      )}
      {done && (
        <Alert color="green" variant="light" role="status" mt="sm">
          {t('retention.deleted', { count: done.entries.filter((e) => e.action === 'delete').length, size: formatBytes(done.freedBytes, i18n.language) })}
        </Alert>
      )}
      {error && (
        <Stack mt="sm">
          <ErrorAlert error={error} />
        </Stack>
      )}
    </Paper>
  );
}
