import fs from 'node:fs';
import path from 'node:path';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import type { Profile } from '../../contract/profiles';
import { AppError, toErrorData } from '../common/errors';
import { resolveProfile } from '../connections/profile-store';
import { withClient, endpointConnectionConfig } from '../connections/pg-client';
import { readKeyListRecord } from '../keys/custody';
import { buildPgDumpArgs, buildPgDumpallGlobalsArgs, type DumpFormat } from './pg-dump-args';
import { dumpToFile } from './dump-stream';
import { withExportedSnapshot } from './snapshot';
import { takeCheckpoint } from '../audit/checkpoint';
import { MAIN_KEY_TABLES, AUDIT_KEY_TABLES, writeManifest, type BackupFile, type BackupManifest } from './manifest';
import { listRecipients, loadBackupIdentity } from './recipients';
import { setStore, type BackupCheck } from './set-store';
import { verifyBackupFile } from './verify-file';
import { locateTool } from './tools';
import { checkTargetFolder, defaultBackupFolder } from './target';
import { raiseAlert } from './alerts';
import { markKonoteBackupExported } from './konote-reminder';

export interface BackupRunOptions {
  profile?: string;
  target?: string;
  format?: DumpFormat;
  /** Encryption is on by default; turning it off is an explicit choice. */
  encrypt?: boolean;
  /** Roles too (default on); skipped with a warning when the user may not read them. */
  globals?: boolean;
}

export interface BackupRunResult {
  setId: string;
  profile: string;
  dir: string;
  verified: boolean;
  files: { role: string; file: string; bytes: number; sha256: string }[];
  checks: BackupCheck[];
  keyListFingerprint: string | null;
  warnings: string[];
  konoteReminderUpdated: boolean | null;
  /** Wall time of the dump phase (both databases, hashing and encryption) and of verification. */
  timings: { dumpMs: number; verifyMs: number };
}

/** KoNote's ops script alerts when a dump is under half of the previous one. */
export const SMALL_SET_RATIO = 0.5;

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'deployment';

/**
 * One backup set: both databases of a deployment dumped in their own exported snapshots, streamed
 * through SHA-256 and age into `.partial` files, renamed, re-read and verified, and only then the
 * manifest written (its presence marks the set complete). Any failure or cancel removes the set's
 * folder and records the cause; nothing is reported as verified that was not.
 */
export async function runBackupSet(ctx: CoreContext, opts: BackupRunOptions, job: JobContext): Promise<BackupRunResult> {
  const profile = resolveProfile(ctx, opts.profile);
  const format = opts.format ?? 'custom';
  const encrypt = opts.encrypt ?? true;
  const recipients = encrypt ? listRecipients(ctx, profile.name).map((r) => r.recipient) : null;
  if (encrypt && recipients!.length === 0) {
    throw new AppError('Validation', `No backup encryption key (age recipient) is set up for "${profile.name}".`, 'Run the Back up now wizard once to create the backup identity, or run `custodian backup identity create`.');
  }
  const targetRoot = path.resolve(opts.target ?? defaultBackupFolder(ctx, profile.name));
  await checkTargetFolder(ctx, profile, targetRoot);

  const createdAt = new Date();
  // Two runs within one second (a retry, a test) get distinct names rather than colliding.
  let setId = `${slug(profile.name)}_${stamp(createdAt)}`;
  for (let n = 2; setStore.get(ctx, setId) || fs.existsSync(path.join(targetRoot, setId)); n++) setId = `${slug(profile.name)}_${stamp(createdAt)}-${n}`;
  const dir = path.join(targetRoot, setId);
  const keyList = readKeyListRecord(ctx.log, profile.name);
  if (!keyList) job.log('warn', 'No Fernet key list is in custody for this deployment: the set cannot be labelled with a key fingerprint. Import the key (Keys page) so restores know which key they need.');
  setStore.insertRunning(ctx, { id: setId, profile: profile.name, dir, createdAt: createdAt.toISOString(), format, encrypted: encrypt, keyListFingerprint: keyList?.listFingerprint ?? null, recipients: recipients ?? [], jobId: job.jobId });

  const warnings: string[] = [];
  try {
    fs.mkdirSync(dir, { recursive: false, mode: 0o700 });
    const files: BackupFile[] = [];
    const dumpStart = performance.now();
    const roles: Array<'main' | 'audit'> = ['main', 'audit'];
    for (const [i, role] of roles.entries()) {
      job.throwIfCancelled();
      const f = await dumpOne(ctx, profile, role, { dir, format, recipients, stampText: stamp(createdAt) }, job, (fraction, msg) => job.progress((i + fraction) / (roles.length + 1), msg));
      warnings.push(...f.warnings);
      files.push(f.file);
    }

    if (opts.globals ?? true) {
      job.throwIfCancelled();
      const g = await dumpGlobals(ctx, profile, { dir, recipients, stampText: stamp(createdAt) }, job);
      if (g.file) files.push(g.file);
      warnings.push(...g.warnings);
    }

    const dumpMs = performance.now() - dumpStart;
    const verifyStart = performance.now();
    job.progress(roles.length / (roles.length + 1), 'Verifying the files');
    const identity = encrypt ? await loadBackupIdentity(ctx, profile.name) : null;
    const pgRestore = await locateTool(ctx, 'pg_restore', Math.max(...files.map((f) => Number.parseInt(f.serverVersion, 10) || 0)));
    const checks: BackupCheck[] = [];
    for (const f of files) {
      job.throwIfCancelled();
      checks.push(...(await verifyBackupFile(dir, f, { identities: identity ? [identity] : null, pgRestore: pgRestore?.path ?? null, signal: job.signal })));
    }
    checks.push(sizeSanity(ctx, profile.name, files));

    const manifest: BackupManifest = {
      manifestVersion: 1,
      setId,
      deployment: profile.name,
      createdAt: createdAt.toISOString(),
      completedAt: new Date().toISOString(),
      keyListFingerprint: keyList?.listFingerprint ?? null,
      encryption: encrypt ? { format: 'age', recipients: recipients! } : null,
      files,
      custodianVersion: ctx.version,
    };
    const verifyMs = performance.now() - verifyStart;
    writeManifest(dir, manifest);
    const verified = checks.every((c) => c.ok);
    const totalBytes = files.reduce((s, f) => s + f.bytes, 0);
    setStore.finish(ctx, setId, verified ? 'verified' : 'unverified', { totalBytes, checks });
    for (const c of checks.filter((x) => !x.ok)) job.log('error', `${c.file}: ${c.detail}`);
    const failed = checks.filter((c) => !c.ok);
    if (!verified) await raiseAlert(ctx, profile.name, failed.every((c) => c.check === 'size') ? 'backup-small' : 'backup-unverified', `Backup set ${setId} was written but did not pass verification: ${checks.filter((c) => !c.ok).map((c) => c.detail).join('; ')}`);
    let konoteReminderUpdated: boolean | null = null;
    if (verified) {
      konoteReminderUpdated = await markKonoteBackupExported(ctx, profile, createdAt);
      job.log('info', konoteReminderUpdated ? 'KoNote’s “last backup” date was updated, so its own backup reminders know about this set.' : 'KoNote’s “last backup” date was not updated (this user may not change organization_profiles).');
      await checkpointAfterBackup(ctx, profile.name, job);
    }
    job.progress(1, verified ? 'Backup verified' : 'Backup written but NOT verified');
    return {
      setId,
      profile: profile.name,
      dir,
      verified,
      files: files.map((f) => ({ role: f.role, file: f.file, bytes: f.bytes, sha256: f.sha256 })),
      checks,
      keyListFingerprint: manifest.keyListFingerprint,
      warnings,
      konoteReminderUpdated,
      timings: { dumpMs: Math.round(dumpMs), verifyMs: Math.round(verifyMs) },
    };
  } catch (e) {
    // Leave nothing that looks complete: the set's folder goes (its manifest was never written).
    fs.rmSync(dir, { recursive: true, force: true });
    const failure = toErrorData(e);
    setStore.finish(ctx, setId, 'failed', { failure });
    if (failure.kind !== 'Cancelled') await raiseAlert(ctx, profile.name, 'backup-failed', `Backup of "${profile.name}" failed: ${failure.message}`);
    throw e;
  }
}

async function dumpOne(
  ctx: CoreContext,
  profile: Profile,
  role: 'main' | 'audit',
  o: { dir: string; format: DumpFormat; recipients: string[] | null; stampText: string },
  job: JobContext,
  progress: (fraction: number, message: string) => void,
): Promise<{ file: BackupFile; warnings: string[] }> {
  const endpoint = profile[role];
  return withClient(ctx, profile.name, role, async (client) =>
    withExportedSnapshot(client, role === 'main' ? MAIN_KEY_TABLES : AUDIT_KEY_TABLES, profile.schemas, async (facts) => {
      const pgDump = await locateTool(ctx, 'pg_dump', facts.serverMajor, true);
      const fileName = `${role}_${o.stampText}.${o.format === 'custom' ? 'dump' : 'sql'}${o.recipients ? '.age' : ''}`;
      const totalWeight = Object.values(facts.tableBytes).reduce((a, b) => a + b, 0) || 1;
      let doneWeight = 0;
      let current: string | null = null;
      let bytes = 0;
      const report = () => progress(Math.min(0.99, doneWeight / totalWeight), `${role === 'main' ? 'Main' : 'Audit'} database: ${current ? `table ${current}, ` : ''}${(bytes / 1e6).toFixed(1)} MB written`);
      job.log('info', `Dumping the ${role} database "${endpoint.database}" with ${pgDump!.path} (server ${facts.serverVersion}, snapshot ${facts.snapshot}).`);
      const result = await dumpToFile({
        command: pgDump!.path,
        args: buildPgDumpArgs({ host: endpoint.host, port: endpoint.port, user: endpoint.user, database: endpoint.database, format: o.format, snapshot: facts.snapshot, schemas: profile.schemas, pgDumpMajor: pgDump!.major }),
        env: (await endpointConnectionConfig(ctx, profile.name, role)).env,
        file: path.join(o.dir, fileName),
        recipients: o.recipients,
        signal: job.signal,
        onStderrLine(line) {
          const m = /dumping contents of table "?([^"\s]+)"?\.?"?([^"\s]*)"?/.exec(line);
          if (m) {
            if (current) doneWeight += facts.tableBytes[current] ?? 0;
            current = m[2] ? `${m[1]}.${m[2]}` : m[1]!;
            report();
          }
          if (/warning:/i.test(line)) job.log('warn', line);
        },
        onBytes(n) {
          bytes = n;
          if (n % (1 << 20) < 65536) report();
        },
      });
      for (const w of result.warnings) job.log('warn', `pg_dump warned (not an error): ${w}`);
      job.log('info', `${fileName}: ${result.bytes} bytes, SHA-256 ${result.sha256}`);
      return {
        warnings: result.warnings,
        file: {
          role,
          file: fileName,
          format: o.format,
          encrypted: o.recipients !== null,
          bytes: result.bytes,
          sha256: result.sha256,
          plaintextSha256: result.plaintextSha256,
          plaintextBytes: result.plaintextBytes,
          database: endpoint.database,
          pgDumpVersion: pgDump!.version,
          serverVersion: facts.serverVersion,
          tableEstimates: facts.tableEstimates,
          counts: facts.counts,
          maxAuditId: role === 'audit' ? facts.maxAuditId : null,
        },
      };
    }),
  );
}

/** Compares with the previous verified set of the same deployment (KoNote alerts under 50%). */
function sizeSanity(ctx: CoreContext, profile: string, files: BackupFile[]): BackupCheck {
  // Like with like: a compressed custom-format set is far smaller than a plain SQL one.
  const prev = setStore.lastVerified(ctx, profile, files[0]?.format);
  const total = files.reduce((s, f) => s + f.plaintextBytes, 0);
  if (!prev || !prev.totalBytes) return { file: '(set)', check: 'size', ok: true, detail: 'First verified set of this deployment: no earlier size to compare with.' };
  const prevFiles = prev.totalBytes;
  const stored = files.reduce((s, f) => s + f.bytes, 0);
  const ratio = stored / prevFiles;
  return ratio < SMALL_SET_RATIO
    ? { file: '(set)', check: 'size', ok: false, detail: `This set is ${Math.round(ratio * 100)}% of the previous verified set (${prevFiles} bytes): suspiciously small. Check that no data was lost before trusting it.` }
    : { file: '(set)', check: 'size', ok: true, detail: `${Math.round(ratio * 100)}% of the previous verified set's size (${total} bytes before encryption).` };
}

/**
 * Issue 7: a tamper-evidence checkpoint of the audit log after each verified backup, so a later
 * drill can prove the restored audit rows are the ones that were there. Its failure (e.g. a role
 * without SELECT on audit_log) is logged, never fails the backup that already succeeded.
 */
async function checkpointAfterBackup(ctx: CoreContext, profile: string, job: JobContext): Promise<void> {
  try {
    const r = await takeCheckpoint(ctx, { profile, reason: 'backup', file: null, settleSeconds: 60 }, {
      jobId: job.jobId,
      signal: job.signal,
      throwIfCancelled: () => job.throwIfCancelled(),
      log: (level, text) => job.log(level, text),
      progress: (_fraction, message) => job.progress(0.99, `Audit checkpoint: ${message}`),
    });
    job.log('info', r.created ? `Audit log checkpoint taken: ${r.message}` : `No new audit checkpoint: ${r.message}`);
  } catch (e) {
    job.log('warn', `The audit log checkpoint after this backup was not taken: ${e instanceof Error ? e.message : String(e)} (the backup itself is fine).`);
  }
}

/**
 * The roles file (`globals_<stamp>.sql[.age]`): what a restore onto a new server needs before the
 * databases (their owners and grants). Optional by nature: a role that may not read the catalog,
 * or a missing pg_dumpall, is a warning on the set, never a failed backup.
 */
async function dumpGlobals(
  ctx: CoreContext,
  profile: Profile,
  o: { dir: string; recipients: string[] | null; stampText: string },
  job: JobContext,
): Promise<{ file: BackupFile | null; warnings: string[] }> {
  const endpoint = profile.main;
  const fileName = `globals_${o.stampText}.sql${o.recipients ? '.age' : ''}`;
  try {
    const facts = await withClient(ctx, profile.name, 'main', async (c) => (await c.query<{ v: string; n: string }>(`SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n`)).rows[0]!);
    const tool = await locateTool(ctx, 'pg_dumpall', Math.floor(Number(facts.n) / 10000), true);
    job.log('info', `Dumping the server's roles (without passwords) with ${tool!.path}.`);
    const result = await dumpToFile({
      command: tool!.path,
      args: buildPgDumpallGlobalsArgs({ host: endpoint.host, port: endpoint.port, user: endpoint.user, database: endpoint.database }),
      env: (await endpointConnectionConfig(ctx, profile.name, 'main')).env,
      file: path.join(o.dir, fileName),
      recipients: o.recipients,
      signal: job.signal,
      onStderrLine: () => undefined,
      onBytes: () => undefined,
    });
    job.log('info', `${fileName}: ${result.bytes} bytes, SHA-256 ${result.sha256}`);
    return {
      warnings: result.warnings,
      file: {
        role: 'globals', file: fileName, format: 'plain', encrypted: o.recipients !== null, bytes: result.bytes, sha256: result.sha256,
        plaintextSha256: result.plaintextSha256, plaintextBytes: result.plaintextBytes, database: endpoint.database,
        pgDumpVersion: tool!.version, serverVersion: facts.v, tableEstimates: {}, counts: {}, maxAuditId: null,
      },
    };
  } catch (e) {
    if (job.signal.aborted) throw e;
    const why = e instanceof Error ? e.message : String(e);
    const warning = `The server's roles were not included in this set (${why}). The databases are complete; recreate roles by hand when restoring onto a new server.`;
    job.log('warn', warning);
    return { file: null, warnings: [warning] };
  }
}
