import { describe, expect, it } from 'vitest';
import { Params, emptyFilter, escapeLike, filterConditions, normaliseIp, parseWhen, resolveTimeRange } from '../../src-main/core/audit/filters';
import { applySavedQuery, SAVED_QUERIES } from '../../src-main/core/audit/saved-queries';
import crypto from 'node:crypto';
import { BlockAccumulator, bitmap, bitsSet, chainHash, GENESIS_HASH, readAuditHashRows, type BlockDigest } from '../../src-main/core/audit/checkpoint-hash';
import { ScanAccumulator, emptyScan, mergeScans } from '../../src-main/core/audit/id-time-scan';
import { compareBlocks } from '../../src-main/core/audit/verify-checkpoints';
import { findBursts } from '../../src-main/core/audit/suspicious';
import { csvCell } from '../../src-main/core/audit/export-csv';
import { exitCode } from '../../src-main/core/security/result';
import type { AuditRow, SecurityResult } from '../../src-main/contract/audit';
import { AuditFilterSchema } from '../../src-main/contract/audit';

/** The pure parts of audit review: filters never become SQL text, blocks compare exactly, bursts are windows. */

describe('audit filters', () => {
  it('binds every value as a parameter; the SQL text holds only placeholders', () => {
    const p = new Params();
    const evil = `x'); DROP TABLE audit_log; --`;
    const sql = filterConditions(emptyFilter({ user: evil, actions: [evil], resourceTypes: ['a'], excludeResourceTypes: ['b'], programId: 3, ip: '10.0.0.0/8', text: evil, linkId: '3f2b8c1e-0d4a-4c1b-9a7e-5b2f1c0d9e8a' }), p).join(' AND ');
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain("x'");
    expect(p.values).toContain(`%${escapeLike(evil)}%`);
    expect(p.values).toContainEqual([evil]);
    expect(sql.match(/\$\d+/g)!.length).toBeGreaterThanOrEqual(8);
  });

  it('matches a user id or a name, and escapes LIKE wildcards', () => {
    const p = new Params();
    expect(filterConditions(emptyFilter({ user: '42' }), p)[0]).toMatch(/user_id = \$2 OR user_display ILIKE \$1/);
    expect(filterConditions(emptyFilter({ user: '99999999999' }), new Params())[0]).not.toContain('user_id'); // beyond integer: a name
    expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b');
  });

  it('validates IPs before PostgreSQL casts them', () => {
    expect(normaliseIp(' 192.168.1.20 ')).toBe('192.168.1.20');
    expect(normaliseIp('2001:db8::/32')).toBe('2001:db8::/32');
    for (const bad of ['10.0.0.256', '10.0.0.0/33', '1.2.3.4/8/8', "1.2.3.4'--", 'localhost']) expect(() => normaliseIp(bad)).toThrow(expect.objectContaining({ kind: 'Validation' }));
  });

  it('reads dates as local time, rejects impossible dates, drops bounds outside 1970–2200', () => {
    expect(parseWhen('2026-03-01', 'x').getTime()).toBe(new Date(2026, 2, 1).getTime());
    expect(parseWhen('2026-03-01T14:30', 'x').getTime()).toBe(new Date(2026, 2, 1, 14, 30).getTime());
    expect(parseWhen('2026-03-01T14:30Z', 'x').toISOString()).toBe('2026-03-01T14:30:00.000Z');
    expect(() => parseWhen('2026-02-30', 'x')).toThrow(/not a real date/);
    expect(() => parseWhen('next tuesday', 'x')).toThrow(/not a date/);
    const now = new Date('2026-06-15T12:00:00Z');
    expect(resolveTimeRange({ since: '7d', from: null, to: null }, now).from!.toISOString()).toBe('2026-06-08T12:00:00.000Z');
    expect(resolveTimeRange({ since: null, from: '1900-01-01', to: '2999-01-01' }, now)).toEqual({ from: null, to: null });
    expect(() => resolveTimeRange({ since: null, from: '2026-02-02', to: '2026-02-01' }, now)).toThrow(/after the end/);
  });

  it('the contract refuses malformed filter fields', () => {
    expect(AuditFilterSchema.safeParse({ since: '7 days' }).success).toBe(false);
    expect(AuditFilterSchema.safeParse({ linkId: "x' OR 1=1" }).success).toBe(false);
    expect(AuditFilterSchema.safeParse({ programId: -1 }).success).toBe(false);
    expect(AuditFilterSchema.safeParse({ evil: 1 }).success).toBe(false);
  });

  it('saved queries exist for every runbook query; user-shaped ones need a user; own time wins', () => {
    expect(SAVED_QUERIES.map((q) => q.name)).toEqual(['failed-logins', 'logins-by-user', 'exports-7d', 'downloads', 'revocations', 'client-views-7d', 'erasures', 'key-rotations', 'custodian-actions', 'user-activity']);
    expect(() => applySavedQuery('user-activity', emptyFilter())).toThrow(expect.objectContaining({ kind: 'Validation' }));
    const f = applySavedQuery('failed-logins', emptyFilter({ since: '1d' }));
    expect(f).toMatchObject({ since: '1d', actions: ['login_failed'] });
  });
});

describe('checkpoint comparison', () => {
  const block = (k: number, ids: number[], digest = 'd'): BlockDigest => ({ block: k, firstId: Math.min(...ids), lastId: Math.max(...ids), rowCount: ids.length, digest, present: bitmap(ids.map((i) => i - k * 100).join(',')) });

  it('round-trips the presence bitmap', () => {
    expect(bitsSet(bitmap('0,5,99'))).toEqual([0, 5, 99]);
  });

  it('names changed blocks, exact missing ids and added ids', () => {
    const stored = [block(1, [100, 101, 102]), block(2, [200, 201, 202, 203]), block(3, [300])];
    const actual = [block(1, [100, 101, 102], 'other'), block(2, [200, 203]), block(4, [400])];
    expect(compareBlocks(7, 100, stored, actual).map((p) => `${p.kind}:${p.firstId}-${p.lastId}`)).toEqual(['changed:100-102', 'missing:201-202', 'missing:300-300', 'added:400-400']);
    expect(compareBlocks(7, 100, stored, stored)).toEqual([]);
  });

  /** PostgreSQL's binary COPY of (bigint id, timestamptz, bytea hash) rows, as the server sends it. */
  const PG_EPOCH_US = 946_684_800_000_000;
  const copyBinary = (rows: [number, number, Buffer][], ext = Buffer.alloc(0)) => {
    const head = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(4), Buffer.from([0, 0, 0, ext.length]), ext]);
    const body = rows.map(([id, us, h]) => {
      const b = Buffer.alloc(30 + h.length);
      b.writeInt16BE(3, 0);
      b.writeInt32BE(8, 2);
      b.writeBigInt64BE(BigInt(id), 6);
      b.writeInt32BE(8, 14);
      b.writeBigInt64BE(BigInt(us - PG_EPOCH_US), 18);
      b.writeInt32BE(h.length, 26);
      h.copy(b, 30);
      return b;
    });
    return Buffer.concat([head, ...body, Buffer.from([0xff, 0xff])]);
  };
  const sha = (s: string) => crypto.createHash('sha256').update(s).digest();

  it('reads binary COPY rows however the stream is cut, and refuses a cut-off stream', async () => {
    // Times before 1970 and before 2000 (negative in PostgreSQL's binary form) included.
    const rows: [number, number, Buffer][] = [
      [1, -14_182_940_000_000, sha('1')],
      [2, 946_684_799_999_999, sha('2')],
      [3, 1_764_500_000_123_456, sha('3')],
      [9_007_199_254_740_991, 1_764_500_000_123_457, sha('max')],
    ];
    const data = copyBinary(rows, Buffer.from('xyz'));
    for (let cut = 1; cut < data.length; cut += 5) {
      const got: [number, number, Buffer][] = [];
      const n = await readAuditHashRows((async function* () { yield data.subarray(0, cut); yield data.subarray(cut); })(), (id, us, h) => got.push([id, us, Buffer.from(h)]));
      expect(n).toBe(4);
      expect(got).toEqual(rows);
    }
    await expect(readAuditHashRows((async function* () { yield data.subarray(0, data.length - 2); })(), () => undefined)).rejects.toThrow(/ended early/);
    await expect(readAuditHashRows((async function* () { yield Buffer.from('not a copy stream at all'); })(), () => undefined)).rejects.toThrow(/not a binary COPY/);
  });

  it('scans ids and times: gaps, steps back, and merges that judge the step across the seam', () => {
    const scanOf = (rows: [number, number][]) => {
      const a = new ScanAccumulator();
      for (const [id, us] of rows) a.add(id, us);
      return a.scan;
    };
    const all: [number, number][] = [[1, 10], [2, 20], [5, 15], [6, 30], [7, 30], [9, 29], [10, 40]];
    const whole = scanOf(all);
    expect(whole).toMatchObject({ n: 7, minId: 1, maxId: 10, missing: 3, gaps: [[3, 4], [8, 8]], back: 2, worstUs: 5, firstBackId: 5 });
    // Any split, merged back, gives the same scan.
    for (let k = 0; k <= all.length; k++) expect(mergeScans(scanOf(all.slice(0, k)), scanOf(all.slice(k)))).toEqual(whole);
    expect(mergeScans(emptyScan(), emptyScan())).toEqual(emptyScan());
  });

  it('groups row hashes into blocks: digest over the hashes in id order, exact presence bits', () => {
    const acc = new BlockAccumulator(100);
    for (const id of [1, 2, 99, 100, 250]) acc.add(id, sha(String(id)));
    const blocks = acc.flush();
    expect(blocks.map((b) => [b.block, b.firstId, b.lastId, b.rowCount, bitsSet(b.present)])).toEqual([
      [0, 1, 99, 3, [1, 2, 99]],
      [1, 100, 100, 1, [0]],
      [2, 250, 250, 1, [50]],
    ]);
    expect(blocks[0]!.digest).toBe(crypto.createHash('sha256').update(Buffer.concat([sha('1'), sha('2'), sha('99')])).digest('hex'));
    expect(() => acc.add(250, sha('again'))).toThrow(/out of order/);
  });

  it('chains: the hash depends on every field, including the previous hash', () => {
    const f = { seq: 1, fromId: 0, toId: 10, rowCount: 10, blockSize: 100, blocksRoot: 'r', prevHash: GENESIS_HASH };
    const h = chainHash(f);
    for (const k of Object.keys(f) as (keyof typeof f)[]) expect(chainHash({ ...f, [k]: k === 'blocksRoot' || k === 'prevHash' ? 'x' : 99 })).not.toBe(h);
    // Format-1 links keep the hash they were made with; a format-2 link commits to its format.
    expect(chainHash({ ...f, rowFormat: 1 })).toBe(h);
    expect(chainHash({ ...f, rowFormat: 2 })).not.toBe(h);
  });
});

describe('suspicious patterns and outputs', () => {
  const row = (id: number, at: number, ip: string): AuditRow => ({ id: String(id), eventTimestamp: new Date(at).toISOString(), userId: null, userDisplay: 'admin', ipAddress: ip, action: 'login_failed', resourceType: 'session', resourceId: null, programId: null, oldValues: null, newValues: null, metadata: null, isDemoContext: false, isConfidentialContext: false, tenantSchema: '' });

  it('finds 5+ failures within 10 minutes per key, merging overlapping windows', () => {
    const t = Date.UTC(2026, 0, 1);
    const rows = [...Array.from({ length: 7 }, (_, i) => row(i, t + i * 120_000, '1.1.1.1')), ...Array.from({ length: 4 }, (_, i) => row(100 + i, t + i * 1000, '2.2.2.2')), ...Array.from({ length: 5 }, (_, i) => row(200 + i, t + i * 3_600_000, '3.3.3.3'))];
    const bursts = findBursts(rows, (r) => r.ipAddress);
    expect(bursts.map((b) => [b.key, b.rows.length])).toEqual([['1.1.1.1', 7]]);
  });

  it('neutralises spreadsheet formulas and quotes CSV cells', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvCell(null)).toBe('');
  });

  it('exit codes follow KoNote: 1 on FAIL, or on WARN with --fail-on-warn', () => {
    const r = (status: SecurityResult['status']): SecurityResult => ({ check_id: 'X', category: 'AUD', description: '', status, detail: '', fix: null });
    expect(exitCode([r('PASS'), r('SKIP')], true)).toBe(0);
    expect(exitCode([r('WARN')], false)).toBe(0);
    expect(exitCode([r('WARN')], true)).toBe(1);
    expect(exitCode([r('FAIL')], false)).toBe(1);
  });
});
