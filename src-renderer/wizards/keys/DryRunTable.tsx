import { Alert, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { RotationDryRun } from '../../../src-main/contract/keys-rotation';

/** The dry run per schema.table.column: what a rotation would do, and every row no key opens. */
export function DryRunTable({ dry }: { dry: RotationDryRun }) {
  const { t } = useTranslation();
  return (
    <>
      <Table striped data-testid="dry-run-table">
        <caption>{t('keyRotation.dryCaption', { count: dry.columns.length })}</caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('keyRotation.col.column')}</Table.Th>
            <Table.Th scope="col">{t('keyRotation.col.toReencrypt')}</Table.Th>
            <Table.Th scope="col">{t('keyRotation.col.alreadyNew')}</Table.Th>
            <Table.Th scope="col">{t('keyRotation.col.empty')}</Table.Th>
            <Table.Th scope="col">{t('keyRotation.col.undecryptable')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {dry.columns.map((c) => (
            <Table.Tr key={`${c.schema}.${c.table}.${c.column}`}>
              <Table.Th scope="row">
                <code>{`${c.schema}.${c.table}.${c.column}`}</code>
              </Table.Th>
              <Table.Td>{c.toReencrypt}</Table.Td>
              <Table.Td>{c.alreadyNew}</Table.Td>
              <Table.Td>{c.empty}</Table.Td>
              <Table.Td>
                {c.undecryptableCount === 0
                  ? 0
                  : t('keyRotation.undecryptableIds', {
                      count: c.undecryptableCount,
                      ids: c.undecryptable.join(', ') + (c.undecryptableCount > c.undecryptable.length ? ', …' : ''),
                    })}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
        <Table.Tfoot>
          <Table.Tr>
            <Table.Th scope="row">{t('keyRotation.total')}</Table.Th>
            <Table.Td>{dry.totals.toReencrypt}</Table.Td>
            <Table.Td>{dry.totals.alreadyNew}</Table.Td>
            <Table.Td>{dry.totals.empty}</Table.Td>
            <Table.Td>{dry.totals.undecryptable}</Table.Td>
          </Table.Tr>
        </Table.Tfoot>
      </Table>
      {dry.unsupported.length > 0 && (
        <Alert color="red" variant="light" mt="sm">
          {t('keyRotation.unsupported', { columns: dry.unsupported.join(', ') })}
        </Alert>
      )}
      {dry.totals.undecryptable > 0 && (
        <Alert color="red" variant="light" mt="sm" role="alert">
          {t('keyRotation.undecryptableBlock', { count: dry.totals.undecryptable })}
        </Alert>
      )}
      {dry.ok && <Text mt="sm" role="status">{t('keyRotation.dryOk')}</Text>}
    </>
  );
}
