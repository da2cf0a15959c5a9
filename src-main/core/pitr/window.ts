import type { BaseBackup, PitrRole, RecoverableWindow } from '../../contract/pitr';
import type { CoreContext } from '../context';
import { AppError } from '../common/errors';
import { resolveProfile } from '../connections/profile-store';
import { pickTool } from '../connections/tool-discovery';
import { pitrStore } from './pitr-store';
import { formatLocal, systemZone } from './target-time';
import { lastTransactionTime, listArchive, type ArchiveListing } from './wal-archive';
import { checkContinuity, segnoOfLsn, type Continuity } from './wal-names';

/**
 * The recoverable window: from the end of a verified base backup (recovery is only consistent
 * after replaying up to its end) to the last transaction found in an unbroken WAL chain after it
 * (recovery to a time stops *before* the first transaction later than the target, so a later
 * transaction must exist in the archive).
 */

export interface BackupChain {
  backup: BaseBackup;
  continuity: Continuity;
  fromSegno: number;
}

export function archiveDirOf(ctx: CoreContext, profile: string, role: PitrRole): string {
  const dir = pitrStore.config(ctx, profile, role).archiveDir;
  if (!dir) throw new AppError('Validation', `No WAL archive folder is set for the ${role} server of "${profile}".`, 'Run `custodian pitr config --archive-dir FOLDER` with the folder archive_command writes into (`custodian pitr setup-check` explains).');
  return dir;
}

export function chainOf(backup: BaseBackup, listing: ArchiveListing): BackupChain {
  const fromSegno = segnoOfLsn(backup.endLsn!, backup.walSegmentSize);
  return { backup, fromSegno, continuity: checkContinuity(listing.segments, fromSegno, backup.timeline ?? 1, backup.walSegmentSize) };
}

export interface WindowDetail extends RecoverableWindow {
  chains: BackupChain[];
  listing: ArchiveListing;
}

const describe = (iso: string) => `${formatLocal(Date.parse(iso), systemZone())} = ${iso}`;

export async function computeWindow(ctx: CoreContext, profileName: string | null, role: PitrRole, signal?: AbortSignal): Promise<WindowDetail> {
  const profile = resolveProfile(ctx, profileName);
  const archiveDir = archiveDirOf(ctx, profile.name, role);
  const backups = pitrStore
    .backups(ctx, profile.name, role)
    .filter((b) => b.state === 'verified' && b.endLsn && b.finishedAt)
    .sort((a, b) => a.finishedAt!.localeCompare(b.finishedAt!));
  const empty = (notes: string[], listing: ArchiveListing): WindowDetail => ({
    profile: profile.name, role, archiveDir, earliest: null, latest: null, baseBackupId: null, segments: listing.segments.length, lastSegment: listing.segments.at(-1)?.name ?? null, missing: [], notes, chains: [], listing,
  });
  const segSize = backups.at(-1)?.walSegmentSize ?? 16 * 1024 * 1024;
  const listing = listArchive(archiveDir, segSize);
  if (backups.length === 0) return empty(['There is no verified base backup yet: take one with `custodian pitr base-backup`.'], listing);

  const chains = backups.map((b) => chainOf(b, listing));
  const complete = chains.filter((c) => c.continuity.lastContiguous && c.continuity.missing.length === 0);
  // The oldest backup with an unbroken chain gives the widest window; without one, the newest
  // backup shows how far its broken chain still reaches.
  const chosen = complete[0] ?? chains.filter((c) => c.continuity.lastContiguous).at(-1) ?? chains.at(-1)!;
  const notes: string[] = [];
  const missing = chosen.continuity.missing;
  if (missing.length) notes.push(`WAL file ${missing[0]} is missing from the archive${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}: recovery cannot go past it.`);
  if (!chosen.continuity.lastContiguous) {
    notes.push(`The archive has no WAL after base backup ${chosen.backup.id}: is archive_command writing into ${archiveDir}?`);
    return { ...empty(notes, listing), missing, chains, baseBackupId: chosen.backup.id, earliest: chosen.backup.finishedAt };
  }
  const waldump = await pickTool(ctx, 'pg_waldump', { exactMajor: chosen.backup.serverMajor });
  const last = await lastTransactionTime(waldump, archiveDir, listing.segments, chosen.fromSegno, chosen.continuity.lastContiguous, signal);
  const earliest = chosen.backup.finishedAt!;
  let latest = last?.at ?? null;
  if (!latest || latest <= earliest) {
    notes.push('No transaction was archived after the base backup ended yet, so there is nothing to recover to between them. Wait for the next WAL file to be archived (archive_timeout), or run `SELECT pg_switch_wal();` on the server.');
    latest = null;
  } else notes.push(`Recoverable from ${describe(earliest)} up to, but not including, the last archived transaction at ${describe(latest)}.`);
  return {
    profile: profile.name, role, archiveDir, earliest: latest ? earliest : null, latest, baseBackupId: chosen.backup.id, segments: listing.segments.length,
    lastSegment: chosen.continuity.lastContiguous.name, missing, notes, chains, listing,
  };
}

export interface RecoveryPlan {
  backup: BaseBackup;
  archiveDir: string;
  window: WindowDetail;
  lastSegno: number;
}

/**
 * Checks the target against the window and picks the newest base backup that ended before it
 * (least WAL to replay). Outside the window, or behind a missing WAL file, it says what is
 * recoverable instead.
 */
export async function planRecovery(ctx: CoreContext, profileName: string, role: PitrRole, targetUtc: string, backupId: string | null, signal?: AbortSignal): Promise<RecoveryPlan> {
  const window = await computeWindow(ctx, profileName, role, signal);
  const target = new Date(targetUtc).toISOString();
  const span = window.earliest && window.latest ? `The recoverable window is ${describe(window.earliest)} to just before ${describe(window.latest)}.` : window.notes.join(' ');
  if (window.missing.length && window.latest && target >= window.latest) {
    throw new AppError('NotFound', `WAL file ${window.missing[0]} is missing from the archive ${window.archiveDir}, so recovery cannot reach ${describe(target)}.`, `${span} Find the missing file (an older copy of the archive, the server's pg_wal folder) and put it back, or take a new base backup now.`);
  }
  if (!window.earliest || !window.latest) throw new AppError('NotFound', `There is nothing to recover to yet for the ${role} server of "${window.profile}".`, span);
  if (target < window.earliest) {
    throw new AppError('Validation', `${describe(target)} is before the end of the oldest usable base backup.`, `${span} Pick a time inside it: before a base backup ends, the database is not consistent.`);
  }
  if (target >= window.latest) {
    throw new AppError('Validation', `${describe(target)} is after the last transaction in the WAL archive.`, `${span} Newer changes are not archived yet; wait for the next WAL file (archive_timeout) and check the window again.`);
  }
  const usable = window.chains.filter((c) => c.continuity.lastContiguous && c.backup.finishedAt! <= target && (c.continuity.missing.length === 0 || c.backup.id === window.baseBackupId));
  const pick = backupId ? usable.find((c) => c.backup.id === backupId) : usable.at(-1);
  if (!pick) {
    throw new AppError('Validation', `Base backup ${backupId} cannot reach ${describe(target)}.`, `It ended after that time or its WAL chain is broken. Leave out --backup to let Custodian choose.`);
  }
  return { backup: pick.backup, archiveDir: window.archiveDir, window, lastSegno: pick.continuity.lastContiguous!.segno };
}
