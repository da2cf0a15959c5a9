import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CoreContext } from '../context';
import type { JobContext } from '../jobs/runner';
import { AppError } from '../common/errors';
import { quoteIdent, quoteLiteral } from '../common/sql';
import { withEndpointClient } from '../connections/pg-client';
import { listProfiles, removeProfile, saveProfile } from '../connections/profile-store';
import { searchFromContext } from '../connections/tool-discovery';
import { forgetKeys, generateKey, loadKeyList } from '../keys/key-service';
import { readKeyListRecord } from '../keys/custody';
import { vaultAccounts } from '../keys/vault';
import { clusterStatus, createCluster, removeCluster, startCluster, stopCluster } from './local-cluster';
import { applyKonoteAuditLockdown, createAuditSchema, createMainSchema } from './konote-schema';
import { generateSandboxData, type GenerateSummary } from './generator';

/**
 * The practice sandbox: a local PostgreSQL holding KoNote-shaped `konote` and `konote_audit`
 * databases full of synthetic, encrypted data, registered as profile "sandbox" with its key in the
 * keychain. It is where users rehearse backups, drills and rotations before touching production.
 */

export const SANDBOX_PROFILE = 'sandbox';
const STATE_FILE = 'sandbox.json';

export interface SandboxState {
  version: 1;
  port: number;
  major: number;
  clients: number;
  createdAt: string;
  summary: GenerateSummary | null;
}
export interface SandboxStatus {
  folder: string;
  exists: boolean;
  running: boolean;
  port: number | null;
  clients: number | null;
  createdAt: string | null;
  profile: boolean;
  exportDir: string;
}
export interface SandboxUpResult extends SandboxStatus {
  created: boolean;
  summary: GenerateSummary | null;
}
export interface SandboxUpOptions {
  clients: number;
  seed?: number;
  /** Tests turn fsync off for speed; the sandbox users practise on keeps it on. */
  fsync?: boolean;
}
type Progress = Pick<JobContext, 'progress' | 'log' | 'throwIfCancelled' | 'signal'>;

export const sandboxFolder = (ctx: Pick<CoreContext, 'home'>) => path.join(ctx.home, 'sandbox');
const exportFolder = (ctx: Pick<CoreContext, 'home'>) => path.join(sandboxFolder(ctx), 'exports');

function readState(ctx: CoreContext): SandboxState | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(sandboxFolder(ctx), STATE_FILE), 'utf8')) as SandboxState;
  } catch {
    return null;
  }
}
function writeState(ctx: CoreContext, state: SandboxState): void {
  const file = path.join(sandboxFolder(ctx), STATE_FILE);
  fs.writeFileSync(`${file}.partial`, JSON.stringify(state, null, 2));
  fs.renameSync(`${file}.partial`, file);
}

export function sandboxStatus(ctx: CoreContext): SandboxStatus {
  const folder = sandboxFolder(ctx);
  const state = readState(ctx);
  const cluster = clusterStatus(folder);
  const exists = cluster.exists && state !== null;
  return {
    folder,
    exists,
    running: exists && cluster.running,
    port: exists ? (cluster.port ?? state.port) : null,
    clients: state?.clients ?? null,
    createdAt: state?.createdAt ?? null,
    profile: listProfiles(ctx).some((p) => p.name === SANDBOX_PROFILE && p.sandbox),
    exportDir: exportFolder(ctx),
  };
}

/** A profile named "sandbox" that is not ours is the user's: never overwrite or delete it. */
function assertProfileIsOurs(ctx: CoreContext): void {
  const p = listProfiles(ctx).find((x) => x.name === SANDBOX_PROFILE);
  if (p && !p.sandbox) {
    throw new AppError('Conflict', `A profile named "${SANDBOX_PROFILE}" already exists and is not the practice sandbox.`, `Rename or remove that profile first (\`custodian profile remove ${SANDBOX_PROFILE} --yes\`).`);
  }
}

function profileInput(port: number, passwords?: { main: string; audit: string }) {
  const ep = (database: string, user: string) => ({ host: '127.0.0.1', port, database, user, sslmode: 'disable' as const });
  return { name: SANDBOX_PROFILE, main: ep('konote', 'konote'), audit: ep('konote_audit', 'audit_writer'), schemas: ['public'], ...(passwords ? { mainPassword: passwords.main, auditPassword: passwords.audit } : {}) };
}

const secret = () => randomBytes(24).toString('base64url');

/** Starts the sandbox, creating and filling it first when there is none. */
export async function sandboxUp(ctx: CoreContext, opts: SandboxUpOptions, job?: Progress): Promise<SandboxUpResult> {
  assertProfileIsOurs(ctx);
  const folder = sandboxFolder(ctx);
  const search = searchFromContext(ctx);
  const state = readState(ctx);

  if (state && clusterStatus(folder).exists) {
    job?.progress(null, 'Starting the existing sandbox');
    const info = await startCluster(folder, { search, port: state.port, signal: job?.signal });
    if (info.port !== state.port) writeState(ctx, { ...state, port: info.port });
    // Keep the profile pointing at the port actually in use (passwords stay as stored).
    await saveProfile(ctx, profileInput(info.port), { sandbox: true });
    job?.log('info', `Sandbox running on 127.0.0.1:${info.port}.`);
    return { ...sandboxStatus(ctx), created: false, summary: state.summary };
  }

  // Leftovers of an interrupted attempt (or of a folder deleted by hand) are useless: start clean.
  await ctx.vault.assertAvailable();
  if (fs.existsSync(folder)) await removeCluster(folder, { search });
  if (readKeyListRecord(ctx.log, SANDBOX_PROFILE) || (await ctx.vault.get(vaultAccounts.fernetKeys(SANDBOX_PROFILE)))) await forgetKeys(ctx, SANDBOX_PROFILE);

  try {
    return await createSandbox(ctx, opts, job);
  } catch (e) {
    job?.log('error', 'Creating the sandbox failed; removing what was created.');
    await removeCluster(folder, { search }).catch(() => {});
    await forgetKeys(ctx, SANDBOX_PROFILE).catch(() => {});
    if (listProfiles(ctx).some((p) => p.name === SANDBOX_PROFILE && p.sandbox)) await removeProfile(ctx, SANDBOX_PROFILE).catch(() => {});
    throw e;
  }
}

async function createSandbox(ctx: CoreContext, opts: SandboxUpOptions, job?: Progress): Promise<SandboxUpResult> {
  const folder = sandboxFolder(ctx);
  const search = searchFromContext(ctx);
  const passwords = { superuser: secret(), main: secret(), audit: secret() };

  job?.progress(0, 'Creating a local PostgreSQL cluster');
  const info = await createCluster(folder, passwords.superuser, { search, fsync: opts.fsync ?? true, signal: job?.signal });
  job?.log('info', `PostgreSQL ${info.major} started on 127.0.0.1:${info.port} (folder ${folder}).`);
  job?.throwIfCancelled();

  const su = (database: string) => ({ host: '127.0.0.1', port: info.port, database, user: 'postgres', sslmode: 'disable' as const });
  job?.progress(0.03, 'Creating the konote and konote_audit databases');
  await withEndpointClient(su('postgres'), passwords.superuser, async (c) => {
    // Passwords cannot be bound as parameters in CREATE ROLE; they are random base64url, and
    // log_statement is off, so they are not written to the server log.
    await c.query(`CREATE ROLE konote LOGIN CREATEDB PASSWORD ${quoteLiteral(passwords.main)}`);
    await c.query(`CREATE ROLE audit_writer LOGIN PASSWORD ${quoteLiteral(passwords.audit)}`);
    await c.query('CREATE ROLE audit_reader LOGIN');
    await c.query(`CREATE DATABASE konote OWNER ${quoteIdent('konote')}`);
    await c.query(`CREATE DATABASE konote_audit OWNER ${quoteIdent('audit_writer')}`);
  });

  job?.progress(0.05, 'Generating the sandbox encryption key');
  await generateKey(ctx, SANDBOX_PROFILE);
  const keys = await loadKeyList(ctx, SANDBOX_PROFILE);

  const summary = await withEndpointClient(su('konote'), passwords.superuser, (main) =>
    withEndpointClient(su('konote_audit'), passwords.superuser, async (audit) => {
      // Tables are created (and filled) as their production owners, so ownership matches KoNote.
      await main.query('SET ROLE konote');
      await createMainSchema(main);
      await audit.query('SET ROLE audit_writer');
      await createAuditSchema(audit);
      await applyKonoteAuditLockdown(audit);
      await audit.query('RESET ROLE');
      return generateSandboxData(main, audit, {
        clients: opts.clients,
        keys,
        exportDir: exportFolder(ctx),
        seed: opts.seed,
        checkpoint: () => job?.throwIfCancelled(),
        onProgress: (f, message) => job?.progress(0.07 + 0.9 * f, message),
      });
    }),
  );
  job?.log('info', `Generated ${summary.clients} clients, ${summary.progressNotes} notes, ${summary.exportLinks} export links and ${summary.auditRows} audit rows.`);

  job?.progress(0.98, 'Registering the "sandbox" profile');
  await saveProfile(ctx, profileInput(info.port, passwords), { sandbox: true });
  writeState(ctx, { version: 1, port: info.port, major: info.major, clients: opts.clients, createdAt: new Date().toISOString(), summary });
  job?.progress(1, 'Sandbox ready');
  return { ...sandboxStatus(ctx), created: true, summary };
}

/** Stops the sandbox; without keepData also deletes its folder, its profile and its keys. */
export async function sandboxDown(ctx: CoreContext, opts: { keepData?: boolean } = {}, job?: Progress): Promise<SandboxStatus & { removed: boolean }> {
  const folder = sandboxFolder(ctx);
  const search = searchFromContext(ctx);
  if (!opts.keepData) assertProfileIsOurs(ctx);
  job?.progress(null, 'Stopping the sandbox');
  if (fs.existsSync(folder)) await stopCluster(folder, { search, signal: job?.signal });
  if (opts.keepData) return { ...sandboxStatus(ctx), removed: false };
  job?.progress(null, 'Removing the sandbox folder, profile and keys');
  await removeCluster(folder, { search });
  await removeProfile(ctx, SANDBOX_PROFILE);
  await forgetKeys(ctx, SANDBOX_PROFILE);
  return { ...sandboxStatus(ctx), removed: true };
}
