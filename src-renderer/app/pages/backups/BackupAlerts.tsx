import { Paper, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { AlertSchema } from '../../../../src-main/contract/backups';
import { formatLocal } from '../../../components/time';

type BackupAlert = z.infer<typeof AlertSchema>;

/** Failed, unverified, missed and suspiciously small backups, newest first, and whether each was emailed. */
export function BackupAlerts({ alerts }: { alerts: BackupAlert[] }) {
  const { t, i18n } = useTranslation();
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="alerts-title">
      <Title order={2} size="h4" id="alerts-title" mb="xs">
        {t('backupAlerts.title')}
      </Title>
      {alerts.length === 0 ? (
        <Text size="sm">{t('backupAlerts.none')}</Text>
      ) : (
        <div className="table-scroll">
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('backupAlerts.colWhen')}</Table.Th>
                <Table.Th>{t('backupAlerts.colKind')}</Table.Th>
                <Table.Th>{t('backupAlerts.colMessage')}</Table.Th>
                <Table.Th>{t('backupAlerts.colEmail')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {alerts.map((a) => (
                <Table.Tr key={a.id} data-testid="backup-alert">
                  <Table.Td>{formatLocal(a.createdAt, i18n.language)}</Table.Td>
                  <Table.Td>{t(`backupAlerts.kind.${a.kind}`, { defaultValue: a.kind })}</Table.Td>
                  <Table.Td>{a.message}</Table.Td>
                  <Table.Td>{a.emailedAt ? t('backupAlerts.emailed', { when: formatLocal(a.emailedAt, i18n.language) }) : t('backupAlerts.notEmailed')}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </Paper>
  );
}
