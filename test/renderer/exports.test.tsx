import { screen, within, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { CleanupResult, DeadlinesResult, ExportLink, ExportLinkDetail, ExportSummary } from '../../src-main/contract/exports';
import { createFakeApi } from './fake-api';
import { renderApp } from './render-app';
import { createI18n } from '../../src-renderer/i18n';

const PROFILE = { name: 'Office', main: { host: 'db', port: 5432, database: 'konote', user: 'u', sslmode: 'prefer' as const }, audit: { host: 'db', port: 5432, database: 'konote_audit', user: 'u', sslmode: 'prefer' as const }, schemas: ['public'], sandbox: false, createdAt: '2026-01-01T00:00:00Z' };
const ID_A = '11111111-1111-4111-8111-111111111111';
const ID_B = '22222222-2222-4222-8222-222222222222';
const user = (id: number, name: string) => ({ id, username: name.toLowerCase().replace(' ', ''), displayName: name });

const LINK: ExportLink = {
  id: ID_A, createdAt: '2026-03-10T14:00:00Z', expiresAt: '2026-03-11T14:00:00Z', exportType: 'individual_client', typeKnown: true, status: 'active', fileState: 'present', pathProblem: null,
  clientCount: 1, includesNotes: true, containsPii: true, isElevated: true, pendingUntil: '2026-03-10T14:10:00Z', recipient: 'Participant (self)', filename: 'x.pdf', downloadCount: 0,
  lastDownloadedAt: null, revoked: false, revokedAt: null, createdBy: user(4, 'Ana Roy'), revokedBy: null,
};
const LINK_B: ExportLink = { ...LINK, id: ID_B, status: 'file_unknown', fileState: 'unknown', exportType: 'metrics', isElevated: false, containsPii: false, createdBy: user(5, 'Léo Tran') };
const DETAIL: ExportLinkDetail = {
  ...LINK, filePath: '/srv/exports/x.pdf', filters: { client_id: 12 }, filtersRaw: '{"client_id": 12}', lastDownloadedBy: null, approvedAt: null, approvedBy: null, adminNotifiedAt: null, agencyNotes: '',
  trail: [{ id: 900, at: '2026-03-10T14:00:00Z', user: 'Ana Roy', action: 'export', resourceType: 'individual_client_export', metadata: { link_id: ID_A } }], trailError: null, revocations: [],
};

function fake(extra: Parameters<typeof createFakeApi>[0] = {}) {
  let detail = DETAIL;
  return createFakeApi({
    'profiles.list': () => ({ ok: true, value: [PROFILE] }),
    'exports.list': () => ({ ok: true, value: { folder: { exportDir: null, reachable: false, detail: 'No export folder is set for this deployment.' }, links: [LINK, LINK_B], truncated: false, unknownTypes: [], otherSchemas: [] } }),
    'exports.show': () => ({ ok: true, value: detail }),
    'exports.revoke': (input) => {
      detail = { ...DETAIL, revoked: true, status: 'revoked', revocations: [{ id: 'rec-1', at: '2026-03-10T15:00:00Z', byUser: 'Admin One', reason: (input as { reason: string }).reason, notes: '', state: 'done' }] };
      return { ok: true, value: { linkId: ID_A, revokedAt: '2026-03-10T15:00:00Z', revokedBy: user(1, 'Admin One'), auditRowId: 901, file: { action: 'not-reachable', detail: '' }, recordId: 'rec-1' } };
    },
    'exports.notes': (input) => ({ ok: true, value: { id: 'rec-1', at: '2026-03-10T15:00:00Z', byUser: 'Admin One', reason: 'r', notes: (input as { notes: string }).notes, state: 'done' } }),
    'exports.settings.get': () => ({ ok: true, value: { profile: 'Office', exportDir: null, serverExportDir: null, adminUsername: null, pendingDelayMinutes: 10 } }),
    ...extra,
  });
}

// Typing in jsdom is slow on a shared 2-core machine: the flows get room.
const FLOW = { timeout: 30_000 };

describe('export links page', () => {
  it('lists links with KoNote statuses, says when the export folder is unreachable, and sends filters', FLOW, async () => {
    const f = fake();
    renderApp('#/exports', f);
    const rows = await screen.findAllByTestId('export-link');
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByText('Active')).toBeInTheDocument();
    expect(within(rows[1]!).getByText('file unknown')).toBeInTheDocument();
    expect(screen.getByText(/cannot be reached from this computer/)).toBeInTheDocument();
    expect(screen.queryByTestId('other-link-schemas')).not.toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText('Status'), 'revoked');
    await userEvent.selectOptions(screen.getByLabelText('Elevated'), 'yes');
    await userEvent.type(screen.getByLabelText('Created by (user name)'), 'aroy');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(f.callsTo('exports.list').at(-1)).toEqual({ profile: 'Office', status: 'revoked', creator: 'aroy', elevated: true }));
  });

  it('says plainly when agency schemas hold export links it does not list', FLOW, async () => {
    const f = fake({ 'exports.list': () => ({ ok: true, value: { folder: { exportDir: '/srv/exports', reachable: true, detail: null }, links: [LINK], truncated: false, unknownTypes: [], otherSchemas: ['agency_a', 'agency_b'] } }) });
    renderApp('#/exports', f);
    expect(await screen.findByTestId('other-link-schemas')).toHaveTextContent('Not listed here: the export links of the agency schema(s) agency_a, agency_b.');
  });

  it('investigates a link: details, audit trail, revoke only after a reason and confirmation, then incident notes', FLOW, async () => {
    const f = fake();
    renderApp('#/exports', f);
    await userEvent.click(await screen.findByRole('button', { name: `Investigate ${ID_A}` }));
    expect(await screen.findByText('Participant (self)')).toBeInTheDocument();
    expect(screen.getByText(/"client_id": 12/)).toBeInTheDocument();
    expect(screen.getAllByTestId('trail-row')).toHaveLength(1);
    const revoke = screen.getByRole('button', { name: 'Revoke link' });
    expect(revoke).toBeDisabled();
    await userEvent.type(screen.getByLabelText(/Reason/), 'Wrong recipient');
    expect(revoke).toBeDisabled();
    await userEvent.click(screen.getByLabelText(/cannot be undone/));
    expect(revoke).toBeEnabled();
    await userEvent.click(revoke);
    expect(f.callsTo('exports.revoke')).toEqual([{ profile: 'Office', id: ID_A, reason: 'Wrong recipient', confirm: true }]);
    expect(await screen.findByText(/Wrong recipient \(done\)/)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Incident notes'), 'Called the funder.');
    await userEvent.click(screen.getByRole('button', { name: 'Save notes' }));
    expect(await screen.findByText('Notes saved.')).toBeInTheDocument();
    expect(f.callsTo('exports.notes')).toEqual([{ profile: 'Office', recordId: 'rec-1', notes: 'Called the funder.' }]);
  });

  it('shows a revoke error (typed, with its fix) and keeps the form', FLOW, async () => {
    renderApp('#/exports', fake({ 'exports.revoke': () => ({ ok: false, error: { kind: 'Conflict', message: 'This link was already revoked.', hint: 'Nothing was changed.' } }) }));
    await userEvent.click(await screen.findByRole('button', { name: `Investigate ${ID_A}` }));
    await userEvent.type(await screen.findByLabelText(/Reason/), 'Again');
    await userEvent.click(screen.getByLabelText(/cannot be undone/));
    await userEvent.click(screen.getByRole('button', { name: 'Revoke link' }));
    expect(await screen.findByText('This link was already revoked.')).toBeInTheDocument();
    expect(screen.getByTestId('error-hint')).toHaveTextContent('Nothing was changed.');
  });

  it('cleanup: dry run first, real run only after confirming; refused paths are shown', FLOW, async () => {
    const preview: CleanupResult = {
      dryRun: true, exportDir: '/srv/exports', cutoff: '2026-03-09T15:00:00Z', keptRevokedUnexpired: 1, auditRowId: null,
      expired: [
        { id: ID_B, expiresAt: '2026-03-01T00:00:00Z', revoked: false, filePath: '/srv/exports/b.csv', rowAction: 'would-delete', fileAction: 'would-delete', detail: '' },
        { id: ID_A, expiresAt: '2026-03-01T00:00:00Z', revoked: false, filePath: '/srv/exports/../../etc/passwd', rowAction: 'kept', fileAction: 'refused', detail: '' },
      ],
      orphans: [{ name: 'old.csv', action: 'would-delete', detail: '' }],
      refused: [{ linkId: ID_A, path: '/srv/exports/../../etc/passwd', reason: 'climbs out with ".."' }],
    };
    const f = fake({ 'exports.cleanup': (input) => ({ ok: true, value: (input as { dryRun: boolean }).dryRun ? preview : { ...preview, dryRun: false, auditRowId: 77 } }) });
    renderApp('#/exports', f);
    await userEvent.click(await screen.findByRole('button', { name: 'Preview (dry run)' }));
    expect(await screen.findAllByTestId('cleanup-row')).toHaveLength(2);
    expect(screen.getByText(/climbs out/)).toBeInTheDocument();
    const go = screen.getByRole('button', { name: 'Delete these links and files' });
    expect(go).toBeDisabled();
    await userEvent.click(screen.getByLabelText('I reviewed the list above.'));
    await userEvent.click(go);
    expect(await screen.findByText('Cleanup done. Audit row 77.')).toBeInTheDocument();
    expect(f.callsTo('exports.cleanup')).toEqual([{ profile: 'Office', dryRun: true }, { profile: 'Office', dryRun: false }]);
  });

  it('summary chart from the figures, and deadlines as a calendar list', FLOW, async () => {
    const summary: ExportSummary = { start: '2026-03-03', end: '2026-03-10', days: 7, total: 9, byType: [{ type: 'metrics', count: 5 }, { type: 'session_report', count: 4 }], elevated: 3, downloaded: 4, notDownloaded: 4, revoked: 1, topCreators: [{ name: 'Ana Roy', count: 5 }], subject: 'KoNote — Export Activity Summary (2026-03-03 to 2026-03-10)', text: '', recipients: ['it@example.org'], sent: false, dryRun: true };
    const deadlines: DeadlinesResult = { today: '2026-03-10', dryRun: true, emailsSent: 0, schedules: [
      { id: 1, name: 'Quarterly funder report', reportType: 'funder_report', frequency: 'quarterly', dueDate: '2026-03-15', reminderDaysBefore: 14, daysLeft: 5, isActive: true, inReminderWindow: true, bannerShownAt: null, emailSentAt: null, actions: ['banner', 'email'], emailTo: ['Ana Roy'], nextDueDate: null },
      { id: 2, name: 'Annual board report', reportType: 'board_report', frequency: 'annually', dueDate: '2026-09-30', reminderDaysBefore: 30, daysLeft: 204, isActive: true, inReminderWindow: false, bannerShownAt: null, emailSentAt: null, actions: [], emailTo: [], nextDueDate: null },
    ] };
    const f = fake({ 'exports.summary': () => ({ ok: true, value: summary }), 'exports.deadlines': () => ({ ok: true, value: deadlines }) });
    renderApp('#/exports', f);
    await userEvent.click(await screen.findByRole('button', { name: 'Show summary' }));
    const chart = await screen.findByRole('img', { name: 'Exports by type' });
    const bars = within(chart as unknown as HTMLElement).getAllByTestId('chart-bar');
    expect(bars).toHaveLength(2);
    const widths = bars.map((b) => Number(b.querySelector('rect')!.getAttribute('width')));
    expect(widths[0]).toBeGreaterThan(widths[1]!);
    expect(screen.getByTestId('summary-total')).toHaveTextContent('9');
    expect(f.callsTo('exports.summary')).toEqual([{ profile: 'Office', days: 7, dryRun: true }]);
    await userEvent.click(screen.getByRole('button', { name: 'Check deadlines' }));
    const items = await screen.findAllByTestId('deadline');
    expect(items).toHaveLength(2);
    expect(within(items[0]!).getByText('in 5 day(s)')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: /March 2026/ })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: /September 2026/ })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Send reminders and update' }));
    expect(f.callsTo('exports.deadlines')).toEqual([{ profile: 'Office', dryRun: true }, { profile: 'Office', dryRun: false }]);
  });

  it('has every export text in French', () => {
    const fr = createI18n('fr');
    expect(fr.t('exportLinks.status.file_missing')).toBe('Fichier manquant');
    expect(fr.t('exportLinks.revoke.button')).toBe('Révoquer le lien');
  });
});
