import { Alert, Button, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExportSummary } from '../../../../src-main/contract/exports';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { call } from '../../api';

/** A horizontal bar chart in plain SVG attributes (no inline styles: the CSP forbids them). */
export function BarChart({ label, bars }: { label: string; bars: Array<{ name: string; value: number }> }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const row = 26;
  const width = 480;
  const labelW = 160;
  return (
    <svg role="img" aria-label={label} width={width} height={bars.length * row + 4} viewBox={`0 0 ${width} ${bars.length * row + 4}`}>
      <title>{label}</title>
      {bars.map((b, i) => {
        const w = Math.round(((width - labelW - 50) * b.value) / max);
        return (
          <g key={b.name} transform={`translate(0 ${i * row})`} data-testid="chart-bar">
            <text x={0} y={17} fontSize={13} fill="currentColor">
              {b.name}
            </text>
            <rect x={labelW} y={4} width={Math.max(w, 1)} height={18} fill="#228be6" rx={3} />
            <text x={labelW + Math.max(w, 1) + 6} y={17} fontSize={13} fill="currentColor">
              {b.value}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** KoNote's weekly summary, shown with a chart; sending by email is a separate, explicit step. */
export function SummaryPanel({ profile }: { profile: string }) {
  const { t } = useTranslation();
  const [days, setDays] = useState('7');
  const [s, setS] = useState<ExportSummary | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);

  const run = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    const r = await call('exports.summary', { profile, days: Number(days), dryRun });
    setBusy(false);
    if (r.ok) setS(r.value);
    else setError(r.error);
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="summary-title">
      <Title order={2} size="h4" id="summary-title" mb="xs">
        {t('exportLinks.summary.title')}
      </Title>
      <Text size="sm" mb="sm">
        {t('exportLinks.summary.intro')}
      </Text>
      <Group align="end" mb="sm">
        <TextInput type="number" min={1} max={366} label={t('exportLinks.summary.days')} value={days} onChange={(e) => setDays(e.currentTarget.value)} w={100} />
        <Button variant="default" loading={busy} onClick={() => void run(true)}>
          {t('exportLinks.summary.show')}
        </Button>
        {s && (
          <Button onClick={() => void run(false)} loading={busy}>
            {t('exportLinks.summary.send')}
          </Button>
        )}
      </Group>
      {error && <ErrorAlert error={error} />}
      {s && (
        <Stack gap="xs">
          <Text fw={600}>{s.subject}</Text>
          {s.sent && <Alert color="green" role="status">{t('exportLinks.summary.sent', { to: s.recipients.join(', ') })}</Alert>}
          <Table withTableBorder>
            <Table.Tbody>
              {(
                [
                  ['total', s.total],
                  ['elevated', s.elevated],
                  ['downloaded', s.downloaded],
                  ['notDownloaded', s.notDownloaded],
                  ['revoked', s.revoked],
                ] as const
              ).map(([k, v]) => (
                <Table.Tr key={k}>
                  <Table.Th scope="row">{t(`exportLinks.summary.${k}`)}</Table.Th>
                  <Table.Td data-testid={`summary-${k}`}>{v}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {s.byType.length > 0 && <BarChart label={t('exportLinks.summary.chartLabel')} bars={s.byType.map((b) => ({ name: b.type, value: b.count }))} />}
          <Title order={3} size="h5">
            {t('exportLinks.summary.topCreators')}
          </Title>
          <ol>
            {s.topCreators.map((c) => (
              <li key={c.name}>
                {c.name}: {c.count}
              </li>
            ))}
          </ol>
        </Stack>
      )}
    </Paper>
  );
}
