import os from 'node:os';
import type { CheckResult, DrillState, DrillSummary, VerificationReport } from '../../contract/drills';
import type { CoreContext } from '../context';
import { osUser } from '../common/os-user';

/**
 * The drill log in SQLite: every drill and every real restore, with the set used, measured RTO and
 * RPO, each check's result, who ran it and why it failed. It holds evidence, never a secret or a
 * row's content (only counts and primary keys).
 */

interface Row {
  id: string;
  kind: 'drill' | 'restore';
  profile: string;
  set_id: string;
  state: DrillState;
  started_at: string;
  finished_at: string | null;
  rto_seconds: number | null;
  rpo_seconds: number | null;
  restore_ms: number | null;
  verify_ms: number | null;
  ran_by: string;
  host: string;
  key_list_fingerprint: string | null;
  scratch_json: string | null;
  preflight_json: string;
  verification_json: string | null;
  safety_set_id: string | null;
  lockdown_json: string | null;
  failure_json: string | null;
  notes: string;
  job_id: string | null;
}

const parse = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));

function toSummary(r: Row): DrillSummary {
  return {
    id: r.id,
    kind: r.kind,
    profile: r.profile,
    setId: r.set_id,
    state: r.state,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    rtoSeconds: r.rto_seconds,
    rpoSeconds: r.rpo_seconds,
    restoreMs: r.restore_ms,
    verifyMs: r.verify_ms,
    ranBy: r.ran_by,
    host: r.host,
    keyListFingerprint: r.key_list_fingerprint,
    scratch: parse(r.scratch_json),
    preflight: parse<CheckResult[]>(r.preflight_json) ?? [],
    verification: parse<VerificationReport>(r.verification_json),
    safetySetId: r.safety_set_id,
    lockdown: parse(r.lockdown_json),
    failure: parse(r.failure_json),
    notes: r.notes,
    jobId: r.job_id,
  };
}

export const drillStore = {
  insert(ctx: CoreContext, d: Pick<DrillSummary, 'id' | 'kind' | 'profile' | 'setId' | 'startedAt' | 'rpoSeconds' | 'keyListFingerprint' | 'notes' | 'jobId'>): void {
    ctx.log
      .prepare(
        `INSERT INTO drills (id, kind, profile, set_id, state, started_at, rpo_seconds, ran_by, host, key_list_fingerprint, notes, job_id)
         VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(d.id, d.kind, d.profile, d.setId, d.startedAt, d.rpoSeconds, osUser(), os.hostname(), d.keyListFingerprint, d.notes, d.jobId);
  },
  /** Partial updates as the drill advances, so a crash leaves a record of how far it got. */
  update(ctx: CoreContext, id: string, f: Partial<Pick<DrillSummary, 'scratch' | 'preflight' | 'verification' | 'safetySetId' | 'lockdown' | 'restoreMs' | 'verifyMs' | 'rtoSeconds'>>): void {
    const sets: string[] = [];
    const values: unknown[] = [];
    const put = (col: string, v: unknown) => {
      sets.push(`${col} = ?`);
      values.push(v);
    };
    if ('scratch' in f) put('scratch_json', f.scratch ? JSON.stringify(f.scratch) : null);
    if ('preflight' in f) put('preflight_json', JSON.stringify(f.preflight ?? []));
    if ('verification' in f) put('verification_json', f.verification ? JSON.stringify(f.verification) : null);
    if ('safetySetId' in f) put('safety_set_id', f.safetySetId ?? null);
    if ('lockdown' in f) put('lockdown_json', f.lockdown ? JSON.stringify(f.lockdown) : null);
    if ('restoreMs' in f) put('restore_ms', f.restoreMs ?? null);
    if ('verifyMs' in f) put('verify_ms', f.verifyMs ?? null);
    if ('rtoSeconds' in f) put('rto_seconds', f.rtoSeconds ?? null);
    if (sets.length === 0) return;
    ctx.log.prepare(`UPDATE drills SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
  },
  finish(ctx: CoreContext, id: string, state: Exclude<DrillState, 'running'>, failure: DrillSummary['failure']): void {
    ctx.log.prepare(`UPDATE drills SET state = ?, finished_at = ?, failure_json = ? WHERE id = ?`).run(state, new Date().toISOString(), failure ? JSON.stringify(failure) : null, id);
  },
  get(ctx: CoreContext, id: string): DrillSummary | null {
    const r = ctx.log.prepare(`SELECT * FROM drills WHERE id = ?`).get(id) as Row | undefined;
    return r ? toSummary(r) : null;
  },
  list(ctx: CoreContext, profile?: string | null, limit = 200): DrillSummary[] {
    const rows = (profile
      ? ctx.log.prepare(`SELECT * FROM drills WHERE profile = ? ORDER BY started_at DESC, rowid DESC LIMIT ?`).all(profile, limit)
      : ctx.log.prepare(`SELECT * FROM drills ORDER BY started_at DESC, rowid DESC LIMIT ?`).all(limit)) as Row[];
    return rows.map(toSummary);
  },
  lastPassed(ctx: CoreContext, profile: string): DrillSummary | null {
    const r = ctx.log.prepare(`SELECT * FROM drills WHERE profile = ? AND kind = 'drill' AND state = 'passed' ORDER BY started_at DESC LIMIT 1`).get(profile) as Row | undefined;
    return r ? toSummary(r) : null;
  },
  /** Drills whose process died: still 'running' while their job is not (the runner marks those failed on start-up). */
  interrupted(ctx: CoreContext): DrillSummary[] {
    const rows = ctx.log
      .prepare(`SELECT d.* FROM drills d LEFT JOIN jobs j ON j.id = d.job_id WHERE d.state = 'running' AND (j.id IS NULL OR j.state NOT IN ('queued','running'))`)
      .all() as Row[];
    return rows.map(toSummary);
  },
  /** Scratch databases kept (or not yet dropped) by finished drills. */
  withScratchLeft(ctx: CoreContext): DrillSummary[] {
    return (ctx.log.prepare(`SELECT * FROM drills WHERE scratch_json IS NOT NULL AND state != 'running'`).all() as Row[]).map(toSummary).filter((d) => d.scratch && !d.scratch.droppedAt);
  },
};
