import type { Client } from 'pg';
import type { CheckResult, CheckStatus, ColumnDecrypt, VerificationReport } from '../../../contract/drills';
import type { DatabaseEndpoint } from '../../../contract/profiles';
import type { BackupManifest } from '../../backup/manifest';
import { MAIN_KEY_TABLES } from '../../backup/manifest';
import type { JobContext } from '../../jobs/runner';
import type { MultiFernet } from '../../keys/fernet';
import { toErrorData } from '../../common/errors';
import { withEndpointClient, type OpenClient } from '../../connections/pg-client';
import { countTables, countsCheck, existingTables, migrationsCheck, orphanChecks, tablesCheck } from './db-checks';
import { auditChecks } from './audit-checks';
import type { CheckpointOutcome } from './checkpoint-check';
import { decryptColumns } from './decrypt-check';

/**
 * The verification suite, runnable on any pair of KoNote databases: the live production pair
 * (`custodian verify`), the scratch pair of a drill, or production right after a restore. With a
 * backup manifest the counts must match it exactly; without one they are reported.
 */

export interface VerifyEndpoint {
  endpoint: DatabaseEndpoint;
  password: string | null;
}
export interface VerifyTarget {
  main: VerifyEndpoint;
  audit: VerifyEndpoint;
  /** Schemas of the main database to check (encrypted columns); key tables live in the first. */
  schemas: string[];
}
export interface VerifySuiteOptions {
  manifest: BackupManifest | null;
  /** Loads the key list; a thrown AppError (KeyMissing...) becomes a FAIL of the decrypt check. */
  keys: () => Promise<MultiFernet>;
  full: boolean;
  sample: number;
  job?: Pick<JobContext, 'progress' | 'log' | 'throwIfCancelled' | 'signal'>;
  /** Maps the suite's 0..1 onto the caller's progress bar. */
  onFraction?: (f: number, message: string) => void;
  /**
   * Resolves when each database may be read (a drill starts verifying one database while the
   * other is still restoring). A rejection means that database's restore failed: its checks are skipped.
   */
  ready?: { main: Promise<unknown>; audit: Promise<unknown> };
  /** Re-hashes the audit checkpoints (when any are recorded) on connections it opens; null result = no checkpoint to check. */
  checkpoints?: (open: OpenClient, upToId: number | null) => Promise<CheckpointOutcome | null>;
}

export const describeEndpoint = (e: DatabaseEndpoint) => `${e.user}@${e.host}:${e.port}/${e.database}`;

/** The worst status wins: one FAIL fails the whole. */
export function overallStatus(checks: Pick<CheckResult, 'status'>[]): CheckStatus {
  if (checks.some((c) => c.status === 'FAIL')) return 'FAIL';
  if (checks.some((c) => c.status === 'WARN')) return 'WARN';
  return 'PASS';
}

export async function runVerification(target: VerifyTarget, o: VerifySuiteOptions): Promise<VerificationReport> {
  // The clock starts when the first database may be read (a drill passes `ready` while restoring).
  let started = new Date();
  let t0 = performance.now();
  let marked = !o.ready;
  const whenReady = (p: Promise<unknown> | undefined) =>
    p?.then(() => {
      if (!marked) [marked, started, t0] = [true, new Date(), performance.now()];
    });
  const checks: CheckResult[] = [];
  let columns: ColumnDecrypt[] = [];
  const counts: Record<string, number> = {};
  const schema = target.schemas[0] ?? 'public';
  const mainFile = o.manifest?.files.find((f) => f.role === 'main') ?? null;
  const auditFile = o.manifest?.files.find((f) => f.role === 'audit') ?? null;
  const step = (f: number, m: string) => o.onFraction?.(f, m);

  // The two databases are checked at the same time on their own connections: the audit log's
  // scans run in the server while this process decrypts the main database's columns.
  const mainChecks: CheckResult[] = [];
  const auditChecksOut: CheckResult[] = [];
  step(0, 'Connecting to both databases');
  const mainPart = onDatabase(target.main, 'main', mainChecks, o, whenReady(o.ready?.main), async (client) => {
    const present = await existingTables(client, schema);
    mainChecks.push(tablesCheck('main', present));
    step(0.05, 'Counting key tables');
    const c = await countTables(client, schema, MAIN_KEY_TABLES, present);
    Object.assign(counts, c);
    mainChecks.push(countsCheck('main', c, mainFile));
    step(0.1, 'Looking for orphaned rows');
    mainChecks.push(...(await orphanChecks(client, schema, present)));
    mainChecks.push(await migrationsCheck(client, 'main', schema, present));
    o.job?.throwIfCancelled();
    let keys: MultiFernet;
    try {
      keys = await o.keys();
    } catch (e) {
      const err = toErrorData(e);
      mainChecks.push({ id: 'decrypt', title: 'Encrypted columns decrypt', status: 'FAIL', detail: `Not checked: ${err.message}`, hint: err.hint });
      return;
    }
    const r = await decryptColumns(client, target.schemas, { keys, full: o.full, sample: o.sample, job: o.job, onFraction: (f, m) => step(0.15 + 0.8 * f, m) });
    mainChecks.push(r.check);
    columns = r.columns;
  });
  const auditPart = onDatabase(target.audit, 'audit', auditChecksOut, o, whenReady(o.ready?.audit), async (client) => {
    const present = await existingTables(client, 'public');
    auditChecksOut.push(tablesCheck('audit', present));
    auditChecksOut.push(await migrationsCheck(client, 'audit', 'public', present));
    if (!present.has('audit_log')) return;
    // The checkpoint re-hash (the longest check) reads the rows on connections of its own; the
    // audit log's own checks then reuse what it read and scan only the rows it does not cover.
    const open: OpenClient = (fn) => withEndpointClient(target.audit.endpoint, target.audit.password, fn, { signal: o.job?.signal });
    const cp = (await o.checkpoints?.(open, auditFile?.maxAuditId ?? null)) ?? null;
    const a = await auditChecks(client, 'public', auditFile, cp?.covered ?? null);
    counts.audit_log = a.count;
    auditChecksOut.push(...a.checks);
    if (cp) auditChecksOut.push(cp.check);
  });
  const settled = await Promise.allSettled([mainPart, auditPart]);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  checks.push(...mainChecks, ...auditChecksOut);
  step(1, 'Verification finished');

  return {
    target: { main: describeEndpoint(target.main.endpoint), audit: describeEndpoint(target.audit.endpoint) },
    mode: o.full ? 'full' : 'sample',
    sample: o.sample,
    againstManifest: o.manifest?.setId ?? null,
    status: overallStatus(checks),
    checks,
    columns,
    counts,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - t0),
  };
}

/** Connectivity is itself a check: a database that cannot be reached fails, and its other checks are skipped. */
async function onDatabase(side: VerifyEndpoint, role: 'main' | 'audit', checks: CheckResult[], o: VerifySuiteOptions, ready: Promise<unknown> | undefined, fn: (c: Client) => Promise<void>): Promise<void> {
  let connected = false;
  try {
    await ready;
    await withEndpointClient(
      side.endpoint,
      side.password,
      async (client) => {
        connected = true;
        const v = await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
        checks.push({ id: `connect.${role}`, title: `Connect to the ${role} database`, status: 'PASS', detail: `${describeEndpoint(side.endpoint)} (PostgreSQL ${v.rows[0]!.v}).` });
        await fn(client);
      },
      { signal: o.job?.signal },
    );
  } catch (e) {
    const err = toErrorData(e);
    if (err.kind === 'Cancelled') throw e;
    if (!connected) checks.push({ id: `connect.${role}`, title: `Connect to the ${role} database`, status: 'FAIL', detail: err.message, hint: err.hint });
    else checks.push({ id: `error.${role}`, title: `Checks on the ${role} database`, status: 'FAIL', detail: `Stopped by an error: ${err.message}`, hint: err.hint });
  }
}
