import fs from 'node:fs';
import path from 'node:path';
import type { CoreContext } from '../context';
import { decideRetention, DEFAULT_RETENTION, type RetentionPolicy } from './retention';
import { setStore } from './set-store';
import { MANIFEST_NAME } from './manifest';

export interface PruneEntry {
  setId: string;
  createdAt: string;
  state: string;
  action: 'keep' | 'delete';
  reasons: string[];
}

/**
 * Applies retention to a deployment's sets. `dryRun` shows what would go and why. Failed runs
 * left no files, so only finished sets are candidates; the newest verified set and pinned sets
 * are always kept (decideRetention). The manifest is removed first, so an interrupted prune leaves
 * a set that is visibly incomplete rather than one that looks whole but lacks files.
 */
export function pruneBackups(ctx: CoreContext, profile: string, opts: { dryRun: boolean; now?: Date; policy?: RetentionPolicy }): { dryRun: boolean; entries: PruneEntry[]; freedBytes: number } {
  const sets = setStore.list(ctx, profile).filter((s) => s.state === 'verified' || s.state === 'unverified');
  const decisions = decideRetention(
    sets.map((s) => ({ id: s.id, createdAt: s.createdAt, verified: s.state === 'verified', pins: s.pins })),
    opts.now ?? new Date(),
    opts.policy ?? DEFAULT_RETENTION,
  );
  let freedBytes = 0;
  const entries: PruneEntry[] = decisions.map((d) => {
    const s = sets.find((x) => x.id === d.id)!;
    return { setId: s.id, createdAt: s.createdAt, state: s.state, action: d.keep ? 'keep' : 'delete', reasons: d.reasons };
  });
  if (!opts.dryRun) {
    for (const e of entries.filter((x) => x.action === 'delete')) {
      const s = sets.find((x) => x.id === e.setId)!;
      fs.rmSync(path.join(s.dir, MANIFEST_NAME), { force: true });
      fs.rmSync(s.dir, { recursive: true, force: true });
      freedBytes += s.totalBytes ?? 0;
      ctx.log.prepare(`UPDATE backup_sets SET state = 'pruned' WHERE id = ?`).run(s.id);
    }
  }
  return { dryRun: opts.dryRun, entries, freedBytes };
}
