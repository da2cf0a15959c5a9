import type { DoctorReport } from '../../contract/channels';
import type { CoreContext } from '../context';
import { toErrorData } from '../common/errors';
import { listProfiles } from './profile-store';
import { testProfile } from './test-connection';
import { discoverTools } from './tool-discovery';

/** Tools every deployment needs; the server programs only matter for the sandbox and PITR. */
const REQUIRED_TOOLS = ['pg_dump', 'pg_restore', 'psql'] as const;
const DOCTOR_CONNECT_TIMEOUT_MS = 5_000;

/**
 * `custodian doctor`: can this computer do its job? Tools and versions, whether the keychain can
 * hold secrets, and whether each profile's databases answer. Never throws for a failed check:
 * each one is reported.
 */
export async function runDoctor(ctx: CoreContext): Promise<DoctorReport> {
  const [tools, keychain, profiles] = await Promise.all([
    discoverTools(ctx),
    (async () => {
      try {
        await ctx.vault.assertAvailable();
        return { available: true, backend: ctx.vault.backend };
      } catch (e) {
        const err = toErrorData(e);
        return { available: false, backend: ctx.vault.backend, detail: err.hint ? `${err.message} ${err.hint}` : err.message };
      }
    })(),
    Promise.all(
      listProfiles(ctx).map(async (p) => {
        try {
          const t = await testProfile(ctx, p.name, undefined, { connectTimeoutMs: DOCTOR_CONNECT_TIMEOUT_MS });
          const problems = [t.main, t.audit].filter((e) => e.error).map((e) => `${e.role}: ${e.error!.message}`);
          const versions = [t.main, t.audit].filter((e) => e.serverVersion).map((e) => `${e.role} PostgreSQL ${e.serverVersion}`);
          return { name: p.name, main: t.main.reachable, audit: t.audit.reachable, detail: problems.length ? problems.join(' ') : versions.join(', ') };
        } catch (e) {
          return { name: p.name, main: false, audit: false, detail: toErrorData(e).message };
        }
      }),
    ),
  ]);
  const haveRequired = REQUIRED_TOOLS.every((t) => tools.some((f) => f.tool === t && f.path));
  return { tools, keychain, profiles, dataFolder: ctx.home, ok: keychain.available && haveRequired };
}
