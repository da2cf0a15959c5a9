import { Badge, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { CheckResult } from '../../../../src-main/contract/drills';

const COLOR = { PASS: 'green', WARN: 'orange', FAIL: 'red' } as const;

/** PASS / WARN / FAIL rows with the detail and, when not passing, what to do. */
export function CheckTable({ checks, caption }: { checks: CheckResult[]; caption: string }) {
  const { t } = useTranslation();
  return (
    <Table>
      <Table.Caption>{caption}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('drills.colResult')}</Table.Th>
          <Table.Th>{t('drills.colCheck')}</Table.Th>
          <Table.Th>{t('drills.colDetail')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {checks.map((c) => (
          <Table.Tr key={c.id} data-testid={`check-${c.id}`}>
            <Table.Td>
              <Badge color={COLOR[c.status]} variant="light">
                {t(`drills.status.${c.status}`)}
              </Badge>
            </Table.Td>
            <Table.Td>{c.title}</Table.Td>
            <Table.Td>
              <Text size="sm">{c.detail}</Text>
              {c.hint && c.status !== 'PASS' && (
                <Text size="sm" fw={600}>
                  {c.hint}
                </Text>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Seconds as people read them, in the current language. */
export function useDuration(): (seconds: number | null) => string {
  const { t } = useTranslation();
  return (s) => {
    if (s === null) return '—';
    if (s < 90) return t('drills.duration.s', { n: s.toFixed(1) });
    if (s < 5400) return t('drills.duration.min', { n: (s / 60).toFixed(1) });
    if (s < 172_800) return t('drills.duration.h', { n: (s / 3600).toFixed(1) });
    return t('drills.duration.d', { n: (s / 86_400).toFixed(1) });
  };
}
