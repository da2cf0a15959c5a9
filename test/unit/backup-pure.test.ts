import { describe, it, expect } from 'vitest';
import { buildPgDumpArgs, buildPgDumpallGlobalsArgs } from '../../src-main/core/backup/pg-dump-args';
import { decideRetention } from '../../src-main/core/backup/retention';

const base = { host: 'db.example.org', port: 5432, user: 'konote', database: 'konote', format: 'custom' as const, pgDumpMajor: 15 };

describe('pg_dump argv builder', () => {
  it('builds a custom-format, verbose, no-prompt dump with the snapshot and schemas', () => {
    const args = buildPgDumpArgs({ ...base, snapshot: '00000003-0000001B-1', schemas: ['public', 'agency_a'] });
    expect(args).toEqual([
      '--host=db.example.org',
      '--port=5432',
      '--username=konote',
      '--no-password',
      '--format=custom',
      '--verbose',
      '--snapshot=00000003-0000001B-1',
      '--schema=public',
      '--schema=agency_a',
      "--dbname=dbname='konote'",
    ]);
  });

  it('never carries a password and keeps hostile names as values (threat: option injection)', () => {
    const args = buildPgDumpArgs({ ...base, database: "x' host=evil.example --file=/etc/passwd" });
    expect(args.join(' ')).not.toMatch(/password=/i);
    expect(args.at(-1)).toBe("--dbname=dbname='x\\' host=evil.example --file=/etc/passwd'");
    expect(args.filter((a) => a.startsWith('--file'))).toEqual([]);
  });

  it('dumps roles without their passwords (threat: password hashes in every backup set)', () => {
    const args = buildPgDumpallGlobalsArgs({ ...base, database: "x' --clean" });
    expect(args).toContain('--globals-only');
    expect(args).toContain('--no-role-passwords');
    expect(args.at(-1)).toBe("--dbname=dbname='x\\' --clean'");
    expect(args.filter((a) => a === '--clean')).toEqual([]);
  });

  it('rejects bad schema names, snapshots and ports instead of passing them on', () => {
    expect(() => buildPgDumpArgs({ ...base, schemas: ['public; drop'] })).toThrow(/schema/);
    expect(() => buildPgDumpArgs({ ...base, snapshot: '--file=x' })).toThrow(/snapshot/);
    expect(() => buildPgDumpArgs({ ...base, port: 0 })).toThrow(/port/);
  });

  it('plain format adds --no-owner', () => {
    expect(buildPgDumpArgs({ ...base, format: 'plain' })).toContain('--no-owner');
  });
});

describe('grandfather-father-son retention', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  const day = (iso: string, extra: Partial<{ verified: boolean; pins: ('manual' | 'pre-upgrade')[] }> = {}) => ({ id: iso, createdAt: iso, verified: extra.verified ?? true, pins: extra.pins ?? [] });
  const decide = (sets: ReturnType<typeof day>[]) => Object.fromEntries(decideRetention(sets, now).map((d) => [d.id, d]));

  it('keeps dailies 30 days, Mondays 90 days, firsts of month a year', () => {
    const d = decide([
      day('2026-11-20T02:30:00Z'), // 2 days: daily
      day('2026-10-10T02:30:00Z'), // Saturday, 43 days: gone
      day('2026-10-05T02:30:00Z'), // Monday, 48 days: weekly
      day('2026-08-03T02:30:00Z'), // Monday, 111 days: too old for weekly
      day('2026-08-01T02:30:00Z'), // 1st, 113 days: monthly
      day('2025-10-01T02:30:00Z'), // 1st, > 1 year: gone
    ]);
    expect(d['2026-11-20T02:30:00Z']!.keep).toBe(true);
    expect(d['2026-10-10T02:30:00Z']!.keep).toBe(false);
    expect(d['2026-10-05T02:30:00Z']!.reasons.join()).toMatch(/weekly/);
    expect(d['2026-08-03T02:30:00Z']!.keep).toBe(false);
    expect(d['2026-08-01T02:30:00Z']!.reasons.join()).toMatch(/monthly/);
    expect(d['2025-10-01T02:30:00Z']!.keep).toBe(false);
  });

  it('never removes a pinned set nor the newest verified set, however old', () => {
    const d = decide([day('2024-01-10T00:00:00Z', { pins: ['pre-upgrade'] }), day('2024-02-10T00:00:00Z'), day('2026-11-21T00:00:00Z', { verified: false })]);
    expect(d['2024-01-10T00:00:00Z']!.keep).toBe(true);
    expect(d['2024-01-10T00:00:00Z']!.reasons[0]).toMatch(/pinned/);
    expect(d['2024-02-10T00:00:00Z']!.keep).toBe(true);
    expect(d['2024-02-10T00:00:00Z']!.reasons).toContain('newest verified set');
  });

  it('gives the weekly role to one set per day (the verified one)', () => {
    const d = decide([day('2026-10-05T01:00:00Z', { verified: false }), day('2026-10-05T03:00:00Z'), day('2026-11-21T00:00:00Z')]);
    expect(d['2026-10-05T03:00:00Z']!.keep).toBe(true);
    expect(d['2026-10-05T01:00:00Z']!.keep).toBe(false);
  });
});
