import type { VerificationReport } from '../../contract/drills';
import type { CoreContext } from '../context';
import { resolveProfile } from '../connections/profile-store';
import { endpointConnectionConfig } from '../connections/pg-client';
import { loadKeyList } from '../keys/key-service';
import { runVerification } from '../drill/verify/verify-suite';
import { readyRecovery, scratchEndpoint } from './recover';
import { ensureScratchRunning } from './scratch-restart';

/**
 * "Inspect" a recovered copy with the drill capability's verification suite: tables, counts,
 * orphans, migrations and decryption of the encrypted columns on the recovered main database.
 * The audit side is production's audit database, read only (a self-hosted recovery covers one
 * server; the audit log is append-only and was not rewound).
 */
export async function inspectRecovery(ctx: CoreContext, o: { profile?: string | null; recoveryId?: string | null; full: boolean; sample: number }): Promise<VerificationReport> {
  const profile = resolveProfile(ctx, o.profile);
  const r = readyRecovery(ctx, profile.name, o.recoveryId);
  await ensureScratchRunning(ctx, r);
  const audit = await endpointConnectionConfig(ctx, profile.name, 'audit');
  return runVerification(
    { main: { endpoint: scratchEndpoint(r), password: null }, audit: { endpoint: audit.endpoint, password: audit.password }, schemas: profile.schemas },
    { manifest: null, keys: () => loadKeyList(ctx, profile.name), full: o.full, sample: o.sample },
  );
}
