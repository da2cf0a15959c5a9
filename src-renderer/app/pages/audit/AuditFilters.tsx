import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditFilterInput, SavedQuery } from '../../../../src-main/contract/audit';

/** What the user asked for: a filter (plain data; the core binds every value) and an optional saved query. */
export interface AuditRequest {
  filter: AuditFilterInput;
  saved: string | null;
}

const PERIODS = ['24h', '7d', '30d', '90d', '365d', 'custom'] as const;
type Period = (typeof PERIODS)[number];
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

/** The filter form. Empty fields are left out; the period becomes `since` or a from/to pair. */
export function AuditFilters({ saved, busy, onSearch }: { saved: SavedQuery[]; busy: boolean; onSearch(r: AuditRequest): void }) {
  const { t } = useTranslation();
  const [savedName, setSavedName] = useState('');
  const [period, setPeriod] = useState<Period>('7d');
  const [f, setF] = useState({ from: '', to: '', user: '', action: '', resourceType: '', program: '', ip: '', text: '' });
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof f) => (e: { currentTarget: { value: string } }) => setF({ ...f, [k]: e.currentTarget.value });
  const needsUser = saved.find((q) => q.name === savedName)?.needsUser ?? false;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (needsUser && !f.user.trim()) return setError(t('auditPage.needsUser'));
    setError(null);
    const program = f.program.trim() ? Number(f.program) : null;
    onSearch({
      saved: savedName || null,
      filter: {
        ...(period === 'custom' ? { from: f.from || null, to: f.to || null } : { since: period }),
        user: f.user.trim() || null,
        actions: list(f.action),
        resourceTypes: list(f.resourceType),
        programId: program !== null && Number.isInteger(program) && program >= 0 ? program : null,
        ip: f.ip.trim() || null,
        text: f.text.trim() || null,
      },
    });
  };

  return (
    <form onSubmit={submit} aria-label={t('auditPage.filters')}>
      {/* A CSS grid class, not Mantine's SimpleGrid: responsive SimpleGrid injects a <style> tag our CSP blocks. */}
      <div className="audit-filter-grid">
        <NativeSelect
          label={t('auditPage.saved')}
          value={savedName}
          onChange={(e) => setSavedName(e.currentTarget.value)}
          data={[{ value: '', label: t('auditPage.savedNone') }, ...saved.map((q) => ({ value: q.name, label: t(`auditPage.savedNames.${q.name}`, { defaultValue: q.title }) }))]}
        />
        <NativeSelect label={t('auditPage.since')} value={period} onChange={(e) => setPeriod(e.currentTarget.value as Period)} data={PERIODS.map((p) => ({ value: p, label: t(`auditPage.sinceOptions.${p}`) }))} />
        {period === 'custom' && <TextInput type="datetime-local" label={t('auditPage.from')} value={f.from} onChange={set('from')} />}
        {period === 'custom' && <TextInput type="datetime-local" label={t('auditPage.to')} value={f.to} onChange={set('to')} />}
        <TextInput label={t('auditPage.user')} value={f.user} onChange={set('user')} error={error ?? undefined} maxLength={255} />
        <TextInput label={t('auditPage.action')} description={t('auditPage.actionHelp')} value={f.action} onChange={set('action')} />
        <TextInput label={t('auditPage.resourceType')} value={f.resourceType} onChange={set('resourceType')} />
        <TextInput label={t('auditPage.program')} value={f.program} onChange={set('program')} inputMode="numeric" />
        <TextInput label={t('auditPage.ip')} value={f.ip} onChange={set('ip')} />
        <TextInput label={t('auditPage.text')} value={f.text} onChange={set('text')} maxLength={200} />
      </div>
      <Group mt="sm">
        <Button type="submit" loading={busy}>
          {busy ? t('auditPage.searching') : t('auditPage.search')}
        </Button>
      </Group>
    </form>
  );
}
