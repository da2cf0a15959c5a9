import os from 'node:os';
import path from 'node:path';
import type { BackupManifest } from '../backup/manifest';
import type { JobContext } from '../jobs/runner';
import { restoreFile } from './restore-stream';
import { isAppError } from '../common/errors';

/**
 * Restores both files of a set (main, then audit) with progress weighted by the manifest's row
 * estimates, table by table as pg_restore reports them. Shared by drills and real restores.
 */

export interface RestoreSetRequest {
  dir: string;
  manifest: BackupManifest;
  identity: string | null;
  tool: string;
  env: { main: NodeJS.ProcessEnv; audit: NodeJS.ProcessEnv };
  databases: { main: string; audit: string };
  clean: boolean;
  workDir: string | null;
  job: Pick<JobContext, 'signal' | 'log' | 'throwIfCancelled'>;
  onFraction: (f: number, message: string) => void;
  /** Called as soon as one database is fully restored (its verification can start while the other restores). */
  onRestored?: (role: 'main' | 'audit') => void;
}

/** Parallel loading uses up to this many jobs (the machine's cores, at most 4). */
export const restoreJobs = () => Math.max(1, Math.min(4, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length));

/**
 * Jobs for one file: parallel loading helps only when there are tables to share out. A file whose
 * rows sit almost all in one table (the audit database: audit_log) loads as fast with one job, and
 * one job can read the dump as it is decrypted instead of waiting for a decrypted copy on disk.
 */
export function jobsForFile(tableEstimates: Record<string, number>, maxJobs = restoreJobs()): number {
  const rows = Object.values(tableEstimates).map((n) => Math.max(0, n));
  const total = rows.reduce((a, b) => a + b, 0);
  if (total > 0 && Math.max(...rows) >= 0.9 * total) return 1;
  return maxJobs;
}

export async function restoreSetFiles(req: RestoreSetRequest): Promise<{ ms: number; parallel: boolean; warnings: string[] }> {
  const t0 = performance.now();
  const files = req.manifest.files.filter((f) => f.role === 'main' || f.role === 'audit');
  const weight = (f: (typeof files)[number]) => Math.max(1, f.plaintextBytes);
  const total = files.reduce((s, f) => s + weight(f), 0);
  // Both databases restore at the same time: each is its own pg_restore and server backend, so
  // one's decryption overlaps the other's index builds. The bar shows their combined progress.
  const done = new Map<string, number>();
  const report = (message: string) => req.onFraction(Math.min(0.99, [...done.values()].reduce((a, b) => a + b, 0) / total), message);
  req.job.throwIfCancelled();
  // One failing restore stops its sibling (no half-finished work racing on after an error).
  const stop = new AbortController();
  const onCancel = () => stop.abort();
  req.job.signal.addEventListener('abort', onCancel, { once: true });
  const settled = await Promise.allSettled(
    files.map(async (f) => {
      const role = f.role as 'main' | 'audit';
      const rows = Object.values(f.tableEstimates).reduce((s, n) => s + Math.max(0, n), 0) || 1;
      let doneRows = 0;
      let current: string | null = null;
      done.set(role, 0);
      req.job.log('info', `Restoring ${f.file} into ${req.databases[role]}.`);
      const r = await restoreFile({
        dir: req.dir,
        file: f,
        identity: req.identity,
        tool: req.tool,
        env: req.env[role],
        database: req.databases[role],
        jobs: jobsForFile(f.tableEstimates),
        clean: req.clean,
        workDir: req.workDir ? path.join(req.workDir, role) : null,
        signal: stop.signal,
        onTable(table) {
          if (current) doneRows += Math.max(0, f.tableEstimates[current] ?? 0);
          current = table.includes('.') ? table : `public.${table}`;
          done.set(role, weight(f) * Math.min(0.99, doneRows / rows));
          report(`Restoring the ${role} database: ${current}`);
        },
        onLog: (level, text) => req.job.log(level, text),
      }).catch((e: unknown) => {
        stop.abort();
        throw e;
      });
      done.set(role, weight(f));
      report(`The ${role} database is restored`);
      req.job.log('info', `The ${role} database was restored in ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
      req.onRestored?.(role);
      return r;
    }),
  );
  req.job.signal.removeEventListener('abort', onCancel);
  const failures = settled.filter((x): x is PromiseRejectedResult => x.status === 'rejected').map((x) => x.reason as unknown);
  // The sibling stopped by a failure reports "cancelled": the real cause is the other error.
  if (failures.length) throw failures.find((e) => !(isAppError(e) && e.kind === 'Cancelled')) ?? failures[0];
  const results = settled.map((x) => (x as PromiseFulfilledResult<Awaited<ReturnType<typeof restoreFile>>>).value);
  req.onFraction(1, 'Restore finished');
  return { ms: Math.round(performance.now() - t0), parallel: results.some((r) => r.parallel), warnings: results.flatMap((r) => r.warnings) };
}
