import type { Client } from 'pg';
import type { CheckResult } from '../../../contract/drills';
import type { BackupFile } from '../../backup/manifest';
import { quoteQualified } from '../../common/sql';
import { GAPS_LISTED, mergeScans, scanRangeSql } from '../../audit/id-time-scan';
import type { CoveredScan } from '../../audit/verify-checkpoints';
import { withIdRangePlans } from '../../audit/id-range';

/**
 * The audit log's own checks, which KoNote's verify command skips although its runbook asks for
 * them: ids without unexpected gaps, timestamps that never go backwards as ids grow, and the count
 * (and highest id) equal to the manifest's. All run on the primary key only (audit_log has no
 * other index).
 */

/** Concurrent requests can commit a few seconds out of order; more than this is not explained by that. */
export const CONCURRENCY_SLACK_SECONDS = 5;

export async function auditChecks(client: Client, schema: string, file: BackupFile | null, covered: CoveredScan | null = null): Promise<{ checks: CheckResult[]; count: number }> {
  const t = quoteQualified(schema, 'audit_log');
  // Only ids up to the manifest's max: rows written after the backup (live check) are not judged by it.
  const upTo = file?.maxAuditId ?? null;
  // Rows a checkpoint re-hash already read are not read again: only the ids around them are.
  const usable = covered && (upTo === null || covered.toId <= upTo) ? covered : null;
  const { scan, beyond } = await withIdRangePlans(client, async () => ({
    scan: usable
      ? mergeScans(mergeScans(await scanRangeSql(client, t, null, usable.fromId), usable.scan), await scanRangeSql(client, t, usable.toId, upTo))
      : await scanRangeSql(client, t, null, upTo),
    beyond: upTo === null ? 0 : Number((await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${t} WHERE id > $1::bigint`, [upTo])).rows[0]!.n),
  }));
  const count = scan.n + beyond;
  const { n, minId: lo, maxId: hi } = scan;
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
    const missing = scan.missing;
    if (missing === 0) checks.push({ id: 'audit.gaps', title: 'Audit ids without gaps', status: 'PASS', detail: `Ids ${lo}…${hi} are consecutive (${n} rows).` });
    else {
      const ranges = scan.gaps.map(([first, last]) => (first === last ? `${first}` : `${first}–${last}`));
      checks.push({
        id: 'audit.gaps',
        title: 'Audit ids without gaps',
        status: 'WARN',
        detail: `${missing} id(s) missing between ${lo} and ${hi}: ${ranges.join(', ')}${scan.gaps.length === GAPS_LISTED && missing > sumGaps(scan.gaps) ? ', …' : ''}.`,
        hint: 'A gap is either an insert that was rolled back (harmless) or audit rows that were deleted. Compare with an older backup or an audit checkpoint to tell which.',
      });
    }
  }

  // Timestamps non-decreasing with id.
  const backwards = scan.back;
  const worst = scan.worstUs / 1e6;
  if (backwards === 0) checks.push({ id: 'audit.order', title: 'Audit timestamps in id order', status: 'PASS', detail: 'Every row is at or after the row before it.' });
  else if (worst <= CONCURRENCY_SLACK_SECONDS) {
    checks.push({ id: 'audit.order', title: 'Audit timestamps in id order', status: 'WARN', detail: `${backwards} row(s) are up to ${worst.toFixed(1)} s earlier than the row before them (first at id ${scan.firstBackId}).`, hint: 'Small steps back happen when requests finish at the same moment; nothing to do unless they grow.' });
  } else {
    checks.push({
      id: 'audit.order',
      title: 'Audit timestamps in id order',
      status: 'FAIL',
      detail: `${backwards} row(s) are earlier than the row before them, by up to ${Math.round(worst)} s (first at id ${scan.firstBackId}).`,
      hint: 'Audit rows were changed or inserted out of order, which KoNote does not do. Treat this as possible tampering: keep this backup and compare with older ones.',
    });
  }
  return { checks, count };
}

const sumGaps = (gaps: [number, number][]) => gaps.reduce((s, [a, b]) => s + b - a + 1, 0);
