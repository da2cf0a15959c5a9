import { Alert, Button, Group, List, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import type { AzureConfig, AzureWindow } from '../../../../src-main/contract/pitr';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatLocal } from '../../../components/time';
import { call } from '../../api';
import { PitrAzureConfig } from './PitrAzureConfig';
import { PitrAzureJob } from './PitrAzureJob';
import { useParsedTarget } from './useParsedTarget';

/** The newest of the servers' earliest restore points: the moment every server can go back to. */
export function azureEarliest(win: AzureWindow): string | null {
  const points = win.servers.map((s) => s.earliestRestore);
  if (points.length === 0 || points.some((p) => !p)) return null;
  return (points as string[]).reduce((a, b) => (a > b ? a : b));
}

/**
 * Azure Database for PostgreSQL Flexible Server: Azure's own backups restore to a *new* server,
 * never over the old one. Servers, window (earliest restore point, retention), the moment in local
 * time and UTC, the new server names typed back, then the pitr.azureRestore job and its follow-ups.
 */
export function PitrAzurePanel({ profile }: { profile: string }) {
  const { t, i18n } = useTranslation();
  const [cfg, setCfg] = useState<AzureConfig | null>(null);
  const [win, setWin] = useState<AzureWindow | null>(null);
  const [input, setInput] = useState('');
  const { target, parseError } = useParsedTarget(input);
  const [newMain, setNewMain] = useState('');
  const [newAudit, setNewAudit] = useState('');
  const [confirm, setConfirm] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);

  const loadWindow = async () => {
    setError(null);
    const res = await call('pitr.azure.window', { profile });
    if (res.ok) setWin(res.value);
    else setError(res.error);
  };
  const configChanged = (next: AzureConfig | null) => {
    setCfg(next);
    setWin(null);
  };

  const earliest = win ? azureEarliest(win) : null;
  const latest = win?.servers[0]?.latest ?? null;
  const inside = !!(target && earliest && latest && target.utc >= earliest && target.utc <= latest);
  const needsAudit = !!cfg?.auditServer;
  const main = newMain.trim();
  const namesOk = !!main && (!needsAudit || !!newAudit.trim());
  const confirmed = !!main && confirm.trim() === main;
  const start = async () => {
    if (!target) return;
    setError(null);
    const res = await call('jobs.start', { kind: 'pitr.azureRestore', profile, targetUtc: target.utc, newMainServer: main, newAuditServer: needsAudit ? newAudit.trim() : null, updateProfile: true });
    if (res.ok) setJobId(res.value.jobId);
    else setError(res.error);
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="pitr-azure-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="pitr-azure-title">
          {t('pitr.azure.title')}
        </Title>
        <Text size="sm">{t('pitr.azure.intro')}</Text>
        <Alert color="orange" variant="light" title={t('pitr.dangersTitle')}>
          <List size="sm" spacing={4}>
            {(['newServer', 'cost', 'firewall', 'lost'] as const).map((k) => (
              <List.Item key={k}>{t(`pitr.azure.dangers.${k}`)}</List.Item>
            ))}
          </List>
        </Alert>
        <PitrAzureConfig profile={profile} onChange={configChanged} />
        <Group>
          <Button variant="default" onClick={() => void loadWindow()} disabled={!cfg}>
            {t('pitr.azure.loadWindow')}
          </Button>
        </Group>
        {win && (
          <Table data-testid="pitr-azure-window">
            <Table.Caption>{t('pitr.azure.windowCaption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('pitr.azure.colServer')}</Table.Th>
                <Table.Th>{t('pitr.azure.colState')}</Table.Th>
                <Table.Th>{t('pitr.azure.colEarliest')}</Table.Th>
                <Table.Th>{t('pitr.azure.colRetention')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {win.servers.map((s) => (
                <Table.Tr key={s.role}>
                  <Table.Td>{s.server}</Table.Td>
                  <Table.Td>{s.state}</Table.Td>
                  <Table.Td>{s.earliestRestore ? formatLocal(s.earliestRestore, i18n.language) : '—'}</Table.Td>
                  <Table.Td>{s.retentionDays === null ? '—' : t('pitr.azure.days', { count: s.retentionDays })}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <TextInput label={t('pitr.azure.time')} description={t('pitr.recover.timeHelp')} value={input} onChange={(e) => setInput(e.currentTarget.value)} />
        {target && (
          <Stack gap={2} role="status">
            <Text size="sm" fw={600}>
              {t('pitr.recover.local', { value: target.local })}
            </Text>
            <Text size="sm" fw={600}>
              {t('pitr.recover.utc', { value: target.utc })}
            </Text>
            {target.note && <Text size="sm">{target.note}</Text>}
          </Stack>
        )}
        {parseError && <ErrorAlert error={parseError} />}
        {target && win && !inside && (
          <Alert color="red" variant="light" role="alert">
            {t('pitr.azure.outside')}
          </Alert>
        )}
        <Group grow align="flex-start">
          <TextInput label={t('pitr.azure.newMain')} description={t('pitr.azure.newHelp')} value={newMain} onChange={(e) => setNewMain(e.currentTarget.value)} />
          {needsAudit && <TextInput label={t('pitr.azure.newAudit')} value={newAudit} onChange={(e) => setNewAudit(e.currentTarget.value)} />}
        </Group>
        {main && <TextInput label={t('pitr.azure.confirmLabel', { name: main })} value={confirm} onChange={(e) => setConfirm(e.currentTarget.value)} autoComplete="off" />}
        <Group>
          <Button onClick={() => void start()} disabled={!target || !inside || !namesOk || !confirmed || !!jobId}>
            {t('pitr.azure.start')}
          </Button>
        </Group>
        {error && <ErrorAlert error={error} />}
        {jobId && <PitrAzureJob jobId={jobId} />}
      </Stack>
    </Paper>
  );
}
