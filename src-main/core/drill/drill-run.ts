import path from 'node:path';
import fs from 'node:fs';
import type { DrillSummary } from '../../contract/drills';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { AppError, toErrorData } from '../common/errors';
import { resolveProfile } from '../connections/profile-store';
import { endpointConnectionConfig, toolEnvFor } from '../connections/pg-client';
import { setStore, type BackupSetRecord } from '../backup/set-store';
import { loadKeyList } from '../keys/key-service';
import { drillStore } from './drill-store';
import { runPreflight, workRoot } from './checklist';
import { scratchNames } from './restore-args';
import { createScratch, dropScratch, type ScratchServer } from './scratch';
import { restoreSetFiles } from './restore-set';
import { runVerification } from './verify/verify-suite';
import { checkpointCheck } from './verify/checkpoint-check';
import { readManifest } from '../backup/manifest';
import { cleanupLocalTargets, removeLocalTarget, startLocalTarget, type LocalTarget } from './local-target';

/**
 * A restore drill: checklist → restore the set into new scratch databases on the profile's main
 * server (or on a throwaway local instance, removed afterwards) → full verification against the
 * manifest → record (RTO, RPO, every check) → drop the scratch databases unless kept. Production is never written. A failed drill is recorded as
 * failed with why; a cancelled one drops its scratch databases.
 */

export interface DrillOptions {
  profile?: string;
  setId?: string;
  keep: boolean;
  /** Restore into a throwaway local instance (installed server programs) instead of the profile's server. */
  local?: boolean;
  full: boolean;
  sample: number;
  notes: string;
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.(\d+)Z$/, '$1z');

export function pickSet(ctx: CoreContext, profile: string, setId?: string): BackupSetRecord {
  if (setId) {
    const s = setStore.get(ctx, setId);
    if (!s) throw new AppError('NotFound', `There is no backup set "${setId}".`, 'See `custodian backup list` for the sets Custodian knows.');
    if (s.state === 'pruned' || s.state === 'failed' || s.state === 'running') throw new AppError('Validation', `Backup set ${setId} is ${s.state}; it cannot be restored.`, 'Pick a verified set.');
    return s;
  }
  const last = setStore.lastVerified(ctx, profile);
  if (!last) throw new AppError('NotFound', `"${profile}" has no verified backup set to drill.`, 'Make a backup first (`custodian backup run`), then run the drill.');
  return last;
}

export async function runDrill(ctx: CoreContext, o: DrillOptions, job: JobContext): Promise<DrillSummary> {
  await cleanupInterrupted(ctx, job).catch((e) => job.log('warn', `Could not clean up an earlier interrupted drill: ${toErrorData(e).message}`));
  const profile = resolveProfile(ctx, o.profile);
  if (o.local && o.keep) throw new AppError('Validation', 'A drill on a local throwaway instance cannot keep its databases: the instance is removed after the drill.', 'Run it without --keep, or without --local to keep the scratch databases on the profile’s server.');
  const set = pickSet(ctx, profile.name, o.setId);
  const started = new Date();
  const id = `drill_${stamp(started)}`;
  const names = scratchNames(stamp(started));
  const rpoSeconds = Math.max(0, Math.round((started.getTime() - Date.parse(set.createdAt)) / 1000));
  drillStore.insert(ctx, { id, kind: 'drill', profile: profile.name, setId: set.id, startedAt: started.toISOString(), rpoSeconds, keyListFingerprint: set.keyListFingerprint, notes: o.notes, jobId: job.jobId });
  job.log('info', `Drill ${id}: set ${set.id} (${Math.round(rpoSeconds / 3600)} h old) into scratch databases ${names.main} and ${names.audit}.`);

  const production = [profile.main.database, profile.audit.database];
  const scratchCreated = { value: false };
  let server: ScratchServer | null = null;
  let local: LocalTarget | null = null;
  try {
    if (o.local) {
      job.progress(0, 'Starting a local throwaway PostgreSQL instance');
      local = await startLocalTarget(ctx, id, dumpMajor(set.dir), job.signal);
      job.log('info', `Drill target: ${local.label}.`);
    }
    const conn = local ? local.server : await endpointConnectionConfig(ctx, profile.name, 'main');
    server = { endpoint: conn.endpoint, password: conn.password };
    job.progress(0, 'Checking the pre-restore checklist');
    const pre = await runPreflight(ctx, profile, set, { kind: 'drill', scratch: names, local: local ? { server, label: local.label } : undefined }, job);
    drillStore.update(ctx, id, { preflight: pre.checks });
    for (const c of pre.checks.filter((x) => x.status !== 'PASS')) job.log(c.status === 'FAIL' ? 'error' : 'warn', `${c.title}: ${c.detail}`);
    if (!pre.ok) {
      const failed = pre.checks.filter((c) => c.status === 'FAIL');
      drillStore.finish(ctx, id, 'failed', { kind: 'Validation', message: `The pre-restore checklist failed, so nothing was restored: ${failed.map((c) => c.title).join(', ')}.`, hint: failed[0]?.hint });
      return drillStore.get(ctx, id)!;
    }

    job.throwIfCancelled();
    drillStore.update(ctx, id, { scratch: { server: local ? local.label : `${conn.endpoint.host}:${conn.endpoint.port}`, main: names.main, audit: names.audit, kept: o.keep, droppedAt: null, ...(local ? { local: true } : {}) } });
    await createScratch(server, [names.main, names.audit], production);
    scratchCreated.value = true;

    // RTO clock: from the start of the restore to the end of verification. Each database is
    // verified as soon as it is restored, while the other may still be restoring.
    const t0 = performance.now();
    const env = toolEnvFor(conn.endpoint, conn.password, ctx.env);
    const restored = { main: deferred(), audit: deferred() };
    // Restore and verification overlap: the bar shows their sum, so it never moves backwards.
    const fraction = { restore: 0, verify: 0 };
    const show = (part: keyof typeof fraction, f: number, m: string) => {
      fraction[part] = Math.max(fraction[part], f);
      job.progress(0.1 + 0.6 * fraction.restore + 0.28 * fraction.verify, m);
    };
    const scratchEndpoint = (database: string) => ({ endpoint: { ...conn.endpoint, database }, password: conn.password });
    const verification = runVerification(
      { main: scratchEndpoint(names.main), audit: scratchEndpoint(names.audit), schemas: profile.schemas },
      {
        manifest: pre.manifest,
        keys: () => loadKeyList(ctx, profile.name),
        full: o.full,
        sample: o.sample,
        job,
        ready: { main: restored.main.promise, audit: restored.audit.promise },
        onFraction: (f, m) => show('verify', f, m),
        checkpoints: checkpointCheck(ctx, profile.name, job),
      },
    );
    verification.catch(() => undefined); // awaited below; after a failed restore its outcome does not matter
    let restore: Awaited<ReturnType<typeof restoreSetFiles>>;
    try {
      restore = await restoreSetFiles({
        dir: set.dir,
        manifest: pre.manifest!,
        identity: pre.identity,
        tool: pre.tool!,
        env: { main: env, audit: env },
        databases: { main: names.main, audit: names.audit },
        clean: false,
        workDir: pre.roomForTemp ? path.join(workRoot(ctx), id) : null,
        job,
        onFraction: (f, m) => show('restore', f, m),
        onRestored: (role) => restored[role].resolve(),
      });
    } catch (e) {
      const stop = new AppError('Cancelled', 'The restore did not finish.');
      restored.main.reject(stop);
      restored.audit.reject(stop);
      await verification.catch(() => undefined); // no checks left running on the scratch databases
      throw e;
    }
    const restoreMs = Math.round(performance.now() - t0);
    drillStore.update(ctx, id, { restoreMs });
    const report = await verification;
    const total = performance.now() - t0;
    const verifyMs = Math.round(total) - restoreMs;
    drillStore.update(ctx, id, { verification: report, verifyMs, rtoSeconds: Math.round(total) / 1000 });
    for (const c of report.checks.filter((x) => x.status !== 'PASS')) job.log(c.status === 'FAIL' ? 'error' : 'warn', `${c.title}: ${c.detail}`);
    job.log('info', `Restored in ${(restore.ms / 1000).toFixed(1)} s${restore.parallel ? ' (parallel)' : ''}, verified ${(verifyMs / 1000).toFixed(1)} s after that: ${report.status}.`);

    const passed = report.status !== 'FAIL';
    if (!o.keep) await drop(ctx, id, server, names, production);
    const failed = report.checks.filter((c) => c.status === 'FAIL');
    drillStore.finish(ctx, id, passed ? 'passed' : 'failed', passed ? null : { kind: 'Validation', message: `Verification failed: ${failed.map((c) => c.title).join(', ')}.`, hint: failed[0]?.hint });
    if (passed) setStore.setPins(ctx, set.id, [...set.pins, 'drill-verified']);
    job.progress(1, passed ? 'Drill passed' : 'Drill FAILED');
    return drillStore.get(ctx, id)!;
  } catch (e) {
    const err = toErrorData(e);
    const cancelled = job.signal.aborted || err.kind === 'Cancelled';
    // Cancel always drops the scratch databases; a failure keeps them only when asked to.
    if (server && scratchCreated.value && (cancelled || !o.keep)) await drop(ctx, id, server, names, production).catch((x) => job.log('warn', `Could not drop the scratch databases: ${toErrorData(x).message}`));
    drillStore.finish(ctx, id, cancelled ? 'cancelled' : 'failed', cancelled ? { kind: 'Cancelled', message: 'The drill was cancelled; its scratch databases were dropped.' } : err);
    if (cancelled) throw e;
    job.log('error', err.message);
    return drillStore.get(ctx, id)!;
  } finally {
    // The temporary decrypted archives are deleted file by file; this removes their folder too.
    fs.rmSync(path.join(workRoot(ctx), id), { recursive: true, force: true });
    // The local instance goes whatever happened (passed, failed, cancelled).
    if (local) await removeLocalTarget(ctx, local.dir).catch((x) => job.log('warn', `Could not remove the local drill instance ${local!.dir}: ${toErrorData(x).message}`));
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => undefined); // a side never awaited (its restore failed first) must not be an unhandled rejection
  return { promise, resolve, reject };
}

/** The newest pg_dump major of the set, so the local instance is at least that new (when installed). */
function dumpMajor(dir: string): number | undefined {
  try {
    return Math.max(...readManifest(dir).files.map((f) => Number.parseInt(f.pgDumpVersion, 10) || 0)) || undefined;
  } catch {
    return undefined; // the checklist reports the unreadable manifest
  }
}

async function drop(ctx: CoreContext, id: string, server: ScratchServer, names: { main: string; audit: string }, production: string[]): Promise<void> {
  await dropScratch(server, [names.main, names.audit], production);
  const d = drillStore.get(ctx, id);
  if (d?.scratch) drillStore.update(ctx, id, { scratch: { ...d.scratch, droppedAt: new Date().toISOString() } });
}

/**
 * A drill whose process died (killed mid-restore) is recorded as failed — never passed — and its
 * scratch databases and temporary files are removed. Runs before every drill and from `drill cleanup`.
 * With `includeKept`, scratch databases kept for inspection are dropped too.
 */
export async function cleanupInterrupted(ctx: CoreContext, job?: Pick<JobContext, 'log'>, includeKept = false): Promise<string[]> {
  const cleaned: string[] = [];
  const interrupted = new Set(markInterrupted(ctx, job));
  const leftovers = drillStore.withScratchLeft(ctx).filter((d) => includeKept || !d.scratch!.kept || interrupted.has(d.id));
  for (const d of leftovers) {
    try {
      // A local drill's databases went with its instance (removed below): only the record is updated.
      if (d.scratch!.local) {
        drillStore.update(ctx, d.id, { scratch: { ...d.scratch!, droppedAt: new Date().toISOString() } });
        continue;
      }
      const conn = await endpointConnectionConfig(ctx, d.profile, 'main');
      const profile = resolveProfile(ctx, d.profile);
      await dropScratch({ endpoint: conn.endpoint, password: conn.password }, [d.scratch!.main, d.scratch!.audit], [profile.main.database, profile.audit.database]);
      drillStore.update(ctx, d.id, { scratch: { ...d.scratch!, droppedAt: new Date().toISOString() } });
      cleaned.push(d.scratch!.main, d.scratch!.audit);
    } catch (e) {
      job?.log('warn', `Scratch databases of ${d.id} could not be dropped: ${toErrorData(e).message}`);
    }
  }
  // Temporary decrypted archives and local instances of drills that are not running.
  const running = new Set(drillStore.list(ctx).filter((d) => d.state === 'running').map((d) => d.id));
  for (const dir of await cleanupLocalTargets(ctx, running, job)) cleaned.push(`local instance ${dir}`);
  const root = workRoot(ctx);
  if (fs.existsSync(root)) for (const entry of fs.readdirSync(root)) if (!running.has(entry)) fs.rmSync(path.join(root, entry), { recursive: true, force: true });
  return cleaned;
}

/** The SQLite half of the clean-up (no network): drills whose process died are recorded as failed. */
export function markInterrupted(ctx: CoreContext, job?: Pick<JobContext, 'log'>): string[] {
  const ids: string[] = [];
  for (const d of drillStore.interrupted(ctx)) {
    const what = d.kind === 'drill' ? 'drill' : 'restore';
    drillStore.finish(ctx, d.id, 'failed', { kind: 'Internal', message: `Custodian stopped while this ${what} was running; it did not pass.`, hint: d.kind === 'drill' ? 'Run the drill again; its scratch databases are dropped first.' : 'Run `custodian verify` to see the state of production, and restore again if needed.' });
    job?.log('warn', `${d.id} was interrupted; recorded as failed.`);
    ids.push(d.id);
  }
  return ids;
}
