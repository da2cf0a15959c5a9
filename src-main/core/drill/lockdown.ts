import type { Client } from 'pg';
import type { CheckResult, LockdownReport } from '../../contract/drills';
import type { CoreContext } from '../context';
import { quoteIdent } from '../common/sql';
import { AppError } from '../common/errors';
import { resolveProfile } from '../connections/profile-store';
import { withClient } from '../connections/pg-client';
import { overallStatus } from './verify/verify-suite';

/**
 * The audit lockdown: KoNote's `lockdown_audit_db` statements, and a check of the protection that
 * is really there. KoNote's version stops at the grants; the check also says who owns audit_log
 * and whether the writer can simply grant UPDATE/DELETE back (owner, member of the owner, grant
 * option) or bypass everything (superuser), and what to do about it.
 */

export const AUDIT_READER = 'audit_reader';
const PRIVS = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'] as const;

/** KoNote's statements, in its order, for this writer. */
export function lockdownStatements(writer: string, readerExists: boolean): string[] {
  const w = quoteIdent(writer);
  const out = [`REVOKE ALL ON audit_log FROM ${w}`, `GRANT SELECT, INSERT ON audit_log TO ${w}`, `GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${w}`];
  if (readerExists) out.push(`GRANT SELECT ON audit_log TO ${quoteIdent(AUDIT_READER)}`);
  return out;
}

export interface LockdownFacts {
  owner: string | null;
  writerIsSuperuser: boolean;
  writerIsOwner: boolean;
  writerMemberOfOwner: boolean;
  writerGrantOption: boolean;
  writerPrivileges: string[];
  readerExists: boolean;
  readerPrivileges: string[];
}

export async function inspectLockdown(client: Client, writer: string): Promise<LockdownFacts> {
  const t = await client.query<{ oid: number; owner: string }>(`SELECT c.oid, pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = 'audit_log' AND c.relkind IN ('r', 'p')`);
  if (!t.rows[0]) throw new AppError('NotFound', 'There is no audit_log table in this audit database.', 'Check the audit database name in the profile (KoNote uses "konote_audit").');
  const { oid, owner } = t.rows[0];
  const role = await client.query<{ su: boolean }>(`SELECT rolsuper AS su FROM pg_roles WHERE rolname = $1`, [writer]);
  const privsOf = async (who: string) => {
    const r = await client.query<Record<string, boolean>>(`SELECT ${PRIVS.map((p, i) => `has_table_privilege($1, $2::oid, '${p}') AS p${i}`).join(', ')}`, [who, oid]);
    return PRIVS.filter((_, i) => r.rows[0]![`p${i}`]);
  };
  const g = await client.query<{ member: boolean; grant: boolean }>(
    `SELECT pg_has_role($1, $2, 'MEMBER') AS member,
            has_table_privilege($1, $3::oid, 'UPDATE WITH GRANT OPTION') OR has_table_privilege($1, $3::oid, 'DELETE WITH GRANT OPTION') OR has_table_privilege($1, $3::oid, 'INSERT WITH GRANT OPTION') AS grant`,
    [writer, owner, oid],
  );
  const reader = (await client.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [AUDIT_READER])).rowCount! > 0;
  return {
    owner,
    writerIsSuperuser: role.rows[0]?.su ?? false,
    writerIsOwner: owner === writer,
    writerMemberOfOwner: g.rows[0]!.member,
    writerGrantOption: g.rows[0]!.grant,
    writerPrivileges: await privsOf(writer),
    readerExists: reader,
    readerPrivileges: reader ? await privsOf(AUDIT_READER) : [],
  };
}

/** Turns the facts into findings (pure, unit-tested). */
export function judgeLockdown(writer: string, f: LockdownFacts): CheckResult[] {
  const out: CheckResult[] = [];
  const changing = f.writerPrivileges.filter((p) => p === 'UPDATE' || p === 'DELETE' || p === 'TRUNCATE');
  if (f.writerIsSuperuser) {
    out.push({ id: 'lockdown.superuser', title: 'Writer is not a superuser', status: 'FAIL', detail: `"${writer}" is a superuser: privileges do not apply to it, so it can change or delete audit rows whatever is granted.`, hint: 'Create an ordinary role for KoNote’s audit connection (e.g. CREATE ROLE audit_app LOGIN), give it only SELECT, INSERT, and use it in KoNote’s AUDIT_DATABASE_URL.' });
  } else {
    out.push({ id: 'lockdown.superuser', title: 'Writer is not a superuser', status: 'PASS', detail: `"${writer}" is an ordinary role.` });
  }
  out.push(
    changing.length === 0
      ? { id: 'lockdown.grants', title: 'Writer can only read and append', status: 'PASS', detail: `"${writer}" has ${f.writerPrivileges.join(', ') || 'no privileges'} on audit_log.` }
      : { id: 'lockdown.grants', title: 'Writer can only read and append', status: 'FAIL', detail: `"${writer}" can ${changing.join(', ')} audit_log: audit rows can be changed or deleted.`, hint: 'Apply the lockdown (`custodian lockdown`), which revokes everything but SELECT and INSERT.' },
  );
  const regrant = f.writerIsOwner || f.writerMemberOfOwner || f.writerGrantOption;
  out.push(
    regrant
      ? {
          id: 'lockdown.owner',
          title: 'Writer cannot undo the lockdown',
          status: 'WARN',
          detail: f.writerIsOwner ? `"${writer}" owns audit_log, so it can grant UPDATE and DELETE back to itself.` : f.writerMemberOfOwner ? `"${writer}" is a member of the owner "${f.owner}", so it can act as the owner.` : `"${writer}" holds a grant option on audit_log.`,
          hint: 'Transfer ownership to a role that cannot log in, as a superuser: CREATE ROLE audit_owner NOLOGIN; ALTER TABLE audit_log OWNER TO audit_owner; then apply the lockdown again.',
        }
      : { id: 'lockdown.owner', title: 'Writer cannot undo the lockdown', status: 'PASS', detail: `audit_log is owned by "${f.owner}", not by the writer.` },
  );
  if (f.readerExists) {
    const extra = f.readerPrivileges.filter((p) => p !== 'SELECT');
    out.push(
      extra.length === 0 && f.readerPrivileges.includes('SELECT')
        ? { id: 'lockdown.reader', title: 'audit_reader can only read', status: 'PASS', detail: 'audit_reader has SELECT only.' }
        : { id: 'lockdown.reader', title: 'audit_reader can only read', status: 'WARN', detail: `audit_reader has ${f.readerPrivileges.join(', ') || 'no privileges'}.`, hint: 'Apply the lockdown; then REVOKE any extra privilege from audit_reader.' },
    );
  }
  return out;
}

function report(profile: string, database: string, writer: string, f: LockdownFacts, applied: string[]): LockdownReport {
  const findings = judgeLockdown(writer, f);
  return {
    profile,
    database,
    writer,
    owner: f.owner,
    writerIsOwner: f.writerIsOwner,
    writerIsSuperuser: f.writerIsSuperuser,
    writerCanRegrant: f.writerIsOwner || f.writerMemberOfOwner || f.writerGrantOption,
    writerPrivileges: f.writerPrivileges,
    readerExists: f.readerExists,
    readerPrivileges: f.readerPrivileges,
    status: overallStatus(findings),
    findings,
    applied,
  };
}

/** Every check is kept (the dashboard tile shows the latest); the report holds no secret. */
function recordCheck(ctx: CoreContext, r: LockdownReport): LockdownReport {
  ctx.log.prepare(`INSERT INTO lockdown_checks (profile, checked_at, status, applied, report_json) VALUES (?, ?, ?, ?, ?)`).run(r.profile, new Date().toISOString(), r.status, r.applied.length ? 1 : 0, JSON.stringify(r));
  return r;
}

export function lastLockdownCheck(ctx: CoreContext, profile: string): { checkedAt: string; report: LockdownReport } | null {
  const row = ctx.log.prepare(`SELECT checked_at, report_json FROM lockdown_checks WHERE profile = ? ORDER BY id DESC LIMIT 1`).get(profile) as { checked_at: string; report_json: string } | undefined;
  return row ? { checkedAt: row.checked_at, report: JSON.parse(row.report_json) as LockdownReport } : null;
}

/** `custodian lockdown --check`: reads only (and records the result). */
export async function checkLockdown(ctx: CoreContext, profileName?: string): Promise<LockdownReport> {
  const profile = resolveProfile(ctx, profileName);
  const writer = profile.audit.user;
  return recordCheck(ctx, await withClient(ctx, profile.name, 'audit', async (c) => report(profile.name, profile.audit.database, writer, await inspectLockdown(c, writer), [])));
}

/** `custodian lockdown`: KoNote's statements, run as the audit user (as KoNote does), in one transaction; then the check. */
export async function applyLockdown(ctx: CoreContext, profileName?: string): Promise<LockdownReport> {
  const profile = resolveProfile(ctx, profileName);
  const writer = profile.audit.user;
  return withClient(ctx, profile.name, 'audit', async (c) => {
    const before = await inspectLockdown(c, writer);
    const statements = lockdownStatements(writer, before.readerExists);
    await c.query('BEGIN');
    try {
      for (const s of statements) await c.query(s);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    return recordCheck(ctx, report(profile.name, profile.audit.database, writer, await inspectLockdown(c, writer), statements));
  });
}
