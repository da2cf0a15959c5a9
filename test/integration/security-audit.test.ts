import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { sandboxDown, sandboxFolder, sandboxUp } from '../../src-main/core/sandbox/sandbox-service';
import { withClient } from '../../src-main/core/connections/pg-client';
import { FernetKey } from '../../src-main/core/keys/fernet';
import { runSecurityAudit } from '../../src-main/core/security/security-audit';
import { exitCode } from '../../src-main/core/security/result';
import { takeCheckpoint } from '../../src-main/core/audit/checkpoint';
import type { SecurityReport } from '../../src-main/contract/audit';

/**
 * `security-audit` on the practice sandbox (KoNote-shaped, encrypted, 20 000 audit rows).
 * Threats covered: values the key list cannot open (KoNote's format-only check passes them),
 * personal information left in plaintext, unknown roles, orphaned enrolments, an audit writer
 * that grants itself UPDATE (KoNote's lockdown leaves it the owner) and edits old rows.
 */

let ctx: TestContext;
const status = (r: SecurityReport) => Object.fromEntries(r.results.map((x) => [x.check_id, x.status]));
const ALL = ['ENC', 'RBAC', 'AUD', 'BAK'] as const;

beforeAll(async () => {
  ctx = makeTestContext();
  await sandboxUp(ctx, { clients: 30, fsync: false });
});

afterAll(async () => {
  if (fs.existsSync(sandboxFolder(ctx))) await sandboxDown(ctx).catch(() => {});
  await ctx.dispose();
});

describe('security-audit', () => {
  it('reports a fresh sandbox in KoNote’s shape, each non-pass with a fix', async () => {
    const r = await runSecurityAudit(ctx, { profile: 'sandbox', categories: [...ALL], full: false, sample: 20 });
    expect(Object.keys(r).sort()).toEqual(['profile', 'results', 'summary', 'timestamp']);
    const noRole = await withClient(ctx, 'sandbox', 'main', async (c) =>
      Number((await c.query(`SELECT count(*) AS n FROM users u WHERE u.is_active AND NOT u.is_admin AND NOT EXISTS (SELECT 1 FROM user_program_roles r WHERE r.user_id = u.id AND r.status = 'active')`)).rows[0].n),
    );
    expect(status(r)).toEqual({
      ENC001: 'PASS', ENC002: 'PASS', ENC003: 'PASS', ENC004: 'PASS', ENC005: 'PASS', ENC006: 'FAIL',
      RBAC001: noRole ? 'WARN' : 'PASS', RBAC002: 'PASS', RBAC003: 'PASS',
      AUD001: 'PASS', AUD002: 'PASS', AUD003: 'PASS', AUD004: 'PASS',
      AUD005: 'WARN', // the sandbox keeps KoNote's weakness: audit_writer owns audit_log
      AUD006: 'WARN', // no checkpoint yet
      BAK001: 'FAIL', BAK002: 'WARN',
    });
    expect(r.results.find((x) => x.check_id === 'BAK002')!.detail).toBe('No drill recorded.');
    for (const x of r.results) if (x.status === 'WARN' || x.status === 'FAIL') expect(x.fix, x.check_id).toBeTruthy();
    expect(r.summary).toEqual({ passed: r.results.filter((x) => x.status === 'PASS').length, warnings: 3 + (noRole ? 1 : 0), failed: 2, skipped: 0 });
    expect(exitCode(r.results, false)).toBe(1);
    const bak = await runSecurityAudit(ctx, { profile: 'sandbox', categories: ['RBAC'], full: false, sample: 5 });
    expect(bak.results.every((x) => x.category === 'RBAC')).toBe(true);
    expect(exitCode(bak.results, false)).toBe(0);
    expect(exitCode(bak.results, true)).toBe(noRole ? 1 : 0);
  });

  it('fails on undecryptable values, plaintext PII, unknown roles, orphaned enrolments, and edited audit rows', async () => {
    await takeCheckpoint(ctx, { profile: 'sandbox', reason: 'manual', file: null, settleSeconds: 0 });
    const stranger = FernetKey.generate();
    await withClient(ctx, 'sandbox', 'main', async (c) => {
      // The newest client (inside every sample) under a key the deployment never had.
      await c.query(`UPDATE client_files SET _first_name_encrypted = $1 WHERE id = (SELECT max(id) FROM client_files)`, [Buffer.from(FernetKey.parse(stranger).encrypt('Mallory'), 'ascii')]);
      await c.query(`UPDATE client_detail_values v SET value = 'plain secret' FROM custom_field_definitions d WHERE d.id = v.field_def_id AND d.is_sensitive AND v.id = (SELECT min(v2.id) FROM client_detail_values v2 JOIN custom_field_definitions d2 ON d2.id = v2.field_def_id WHERE d2.is_sensitive)`);
      await c.query(`UPDATE user_program_roles SET role = 'superstaff' WHERE id = (SELECT min(id) FROM user_program_roles)`);
      const fk = await c.query<{ conname: string }>(`SELECT conname FROM pg_constraint WHERE conrelid = 'client_program_enrolments'::regclass AND contype = 'f' AND confrelid = 'programs'::regclass`);
      await c.query(`ALTER TABLE client_program_enrolments DROP CONSTRAINT "${fk.rows[0]!.conname}"`);
      await c.query(`UPDATE client_program_enrolments SET program_id = 999999 WHERE id = (SELECT min(id) FROM client_program_enrolments)`);
    });
    // The audit writer owns audit_log, so KoNote's lockdown does not stop it: it grants itself UPDATE.
    await withClient(ctx, 'sandbox', 'audit', async (c) => {
      await c.query('GRANT UPDATE ON audit_log TO audit_writer');
      await c.query(`UPDATE audit_log SET user_display = 'nobody' WHERE id = 500`);
    });
    const r = await runSecurityAudit(ctx, { profile: 'sandbox', categories: [...ALL], full: false, sample: 20 });
    const s = status(r);
    expect(s).toMatchObject({ ENC003: 'FAIL', ENC004: 'FAIL', RBAC002: 'FAIL', RBAC003: 'FAIL', AUD005: 'FAIL', AUD006: 'FAIL' });
    const get = (id: string) => r.results.find((x) => x.check_id === id)!;
    expect(get('ENC003').detail).toContain('client_files._first_name_encrypted');
    expect(get('RBAC003').detail).toContain('superstaff');
    expect(get('AUD005').detail).toContain('UPDATE');
    expect(get('AUD006').detail).toContain('500');
    expect(get('ENC004').fix).toMatch(/Re-save/);
  }, 120_000);
});
