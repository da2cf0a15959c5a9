import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linkStatus } from '../../src-main/core/exports/link-status';
import { addMonthsClamped, daysBetween, planDeadline } from '../../src-main/core/exports/deadline-rules';
import { checkExportPath, deleteInside } from '../../src-main/core/exports/safe-path';
import { localPathFor } from '../../src-main/core/exports/export-settings';
import { summaryText } from '../../src-main/core/exports/summary';
import { exportScheduleSpec } from '../../src-main/core/exports/schedules';
import { memoryCore } from '../helpers/memory-core';

const now = new Date('2026-03-10T12:00:00Z');
const base = { revoked: false, expiresAt: new Date('2026-03-11T00:00:00Z'), createdAt: new Date('2026-03-10T11:55:00Z'), isElevated: true, fileState: 'present' as const };

describe('link status (KoNote’s order)', () => {
  it('Revoked beats Expired beats File Missing beats Pending beats Active', () => {
    expect(linkStatus({ ...base, revoked: true, expiresAt: new Date('2026-03-01'), fileState: 'missing' }, now, 10)).toBe('revoked');
    expect(linkStatus({ ...base, expiresAt: new Date('2026-03-01'), fileState: 'missing' }, now, 10)).toBe('expired');
    expect(linkStatus({ ...base, fileState: 'missing' }, now, 10)).toBe('file_missing');
    expect(linkStatus({ ...base, fileState: 'outside' }, now, 10)).toBe('file_missing');
    expect(linkStatus({ ...base, fileState: 'unknown' }, now, 10)).toBe('file_unknown');
    expect(linkStatus(base, now, 10)).toBe('pending');
    expect(linkStatus(base, now, 4)).toBe('active');
    expect(linkStatus({ ...base, isElevated: false }, now, 10)).toBe('active');
    // "now > expires_at": the exact expiry instant is not yet expired.
    expect(linkStatus({ ...base, isElevated: false, expiresAt: now }, now, 10)).toBe('active');
  });
});

describe('report deadline rules', () => {
  it('advances by 1/3/12 months with the day clamped', () => {
    expect(addMonthsClamped('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonthsClamped('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonthsClamped('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonthsClamped('2024-02-29', 12)).toBe('2025-02-28');
    expect(daysBetween('2026-12-30', '2027-01-02')).toBe(3);
  });
  it('reminds inside the window once, advances overdue recurring schedules and resets the stamps', () => {
    expect(planDeadline({ dueDate: '2026-03-20', frequency: 'quarterly', reminderDaysBefore: 14, bannerShown: false, emailSent: false }, '2026-03-10')).toMatchObject({ inWindow: true, daysLeft: 10, banner: true, email: true, advanced: false });
    expect(planDeadline({ dueDate: '2026-03-20', frequency: 'quarterly', reminderDaysBefore: 14, bannerShown: true, emailSent: true }, '2026-03-10')).toMatchObject({ banner: false, email: false });
    expect(planDeadline({ dueDate: '2026-03-30', frequency: 'monthly', reminderDaysBefore: 14, bannerShown: false, emailSent: false }, '2026-03-10')).toMatchObject({ inWindow: false, banner: false, email: false });
    expect(planDeadline({ dueDate: '2026-01-31', frequency: 'monthly', reminderDaysBefore: 7, bannerShown: true, emailSent: true }, '2026-03-10')).toMatchObject({ dueDate: '2026-03-28', advanced: true, daysLeft: 18, banner: false, email: false });
    expect(planDeadline({ dueDate: '2026-03-05', frequency: 'monthly', reminderDaysBefore: 30, bannerShown: true, emailSent: true }, '2026-03-10')).toMatchObject({ dueDate: '2026-04-05', advanced: true, banner: true, email: true });
    // A one-off schedule does not move; overdue, it stays in its window.
    expect(planDeadline({ dueDate: '2026-03-05', frequency: 'once', reminderDaysBefore: 3, bannerShown: false, emailSent: true }, '2026-03-10')).toMatchObject({ dueDate: '2026-03-05', advanced: false, daysLeft: -5, banner: true, email: false });
  });
});

describe('export folder path safety (threat: deleting outside SECURE_EXPORT_DIR)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'exp-safe-'));
  const dir = path.join(root, 'exports');
  fs.mkdirSync(dir);
  const real = fs.realpathSync(dir);
  fs.writeFileSync(path.join(dir, 'a_ok.csv'), 'x');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'do not delete');
  fs.symlinkSync(path.join(root, 'secret.txt'), path.join(dir, 'b_link.csv'));
  fs.symlinkSync(path.join(dir, 'a_ok.csv'), path.join(dir, 'c_inner_link.csv'));
  fs.mkdirSync(path.join(root, 'elsewhere'));
  fs.symlinkSync(path.join(root, 'elsewhere'), path.join(dir, 'sub'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('accepts files inside, calls absent ones missing, and refuses everything that leaves the folder', () => {
    expect(checkExportPath(real, path.join(dir, 'a_ok.csv')).kind).toBe('inside');
    expect(checkExportPath(real, path.join(dir, 'gone.csv')).kind).toBe('missing');
    expect(checkExportPath(real, `${dir}/../secret.txt`)).toMatchObject({ kind: 'outside', reason: expect.stringMatching(/\.\./) });
    expect(checkExportPath(real, path.join(root, 'secret.txt')).kind).toBe('outside');
    expect(checkExportPath(real, 'relative/file.csv').kind).toBe('outside');
    expect(checkExportPath(real, path.join(dir, 'b_link.csv'))).toMatchObject({ kind: 'outside', reason: expect.stringMatching(/symbolic link/) });
    expect(checkExportPath(real, path.join(dir, 'c_inner_link.csv')).kind).toBe('outside');
    expect(checkExportPath(real, path.join(dir, 'sub', 'x.csv')).kind).toBe('outside');
    expect(checkExportPath(real, dir).kind).toBe('outside');
  });

  it('deleteInside never removes anything outside, and removes files inside', () => {
    expect(deleteInside(real, `${dir}/../secret.txt`)).toMatchObject({ ok: false, refused: true });
    expect(deleteInside(real, path.join(dir, 'b_link.csv'))).toMatchObject({ ok: false, refused: true });
    expect(fs.readFileSync(path.join(root, 'secret.txt'), 'utf8')).toBe('do not delete');
    expect(fs.lstatSync(path.join(dir, 'b_link.csv')).isSymbolicLink()).toBe(true);
    expect(deleteInside(real, path.join(dir, 'a_ok.csv'))).toEqual({ ok: true, gone: false });
    expect(fs.existsSync(path.join(dir, 'a_ok.csv'))).toBe(false);
    expect(deleteInside(real, path.join(dir, 'a_ok.csv'))).toEqual({ ok: true, gone: true });
  });

  it('maps the server’s export folder onto the local share without normalising ".." away', () => {
    const s = { exportDir: '/mnt/konote-exports', serverExportDir: '/app/secure_exports' };
    expect(localPathFor(s, '/app/secure_exports/u_a.csv')).toBe(path.join('/mnt/konote-exports', 'u_a.csv'));
    expect(localPathFor(s, '/app/secure_exports/../../etc/passwd')).toContain('..');
    expect(localPathFor(s, '/etc/passwd')).toBe('/etc/passwd');
    expect(localPathFor({ exportDir: '/x', serverExportDir: null }, '/app/secure_exports/u_a.csv')).toBe('/app/secure_exports/u_a.csv');
  });
});

describe('summary text and schedule entries', () => {
  it('words the subject as KoNote does', () => {
    const t = summaryText({ total: 3, byType: [{ type: 'metrics', count: 3 }], elevated: 1, downloaded: 2, notDownloaded: 1, revoked: 0, topCreators: [{ name: 'Ana', count: 3 }] }, '2026-03-03', '2026-03-10', 'prod');
    expect(t.subject).toBe('KoNote — Export Activity Summary (2026-03-03 to 2026-03-10)');
    expect(t.text).toContain('Not yet downloaded (pending): 1');
    expect(t.text).toContain('1. Ana: 3');
  });
  it('builds the three scheduler entries as argv (the summary only acts on Mondays)', () => {
    const ctx = { ...memoryCore(), home: fs.mkdtempSync(path.join(os.tmpdir(), 'exp-sched-')) };
    const s = exportScheduleSpec(ctx, 'Head Office', 'summary');
    expect(s.id).toBe('exports-summary-head-office');
    expect(s.args.slice(-9)).toEqual(['exports', 'summary', '--days', '7', '--only-on', 'monday', '--profile', 'Head Office', '--json']);
    expect(exportScheduleSpec(ctx, 'Head Office', 'cleanup').args).toContain('cleanup');
    expect(exportScheduleSpec(ctx, 'Head Office', 'deadlines', '06:45').time).toBe('06:45');
    expect(() => exportScheduleSpec(ctx, 'x', 'cleanup', '25:00')).toThrow(/time of day/);
  });
});
