import { Alert, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { EndpointTest, ProfileTest } from '../../src-main/contract/profiles';
import { ErrorAlert } from './ErrorAlert';

function Endpoint({ test, title }: { test: EndpointTest; title: string }) {
  const { t } = useTranslation();
  const yesNo = (v: boolean | null) => (v === null ? t('connection.unknown') : v ? t('app.yes') : t('app.no'));
  return (
    <Paper withBorder p="sm">
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      <Table>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th scope="row">{t('connection.reachable')}</Table.Th>
            <Table.Td>{yesNo(test.reachable)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">{t('connection.version')}</Table.Th>
            <Table.Td data-testid={`version-${test.role}`}>{test.serverVersion ?? t('connection.unknown')}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">{t('connection.user')}</Table.Th>
            <Table.Td>{test.user}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="row">{t('connection.superuser')}</Table.Th>
            <Table.Td>{yesNo(test.superuser)}</Table.Td>
          </Table.Tr>
          {test.role === 'audit' && (
            <Table.Tr>
              <Table.Th scope="row">{t('connection.auditOwner')}</Table.Th>
              <Table.Td>{test.auditLogOwner ?? t('connection.unknown')}</Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
      {test.latencyMs !== null && (
        <Text size="xs" c="dimmed" mt={4}>
          {t('connection.latency', { ms: Math.round(test.latencyMs) })}
        </Text>
      )}
      {test.error && (
        <Stack mt="xs">
          <ErrorAlert error={test.error} />
        </Stack>
      )}
    </Paper>
  );
}

/** The result of profiles.test: both endpoints side by side, with errors and their hints. */
export function ConnectionResult({ result }: { result: ProfileTest }) {
  const { t } = useTranslation();
  return (
    <Stack gap="sm" aria-live="polite">
      <Alert color={result.ok ? 'green' : 'orange'} variant="light" title={t('connection.title')}>
        {result.ok ? t('connection.ok') : t('connection.failed')}
      </Alert>
      {/* Plain CSS grid: Mantine's SimpleGrid injects a <style> tag, which our CSP forbids. */}
      <div className="two-columns">
        <Endpoint test={result.main} title={t('connection.main')} />
        <Endpoint test={result.audit} title={t('connection.audit')} />
      </div>
    </Stack>
  );
}
