import { AppError } from '../common/errors';

/**
 * Pure: reads a recovering PostgreSQL's log. Progress is the WAL files restored so far; the end is
 * "ready to accept connections" after promotion; known fatal lines become typed errors with the fix.
 */

export interface RecoveryLogState {
  lastRestored: string | null;
  restoredCount: number;
  consistent: boolean;
  /** "before commit of transaction 812, time 2026-11-30 15:04:05.12+00" */
  stoppedAt: string | null;
  promoted: boolean;
  ready: boolean;
  portInUse: boolean;
  fatal: string | null;
}

export const initialLogState = (): RecoveryLogState => ({ lastRestored: null, restoredCount: 0, consistent: false, stoppedAt: null, promoted: false, ready: false, portInUse: false, fatal: null });

export function readRecoveryLog(state: RecoveryLogState, lines: string[]): RecoveryLogState {
  const s = { ...state };
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = /restored log file "([0-9A-F]{24})" from archive/.exec(line))) {
      s.lastRestored = m[1]!;
      s.restoredCount++;
    } else if (/consistent recovery state reached/.test(line)) s.consistent = true;
    else if ((m = /recovery stopping (before|after) (commit|abort) of transaction (\d+), time (.+)$/.exec(line))) s.stoppedAt = `${m[1]} ${m[2]} of transaction ${m[3]}, time ${m[4]!.trim()}`;
    else if (/selected new timeline ID|archive recovery complete/.test(line)) s.promoted = true;
    else if (/database system is ready to accept connections/.test(line)) s.ready = true;
    else if (/could not bind IPv[46] address|Address already in use|could not create any TCP\/IP sockets/.test(line)) s.portInUse = true;
    else if ((m = /\b(FATAL|PANIC):\s+(.*)$/.exec(line)) && !s.fatal) s.fatal = m[2]!.trim();
  }
  return s;
}

/** Turns PostgreSQL's fatal recovery messages into errors people can act on. */
export function recoveryFatalToError(fatal: string, logFile: string): AppError {
  if (/recovery ended before configured recovery target was reached/.test(fatal)) {
    return new AppError('NotFound', 'The WAL archive ended before the chosen time was reached: a WAL file is missing or not archived yet.', `Check the window again (\`custodian pitr window\`) and pick a time inside it. PostgreSQL’s log: ${logFile}`);
  }
  if (/before consistent recovery point/.test(fatal)) {
    return new AppError('Validation', 'The chosen time is before the base backup became consistent.', 'Pick a later time, or a base backup that ended before your time.');
  }
  if (/incompatible with server|was initialized by PG_VERSION/.test(fatal)) {
    return new AppError('PgVersion', `The PostgreSQL server programs on this computer do not match the backup: ${fatal}`, 'Install the same PostgreSQL major version as the server the backup came from.');
  }
  if (/could not locate required checkpoint record|invalid checkpoint record|could not find redo location/.test(fatal)) {
    return new AppError('Conflict', `The base backup cannot be started: ${fatal}`, 'Verify the base backup (`custodian pitr base-backup` takes a new one) and that its WAL is in the archive.');
  }
  return new AppError('Internal', `PostgreSQL stopped during recovery: ${fatal}`, `Read ${logFile} for details; the scratch instance was removed.`);
}
