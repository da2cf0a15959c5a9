import os from 'node:os';
import path from 'node:path';
import type { BackupManifest } from '../backup/manifest';
import type { JobContext } from '../jobs/runner';
import { restoreFile } from './restore-stream';

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
}

/** Parallel loading uses up to this many jobs (the machine's cores, at most 4). */
export const restoreJobs = () => Math.max(1, Math.min(4, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length));

export async function restoreSetFiles(req: RestoreSetRequest): Promise<{ ms: number; parallel: boolean; warnings: string[] }> {
  const t0 = performance.now();
  const files = req.manifest.files.filter((f) => f.role === 'main' || f.role === 'audit');
  const weight = (f: (typeof files)[number]) => Math.max(1, f.plaintextBytes);
  const total = files.reduce((s, f) => s + weight(f), 0);
  let before = 0;
  let parallel = false;
  const warnings: string[] = [];
  for (const f of files) {
    req.job.throwIfCancelled();
    const role = f.role as 'main' | 'audit';
    const rows = Object.values(f.tableEstimates).reduce((s, n) => s + Math.max(0, n), 0) || 1;
    let doneRows = 0;
    let current: string | null = null;
    const base = before / total;
    const share = weight(f) / total;
    req.onFraction(base, `Restoring the ${role} database`);
    req.job.log('info', `Restoring ${f.file} into ${req.databases[role]}.`);
    const r = await restoreFile({
      dir: req.dir,
      file: f,
      identity: req.identity,
      tool: req.tool,
      env: req.env[role],
      database: req.databases[role],
      jobs: restoreJobs(),
      clean: req.clean,
      workDir: req.workDir ? path.join(req.workDir, role) : null,
      signal: req.job.signal,
      onTable(table) {
        if (current) doneRows += Math.max(0, f.tableEstimates[current] ?? 0);
        current = table.includes('.') ? table : `public.${table}`;
        req.onFraction(base + share * Math.min(0.99, doneRows / rows), `Restoring the ${role} database: ${current}`);
      },
      onLog: (level, text) => req.job.log(level, text),
    });
    parallel ||= r.parallel;
    warnings.push(...r.warnings);
    before += weight(f);
  }
  req.onFraction(1, 'Restore finished');
  return { ms: Math.round(performance.now() - t0), parallel, warnings };
}
