import { describe, it, expect } from 'vitest';
import { parseTargetTime, wallTimeCandidates, zoneOffsetMinutes, formatLocal } from '../../src-main/core/pitr/target-time';
import { checkContinuity, formatLsn, parseLsn, parseWalFileName, segnoOfLsn, walFileName } from '../../src-main/core/pitr/wal-names';
import { archiveAdvice } from '../../src-main/core/pitr/setup-advice';
import { judgeSetup, type ServerFacts } from '../../src-main/core/pitr/setup-check';
import { initialLogState, readRecoveryLog, recoveryFatalToError } from '../../src-main/core/pitr/recovery-log';
import { restoreCommand, scratchHba, scratchPostgresqlConf } from '../../src-main/core/pitr/scratch-config';
import { parseWaldumpTimes } from '../../src-main/core/pitr/wal-archive';
import { buildBaseBackupArgs } from '../../src-main/core/pitr/base-backup';
import { checkAzureTarget } from '../../src-main/core/pitr/azure/azure-restore';
import { azErrorToAppError } from '../../src-main/core/pitr/azure/az-cli';

const SEG = 16 * 1024 * 1024;

describe('recovery target times', () => {
  it('reads ISO times with Z or an offset exactly, and says how they read locally', () => {
    expect(parseTargetTime('2026-11-30T15:04:05Z', 'America/Toronto')).toMatchObject({ utc: '2026-11-30T15:04:05.000Z', local: '2026-11-30 10:04:05 (UTC-05:00, America/Toronto)' });
    const p = parseTargetTime('2026-11-30 10:04:05-05:00', 'America/Toronto');
    expect(p.utc).toBe('2026-11-30T15:04:05.000Z');
    expect(p.note).toBeNull();
    // An offset different from the local zone is accepted, and the reading is spelled out.
    expect(parseTargetTime('2026-11-30T10:04:05-08:00', 'America/Toronto').note).toMatch(/UTC-08:00.*13:04:05/);
  });

  it('reads wall times in the computer’s zone or a named IANA zone, across daylight saving time', () => {
    expect(parseTargetTime('2026-07-01 10:00', 'America/Toronto').utc).toBe('2026-07-01T14:00:00.000Z');
    expect(parseTargetTime('2026-12-01 10:00', 'America/Toronto').utc).toBe('2026-12-01T15:00:00.000Z');
    expect(parseTargetTime('2026-12-01 10:00 Europe/Paris', 'America/Toronto')).toMatchObject({ utc: '2026-12-01T09:00:00.000Z', note: expect.stringMatching(/Read in Europe\/Paris/) });
    expect(parseTargetTime('2026-12-01 10:00:30.250 UTC', 'America/Toronto').utc).toBe('2026-12-01T10:00:30.250Z');
  });

  it('refuses times that happen twice or never, abbreviations, unknown zones and impossible dates', () => {
    expect(wallTimeCandidates(Date.UTC(2026, 10, 1, 1, 30), 'America/Toronto')).toHaveLength(2);
    expect(() => parseTargetTime('2026-11-01 01:30', 'America/Toronto')).toThrow(/happened twice.*2026-11-01T05:30:00.000Z.*2026-11-01T06:30:00.000Z/);
    expect(() => parseTargetTime('2026-03-08 02:30', 'America/Toronto')).toThrow(/never happened/);
    expect(() => parseTargetTime('2026-11-30 10:04 EST', 'UTC')).toThrow(/abbreviation/);
    expect(() => parseTargetTime('2026-11-30 10:04 Nowhere/Land', 'UTC')).toThrow(/not a time zone/);
    expect(() => parseTargetTime('2026-02-30 10:00', 'UTC')).toThrow(/not a real date/);
    expect(() => parseTargetTime('2026-11-30T10:00+25:00', 'UTC')).toThrow(/not a real UTC offset/);
    expect(() => parseTargetTime('yesterday', 'UTC')).toThrow(/could not read/);
    expect(() => parseTargetTime('2026-11-30 10:00', 'Bad/Zone')).toThrow(/not a time zone/);
  });

  it('computes zone offsets and formats local time with the zone named', () => {
    expect(zoneOffsetMinutes('America/Toronto', Date.UTC(2026, 0, 1))).toBe(-300);
    expect(zoneOffsetMinutes('Asia/Kolkata', Date.UTC(2026, 0, 1))).toBe(330);
    expect(formatLocal(Date.UTC(2026, 0, 1, 12), 'Asia/Kolkata')).toBe('2026-01-01 17:30:00 (UTC+05:30, Asia/Kolkata)');
  });
});

describe('WAL names and continuity', () => {
  it('round-trips LSNs and maps them to 16 MB segment file names', () => {
    expect(formatLsn(parseLsn('16/B374D848'))).toBe('16/B374D848');
    expect(walFileName(1, segnoOfLsn('0/3000148', SEG), SEG)).toBe('000000010000000000000003');
    expect(walFileName(2, segnoOfLsn('1/FF000000', SEG), SEG)).toBe('0000000200000001000000FF');
    expect(parseWalFileName('0000000100000001000000FF', SEG)?.segno).toBe(256 + 255);
    expect(parseWalFileName('000000010000000000000003.partial', SEG)).toBeNull();
    expect(parseWalFileName('00000002.history', SEG)).toBeNull();
    expect(() => parseLsn('nope')).toThrow();
  });

  it('finds the first gap and lists what is missing up to the newest file', () => {
    const files = ['000000010000000000000003', '000000010000000000000004', '000000010000000000000006', '000000010000000000000008'].map((n) => parseWalFileName(n, SEG)!);
    const c = checkContinuity(files, 3, 1, SEG);
    expect(c.lastContiguous?.name).toBe('000000010000000000000004');
    expect(c.missing).toEqual(['000000010000000000000005', '000000010000000000000007']);
    expect(c.newest?.name).toBe('000000010000000000000008');
    // A promoted server continues on timeline 2: recovery follows the higher timeline.
    const tl = ['000000010000000000000003', '000000020000000000000004'].map((n) => parseWalFileName(n, SEG)!);
    expect(checkContinuity(tl, 3, 1, SEG)).toMatchObject({ missing: [], lastContiguous: { name: '000000020000000000000004' } });
    expect(checkContinuity([], 3, 1, SEG).missing).toEqual(['000000010000000000000003']);
  });

  it('reads commit times from pg_waldump output printed in UTC', () => {
    const out = [
      'rmgr: Transaction len (rec/tot):     34/    34, tx:        735, lsn: 0/03000060, prev 0/03000028, desc: COMMIT 2026-11-30 15:04:05.123456 UTC',
      'rmgr: Transaction len (rec/tot):     34/    34, tx:        736, lsn: 0/03000098, prev 0/03000060, desc: ABORT 2026-11-30 15:04:06.5 UTC',
      'rmgr: Heap        len (rec/tot):     54/    54, tx:        737, lsn: 0/030000D0, prev 0/03000098, desc: INSERT off 2',
    ].join('\n');
    expect(parseWaldumpTimes(out)).toEqual([
      { lsn: '0/03000060', at: '2026-11-30T15:04:05.123Z' },
      { lsn: '0/03000098', at: '2026-11-30T15:04:06.500Z' },
    ]);
  });
});

describe('setup assistant', () => {
  const facts = (s: Record<string, string>, extra: Partial<ServerFacts> = {}): ServerFacts => ({
    settings: { wal_level: 'replica', archive_mode: 'on', archive_command: 'cp %p /a/%f', archive_timeout: '300', max_wal_senders: '10', ...s },
    user: 'konote',
    superuser: false,
    replication: true,
    archiver: { archived: 5, failed: 0, lastArchivedWal: '000000010000000000000005', lastArchivedAt: '2026-11-30T15:00:00Z', lastFailedWal: null, lastFailedAt: null },
    ...extra,
  });
  const archive: { dir: string | null; readable: boolean; files: number; newestAt: string | null } = { dir: '/mnt/wal', readable: true, files: 5, newestAt: '2026-11-30T15:00:00Z' };
  const status = (f: ServerFacts, a = archive) => Object.fromEntries(judgeSetup(f, a).map((c) => [c.id, c.status]));

  it('passes a correctly configured server and fails each missing piece with its fix', () => {
    expect(Object.values(status(facts({})))).toEqual(Array(8).fill('PASS'));
    expect(status(facts({ wal_level: 'minimal' })).wal_level).toBe('FAIL');
    expect(status(facts({ archive_mode: 'off' })).archive_mode).toBe('FAIL');
    expect(status(facts({ archive_command: '' })).archive_command).toBe('FAIL');
    expect(status(facts({ archive_command: '', archive_library: 'basic_archive' })).archive_command).toBe('PASS');
    expect(status(facts({ max_wal_senders: '1' })).max_wal_senders).toBe('FAIL');
    expect(status(facts({ archive_timeout: '0' })).archive_timeout).toBe('WARN');
    expect(status(facts({}, { replication: false })).replication_role).toBe('FAIL');
    expect(status(facts({}, { archiver: { archived: 5, failed: 2, lastArchivedWal: 'x', lastArchivedAt: '2026-11-30T15:00:00Z', lastFailedWal: 'y', lastFailedAt: '2026-11-30T16:00:00Z' } })).archiver).toBe('FAIL');
    expect(status(facts({}), { dir: null, readable: false, files: 0, newestAt: null }).archive_folder).toBe('FAIL');
    const hint = judgeSetup(facts({}, { replication: false }), archive).find((c) => c.id === 'replication_role')!.hint;
    expect(hint).toContain('ALTER ROLE "konote" REPLICATION');
  });

  it('generates Docker Compose and plain-server settings with an explanation for each', () => {
    const d = archiveAdvice({ deployment: 'docker', service: 'db', user: 'konote', archiveTimeoutSeconds: 300, userHasReplication: false });
    expect(d.files[0]!.content).toContain('      - archive_command=test ! -f /wal-archive/%f && cp %p /wal-archive/%f');
    expect(d.files[0]!.content).toContain('      - ./wal-archive/db:/wal-archive');
    expect(d.files.map((f) => f.content).join('')).toContain('ALTER ROLE "konote" REPLICATION;');
    expect(d.explanation.join(' ')).toMatch(/at most 5 minutes/);
    const p = archiveAdvice({ deployment: 'plain', service: 'db', user: 'konote', archiveTimeoutSeconds: 300, userHasReplication: true });
    expect(p.files[0]!.content).toMatch(/^archive_mode = on$/m);
    expect(p.files.map((f) => f.content).join('')).not.toContain('ALTER ROLE');
    expect(p.files[2]!.content).toBe('host  replication  konote  0.0.0.0/0  scram-sha-256\n');
  });
});

describe('scratch instance configuration and its log', () => {
  it('recovers to the time, promotes, and never archives into production’s archive', () => {
    const conf = scratchPostgresqlConf({ archiveDir: '/mnt/wal', targetUtc: '2026-11-30T15:04:05.000Z', port: 55432, socketDir: '/tmp/s', platform: 'linux' });
    expect(conf).toContain("recovery_target_time = '2026-11-30 15:04:05.000+00'");
    expect(conf).toContain("recovery_target_action = 'promote'");
    expect(conf).toContain('archive_mode = off');
    expect(conf).toContain(`restore_command = 'cp "/mnt/wal/%f" "%p"'`);
    expect(conf).toContain('hot_standby = off');
    expect(restoreCommand('C:\\wal', 'win32')).toBe('copy "C:\\wal\\%f" "%p"');
    expect(() => restoreCommand('/mnt/"evil', 'linux')).toThrow(/cannot be passed/);
    expect(scratchHba({ platform: 'linux', socketDir: '/tmp/s' })).toContain('host all all 127.0.0.1/32 reject');
    expect(scratchHba({ platform: 'win32', socketDir: null })).toContain('host all all 127.0.0.1/32 trust');
  });

  it('follows recovery progress and turns fatal lines into typed errors', () => {
    const s = readRecoveryLog(initialLogState(), [
      '2026-11-30 15:10:00.001 UTC [12] LOG:  restored log file "000000010000000000000003" from archive',
      '2026-11-30 15:10:00.002 UTC [12] LOG:  consistent recovery state reached at 0/3000100',
      '2026-11-30 15:10:00.003 UTC [12] LOG:  restored log file "000000010000000000000004" from archive',
      '2026-11-30 15:10:00.004 UTC [12] LOG:  recovery stopping before commit of transaction 740, time 2026-11-30 15:05:00.123+00',
      '2026-11-30 15:10:00.005 UTC [12] LOG:  selected new timeline ID: 2',
      '2026-11-30 15:10:00.006 UTC [11] LOG:  database system is ready to accept connections',
    ]);
    expect(s).toMatchObject({ restoredCount: 2, lastRestored: '000000010000000000000004', consistent: true, promoted: true, ready: true, fatal: null, stoppedAt: 'before commit of transaction 740, time 2026-11-30 15:05:00.123+00' });
    const f = readRecoveryLog(initialLogState(), ['x FATAL:  recovery ended before configured recovery target was reached']);
    expect(recoveryFatalToError(f.fatal!, '/log').kind).toBe('NotFound');
    expect(readRecoveryLog(initialLogState(), ['LOG:  could not bind IPv4 address "127.0.0.1": Address already in use']).portInUse).toBe(true);
    expect(recoveryFatalToError('database files are incompatible with server', '/log').kind).toBe('PgVersion');
  });

  it('builds pg_basebackup arguments: plain, WAL streamed, manifest with checksums, never prompting', () => {
    expect(buildBaseBackupArgs('/b/x.partial', 'custodian x')).toEqual(['-D', '/b/x.partial', '-F', 'p', '-X', 'stream', '-c', 'fast', '--manifest-checksums=SHA256', '-l', 'custodian x', '-w', '-v']);
  });
});

describe('Azure target checks', () => {
  const w = { profile: 'p', servers: [{ role: 'main' as const, server: 'db', state: 'Ready', earliestRestore: '2026-11-23T00:00:00.000Z', retentionDays: 7, latest: '2026-11-30T00:00:00.000Z', fqdn: null }] };
  it('accepts a time inside the window and explains the window otherwise', () => {
    expect(() => checkAzureTarget(w, '2026-11-25T00:00:00Z')).not.toThrow();
    expect(() => checkAzureTarget(w, '2026-11-22T00:00:00Z')).toThrow(/before the earliest restore point/);
    expect(() => checkAzureTarget(w, '2026-12-01T00:00:00Z')).toThrow(/in the future/);
    expect(() => checkAzureTarget({ ...w, servers: [{ ...w.servers[0]!, state: 'Stopped' }] }, '2026-11-25T00:00:00Z')).toThrow(/Stopped, not Ready/);
  });
  it('maps az failures to error kinds', () => {
    expect(azErrorToAppError("ERROR: Please run 'az login' to setup account.", 'x').kind).toBe('PgAuth');
    expect(azErrorToAppError('ERROR: (AuthorizationFailed) The client does not have authorization', 'x').kind).toBe('Forbidden');
    expect(azErrorToAppError('ERROR: (ServerNameAlreadyExists) already exists', 'x').kind).toBe('Conflict');
  });
});
