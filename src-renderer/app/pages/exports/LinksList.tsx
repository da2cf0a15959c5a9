import { Alert, Badge, Button, Group, Loader, NativeSelect, Paper, Table, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EXPORT_TYPES, LINK_STATUSES, type ExportList, type ExportListInput } from '../../../../src-main/contract/exports';
import type { AppErrorData } from '../../../../src-main/contract/errors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatLocal } from '../../../components/time';
import { call } from '../../api';
import { STATUS_COLOR } from './status';

type YesNo = '' | 'yes' | 'no';
interface Filters {
  status: string;
  type: string;
  creator: string;
  from: string;
  to: string;
  elevated: YesNo;
  pii: YesNo;
}
const EMPTY: Filters = { status: '', type: '', creator: '', from: '', to: '', elevated: '', pii: '' };
const yn = (v: YesNo) => (v === '' ? undefined : v === 'yes');

export function toListInput(profile: string, f: Filters): ExportListInput {
  return {
    profile,
    ...(f.status ? { status: f.status as ExportListInput['status'] } : {}),
    ...(f.type ? { type: f.type as ExportListInput['type'] } : {}),
    ...(f.creator.trim() ? { creator: f.creator.trim() } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
    ...(yn(f.elevated) !== undefined ? { elevated: yn(f.elevated) } : {}),
    ...(yn(f.pii) !== undefined ? { pii: yn(f.pii) } : {}),
  };
}

/** The filters and the list of links, newest first, with KoNote's statuses. */
export function LinksList({ profile, reload, onSelect }: { profile: string; reload: number; onSelect(id: string): void }) {
  const { t, i18n } = useTranslation();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [list, setList] = useState<ExportList | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);

  const load = useCallback(async () => {
    const r = await call('exports.list', toListInput(profile, applied));
    if (r.ok) {
      setList(r.value);
      setError(null);
    } else setError(r.error);
  }, [profile, applied]);

  useEffect(() => {
    void load();
  }, [load, reload]);

  const set = (k: keyof Filters) => (e: { currentTarget: { value: string } }) => {
    const v = e.currentTarget.value;
    setDraft((d) => ({ ...d, [k]: v }));
  };
  const yesNo = [
    { value: '', label: t('exportLinks.filters.any') },
    { value: 'yes', label: t('exportLinks.filters.yes') },
    { value: 'no', label: t('exportLinks.filters.no') },
  ];

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="links-title">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id="links-title">
          {t('exportLinks.title')}
        </Title>
        <Button size="xs" variant="default" onClick={() => void load()}>
          {t('exportLinks.refresh')}
        </Button>
      </Group>
      <form
        aria-label={t('exportLinks.filters.title')}
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(draft);
        }}
      >
        <Group align="end" gap="xs" mb="sm" wrap="wrap">
          <NativeSelect label={t('exportLinks.filters.status')} value={draft.status} onChange={set('status')} data={[{ value: '', label: t('exportLinks.filters.any') }, ...LINK_STATUSES.map((s) => ({ value: s, label: t(`exportLinks.status.${s}`) }))]} />
          <NativeSelect label={t('exportLinks.filters.type')} value={draft.type} onChange={set('type')} data={[{ value: '', label: t('exportLinks.filters.any') }, ...EXPORT_TYPES.map((x) => ({ value: x, label: x }))]} />
          <TextInput label={t('exportLinks.filters.creator')} value={draft.creator} onChange={set('creator')} />
          <TextInput type="date" label={t('exportLinks.filters.from')} value={draft.from} onChange={set('from')} />
          <TextInput type="date" label={t('exportLinks.filters.to')} value={draft.to} onChange={set('to')} />
          <NativeSelect label={t('exportLinks.filters.elevated')} value={draft.elevated} onChange={set('elevated')} data={yesNo} />
          <NativeSelect label={t('exportLinks.filters.pii')} value={draft.pii} onChange={set('pii')} data={yesNo} />
          <Button type="submit">{t('exportLinks.filters.apply')}</Button>
        </Group>
      </form>
      {error && <ErrorAlert error={error} />}
      {!list && !error && <Loader size="sm" aria-label={t('app.loading')} />}
      {list && (
        <>
          {list.folder.reachable ? (
            <Text size="sm" c="dimmed" mb="xs">
              {t('exportLinks.folderReachable', { dir: list.folder.exportDir })}
            </Text>
          ) : (
            <Alert color="yellow" variant="light" mb="xs">
              {t('exportLinks.folderUnreachable', { detail: list.folder.detail ?? '' })}
            </Alert>
          )}
          {list.otherSchemas.length > 0 && (
            <Alert color="yellow" variant="light" mb="xs" data-testid="other-link-schemas">
              {t('exportLinks.otherSchemas', { schemas: list.otherSchemas.join(', ') })}
            </Alert>
          )}
          {list.unknownTypes.length > 0 && (
            <Alert color="yellow" variant="light" mb="xs">
              {t('exportLinks.unknownTypes', { types: list.unknownTypes.join(', ') })}
            </Alert>
          )}
          {list.links.length === 0 ? (
            <Text>{t('exportLinks.empty')}</Text>
          ) : (
            <Table striped withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  {(['status', 'created', 'type', 'clients', 'creator', 'downloads', 'actions'] as const).map((c) => (
                    <Table.Th key={c}>{t(`exportLinks.col.${c}`)}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.links.map((l) => (
                  <Table.Tr key={l.id} data-testid="export-link">
                    <Table.Td>
                      <Badge color={STATUS_COLOR[l.status]} variant="light">
                        {t(`exportLinks.status.${l.status}`)}
                      </Badge>
                      {l.pathProblem && (
                        <Text size="xs" c="red">
                          {t('exportLinks.pathProblem')}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{formatLocal(l.createdAt, i18n.language)}</Table.Td>
                    <Table.Td>{l.exportType}</Table.Td>
                    <Table.Td>
                      {l.clientCount} {l.isElevated && <Badge size="xs" color="orange">{t('exportLinks.elevatedBadge')}</Badge>} {l.containsPii && <Badge size="xs" color="red">{t('exportLinks.piiBadge')}</Badge>}
                    </Table.Td>
                    <Table.Td>{l.createdBy?.displayName ?? '?'}</Table.Td>
                    <Table.Td>{l.downloadCount}</Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="light" onClick={() => onSelect(l.id)} aria-label={`${t('exportLinks.details')} ${l.id}`}>
                        {t('exportLinks.details')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {list.truncated && (
            <Text size="sm" mt="xs">
              {t('exportLinks.truncated')}
            </Text>
          )}
        </>
      )}
    </Paper>
  );
}
