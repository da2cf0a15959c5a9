import type { AzureConfig, AzureRestoreResult, AzureWindow, PitrRole } from '../../../contract/pitr';
import type { CheckResult } from '../../../contract/drills';
import type { CoreContext } from '../../context';
import type { JobContext } from '../../jobs/runner';
import { AppError, toErrorData } from '../../common/errors';
import { resolveProfile, saveProfile } from '../../connections/profile-store';
import { applyLockdown } from '../../drill/lockdown';
import { verifyProfile } from '../../drill/verify/verify-live';
import { pitrStore } from '../pitr-store';
import { formatLocal, systemZone } from '../target-time';
import { azRunner, type AzRunner } from './az-cli';

/**
 * Azure Database for PostgreSQL Flexible Server: its own backups give point-in-time restore to a
 * *new* server. Custodian shows the window (earliest restore point, retention), checks the time,
 * runs `az postgres flexible-server restore` for the main and (if separate) audit server, polls
 * until they are Ready, then points the profile at them, locks the audit log down, verifies, and
 * lists what the runbook says must still be done by hand.
 */

interface AzServer {
  name?: string;
  state?: string;
  fullyQualifiedDomainName?: string;
  backup?: { backupRetentionDays?: number; earliestRestoreDate?: string };
}

export function azureConfig(ctx: CoreContext, profile: string): AzureConfig {
  const cfg = pitrStore.azure(ctx, profile);
  if (!cfg) throw new AppError('Validation', `No Azure servers are set for "${profile}".`, 'Run `custodian pitr azure config --resource-group RG --server NAME [--audit-server NAME]`.');
  return cfg;
}

const scope = (cfg: AzureConfig) => ['--resource-group', cfg.resourceGroup, ...(cfg.subscription ? ['--subscription', cfg.subscription] : [])];

async function showServer(az: AzRunner, cfg: AzureConfig, name: string, signal?: AbortSignal): Promise<AzServer> {
  return ((await az(['postgres', 'flexible-server', 'show', ...scope(cfg), '--name', name], `show ${name}`, signal)) ?? {}) as AzServer;
}

const servers = (cfg: AzureConfig): Array<{ role: PitrRole; name: string }> => [{ role: 'main', name: cfg.mainServer }, ...(cfg.auditServer ? [{ role: 'audit' as const, name: cfg.auditServer }] : [])];

export async function azureWindow(ctx: CoreContext, profileName: string | null, az: AzRunner = azRunner(ctx.env)): Promise<AzureWindow> {
  const profile = resolveProfile(ctx, profileName);
  const cfg = azureConfig(ctx, profile.name);
  const now = new Date().toISOString();
  const out = [];
  for (const s of servers(cfg)) {
    const info = await showServer(az, cfg, s.name);
    const earliest = info.backup?.earliestRestoreDate ? new Date(info.backup.earliestRestoreDate).toISOString() : null;
    out.push({ role: s.role, server: s.name, state: info.state ?? 'Unknown', earliestRestore: earliest, retentionDays: info.backup?.backupRetentionDays ?? null, latest: now, fqdn: info.fullyQualifiedDomainName ?? null });
  }
  return { profile: profile.name, servers: out };
}

/** Pure: is the time restorable on every server? Otherwise the error says what is. */
export function checkAzureTarget(window: AzureWindow, targetUtc: string): void {
  const t = new Date(targetUtc).toISOString();
  const zone = systemZone();
  for (const s of window.servers) {
    if (s.state !== 'Ready') throw new AppError('Conflict', `Azure server ${s.server} is ${s.state}, not Ready.`, 'Wait until it is Ready (Azure portal), then try again.');
    if (!s.earliestRestore) throw new AppError('NotFound', `Azure reports no restore point for ${s.server}.`, 'A new server has restore points only after its first automatic backup; try again later.');
    const span = `${s.server} can be restored from ${formatLocal(Date.parse(s.earliestRestore), zone)} (${s.earliestRestore}) to now (${s.retentionDays ?? '?'} days of retention).`;
    if (t < s.earliestRestore) throw new AppError('Validation', `${formatLocal(Date.parse(t), zone)} (${t}) is before the earliest restore point of ${s.server}.`, span);
    if (t > s.latest) throw new AppError('Validation', `${formatLocal(Date.parse(t), zone)} (${t}) is in the future.`, span);
  }
}

export const AZURE_FOLLOW_UPS = [
  'Firewall rules and private networking are not copied to a restored server: add the same rules (or VNet/private endpoint) to each new server.',
  'Change KoNote’s connection strings (DATABASE_URL and AUDIT_DATABASE_URL) to the new server names, keeping sslmode=require, and restart KoNote.',
  'Re-apply server parameters, high availability, alerts and diagnostic settings you had changed on the old server.',
  'Re-add Microsoft Entra ID administrators if you used them.',
  'When KoNote works on the new servers, stop (then later delete) the old ones so nobody writes to them by mistake.',
];

const pollMs = (env: NodeJS.ProcessEnv) => Math.max(10, Number(env.CUSTODIAN_AZ_POLL_MS ?? 15_000));
const MAX_WAIT_MS = 3 * 60 * 60_000;

export async function runAzureRestore(
  ctx: CoreContext,
  o: { profile: string; targetUtc: string; newMainServer: string; newAuditServer: string | null; updateProfile: boolean },
  job: JobContext,
  az: AzRunner = azRunner(ctx.env),
): Promise<AzureRestoreResult> {
  const profile = resolveProfile(ctx, o.profile);
  const cfg = azureConfig(ctx, profile.name);
  if (cfg.auditServer && !o.newAuditServer) throw new AppError('Validation', `The audit database has its own server (${cfg.auditServer}): give a name for its restored copy too.`, 'Add --new-audit-server NAME.');
  const target = new Date(o.targetUtc).toISOString();
  job.progress(0, 'Reading the restore window from Azure');
  checkAzureTarget(await azureWindow(ctx, profile.name, az), target);
  const plan = servers(cfg).map((s) => ({ ...s, restored: s.role === 'main' ? o.newMainServer : o.newAuditServer! }));
  for (const p of plan) {
    job.log('info', `Restoring ${p.name} to ${target} as new server ${p.restored}`);
    await az(['postgres', 'flexible-server', 'restore', ...scope(cfg), '--name', p.restored, '--source-server', p.name, '--restore-time', target, '--no-wait'], `restore ${p.name}`, job.signal);
  }
  const started = Date.now();
  const result: AzureRestoreResult['servers'] = [];
  for (const [i, p] of plan.entries()) {
    for (;;) {
      job.throwIfCancelled();
      const info = await showServer(az, cfg, p.restored, job.signal).catch((e) => {
        // Right after the request the new server may not be listed yet.
        if (e instanceof AppError && e.kind === 'NotFound') return { state: 'Creating' } as AzServer;
        throw e;
      });
      job.progress(0.1 + (0.6 * i) / plan.length, `${p.restored}: ${info.state ?? 'waiting'}`);
      if (info.state === 'Ready') {
        result.push({ role: p.role, source: p.name, restored: p.restored, fqdn: info.fullyQualifiedDomainName ?? `${p.restored}.postgres.database.azure.com`, state: 'Ready' });
        break;
      }
      if (/fail|drop/i.test(info.state ?? '')) throw new AppError('Internal', `Azure reports the restore of ${p.name} as ${info.state}.`, 'Look at the server in the Azure portal (Activity log).');
      if (Date.now() - started > MAX_WAIT_MS) throw new AppError('PgTimeout', `${p.restored} was not Ready after 3 hours.`, 'Check the restore in the Azure portal; the profile was not changed.');
      await new Promise((r) => setTimeout(r, pollMs(ctx.env)));
    }
  }
  let profileUpdated = false;
  const lockdown: CheckResult[] = [];
  if (o.updateProfile) {
    const mainFqdn = result.find((r) => r.role === 'main')!.fqdn;
    const auditFqdn = result.find((r) => r.role === 'audit')?.fqdn ?? (profile.audit.host === profile.main.host ? mainFqdn : profile.audit.host);
    await saveProfile(ctx, { name: profile.name, main: { ...profile.main, host: mainFqdn }, audit: { ...profile.audit, host: auditFqdn }, schemas: profile.schemas });
    profileUpdated = true;
    job.log('info', `Profile "${profile.name}" now points at ${mainFqdn} (main) and ${auditFqdn} (audit).`);
    job.progress(0.8, 'Locking the audit log down on the restored server');
    try {
      const rep = await applyLockdown(ctx, profile.name);
      lockdown.push(...rep.findings);
    } catch (e) {
      const err = toErrorData(e);
      lockdown.push({ id: 'lockdown', title: 'Audit lockdown', status: 'FAIL', detail: err.message, hint: err.hint ?? 'Add a firewall rule for this computer, then run `custodian lockdown`.' });
    }
    job.progress(0.9, 'Verifying the restored databases');
    try {
      const v = await verifyProfile(ctx, { profile: profile.name, full: false, sample: 50 }, job);
      lockdown.push({ id: 'verification', title: 'Verification suite', status: v.status, detail: `${v.checks.filter((c) => c.status === 'PASS').length} of ${v.checks.length} checks passed.` });
    } catch (e) {
      const err = toErrorData(e);
      lockdown.push({ id: 'verification', title: 'Verification suite', status: 'FAIL', detail: err.message, hint: err.hint ?? 'Run `custodian verify` once this computer can reach the new server.' });
    }
  }
  return { profile: profile.name, targetUtc: target, servers: result, profileUpdated, lockdown, followUps: AZURE_FOLLOW_UPS };
}
