import type { CoreContext } from '../context';
import type { PinReason } from './retention';

export type BackupSetState = 'running' | 'verified' | 'unverified' | 'failed' | 'pruned';

export interface BackupCheck {
  file: string;
  check: string;
  ok: boolean;
  detail: string;
}

export interface BackupSetRecord {
  id: string;
  profile: string;
  dir: string;
  createdAt: string;
  finishedAt: string | null;
  state: BackupSetState;
  format: 'custom' | 'plain';
  encrypted: boolean;
  totalBytes: number | null;
  keyListFingerprint: string | null;
  recipients: string[];
  checks: BackupCheck[];
  failure: { kind: string; message: string; hint?: string } | null;
  pins: PinReason[];
  jobId: string | null;
}

interface Row {
  id: string;
  profile: string;
  dir: string;
  created_at: string;
  finished_at: string | null;
  state: BackupSetState;
  format: 'custom' | 'plain';
  encrypted: number;
  total_bytes: number | null;
  key_list_fingerprint: string | null;
  recipients_json: string;
  checks_json: string;
  failure_json: string | null;
  pins_json: string;
  job_id: string | null;
}

const toRecord = (r: Row): BackupSetRecord => ({
  id: r.id,
  profile: r.profile,
  dir: r.dir,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
  state: r.state,
  format: r.format,
  encrypted: r.encrypted === 1,
  totalBytes: r.total_bytes,
  keyListFingerprint: r.key_list_fingerprint,
  recipients: JSON.parse(r.recipients_json),
  checks: JSON.parse(r.checks_json),
  failure: r.failure_json ? JSON.parse(r.failure_json) : null,
  pins: JSON.parse(r.pins_json),
  jobId: r.job_id,
});

/** The backup-set rows of the SQLite log: what ran, when, with which result and pins. */
export const setStore = {
  insertRunning(ctx: CoreContext, s: Pick<BackupSetRecord, 'id' | 'profile' | 'dir' | 'createdAt' | 'format' | 'encrypted' | 'keyListFingerprint' | 'recipients' | 'jobId'>): void {
    ctx.log
      .prepare(
        `INSERT INTO backup_sets (id, profile, dir, created_at, state, format, encrypted, key_list_fingerprint, recipients_json, job_id)
         VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)`,
      )
      .run(s.id, s.profile, s.dir, s.createdAt, s.format, s.encrypted ? 1 : 0, s.keyListFingerprint, JSON.stringify(s.recipients), s.jobId);
  },
  finish(ctx: CoreContext, id: string, state: BackupSetState, fields: { totalBytes?: number | null; checks?: BackupCheck[]; failure?: BackupSetRecord['failure'] }): void {
    ctx.log
      .prepare(`UPDATE backup_sets SET state = ?, finished_at = ?, total_bytes = ?, checks_json = ?, failure_json = ? WHERE id = ?`)
      .run(state, new Date().toISOString(), fields.totalBytes ?? null, JSON.stringify(fields.checks ?? []), fields.failure ? JSON.stringify(fields.failure) : null, id);
  },
  updateChecks(ctx: CoreContext, id: string, state: BackupSetState, checks: BackupCheck[]): void {
    ctx.log.prepare(`UPDATE backup_sets SET state = ?, checks_json = ? WHERE id = ?`).run(state, JSON.stringify(checks), id);
  },
  setPins(ctx: CoreContext, id: string, pins: PinReason[]): void {
    ctx.log.prepare(`UPDATE backup_sets SET pins_json = ? WHERE id = ?`).run(JSON.stringify([...new Set(pins)]), id);
  },
  get(ctx: CoreContext, id: string): BackupSetRecord | null {
    const r = ctx.log.prepare(`SELECT * FROM backup_sets WHERE id = ?`).get(id) as Row | undefined;
    return r ? toRecord(r) : null;
  },
  list(ctx: CoreContext, profile?: string): BackupSetRecord[] {
    const rows = (profile
      ? ctx.log.prepare(`SELECT * FROM backup_sets WHERE profile = ? ORDER BY created_at DESC`).all(profile)
      : ctx.log.prepare(`SELECT * FROM backup_sets ORDER BY created_at DESC`).all()) as Row[];
    return rows.map(toRecord);
  },
  /** The newest verified set; with `format`, the newest of that format (sizes only compare like with like). */
  lastVerified(ctx: CoreContext, profile: string, format?: BackupSetRecord['format']): BackupSetRecord | null {
    const r = ctx.log
      .prepare(`SELECT * FROM backup_sets WHERE profile = ? AND state = 'verified' AND (? IS NULL OR format = ?) ORDER BY created_at DESC LIMIT 1`)
      .get(profile, format ?? null, format ?? null) as Row | undefined;
    return r ? toRecord(r) : null;
  },
};
