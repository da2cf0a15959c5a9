import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { toErrorData } from '../common/errors';
import { searchFromContext } from '../connections/tool-discovery';
import { createCluster, findServerBinaries, removeCluster } from '../sandbox/local-cluster';
import type { ScratchServer } from './scratch';

/**
 * A drill's local throwaway target (issue 4, item 2): a fresh PostgreSQL cluster on this computer,
 * made with the installed server programs, used for the drill's scratch databases and removed
 * afterwards (also on failure and cancel; a crash leaves a folder that the next drill removes).
 * Its superuser password is random and lives only in memory for the drill's duration.
 */

export interface LocalTarget {
  dir: string;
  server: ScratchServer;
  major: number;
  /** How the drill record and report name the target. */
  label: string;
}

export const localDrillRoot = (ctx: Pick<CoreContext, 'home'>) => path.join(ctx.home, 'drill-local');

export function localLabel(major: number, port: number): string {
  return `a local throwaway PostgreSQL ${major} instance (127.0.0.1:${port}, removed after the drill)`;
}

/** Which server programs a local drill would use; throws ToolMissing/PgVersion with the fix. */
export async function probeLocalServer(ctx: CoreContext, preferMajor?: number): Promise<{ major: number; binDir: string }> {
  const bins = await findServerBinaries(searchFromContext(ctx), { preferMajor });
  return { major: bins.major, binDir: bins.binDir };
}

export async function startLocalTarget(ctx: CoreContext, drillId: string, preferMajor: number | undefined, signal: AbortSignal): Promise<LocalTarget> {
  const dir = path.join(localDrillRoot(ctx), drillId);
  fs.mkdirSync(localDrillRoot(ctx), { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('base64url');
  try {
    // fsync off: the restored copy is thrown away; durability would only slow the drill down.
    const info = await createCluster(dir, password, { search: searchFromContext(ctx), fsync: false, preferMajor, signal });
    return { dir, major: info.major, label: localLabel(info.major, info.port), server: { endpoint: { host: '127.0.0.1', port: info.port, database: 'postgres', user: 'postgres', sslmode: 'disable' }, password } };
  } catch (e) {
    await removeCluster(dir, { search: searchFromContext(ctx) }).catch(() => undefined);
    throw e;
  }
}

export async function removeLocalTarget(ctx: CoreContext, dir: string): Promise<void> {
  await removeCluster(dir, { search: searchFromContext(ctx) });
}

/** Removes local drill clusters whose drill is not running (left by a crash). */
export async function cleanupLocalTargets(ctx: CoreContext, running: Set<string>, job?: Pick<JobContext, 'log'>): Promise<string[]> {
  const root = localDrillRoot(ctx);
  if (!fs.existsSync(root)) return [];
  const removed: string[] = [];
  for (const entry of fs.readdirSync(root)) {
    if (running.has(entry)) continue;
    try {
      await removeLocalTarget(ctx, path.join(root, entry));
      removed.push(entry);
    } catch (e) {
      job?.log('warn', `The local drill instance ${entry} could not be removed: ${toErrorData(e).message}`);
    }
  }
  return removed;
}
