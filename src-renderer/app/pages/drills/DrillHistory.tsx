import { Badge, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { DrillSummary } from '../../../../src-main/contract/drills';
import { formatLocal } from '../../../components/time';
import { useDuration } from './CheckTable';
import { ReportButton } from './ReportButton';

const COLOR = { running: 'blue', passed: 'green', failed: 'red', cancelled: 'gray' } as const;

/** The drill log: every drill and restore with its outcome, measured RTO and RPO, and its report. */
export function DrillHistory({ drills }: { drills: DrillSummary[] }) {
  const { t, i18n } = useTranslation();
  const duration = useDuration();
  if (drills.length === 0) return <Text>{t('drills.historyEmpty')}</Text>;
  return (
    <Table>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('drills.colWhen')}</Table.Th>
          <Table.Th>{t('drills.colKind')}</Table.Th>
          <Table.Th>{t('drills.colState')}</Table.Th>
          <Table.Th>{t('drills.colSet')}</Table.Th>
          <Table.Th>{t('drills.colRto')}</Table.Th>
          <Table.Th>{t('drills.colRpo')}</Table.Th>
          <Table.Th>{t('drills.colReport')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {drills.map((d) => (
          <Table.Tr key={d.id} data-testid="drill-row">
            <Table.Td>{formatLocal(d.startedAt, i18n.language)}</Table.Td>
            <Table.Td>{t(`drills.kind.${d.kind}`)}</Table.Td>
            <Table.Td>
              <Badge color={COLOR[d.state]} variant="light" title={d.failure?.message}>
                {t(`drills.state.${d.state}`)}
              </Badge>
            </Table.Td>
            <Table.Td>
              <code>{d.setId}</code>
            </Table.Td>
            <Table.Td>{duration(d.rtoSeconds)}</Table.Td>
            <Table.Td>{duration(d.rpoSeconds)}</Table.Td>
            <Table.Td>
              <ReportButton id={d.id} size="xs" />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
