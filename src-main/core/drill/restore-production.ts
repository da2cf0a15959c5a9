import path from 'node:path';
import fs from 'node:fs';
import type { CheckResult, DrillSummary } from '../../contract/drills';
import type { Profile } from '../../contract/profiles';
import type { BackupManifest } from '../backup/manifest';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { AppError, toErrorData } from '../common/errors';
import { resolveProfile } from '../connections/profile-store';
import { endpointConnectionConfig, withClient } from '../connections/pg-client';
import { runBackupSet } from '../backup/backup-set';
import { setStore } from '../backup/set-store';
import { drillStore } from './drill-store';
import { runPreflight, workRoot } from './checklist';
import { pickSet } from './drill-run';
import { restoreSetFiles } from './restore-set';
import { applyLockdown } from './lockdown';
import { verifyProfile } from './verify/verify-live';

/**
 * The runbook's "restore from dump" into production: only with the production database's name
 * typed back, only after the checklist passes, and only after a verified safety backup of what is
 * there now. Then pg_restore --clean --if-exists (both databases), the audit lockdown, and the
 * verification against the set's manifest. Recorded in the drill log as kind "restore".
 */

export interface RestoreOptions {
  profile?: string;
  setId: string;
  confirmDatabase: string;
  full: boolean;
  sample: number;
  notes: string;
}

/** Maps a sub-step's 0..1 progress onto [from, to] of the job's bar. */
export function subJob(job: JobContext, from: number, to: number): JobContext {
  return { ...job, progress: (f, m) => job.progress(f === null ? null : from + (to - from) * f, m) };
}

async function otherSessions(ctx: CoreContext, profile: string, role: 'main' | 'audit', database: string): Promise<number> {
  return withClient(ctx, profile, role, async (c) => Number((await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database])).rows[0]!.n));
}

/** WARN (not FAIL) when something else is connected to production: KoNote itself, usually. */
export async function sessionsCheck(ctx: CoreContext, profile: Profile): Promise<CheckResult> {
  const sessions = (await otherSessions(ctx, profile.name, 'main', profile.main.database)) + (await otherSessions(ctx, profile.name, 'audit', profile.audit.database));
  return sessions === 0
    ? { id: 'sessions', title: 'Nobody else connected', status: 'PASS', detail: 'No other session is connected to the production databases.' }
    : { id: 'sessions', title: 'Nobody else connected', status: 'WARN', detail: `${sessions} other session(s) are connected (KoNote itself?).`, hint: 'Stop KoNote (and its workers) before restoring, so nothing writes while the data is replaced.' };
}

/**
 * The automatic safety backup of what production holds now, verified and pinned. Refuses (nothing
 * replaced) when the copy is not intact. Returns the set's id, recorded on the drill row.
 */
export async function takeSafetyBackup(ctx: CoreContext, id: string, profile: string, job: JobContext): Promise<string> {
  job.log('info', 'Taking a safety backup of the production databases before replacing them.');
  const safety = await runBackupSet(ctx, { profile }, job);
  drillStore.update(ctx, id, { safetySetId: safety.setId });
  // "Smaller than the previous set" is a warning about the data, not about the files: the safety
  // copy is still intact and readable, which is all it must be. Any other failed check refuses.
  const failedChecks = safety.checks.filter((c) => !c.ok);
  if (failedChecks.some((c) => c.check !== 'size')) throw new AppError('Conflict', `The safety backup ${safety.setId} did not pass verification, so production was not touched.`, 'Fix what the backup reported, then restore again.');
  for (const c of failedChecks) job.log('warn', `Safety backup: ${c.detail}`);
  setStore.setPins(ctx, safety.setId, ['manual']);
  job.log('info', `Safety backup ${safety.setId} verified and pinned.`);
  return safety.setId;
}

/** After the data is replaced: the audit lockdown, then verification; records the outcome. */
export async function lockdownAndVerify(ctx: CoreContext, id: string, o: { profile: string; full: boolean; sample: number; manifest: BackupManifest | null; safetySetId: string; t0: number }, job: JobContext): Promise<DrillSummary> {
  job.progress(0.8, 'Applying the audit lockdown');
  const lockdown = await applyLockdown(ctx, o.profile);
  drillStore.update(ctx, id, { lockdown });
  for (const f of lockdown.findings.filter((x) => x.status !== 'PASS')) job.log('warn', `Lockdown: ${f.detail} ${f.hint ?? ''}`);

  const report = await verifyProfile(ctx, { profile: o.profile, full: o.full, sample: o.sample, manifest: o.manifest }, job, (f, m) => job.progress(0.82 + 0.17 * f, m));
  drillStore.update(ctx, id, { verification: report, verifyMs: report.durationMs, rtoSeconds: Math.round(performance.now() - o.t0) / 1000 });
  const passed = report.status !== 'FAIL';
  const failed = report.checks.filter((c) => c.status === 'FAIL');
  drillStore.finish(ctx, id, passed ? 'passed' : 'failed', passed ? null : { kind: 'Validation', message: `The restore finished but verification failed: ${failed.map((c) => c.title).join(', ')}.`, hint: `The safety backup ${o.safetySetId} holds what was there before.` });
  job.progress(1, passed ? 'Restore verified' : 'Restore NOT verified');
  return drillStore.get(ctx, id)!;
}

/** Records a failed or cancelled restore (pointing at the safety backup when there is one) and rethrows. */
export function failRestore(ctx: CoreContext, id: string, e: unknown, safetySetId: string | null, job: JobContext): never {
  const err = toErrorData(e);
  const cancelled = job.signal.aborted || err.kind === 'Cancelled';
  const hint = safetySetId ? `${err.hint ?? ''} The safety backup ${safetySetId} holds what was there before: restore it with \`custodian restore --set ${safetySetId}\`.`.trim() : err.hint;
  drillStore.finish(ctx, id, cancelled ? 'cancelled' : 'failed', { ...err, hint });
  throw new AppError(err.kind, err.message, hint, { cause: e });
}

export async function runRestore(ctx: CoreContext, o: RestoreOptions, job: JobContext): Promise<DrillSummary> {
  const profile = resolveProfile(ctx, o.profile);
  // The typed confirmation comes first: a mistyped name writes nothing at all, not even a log row.
  if (o.confirmDatabase !== profile.main.database) {
    throw new AppError('Validation', `The confirmation "${o.confirmDatabase}" is not the production database's name.`, `Type the main database's name exactly (${profile.main.database}) to confirm that its data, and the audit database "${profile.audit.database}", will be replaced.`);
  }
  const set = pickSet(ctx, profile.name, o.setId);
  const started = new Date();
  const id = `restore_${started.toISOString().replace(/[-:]/g, '').replace(/\.(\d+)Z$/, '$1z')}`;
  const rpoSeconds = Math.max(0, Math.round((started.getTime() - Date.parse(set.createdAt)) / 1000));
  drillStore.insert(ctx, { id, kind: 'restore', profile: profile.name, setId: set.id, startedAt: started.toISOString(), rpoSeconds, keyListFingerprint: set.keyListFingerprint, notes: o.notes, jobId: job.jobId });
  let safetySetId: string | null = null;
  try {
    job.progress(0, 'Checking the pre-restore checklist');
    const pre = await runPreflight(ctx, profile, set, { kind: 'restore' }, subJob(job, 0, 0.05));
    const checks = [...pre.checks, await sessionsCheck(ctx, profile)];
    drillStore.update(ctx, id, { preflight: checks });
    if (!pre.ok) {
      const failed = checks.filter((c) => c.status === 'FAIL');
      throw new AppError('Validation', `The pre-restore checklist failed, so nothing was changed: ${failed.map((c) => `${c.title} (${c.detail})`).join('; ')}`, failed[0]?.hint);
    }

    safetySetId = await takeSafetyBackup(ctx, id, profile.name, subJob(job, 0.05, 0.4));

    job.throwIfCancelled();
    const t0 = performance.now();
    const main = await endpointConnectionConfig(ctx, profile.name, 'main');
    const audit = await endpointConnectionConfig(ctx, profile.name, 'audit');
    const workDir = pre.roomForTemp ? path.join(workRoot(ctx), id) : null;
    try {
      await restoreSetFiles({
        dir: set.dir,
        manifest: pre.manifest!,
        identity: pre.identity,
        tool: pre.tool!,
        env: { main: main.env, audit: audit.env },
        databases: { main: profile.main.database, audit: profile.audit.database },
        clean: true,
        workDir,
        job,
        onFraction: (f, m) => job.progress(0.4 + 0.4 * f, m),
      });
    } finally {
      if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    }
    drillStore.update(ctx, id, { restoreMs: Math.round(performance.now() - t0) });

    return await lockdownAndVerify(ctx, id, { profile: profile.name, full: o.full, sample: o.sample, manifest: pre.manifest, safetySetId, t0 }, job);
  } catch (e) {
    failRestore(ctx, id, e, safetySetId, job);
  }
}
