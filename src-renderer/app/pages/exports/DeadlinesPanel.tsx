import { Alert, Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeadlinesResult } from '../../../../src-main/contract/exports';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { call } from '../../api';

/** Report deadlines as a calendar list (by month); checking is a dry run, sending is explicit. */
export function DeadlinesPanel({ profile }: { profile: string }) {
  const { t, i18n } = useTranslation();
  const [r, setR] = useState<DeadlinesResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);

  const run = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    const res = await call('exports.deadlines', { profile, dryRun });
    setBusy(false);
    if (res.ok) setR(res.value);
    else setError(res.error);
  };
  const month = (ymd: string) => new Date(`${ymd}T12:00:00Z`).toLocaleDateString(i18n.language, { year: 'numeric', month: 'long', timeZone: 'UTC' });
  const groups = new Map<string, DeadlinesResult['schedules']>();
  for (const s of r?.schedules ?? []) groups.set(month(s.dueDate), [...(groups.get(month(s.dueDate)) ?? []), s]);
  const pending = r?.schedules.some((s) => s.actions.length > 0) ?? false;

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="deadlines-title">
      <Title order={2} size="h4" id="deadlines-title" mb="xs">
        {t('exportLinks.deadlines.title')}
      </Title>
      <Text size="sm" mb="sm">
        {t('exportLinks.deadlines.intro')}
      </Text>
      <Group mb="sm">
        <Button variant="default" loading={busy} onClick={() => void run(true)}>
          {t('exportLinks.deadlines.check')}
        </Button>
        {r?.dryRun && pending && (
          <Button onClick={() => void run(false)} loading={busy}>
            {t('exportLinks.deadlines.run')}
          </Button>
        )}
      </Group>
      {error && <ErrorAlert error={error} />}
      {r && !r.dryRun && <Alert color="green" role="status">{t('exportLinks.deadlines.ran', { count: r.emailsSent })}</Alert>}
      {r && r.schedules.length === 0 && <Text size="sm">{t('exportLinks.deadlines.empty')}</Text>}
      <Stack gap="sm">
        {[...groups].map(([m, items]) => (
          <div key={m}>
            <Title order={3} size="h5">
              {m}
            </Title>
            <Table withTableBorder>
              <Table.Tbody>
                {items.map((s) => (
                  <Table.Tr key={s.id} data-testid="deadline">
                    <Table.Td>{s.dueDate}</Table.Td>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {s.name}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {s.reportType} · {s.frequency}
                      </Text>
                    </Table.Td>
                    <Table.Td>{!s.isActive ? t('exportLinks.deadlines.inactive') : s.daysLeft < 0 ? t('exportLinks.deadlines.overdue', { count: -s.daysLeft }) : t('exportLinks.deadlines.inDays', { count: s.daysLeft })}</Table.Td>
                    <Table.Td>
                      {s.actions.map((a) => (
                        <Badge key={a} size="sm" variant="light" mr={4}>
                          {t(`exportLinks.deadlines.action.${a}`)}
                        </Badge>
                      ))}
                      {s.emailTo.length > 0 && <Text size="xs">{t('exportLinks.deadlines.to', { who: s.emailTo.join(', ') })}</Text>}
                      {s.nextDueDate && <Text size="xs">{t('exportLinks.deadlines.next', { date: s.nextDueDate })}</Text>}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        ))}
      </Stack>
    </Paper>
  );
}
