import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { identityToRecipient } from 'age-encryption';
import type { CheckResult } from '../../contract/drills';
import type { Profile } from '../../contract/profiles';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { toErrorData } from '../common/errors';
import { readManifest, type BackupManifest } from '../backup/manifest';
import { loadBackupIdentity } from '../backup/recipients';
import type { BackupSetRecord } from '../backup/set-store';
import { locateTool } from '../backup/tools';
import { custodyFor } from '../keys/custody';
import { endpointConnectionConfig, withEndpointClient } from '../connections/pg-client';
import { existingDatabases, type ScratchServer } from './scratch';
import { probeLocalServer } from './local-target';

/**
 * The runbook's pre-restore checklist, checked by the app rather than ticked by the user: set
 * files present and unchanged (SHA-256), the age identity at hand and matching the set, the key
 * list the set was made with in the keychain, the target ready, tools new enough, disk space.
 * Any FAIL refuses the restore before a byte is restored.
 */

/**
 * `local`: the drill goes to a throwaway instance on this computer. With its `server` (started by
 * the drill) the target checks run there; without it (the wizard's preview) the server programs
 * that would start it are looked for instead.
 */
export type PreflightTarget = { kind: 'drill'; scratch: { main: string; audit: string }; local?: { server: ScratchServer | null; label: string } } | { kind: 'restore' };

export interface Preflight {
  checks: CheckResult[];
  ok: boolean;
  manifest: BackupManifest | null;
  identity: string | null;
  /** pg_restore (custom) or psql (plain) path, new enough for the dump and the server. */
  tool: string | null;
  /** Room for a temporary decrypted archive (parallel restore) in the work folder. */
  roomForTemp: boolean;
}

type Progress = Pick<JobContext, 'progress' | 'throwIfCancelled' | 'signal'>;

const major = (v: string) => Number.parseInt(v, 10) || 0;

export function workRoot(ctx: Pick<CoreContext, 'home'>): string {
  return path.join(ctx.home, 'drill-work');
}

export async function runPreflight(ctx: CoreContext, profile: Profile, set: BackupSetRecord, target: PreflightTarget, job?: Progress): Promise<Preflight> {
  const checks: CheckResult[] = [];
  const out: Preflight = { checks, ok: false, manifest: null, identity: null, tool: null, roomForTemp: false };
  const add = (c: CheckResult) => checks.push(c);

  // 1. The manifest and the files it lists, byte for byte.
  try {
    out.manifest = readManifest(set.dir);
  } catch (e) {
    const err = toErrorData(e);
    add({ id: 'set.manifest', title: 'Backup set complete', status: 'FAIL', detail: err.message, hint: err.hint });
    out.ok = false;
    return out;
  }
  const m = out.manifest;
  add(
    m.deployment === profile.name
      ? { id: 'set.manifest', title: 'Backup set complete', status: 'PASS', detail: `Set ${m.setId} of "${m.deployment}", made ${m.createdAt}.` }
      : {
          id: 'set.manifest',
          title: 'Backup set complete',
          status: target.kind === 'restore' ? 'FAIL' : 'WARN',
          detail: `Set ${m.setId} was made from "${m.deployment}", not "${profile.name}".`,
          hint: target.kind === 'restore' ? 'Restore a set of this deployment only.' : 'A drill of another deployment’s set is allowed; make sure that is what you meant.',
        },
  );
  for (const [i, f] of m.files.entries()) {
    job?.throwIfCancelled();
    job?.progress(i / (m.files.length + 2) * 0.1, `Checking ${f.file}`);
    const file = path.join(set.dir, f.file);
    if (!fs.existsSync(file)) {
      add({ id: `set.file.${f.role}`, title: `${f.role} file present and unchanged`, status: 'FAIL', detail: `${f.file} is missing.`, hint: 'The set is incomplete; use another backup set.' });
      continue;
    }
    const h = crypto.createHash('sha256');
    let bytes = 0;
    await pipeline(fs.createReadStream(file), new Writable({ write(c: Buffer, _e, cb) { h.update(c); bytes += c.length; cb(); } }), job?.signal ? { signal: job.signal } : {});
    const ok = h.digest('hex') === f.sha256 && bytes === f.bytes;
    add(
      ok
        ? { id: `set.file.${f.role}`, title: `${f.role} file present and unchanged`, status: 'PASS', detail: `${f.file}: SHA-256 matches the manifest (${bytes} bytes).` }
        : { id: `set.file.${f.role}`, title: `${f.role} file present and unchanged`, status: 'FAIL', detail: `${f.file}: SHA-256 or size differs from the manifest (${bytes} bytes, ${f.bytes} expected): the file was changed or damaged.`, hint: 'Do not restore from this set; use another one. Nothing was restored.' },
    );
  }

  // 2. The age identity, and that it is one the set was encrypted to.
  if (m.encryption) {
    const identity = await loadBackupIdentity(ctx, m.deployment).catch(() => null);
    const recipient = identity ? await identityToRecipient(identity).catch(() => null) : null;
    if (!identity) add({ id: 'identity', title: 'Backup identity available', status: 'FAIL', detail: 'The backup identity (age private key) is not in the keychain.', hint: 'Put it back from its escrow copy (the file written when it was created), then run again.' });
    else if (!recipient || !m.encryption.recipients.includes(recipient)) {
      add({ id: 'identity', title: 'Backup identity available', status: 'FAIL', detail: `The identity in the keychain (${recipient ?? 'unreadable'}) is not one this set was encrypted to (${m.encryption.recipients.join(', ')}).`, hint: 'Use the identity that was active when the set was made; recover it from escrow.' });
    } else {
      out.identity = identity;
      add({ id: 'identity', title: 'Backup identity available', status: 'PASS', detail: `The keychain holds the identity for ${recipient}.` });
    }
  } else {
    add({ id: 'identity', title: 'Backup identity available', status: 'PASS', detail: 'The set is not encrypted; no identity is needed.' });
  }

  // 3. The Fernet key list the set was made with.
  const custody = await custodyFor(ctx, profile.name);
  if (!custody.inKeychain) {
    add({ id: 'keys', title: 'Key list in custody', status: 'FAIL', detail: `No Fernet key list for "${profile.name}" is in the keychain.`, hint: `Import the key list${m.keyListFingerprint ? ` with fingerprint ${m.keyListFingerprint}` : ''} from escrow (Keys page or \`custodian key recover\`).` });
  } else if (!m.keyListFingerprint) {
    add({ id: 'keys', title: 'Key list in custody', status: 'WARN', detail: 'The set is not labelled with a key fingerprint (no key was in custody when it was made).', hint: 'The decryption check after the restore tells whether the current key list opens it.' });
  } else if (m.keyListFingerprint === custody.listFingerprint) {
    add({ id: 'keys', title: 'Key list in custody', status: 'PASS', detail: `The keychain holds the key list ${m.keyListFingerprint} the set was made with.` });
  } else {
    add({ id: 'keys', title: 'Key list in custody', status: 'WARN', detail: `The set was made with key list ${m.keyListFingerprint}; the keychain now holds ${custody.listFingerprint}.`, hint: 'After a rotation the new list still holds the old key for a while; the decryption check will tell. If it fails, recover the old list from escrow.' });
  }

  // 4. Target server, tools new enough for both the dump and the server.
  const dumpMajor = Math.max(...m.files.map((f) => major(f.pgDumpVersion)));
  let serverMajor = 0;
  const local = target.kind === 'drill' ? target.local : undefined;
  // The profile's server (or the started local instance): version, CREATEDB, names free.
  const checkServerTarget = async () => {
    const conn = local?.server ?? (await endpointConnectionConfig(ctx, profile.name, 'main'));
    const facts = await withEndpointClient(conn.endpoint, conn.password, async (c) => {
      const r = await c.query<{ v: string; su: boolean; cdb: boolean }>(`SELECT current_setting('server_version_num') AS v, rolsuper AS su, rolcreatedb AS cdb FROM pg_roles WHERE rolname = current_user`);
      return r.rows[0]!;
    });
    serverMajor = Math.floor(Number(facts.v) / 10000);
    if (target.kind === 'drill') {
      const taken = await existingDatabases({ endpoint: conn.endpoint, password: conn.password }, [target.scratch.main, target.scratch.audit]);
      if (!facts.su && !facts.cdb) add({ id: 'target', title: 'Target ready', status: 'FAIL', detail: `The user "${conn.endpoint.user}" may not create databases on ${conn.endpoint.host}:${conn.endpoint.port}.`, hint: 'Give it CREATEDB (ALTER ROLE … CREATEDB) or use a profile whose user has it; drills restore into new scratch databases.' });
      else if (taken.length) add({ id: 'target', title: 'Target ready', status: 'FAIL', detail: `Database(s) ${taken.join(', ')} already exist.`, hint: 'Drop them (`custodian drill cleanup`) or wait a second and run again.' });
      else add({ id: 'target', title: 'Target ready', status: 'PASS', detail: `New scratch databases ${target.scratch.main} and ${target.scratch.audit} on ${local ? local.label : `${conn.endpoint.host}:${conn.endpoint.port}`} (PostgreSQL ${serverMajor}); production is not touched.` });
    } else {
      add({ id: 'target', title: 'Target ready', status: 'PASS', detail: `Production ${profile.main.database} and ${profile.audit.database} are reachable; they will be replaced after a safety backup.` });
    }
  };
  try {
    if (local && !local.server) {
      const bins = await probeLocalServer(ctx, dumpMajor);
      serverMajor = bins.major;
      add({ id: 'target', title: 'Target ready', status: 'PASS', detail: `A local throwaway PostgreSQL ${bins.major} instance (${bins.binDir}) will be created for the drill and removed after it; production is not touched.` });
    } else await checkServerTarget();
  } catch (e) {
    const err = toErrorData(e);
    if (err.kind === 'Cancelled') throw e;
    add({ id: 'target', title: 'Target ready', status: 'FAIL', detail: err.message, hint: err.hint });
  }
  const format = m.files[0]?.format ?? 'custom';
  const toolName = format === 'custom' ? 'pg_restore' : 'psql';
  const need = Math.max(dumpMajor, serverMajor);
  const tool = await locateTool(ctx, toolName, need);
  if (tool) {
    out.tool = tool.path;
    add({ id: 'tools', title: `${toolName} new enough`, status: 'PASS', detail: `${toolName} ${tool.version} (${tool.path}); the dump was written by pg_dump ${dumpMajor}${serverMajor ? `, the server is ${serverMajor}` : ''}.` });
  } else {
    add({ id: 'tools', title: `${toolName} new enough`, status: 'FAIL', detail: `No ${toolName} ${need} or newer was found (the dump is from pg_dump ${dumpMajor}${serverMajor ? `, the server is ${serverMajor}` : ''}).`, hint: `Install the PostgreSQL ${need} client tools, or point Custodian to them in Settings.` });
  }

  // 5. Disk space for the temporary decrypted archive (parallel restore); without it, streaming.
  const biggest = Math.max(...m.files.filter((f) => f.format === 'custom').map((f) => f.plaintextBytes), 0);
  if (format === 'custom') {
    fs.mkdirSync(workRoot(ctx), { recursive: true, mode: 0o700 });
    const st = fs.statfsSync(workRoot(ctx));
    const free = st.bavail * st.bsize;
    out.roomForTemp = free > biggest * 1.2 + 100e6;
    add(
      out.roomForTemp
        ? { id: 'disk', title: 'Disk space', status: 'PASS', detail: `${(free / 1e9).toFixed(1)} GB free for the temporary decrypted archive (${(biggest / 1e6).toFixed(1)} MB, deleted right after); the database server needs room for about ${((m.files.reduce((s, f) => s + f.plaintextBytes, 0) * 3) / 1e6).toFixed(0)} MB.` }
        : { id: 'disk', title: 'Disk space', status: 'WARN', detail: `Only ${(free / 1e9).toFixed(2)} GB free in ${workRoot(ctx)}: the restore will stream without parallel loading (slower).`, hint: 'Free space in Custodian’s data folder for a faster restore.' },
    );
  } else {
    add({ id: 'disk', title: 'Disk space', status: 'PASS', detail: 'Plain SQL sets stream straight into psql; no temporary file.' });
  }

  out.ok = checks.every((c) => c.status !== 'FAIL');
  return out;
}
