import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SettingsSchema } from '../../src-main/contract/channels';
import type { AuditPage as AuditPageData, AuditRow, SavedQuery, SecurityReport } from '../../src-main/contract/audit';
import type { JobSummary } from '../../src-main/contract/jobs';
import { visibleWindow } from '../../src-renderer/app/pages/audit/AuditResults';
import { createFakeApi } from './fake-api';
import { renderApp } from './render-app';

const PROFILE = { name: 'Office', main: { host: 'db', port: 5432, database: 'konote', user: 'u', sslmode: 'prefer' as const }, audit: { host: 'db', port: 5432, database: 'konote_audit', user: 'u', sslmode: 'prefer' as const }, schemas: ['public'], sandbox: false, createdAt: '2026-01-01T00:00:00Z' };
const blank = { since: null, from: null, to: null, user: null, actions: [], resourceTypes: [], excludeResourceTypes: [], programId: null, ip: null, text: null, linkId: null };
const SAVED: SavedQuery[] = [
  { name: 'failed-logins', title: 'Failed logins (7 days)', description: '', needsUser: false, filter: { ...blank, since: '7d', actions: ['login_failed'] } },
  { name: 'user-activity', title: 'Everything one user did (30 days)', description: '', needsUser: true, filter: { ...blank, since: '30d' } },
];
const row = (id: number, over: Partial<AuditRow> = {}): AuditRow => ({
  id: String(id), eventTimestamp: new Date(Date.UTC(2026, 5, 1, 12, 0, id)).toISOString(), userId: 7, userDisplay: 'Alice Martin', ipAddress: '10.0.0.5', action: 'view', resourceType: 'client_file', resourceId: 12, programId: 3,
  oldValues: null, newValues: { status: 'active' }, metadata: { path: '/clients/12/', note: 'hello' }, isDemoContext: false, isConfidentialContext: true, tenantSchema: '', ...over,
});
const page = (ids: number[], next: string | null): AuditPageData => ({ rows: ids.map((i) => row(i)), nextCursor: next, range: { fromUtc: null, toUtc: null, firstId: '1', lastId: '500' }, elapsedMs: 4.2 });

function fakeAudit(extra: Parameters<typeof createFakeApi>[0] = {}) {
  return createFakeApi({
    'profiles.list': () => ({ ok: true, value: [PROFILE] }),
    'audit.savedQueries': () => ({ ok: true, value: SAVED }),
    'audit.query': (input) => {
      const before = (input as { beforeId: string | null }).beforeId;
      return { ok: true, value: before ? page([100, 99], null) : page(Array.from({ length: 200 }, (_, i) => 500 - i), '301') };
    },
    'audit.activity': () => ({ ok: true, value: { timeZone: 'UTC', buckets: [{ day: '2026-06-01', action: 'view', count: 40 }, { day: '2026-06-01', action: 'login', count: 5 }, { day: '2026-06-02', action: 'view', count: 12 }] } }),
    'audit.checkpoints': () => ({ ok: true, value: [] }),
    'jobs.start': () => ({ ok: true, value: { jobId: 'job-1' } }),
    ...extra,
  });
}

describe('audit log page', () => {
  it('searches with the filters, shows only a window of rows, pages by keyset, and shows a row’s detail', async () => {
    const user = userEvent.setup();
    const fake = fakeAudit();
    renderApp('#/audit', fake);
    await user.type(await screen.findByLabelText('User (id or part of the name)'), `O'Brien; DROP`);
    await user.type(screen.getByLabelText(/^Action/), 'login, login_failed');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(fake.callsTo('audit.query')[0]).toMatchObject({ profile: 'Office', beforeId: null, saved: null, filter: { since: '7d', user: `O'Brien; DROP`, actions: ['login', 'login_failed'] } });
    expect(await screen.findByText(/200 rows shown/)).toBeTruthy();
    // Virtualised: 200 rows loaded, far fewer in the DOM.
    const shown = screen.getAllByTestId('audit-row');
    expect(shown.length).toBeLessThan(60);
    expect(shown.length).toBe(visibleWindow(0, 200).end);
    // Keyset paging: the next page starts below the cursor.
    await user.click(screen.getByRole('button', { name: 'Load older rows' }));
    expect(fake.callsTo('audit.query')[1]).toMatchObject({ beforeId: '301' });
    expect(await screen.findByText(/202 rows shown/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load older rows' })).toBeNull();
    // Row detail: metadata and new values pretty-printed; the confidential context named.
    await user.click(within(screen.getAllByTestId('audit-row')[0]!).getByRole('button'));
    expect(screen.getByRole('heading', { name: 'Row 500' })).toBeTruthy();
    expect(screen.getByText(/"note": "hello"/)).toBeTruthy();
    expect(screen.getByText(/"status": "active"/)).toBeTruthy();
    expect(screen.getByText('confidential program')).toBeTruthy();
    // Activity chart with a text title per day.
    expect(screen.getByRole('img', { name: 'Activity by day' })).toBeTruthy();
    expect(screen.getByText('2026-06-01: 45 rows')).toBeTruthy();
  }, 20_000);

  it('asks for a user before running a saved query that needs one', async () => {
    const user = userEvent.setup();
    const fake = fakeAudit();
    renderApp('#/audit', fake);
    await user.selectOptions(await screen.findByLabelText('Saved query'), 'user-activity');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByText('This saved query needs a user.')).toBeTruthy();
    expect(fake.callsTo('audit.query')).toHaveLength(0);
    await user.type(screen.getByLabelText('User (id or part of the name)'), 'bob');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(fake.callsTo('audit.query')[0]).toMatchObject({ saved: 'user-activity', filter: { user: 'bob' } });
  }, 15_000);

  it('shows a typed error from the core with its fix', async () => {
    const user = userEvent.setup();
    const fake = fakeAudit({ 'audit.query': () => ({ ok: false, error: { kind: 'Validation', message: '"1.2.3.999" is not an IP address or block.', hint: 'Write an address such as 192.168.1.20.' } }) });
    renderApp('#/audit', fake);
    await user.type(await screen.findByLabelText('IP address or block'), '1.2.3.999');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByText(/is not an IP address/)).toBeTruthy();
    expect(screen.getByText(/192\.168\.1\.20/)).toBeTruthy();
  });

  it('exports the current query to CSV as a job', async () => {
    const user = userEvent.setup();
    const fake = fakeAudit();
    renderApp('#/audit', fake);
    await user.click(await screen.findByRole('button', { name: 'Search' }));
    await user.type(screen.getByLabelText('File to write'), '/home/me/audit.csv');
    await user.click(screen.getByRole('button', { name: 'Export' }));
    expect(fake.callsTo('jobs.start')).toContainEqual({ kind: 'audit.export', profile: 'Office', filter: expect.objectContaining({ since: '7d' }), saved: null, out: '/home/me/audit.csv' });
  }, 15_000);

  it('is translated into French', async () => {
    const fake = fakeAudit({ 'settings.get': () => ({ ok: true, value: SettingsSchema.parse({ language: 'fr' }) }) });
    renderApp('#/audit', fake);
    expect(await screen.findByRole('button', { name: 'Chercher' })).toBeTruthy();
    expect(screen.getByLabelText('Requête enregistrée')).toBeTruthy();
  });
});

describe('security check page', () => {
  const report: SecurityReport = {
    timestamp: '2026-06-01T12:00:00Z',
    profile: 'Office',
    summary: { passed: 1, warnings: 1, failed: 1, skipped: 0 },
    results: [
      { check_id: 'ENC003', category: 'ENC', description: 'Stored values decrypt with the key list (every encrypted column)', status: 'FAIL', detail: '3 of 900 values did not decrypt.', fix: 'Find the key list these values were encrypted with.' },
      { check_id: 'AUD002', category: 'AUD', description: 'Audit rows written in the last 24 hours', status: 'PASS', detail: 'KoNote wrote audit rows.', fix: null },
      { check_id: 'BAK002', category: 'BAK', description: 'A restore drill passed in the last 30 days', status: 'WARN', detail: 'No drill recorded.', fix: 'Rehearse a restore: custodian drill.' },
    ],
  };
  const job = (over: Partial<JobSummary>): JobSummary => ({ id: 'job-1', kind: 'security.audit', title: 'Security check', state: 'running', progress: { fraction: 0.3, message: 'Decrypting a sample' }, createdAt: '2026-06-01T12:00:00Z', startedAt: null, finishedAt: null, error: null, result: null, ...over });

  it('runs the check as a job and shows a checklist by category, each problem with its fix', async () => {
    const user = userEvent.setup();
    const fake = fakeAudit();
    renderApp('#/security', fake);
    await user.click(await screen.findByLabelText('Decrypt every row (slower) instead of a sample'));
    await user.click(screen.getByRole('button', { name: 'Run the security check' }));
    expect(fake.callsTo('jobs.start')).toContainEqual({ kind: 'security.audit', profile: 'Office', categories: ['ENC', 'RBAC', 'AUD', 'BAK'], full: true, sample: 50 });
    act(() => fake.emit({ type: 'state', jobId: 'job-1', job: job({}) }));
    expect(await screen.findByText('Checking… Decrypting a sample')).toBeTruthy();
    act(() => fake.emit({ type: 'state', jobId: 'job-1', job: job({ state: 'succeeded', result: report, progress: { fraction: 1, message: 'Done' } }) }));
    expect(await screen.findByText(/1 passed, 1 warnings, 1 failed, 0 skipped/)).toBeTruthy();
    const items = screen.getAllByTestId('security-check');
    expect(items.map((i) => i.getAttribute('data-status'))).toEqual(['FAIL', 'PASS', 'WARN']);
    expect(within(items[0]!).getByText(/Find the key list/)).toBeTruthy();
    expect(within(items[1]!).queryByText('How to fix:')).toBeNull();
    expect(screen.getByRole('heading', { name: 'Encryption and keys' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Roles and access' })).toBeNull();
  });
});
