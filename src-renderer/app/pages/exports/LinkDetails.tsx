import { Alert, Badge, Button, Checkbox, Code, Group, Loader, Paper, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExportLinkDetail, RevokeResult } from '../../../../src-main/contract/exports';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatLocal } from '../../../components/time';
import { call } from '../../api';
import { STATUS_COLOR } from './status';

/** The guided "investigate a suspicious export" flow: details → audit trail → revoke → incident notes. */
export function LinkDetails({ profile, id, onClose, onChanged }: { profile: string; id: string; onClose(): void; onChanged(): void }) {
  const { t, i18n } = useTranslation();
  const [d, setD] = useState<ExportLinkDetail | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);
  const when = (iso: string | null) => (iso ? formatLocal(iso, i18n.language) : '—');

  const load = useCallback(async () => {
    const r = await call('exports.show', { profile, id });
    if (r.ok) setD(r.value);
    else setError(r.error);
  }, [profile, id]);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="link-details-title">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id="link-details-title">
          {t('exportLinks.detailsTitle', { id })}
        </Title>
        <Button size="xs" variant="default" onClick={onClose}>
          {t('exportLinks.close')}
        </Button>
      </Group>
      <Text size="sm" c="dimmed" mb="sm">
        {t('exportLinks.steps')}
      </Text>
      {error && <ErrorAlert error={error} />}
      {!d && !error && <Loader size="sm" aria-label={t('app.loading')} />}
      {d && (
        <Stack gap="sm">
          <Group gap="xs">
            <Badge color={STATUS_COLOR[d.status]} variant="light">
              {t(`exportLinks.status.${d.status}`)}
            </Badge>
            <Text size="sm">{d.exportType}</Text>
          </Group>
          {d.pathProblem && <Alert color="red">{d.pathProblem}</Alert>}
          <Table withTableBorder>
            <Table.Tbody>
              <Fact label={t('exportLinks.facts.creator')} value={d.createdBy ? `${d.createdBy.displayName} (${d.createdBy.username})` : '?'} />
              <Fact label={t('exportLinks.facts.recipient')} value={d.recipient} />
              <Fact label={t('exportLinks.facts.clients')} value={String(d.clientCount)} />
              <Fact label={t('exportLinks.facts.flags')} value={[d.isElevated && t('exportLinks.elevatedBadge'), d.containsPii && t('exportLinks.piiBadge'), d.includesNotes && t('exportLinks.facts.notes')].filter(Boolean).join(', ') || '—'} />
              <Fact label={t('exportLinks.facts.created')} value={when(d.createdAt)} />
              <Fact label={t('exportLinks.facts.expires')} value={when(d.expiresAt)} />
              <Fact label={t('exportLinks.facts.file')} value={d.filePath} />
              <Table.Tr>
                <Table.Th scope="row">{t('exportLinks.facts.filters')}</Table.Th>
                <Table.Td>{d.filters === null ? <Text size="sm">{t('exportLinks.facts.notJson')} <Code>{d.filtersRaw}</Code></Text> : <Code block>{JSON.stringify(d.filters, null, 2)}</Code>}</Table.Td>
              </Table.Tr>
              <Fact label={t('exportLinks.facts.downloads')} value={`${d.downloadCount}${d.lastDownloadedAt ? ` — ${t('exportLinks.facts.lastDownload', { at: when(d.lastDownloadedAt), who: d.lastDownloadedBy?.displayName ?? '?' })}` : ''}`} />
              {d.revoked && <Fact label={t('exportLinks.facts.revoked')} value={t('exportLinks.facts.revokedBy', { at: when(d.revokedAt), who: d.revokedBy?.displayName ?? '?' })} />}
            </Table.Tbody>
          </Table>

          <Title order={3} size="h5">
            {t('exportLinks.trail.title')}
          </Title>
          {d.trailError ? (
            <Alert color="yellow">{t('exportLinks.trail.error', { message: d.trailError })}</Alert>
          ) : d.trail.length === 0 ? (
            <Text size="sm">{t('exportLinks.trail.empty')}</Text>
          ) : (
            <Table withTableBorder aria-label={t('exportLinks.trail.title')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('exportLinks.trail.at')}</Table.Th>
                  <Table.Th>{t('exportLinks.trail.who')}</Table.Th>
                  <Table.Th>{t('exportLinks.trail.what')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.trail.map((r) => (
                  <Table.Tr key={r.id} data-testid="trail-row">
                    <Table.Td>{when(r.at)}</Table.Td>
                    <Table.Td>{r.user}</Table.Td>
                    <Table.Td>
                      {r.action} / {r.resourceType}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}

          {d.revocations.length > 0 && (
            <>
              <Title order={3} size="h5">
                {t('exportLinks.revocations.title')}
              </Title>
              {d.revocations.map((r) => (
                <Text size="sm" key={r.id}>
                  {when(r.at)} — {r.byUser}: {r.reason} ({t(`exportLinks.revocations.state.${r.state}`)})
                </Text>
              ))}
            </>
          )}
          {!d.revoked && (
            <RevokeForm
              profile={profile}
              id={id}
              onRevoked={() => {
                void load();
                onChanged();
              }}
            />
          )}
          {d.revocations.filter((r) => r.state === 'done').map((r) => (
            <IncidentNotes key={r.id} profile={profile} recordId={r.id} initial={r.notes} />
          ))}
        </Stack>
      )}
    </Paper>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <Table.Tr>
      <Table.Th scope="row">{label}</Table.Th>
      <Table.Td>{value}</Table.Td>
    </Table.Tr>
  );
}

function RevokeForm({ profile, id, onRevoked }: { profile: string; id: string; onRevoked(): void }) {
  const { t, i18n } = useTranslation();
  const [reason, setReason] = useState('');
  const [asUser, setAsUser] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const [done, setDone] = useState<RevokeResult | null>(null);

  const revoke = async () => {
    setBusy(true);
    setError(null);
    const r = await call('exports.revoke', { profile, id, reason: reason.trim(), confirm: true, ...(asUser.trim() ? { asUser: asUser.trim() } : {}) });
    setBusy(false);
    if (r.ok) {
      setDone(r.value);
      onRevoked();
    } else setError(r.error);
  };

  if (done) {
    return (
      <Alert color="green" role="status">
        <Text size="sm">{t('exportLinks.revoke.done', { at: formatLocal(done.revokedAt, i18n.language), who: done.revokedBy.displayName, audit: done.auditRowId })}</Text>
        <Text size="sm">{t(`exportLinks.revoke.file.${done.file.action}`)}</Text>
      </Alert>
    );
  }
  return (
    <Stack gap="xs" component="section" aria-labelledby="revoke-title">
      <Title order={3} size="h5" id="revoke-title">
        {t('exportLinks.revoke.title')}
      </Title>
      <Text size="sm">{t('exportLinks.revoke.intro')}</Text>
      <Textarea label={t('exportLinks.revoke.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} required minRows={2} />
      <TextInput label={t('exportLinks.revoke.asUser')} value={asUser} onChange={(e) => setAsUser(e.currentTarget.value)} />
      <Checkbox label={t('exportLinks.revoke.confirm')} checked={confirmed} onChange={(e) => setConfirmed(e.currentTarget.checked)} />
      {error && <ErrorAlert error={error} />}
      <Group>
        <Button color="red" disabled={!confirmed || reason.trim().length < 3} loading={busy} onClick={() => void revoke()}>
          {t('exportLinks.revoke.button')}
        </Button>
      </Group>
    </Stack>
  );
}

function IncidentNotes({ profile, recordId, initial }: { profile: string; recordId: string; initial: string }) {
  const { t } = useTranslation();
  const [notes, setNotes] = useState(initial);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const save = async () => {
    setSaved(false);
    const r = await call('exports.notes', { profile, recordId, notes });
    if (r.ok) setSaved(true);
    else setError(r.error);
  };
  return (
    <Stack gap="xs">
      <Textarea label={t('exportLinks.incident.title')} placeholder={t('exportLinks.incident.placeholder')} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} minRows={3} />
      {error && <ErrorAlert error={error} />}
      <Group>
        <Button variant="default" onClick={() => void save()}>
          {t('exportLinks.incident.save')}
        </Button>
        {saved && (
          <Text size="sm" role="status">
            {t('exportLinks.incident.saved')}
          </Text>
        )}
      </Group>
    </Stack>
  );
}
