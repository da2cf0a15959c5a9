import { describe, expect, it } from 'vitest';
import { pgErrorToAppError, sslOption, toolEnvFor } from '../../src-main/core/connections/pg-client';
import { quoteIdent, quoteLiteral } from '../../src-main/core/common/sql';
import { parsePasswordLines } from '../../src-main/cli/profile';
import { Prng } from '../../src-main/core/sandbox/generator-support';
import { foreignKeyIndexes, MAIN_DDL } from '../../src-main/core/sandbox/konote-schema';

const ep = { host: 'db.example.org', port: 5432, database: 'konote', user: 'konote', sslmode: 'require' as const };
const err = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('pgErrorToAppError', () => {
  it.each([
    [err('28P01', 'password authentication failed for user "konote"'), 'PgAuth'],
    [err('28000', 'role "x" does not exist'), 'PgAuth'],
    [err('28000', 'no pg_hba.conf entry for host "1.2.3.4", user "konote", database "konote", no encryption'), 'PgTls'],
    [err('ECONNREFUSED'), 'PgConnect'],
    [err('ENOTFOUND'), 'PgConnect'],
    [err('EHOSTUNREACH'), 'PgConnect'],
    [new Error('The server does not support SSL connections'), 'PgTls'],
    [err('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'PgTls'],
    [new Error('Connection terminated due to connection timeout'), 'PgTimeout'],
    [err('57014', 'canceling statement due to statement timeout'), 'PgTimeout'],
    [err('3D000', 'database "konote" does not exist'), 'NotFound'],
    [err('42P01', 'relation "ssl_things" does not exist'), 'PgQuery'],
  ])('%s → %s', (e, kind) => {
    const a = pgErrorToAppError(e, ep);
    expect(a.kind).toBe(kind);
    expect(a.hint).toBeTruthy();
  });
  it('the sslmode hint names the setting to change', () => {
    expect(pgErrorToAppError(new Error('The server does not support SSL connections'), ep).hint).toMatch(/SSL mode/);
  });
});

describe('sslOption', () => {
  it('maps libpq modes to node-postgres', () => {
    expect(sslOption('disable')).toBe(false);
    expect(sslOption('require')).toEqual({ rejectUnauthorized: false });
    expect(sslOption('verify-full')).toEqual({ rejectUnauthorized: true });
    const ca = sslOption('verify-ca') as { rejectUnauthorized: boolean; checkServerIdentity: () => unknown };
    expect(ca.rejectUnauthorized).toBe(true);
    expect(ca.checkServerIdentity()).toBeUndefined();
  });
});

describe('toolEnvFor', () => {
  it('passes the password in PGPASSWORD and drops inherited PG* variables', () => {
    const env = toolEnvFor(ep, 's3cret', { PATH: '/usr/bin', PGSERVICE: 'evil', PGPASSFILE: '/tmp/x' });
    expect(env).toMatchObject({ PATH: '/usr/bin', PGHOST: 'db.example.org', PGPORT: '5432', PGDATABASE: 'konote', PGUSER: 'konote', PGSSLMODE: 'require', PGPASSWORD: 's3cret' });
    expect(env.PGSERVICE).toBeUndefined();
    expect(env.PGPASSFILE).toBeUndefined();
    expect(toolEnvFor(ep, null, {}).PGPASSWORD).toBeUndefined();
  });
});

describe('sql quoting', () => {
  it('doubles embedded quotes', () => {
    expect(quoteIdent('audit_log')).toBe('"audit_log"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });
});

describe('password lines from stdin', () => {
  it('first line main, second audit, or the same for both', () => {
    expect(parsePasswordLines('a\nb\n')).toEqual({ main: 'a', audit: 'b' });
    expect(parsePasswordLines('a\n')).toEqual({ main: 'a', audit: 'a' });
    expect(parsePasswordLines('a\r\nb')).toEqual({ main: 'a', audit: 'b' });
    expect(parsePasswordLines('\n')).toBeNull();
  });
});

describe('sandbox generator building blocks', () => {
  it('the PRNG is deterministic per seed', () => {
    const seq = (seed: number) => {
      const r = new Prng(seed);
      return [r.next(), r.int(1, 100), r.uuid()];
    };
    expect(seq(42)).toEqual(seq(42));
    expect(seq(42)).not.toEqual(seq(43));
    expect(new Prng(1).uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  it('derives one index per foreign-key column, as Django does', () => {
    const ix = foreignKeyIndexes(MAIN_DDL);
    expect(ix).toContain('CREATE INDEX "progress_notes_client_file_id_idx" ON "progress_notes" ("client_file_id");');
    expect(ix).toContain('CREATE INDEX "reports_secureexportlink_created_by_id_idx" ON "reports_secureexportlink" ("created_by_id");');
    expect(ix.some((s) => s.includes('"template_id"'))).toBe(false); // no FK in the reference DDL
  });
});
