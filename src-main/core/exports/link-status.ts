import { EXPORT_TYPES, type FileState, type LinkStatus } from '../../contract/exports';

/**
 * KoNote's link status, evaluated in KoNote's order: Revoked, Expired, File Missing, Pending,
 * Active (konote-reference.md §4). Pure, so the order is unit-tested without a database.
 */
export interface StatusInput {
  revoked: boolean;
  expiresAt: Date;
  createdAt: Date;
  isElevated: boolean;
  fileState: FileState;
}

export function linkStatus(l: StatusInput, now: Date, pendingDelayMinutes: number): LinkStatus {
  if (l.revoked) return 'revoked';
  if (now.getTime() > l.expiresAt.getTime()) return 'expired';
  // A path outside the folder is one KoNote refuses to serve: for the user it is a missing file.
  if (l.fileState === 'missing' || l.fileState === 'outside') return 'file_missing';
  if (l.fileState === 'unknown') return 'file_unknown';
  if (l.isElevated && now.getTime() < pendingUntil(l.createdAt, pendingDelayMinutes).getTime()) return 'pending';
  return 'active';
}

export const pendingUntil = (createdAt: Date, delayMinutes: number) => new Date(createdAt.getTime() + delayMinutes * 60_000);

export const isKnownExportType = (t: string) => (EXPORT_TYPES as readonly string[]).includes(t);
