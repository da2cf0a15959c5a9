import type { CheckResult } from '../../../contract/drills';
import type { CoreContext } from '../../context';
import type { JobContext } from '../../jobs/runner';
import { toErrorData } from '../../common/errors';
import { checkpointStore } from '../../audit/checkpoint-store';
import { verifyCheckpointsScanned, type CoveredScan } from '../../audit/verify-checkpoints';
import type { OpenClient } from '../../connections/pg-client';

/**
 * "The audit checkpoint hashes still match": when the audit capability has recorded checkpoints
 * for this deployment, re-hash their rows in the database under test (up to the backup's highest
 * audit id; newer checkpoints are skipped, not failed). No checkpoint: no check (nothing to compare).
 * It opens its own connections (`open`). The rows it reads also give the audit log's own checks
 * (`covered`), so those then only read what the checkpoints do not cover.
 */
export interface CheckpointOutcome {
  check: CheckResult;
  covered: CoveredScan | null;
}

export function checkpointCheck(ctx: CoreContext, profile: string, job?: Pick<JobContext, 'progress' | 'log' | 'throwIfCancelled' | 'signal'>) {
  return async (open: OpenClient, upToId: number | null): Promise<CheckpointOutcome | null> => {
    if (!checkpointStore.latest(ctx, profile)) return null;
    const title = 'Audit checkpoints still match';
    try {
      const { verify: v, covered } = await open((client) => verifyCheckpointsScanned(ctx, profile, { client, openClient: open, upToId, job }));
      if (!v.ok) return { covered, check: { id: 'audit.checkpoints', title, status: 'FAIL', detail: `${v.firstProblem ?? 'Rows differ from the checkpoint.'} (${v.problems.length} problem(s) in ${v.checkpoints} checkpoint(s)).`, hint: 'Audit rows were changed, removed or added after a checkpoint was taken. Keep this backup and investigate with `custodian audit verify`.' } };
      return { covered, check: { id: 'audit.checkpoints', title, status: 'PASS', detail: `${v.verified} checkpoint(s) re-hashed over ${v.rowsVerified} rows${v.skipped ? `; ${v.skipped} newer than this data skipped` : ''}.` } };
    } catch (e) {
      const err = toErrorData(e);
      if (err.kind === 'Cancelled') throw e;
      return { covered: null, check: { id: 'audit.checkpoints', title, status: 'WARN', detail: `Could not check: ${err.message}`, hint: err.hint } };
    }
  };
}
