import { describe, it, expect } from 'vitest';
import { buildPgRestoreArgs, buildPsqlRestoreArgs, isScratchName, scratchNames } from '../../src-main/core/drill/restore-args';
import { diagnose, diagnoseAll } from '../../src-main/core/drill/troubleshoot';
import { judgeLockdown, lockdownStatements, type LockdownFacts } from '../../src-main/core/drill/lockdown';
import { overallStatus } from '../../src-main/core/drill/verify/verify-suite';
import { drillLogCsv, renderDrillReportHtml, formatDuration } from '../../src-main/core/drill/report';
import { countsCheck, tablesCheck } from '../../src-main/core/drill/verify/db-checks';
import type { DrillSummary } from '../../src-main/contract/drills';
import type { BackupFile } from '../../src-main/core/backup/manifest';
import { jobsForFile } from '../../src-main/core/drill/restore-set';

describe('pg_restore / psql argument builders', () => {
  it('always restores without owners or privileges, parallel only from a file, password never in argv', () => {
    const a = buildPgRestoreArgs({ database: 'custodian_drill_x_main', jobs: 2, file: '/tmp/w/main.dump', clean: false });
    expect(a).toEqual(['--no-password', '--no-owner', '--no-privileges', '--verbose', '--jobs=2', "--dbname=dbname='custodian_drill_x_main'", '--', '/tmp/w/main.dump']);
    const stdin = buildPgRestoreArgs({ database: 'konote', jobs: 4, file: null, clean: true });
    expect(stdin).toContain('--clean');
    expect(stdin).toContain('--if-exists');
    expect(stdin.some((x) => x.startsWith('--jobs'))).toBe(false); // pg_restore cannot run -j on stdin
    expect(stdin.at(-1)).toBe("--dbname=dbname='konote'");
    expect(buildPsqlRestoreArgs('konote')).toContain('--no-psqlrc');
  });
  it('refuses a database name that could be read as an option or a connection string', () => {
    expect(() => buildPgRestoreArgs({ database: '--file=/etc/passwd', jobs: 1, file: null, clean: false })).toThrow(/invalid database/);
    expect(() => buildPgRestoreArgs({ database: "x' host=evil", jobs: 1, file: null, clean: false })).toThrow(/invalid database/);
    expect(() => buildPsqlRestoreArgs('a b')).toThrow(/invalid database/);
  });
  it('scratch names carry the fixed prefix; production names are never scratch names', () => {
    const n = scratchNames('20261130T145409123Z');
    expect(n).toEqual({ main: 'custodian_drill_20261130t145409123z_main', audit: 'custodian_drill_20261130t145409123z_audit' });
    expect(n.main.length).toBeLessThanOrEqual(63);
    expect(isScratchName(n.audit)).toBe(true);
    expect(isScratchName('konote')).toBe(false);
    expect(isScratchName('konote_audit')).toBe(false);
  });
});

describe('restore jobs per file', () => {
  it('loads a database in parallel unless one table holds nearly all its rows', () => {
    expect(jobsForFile({ 'public.audit_log': 3_000_000, 'public.django_migrations': 7 }, 2)).toBe(1);
    expect(jobsForFile({ 'public.progress_notes': 300_000, 'public.client_files': 60_000, 'public.users': 300 }, 2)).toBe(2);
    expect(jobsForFile({ 'public.a': 50, 'public.b': 50 }, 4)).toBe(4);
    // No estimates (an empty database, or a manifest without them): the machine's default.
    expect(jobsForFile({}, 2)).toBe(2);
    expect(jobsForFile({ 'public.a': 0, 'public.b': -1 }, 3)).toBe(3);
  });
});

describe('troubleshooting the runbook’s known failures', () => {
  it.each([
    ['pg_restore: error: could not execute query: ERROR:  permission denied for table audit_log', 'permission-audit', false],
    ['ERROR:  role "konote_owner" does not exist', 'role-missing', true],
    ['ERROR:  invalid byte sequence for encoding "UTF8": 0xe9 0x74', 'encoding', false],
    ['pg_restore: error: unsupported version (1.15) in file header', 'version', false],
    ['ERROR:  relation "users" already exists', 'exists', false],
    ['ERROR:  schema "public" already exists', 'public-schema', true],
    ['DecryptionError: [DECRYPTION ERROR]', 'decryption', false],
    ['pg_restore: error: could not read from input file: end of file', 'truncated', false],
  ])('%s → %s', (line, id, harmless) => {
    expect(diagnose(line)).toMatchObject({ id, harmless });
  });
  it('lists distinct causes, harmful first, and knows nothing of unrelated lines', () => {
    const d = diagnoseAll(['ERROR:  role "x" does not exist', 'ERROR:  relation "a" already exists', 'ERROR:  relation "b" already exists']);
    expect(d.map((x) => x.id)).toEqual(['exists', 'role-missing']);
    expect(diagnose('pg_restore: processing data for table "public.users"')).toBeNull();
  });
});

const facts = (o: Partial<LockdownFacts> = {}): LockdownFacts => ({ owner: 'audit_owner', writerIsSuperuser: false, writerIsOwner: false, writerMemberOfOwner: false, writerGrantOption: false, writerPrivileges: ['SELECT', 'INSERT'], readerExists: true, readerPrivileges: ['SELECT'], ...o });

describe('audit lockdown judgement', () => {
  it('KoNote’s statements, quoted, with audit_reader only when it exists', () => {
    expect(lockdownStatements('audit_writer', true)).toEqual(['REVOKE ALL ON audit_log FROM "audit_writer"', 'GRANT SELECT, INSERT ON audit_log TO "audit_writer"', 'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "audit_writer"', 'GRANT SELECT ON audit_log TO "audit_reader"']);
    expect(lockdownStatements('we"ird', false)).toHaveLength(3);
    expect(lockdownStatements('we"ird', false)[0]).toBe('REVOKE ALL ON audit_log FROM "we""ird"');
  });
  it('PASS only when the writer can read and append, is not owner and not superuser', () => {
    expect(overallStatus(judgeLockdown('audit_writer', facts()))).toBe('PASS');
    expect(overallStatus(judgeLockdown('audit_writer', facts({ writerIsOwner: true, owner: 'audit_writer' })))).toBe('WARN');
    expect(overallStatus(judgeLockdown('audit_writer', facts({ writerMemberOfOwner: true })))).toBe('WARN');
    expect(overallStatus(judgeLockdown('audit_writer', facts({ writerPrivileges: ['SELECT', 'INSERT', 'DELETE'] })))).toBe('FAIL');
    const su = judgeLockdown('postgres', facts({ writerIsSuperuser: true }));
    expect(su.find((f) => f.id === 'lockdown.superuser')).toMatchObject({ status: 'FAIL', hint: expect.stringMatching(/ordinary role/) });
    expect(judgeLockdown('w', facts({ readerPrivileges: ['SELECT', 'UPDATE'] })).find((f) => f.id === 'lockdown.reader')?.status).toBe('WARN');
  });
});

const file = (counts: Record<string, number>): BackupFile => ({ role: 'main', file: 'm.dump', format: 'custom', encrypted: false, bytes: 1, sha256: 'a'.repeat(64), plaintextSha256: 'a'.repeat(64), plaintextBytes: 1, database: 'konote', pgDumpVersion: '15.1', serverVersion: '15.1', tableEstimates: {}, counts });

describe('verification checks (pure parts)', () => {
  it('counts must equal the manifest exactly; live checks only report', () => {
    expect(countsCheck('main', { users: 3, client_files: 10 }, file({ users: 3, client_files: 10 })).status).toBe('PASS');
    const bad = countsCheck('main', { users: 3, client_files: 9 }, file({ users: 3, client_files: 10 }));
    expect(bad.status).toBe('FAIL');
    expect(bad.detail).toMatch(/client_files: 9 here, 10 in the backup/);
    expect(countsCheck('main', { users: 3 }, null).status).toBe('PASS');
  });
  it('missing tables fail, an empty database says so', () => {
    expect(tablesCheck('audit', new Set(['audit_log', 'django_migrations'])).status).toBe('PASS');
    expect(tablesCheck('main', new Set()).hint).toMatch(/empty/);
  });
  it('the worst status wins', () => {
    expect(overallStatus([{ status: 'PASS' }, { status: 'WARN' }])).toBe('WARN');
    expect(overallStatus([{ status: 'WARN' }, { status: 'FAIL' }])).toBe('FAIL');
    expect(overallStatus([])).toBe('PASS');
  });
});

const summary: DrillSummary = {
  id: 'drill_1', kind: 'drill', profile: 'Main <site>', setId: 'set_1', state: 'failed', startedAt: '2026-11-30T10:00:00.000Z', finishedAt: '2026-11-30T10:05:00.000Z',
  rtoSeconds: 200.5, rpoSeconds: 7200, restoreMs: 150000, verifyMs: 50500, ranBy: 'it', host: 'pc', keyListFingerprint: 'ab12-cd34-ef56-7890', scratch: null,
  preflight: [{ id: 'keys', title: 'Key list in custody', status: 'PASS', detail: 'ok' }],
  verification: { target: { main: 'a', audit: 'b' }, mode: 'sample', sample: 50, againstManifest: 'set_1', status: 'FAIL', checks: [{ id: 'decrypt', title: 'Encrypted columns decrypt', status: 'FAIL', detail: '<script>x</script>', hint: 'use the old key' }], columns: [{ schema: 'public', table: 'client_files', column: '_first_name_encrypted', checked: 5, decrypted: 4, empty: 0, failed: 1, failedPks: ['77'] }], counts: { client_files: 5 }, startedAt: '', finishedAt: '', durationMs: 1 },
  safetySetId: null, lockdown: null, failure: { kind: 'Validation', message: 'Verification failed: Encrypted columns decrypt.' }, notes: '=cmd|calc', jobId: null,
};

describe('drill report and CSV', () => {
  it('the HTML escapes everything, has no script, shows timings and fingerprint, and no primary keys of failed rows', () => {
    const html = renderDrillReportHtml(summary);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('Main &lt;site&gt;');
    expect(html).toContain('ab12-cd34-ef56-7890');
    expect(html).toContain('FAILED');
    expect(html).toContain(formatDuration(200.5));
    expect(html).not.toContain('>77<');
  });
  it('the CSV neutralises spreadsheet formulas and lists failed checks', () => {
    const csv = drillLogCsv([summary]);
    const [head, row] = csv.trim().split('\r\n');
    expect(head!.split(',')[0]).toBe('id');
    expect(row).toContain('decrypt');
    expect(drillLogCsv([{ ...summary, profile: '=HYPERLINK("x")' }])).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
