import fs from 'node:fs';
import path from 'node:path';
import type { CheckResult, DrillSummary } from '../../contract/drills';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { AppError } from '../common/errors';
import { resolveProfile } from '../connections/profile-store';
import { endpointConnectionConfig, toolEnvFor, withClient, withEndpointClient } from '../connections/pg-client';
import { buildPgDumpArgs } from '../backup/pg-dump-args';
import { locateTool } from '../backup/tools';
import { drillStore } from '../drill/drill-store';
import { workRoot } from '../drill/checklist';
import { failRestore, lockdownAndVerify, sessionsCheck, subJob, takeSafetyBackup } from '../drill/restore-production';
import { restoreJobs } from '../drill/restore-set';
import { restoreArchiveFile } from '../drill/restore-stream';
import { readyRecovery, scratchEndpoint } from './recover';
import { ensureScratchRunning } from './scratch-restart';

/**
 * PITR "replace" (issue 6, 3c): the recovered copy becomes production. The copy is dumped with
 * pg_dump (custom format) into a private 0600 file, then goes through the real restore's safe path:
 * typed confirmation of the production database's name first (a mistake writes nothing), checks,
 * a verified and pinned safety backup of what production holds now, pg_restore --clean --if-exists,
 * the audit lockdown and verification. Recorded in the drill log as a restore of "pitr:<recovery>".
 * The temporary dump is always deleted; the recovered copy stays until discarded.
 */

export interface ReplaceOptions {
  profile?: string | null;
  recoveryId: string;
  confirmDatabase: string;
  full: boolean;
  sample: number;
  notes: string;
}

const serverMajor = (v: string) => Math.floor(Number(v) / 10000);

export async function runPitrReplace(ctx: CoreContext, o: ReplaceOptions, job: JobContext): Promise<DrillSummary> {
  const r = readyRecovery(ctx, o.profile ?? '', o.recoveryId);
  const profile = resolveProfile(ctx, o.profile ?? r.profile);
  if (r.profile !== profile.name) throw new AppError('Validation', `Recovery ${r.id} belongs to "${r.profile}", not "${profile.name}".`, `Use --profile ${r.profile}, or a recovery of this profile.`);
  const target = profile[r.role].database;
  // The typed confirmation comes first: a mistyped name writes nothing at all, not even a log row.
  if (o.confirmDatabase !== target) {
    throw new AppError('Validation', `The confirmation "${o.confirmDatabase}" is not the name of the production database this copy would replace.`, `Type the ${r.role} database's name exactly (${target}) to confirm that its data will be replaced by the copy recovered to ${r.targetUtc}.`);
  }
  const started = new Date();
  const id = `replace_${started.toISOString().replace(/[-:]/g, '').replace(/\.(\d+)Z$/, '$1z')}`;
  // RPO of a replace: how far back in time production goes (the recovery target's age).
  const rpoSeconds = Math.max(0, Math.round((started.getTime() - Date.parse(r.targetUtc)) / 1000));
  const notes = o.notes || `Replace the ${r.role} database ${target} with the copy recovered to ${r.targetUtc} (${r.id}).`;
  drillStore.insert(ctx, { id, kind: 'restore', profile: profile.name, setId: `pitr:${r.id}`, startedAt: started.toISOString(), rpoSeconds, keyListFingerprint: null, notes, jobId: job.jobId });
  const workDir = path.join(workRoot(ctx), id);
  let safetySetId: string | null = null;
  try {
    job.progress(0, 'Checking the recovered copy, production and the tools');
    await ensureScratchRunning(ctx, r);
    const from = scratchEndpoint(r);
    const fromMajor = serverMajor(await withEndpointClient(from, null, async (c) => (await c.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]!.v));
    const toMajor = serverMajor(await withClient(ctx, profile.name, r.role, async (c) => (await c.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]!.v));
    const dump = await locateTool(ctx, 'pg_dump', fromMajor);
    const restore = await locateTool(ctx, 'pg_restore', Math.max(fromMajor, toMajor));
    const checks: CheckResult[] = [
      { id: 'recovery', title: 'Recovered copy running', status: 'PASS', detail: `Recovery ${r.id} (PostgreSQL ${fromMajor}) as of ${r.targetUtc}${r.stoppedAt ? `, stopped ${r.stoppedAt}` : ''}.` },
      dump
        ? { id: 'tools.pg_dump', title: 'pg_dump new enough', status: 'PASS', detail: `pg_dump ${dump.version} (${dump.path}).` }
        : { id: 'tools.pg_dump', title: 'pg_dump new enough', status: 'FAIL', detail: `No pg_dump ${fromMajor} or newer was found.`, hint: `Install the PostgreSQL ${fromMajor} client tools, or point Custodian to them in Settings.` },
      restore
        ? { id: 'tools.pg_restore', title: 'pg_restore new enough', status: 'PASS', detail: `pg_restore ${restore.version} (${restore.path}); production is PostgreSQL ${toMajor}.` }
        : { id: 'tools.pg_restore', title: 'pg_restore new enough', status: 'FAIL', detail: `No pg_restore ${Math.max(fromMajor, toMajor)} or newer was found.`, hint: `Install the PostgreSQL ${Math.max(fromMajor, toMajor)} client tools.` },
      await sessionsCheck(ctx, profile),
    ];
    drillStore.update(ctx, id, { preflight: checks });
    const failed = checks.filter((c) => c.status === 'FAIL');
    if (failed.length) throw new AppError('Validation', `The checks failed, so nothing was changed: ${failed.map((c) => `${c.title} (${c.detail})`).join('; ')}`, failed[0]?.hint);

    // Dump first: if the recovered copy cannot be read, production is never touched.
    job.progress(0.05, `Dumping the recovered copy (${r.database})`);
    fs.mkdirSync(workDir, { recursive: true, mode: 0o700 });
    const file = path.join(workDir, `${r.role}.dump`);
    // Created 0600 before pg_dump writes: it keeps an existing file's mode, so the data is never world-readable.
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
    const args = [...buildPgDumpArgs({ host: from.host, port: from.port, user: from.user, database: from.database, format: 'custom', pgDumpMajor: dump!.major, schemas: profile.schemas, verbose: false }), `--file=${file}`];
    await job.run(dump!.path, args, { env: toolEnvFor(from, null, ctx.env) });
    job.log('info', `Recovered copy dumped (${(fs.statSync(file).size / 1e6).toFixed(1)} MB, custom format).`);

    safetySetId = await takeSafetyBackup(ctx, id, profile.name, subJob(job, 0.15, 0.45));
    job.throwIfCancelled();

    const t0 = performance.now();
    job.progress(0.45, `Replacing production ${target} with the recovered copy`);
    const conn = await endpointConnectionConfig(ctx, profile.name, r.role);
    await restoreArchiveFile({
      tool: restore!.path,
      env: conn.env,
      database: target,
      path: file,
      jobs: restoreJobs(),
      clean: true,
      signal: job.signal,
      onTable: (t) => job.progress(null, `Restoring ${t}`),
      onLog: (level, text) => job.log(level, text),
    });
    drillStore.update(ctx, id, { restoreMs: Math.round(performance.now() - t0) });
    job.log('info', `Production ${target} now holds the data as of ${r.targetUtc}.`);
    return await lockdownAndVerify(ctx, id, { profile: profile.name, full: o.full, sample: o.sample, manifest: null, safetySetId, t0 }, job);
  } catch (e) {
    failRestore(ctx, id, e, safetySetId, job);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}
