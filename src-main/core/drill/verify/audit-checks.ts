import type { Client } from 'pg';
import type { CheckResult } from '../../../contract/drills';
import type { BackupFile } from '../../backup/manifest';
import { quoteQualified } from '../../common/sql';

/**
 * The audit log's own checks, which KoNote's verify command skips although its runbook asks for
 * them: ids without unexpected gaps, timestamps that never go backwards as ids grow, and the count
 * (and highest id) equal to the manifest's. All run on the primary key only (audit_log has no
 * other index).
 */

const LISTED = 20;
/** Concurrent requests can commit a few seconds out of order; more than this is not explained by that. */
export const CONCURRENCY_SLACK_SECONDS = 5;

export async function auditChecks(client: Client, schema: string, file: BackupFile | null): Promise<{ checks: CheckResult[]; count: number }> {
  const t = quoteQualified(schema, 'audit_log');
  // Only ids up to the manifest's max: rows written after the backup (live check) are not judged by it.
  const upTo = file?.maxAuditId ?? null;
  const where = upTo === null ? '' : 'WHERE id <= $1';
  const params = upTo === null ? [] : [upTo];
  // One pass in id order gives the count, the id range and the steps back in time together
  // (each was a separate scan of what can be millions of rows).
  const judged = upTo === null ? 'true' : 'id <= $1::bigint';
  const one = await client.query<{ total: string; n: string; lo: string | null; hi: string | null; back_n: string; worst: number | null; first_id: string | null }>(
    `SELECT count(*)::text AS total, count(*) FILTER (WHERE ${judged})::text AS n,
            min(id) FILTER (WHERE ${judged})::text AS lo, max(id) FILTER (WHERE ${judged})::text AS hi,
            count(*) FILTER (WHERE ${judged} AND event_timestamp < prev)::text AS back_n,
            max(extract(epoch FROM prev - event_timestamp)) FILTER (WHERE ${judged} AND event_timestamp < prev)::float8 AS worst,
            min(id) FILTER (WHERE ${judged} AND event_timestamp < prev)::text AS first_id
       FROM (SELECT id, event_timestamp, lag(event_timestamp) OVER (ORDER BY id) AS prev FROM ${t}) s`,
    params,
  );
  const row = one.rows[0]!;
  const count = Number(row.total);
  const n = Number(row.n);
  const lo = row.lo === null ? null : Number(row.lo);
  const hi = row.hi === null ? null : Number(row.hi);
  const checks: CheckResult[] = [];

  // Count and highest id against the manifest.
  if (file) {
    const expected = file.counts.audit_log;
    const ok = expected === undefined || (count === expected && (file.maxAuditId ?? null) === hi);
    checks.push(
      ok
        ? { id: 'audit.count', title: 'Audit log complete', status: 'PASS', detail: `${count} rows, highest id ${hi ?? '-'}: equal to the backup manifest.` }
        : {
            id: 'audit.count',
            title: 'Audit log complete',
            status: 'FAIL',
            detail: `${count} rows (highest id ${hi ?? '-'}) here; the backup manifest says ${expected} rows (highest id ${file.maxAuditId ?? '-'}).`,
            hint: 'Audit rows are missing after the restore. Check the restore log; the audit database must be complete for compliance.',
          },
    );
  } else {
    checks.push({ id: 'audit.count', title: 'Audit log rows', status: 'PASS', detail: `${count} rows, ids ${lo ?? '-'}…${hi ?? '-'} (no backup manifest to compare with: live check).` });
  }

  // Gaps: ids are an identity assigned in insert order; a hole means rows deleted or a rolled-back insert.
  if (n === 0 || lo === null || hi === null) {
    checks.push({ id: 'audit.gaps', title: 'Audit ids without gaps', status: 'WARN', detail: 'The audit log is empty.', hint: 'A KoNote in use writes audit rows constantly; check that this is the right database.' });
  } else {
    const missing = hi - lo + 1 - n;
    if (missing === 0) checks.push({ id: 'audit.gaps', title: 'Audit ids without gaps', status: 'PASS', detail: `Ids ${lo}…${hi} are consecutive (${n} rows).` });
    else {
      const gaps = await client.query<{ first: string; last: string }>(
        `SELECT (id + 1)::text AS first, (next_id - 1)::text AS last
           FROM (SELECT id, lead(id) OVER (ORDER BY id) AS next_id FROM ${t} ${where}) s
          WHERE next_id > id + 1 ORDER BY id LIMIT ${LISTED}`,
        params,
      );
      const ranges = gaps.rows.map((g) => (g.first === g.last ? g.first : `${g.first}–${g.last}`));
      checks.push({
        id: 'audit.gaps',
        title: 'Audit ids without gaps',
        status: 'WARN',
        detail: `${missing} id(s) missing between ${lo} and ${hi}: ${ranges.join(', ')}${gaps.rows.length === LISTED ? ', …' : ''}.`,
        hint: 'A gap is either an insert that was rolled back (harmless) or audit rows that were deleted. Compare with an older backup or an audit checkpoint to tell which.',
      });
    }
  }

  // Timestamps non-decreasing with id.
  const backwards = Number(row.back_n);
  const worst = row.worst ?? 0;
  if (backwards === 0) checks.push({ id: 'audit.order', title: 'Audit timestamps in id order', status: 'PASS', detail: 'Every row is at or after the row before it.' });
  else if (worst <= CONCURRENCY_SLACK_SECONDS) {
    checks.push({ id: 'audit.order', title: 'Audit timestamps in id order', status: 'WARN', detail: `${backwards} row(s) are up to ${worst.toFixed(1)} s earlier than the row before them (first at id ${row.first_id}).`, hint: 'Small steps back happen when requests finish at the same moment; nothing to do unless they grow.' });
  } else {
    checks.push({
      id: 'audit.order',
      title: 'Audit timestamps in id order',
      status: 'FAIL',
      detail: `${backwards} row(s) are earlier than the row before them, by up to ${Math.round(worst)} s (first at id ${row.first_id}).`,
      hint: 'Audit rows were changed or inserted out of order, which KoNote does not do. Treat this as possible tampering: keep this backup and compare with older ones.',
    });
  }
  return { checks, count };
}
