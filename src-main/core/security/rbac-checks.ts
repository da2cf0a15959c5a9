import type { Client } from 'pg';
import type { SecurityResult } from '../../contract/audit';
import { quoteIdent } from '../common/sql';
import { fail, pass, skip, warn } from './result';

/** RBAC001–003 as KoNote's security_audit defines them, on the main database. */

const C = 'RBAC' as const;
export const KONOTE_ROLES = ['receptionist', 'staff', 'program_manager', 'executive'];

async function hasTables(client: Client, schema: string, tables: string[]): Promise<boolean> {
  const r = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename = ANY($2::text[])`, [schema, tables]);
  return r.rows[0]!.n === tables.length;
}

export async function rbacChecks(client: Client, schema: string): Promise<SecurityResult[]> {
  const s = quoteIdent(schema);
  const out: SecurityResult[] = [];

  const d1 = 'Every active non-admin user has an active program role';
  if (!(await hasTables(client, schema, ['users', 'user_program_roles']))) out.push(skip('RBAC001', C, d1, `No users/user_program_roles tables in schema ${schema}.`));
  else {
    const r = await client.query<{ username: string }>(
      `SELECT u.username FROM ${s}.users u
        WHERE u.is_active AND NOT u.is_admin
          AND NOT EXISTS (SELECT 1 FROM ${s}.user_program_roles r WHERE r.user_id = u.id AND r.status = 'active')
        ORDER BY u.username`,
    );
    const names = r.rows.map((x) => x.username);
    out.push(
      names.length === 0
        ? pass('RBAC001', C, d1, 'Every active non-admin user has at least one active program role.')
        : warn('RBAC001', C, d1, `${names.length} active user(s) without an active program role: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}.`, 'In KoNote, give each of these users a program role, or deactivate accounts no longer used.'),
    );
  }

  const d2 = 'Every enrolment points to an existing program';
  if (!(await hasTables(client, schema, ['client_program_enrolments', 'programs']))) out.push(skip('RBAC002', C, d2, `No enrolment tables in schema ${schema}.`));
  else {
    const r = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${s}.client_program_enrolments e LEFT JOIN ${s}.programs p ON p.id = e.program_id WHERE p.id IS NULL`);
    const n = Number(r.rows[0]!.n);
    out.push(n === 0 ? pass('RBAC002', C, d2, 'Every enrolment’s program exists.') : fail('RBAC002', C, d2, `${n} enrolment(s) point to a program that does not exist.`, 'Restore the missing programs from a backup, or move these enrolments to an existing program in KoNote.'));
  }

  const d3 = 'Program roles are ones KoNote knows';
  if (!(await hasTables(client, schema, ['user_program_roles']))) out.push(skip('RBAC003', C, d3, `No user_program_roles table in schema ${schema}.`));
  else {
    const r = await client.query<{ role: string; n: string }>(`SELECT role, count(*)::text AS n FROM ${s}.user_program_roles WHERE role <> ALL($1::text[]) GROUP BY role ORDER BY role`, [KONOTE_ROLES]);
    out.push(
      r.rows.length === 0
        ? pass('RBAC003', C, d3, `Every role is one of ${KONOTE_ROLES.join(', ')}.`)
        : fail('RBAC003', C, d3, `Unknown role(s): ${r.rows.map((x) => `"${x.role}" (${x.n})`).join(', ')}.`, `Change these roles in KoNote to one of ${KONOTE_ROLES.join(', ')}; KoNote ignores unknown roles, so these users may have no access or unexpected access.`),
    );
  }
  return out;
}
