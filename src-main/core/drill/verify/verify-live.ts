import type { VerificationReport } from '../../../contract/drills';
import type { CoreContext } from '../../context';
import type { JobContext } from '../../jobs/runner';
import type { BackupManifest } from '../../backup/manifest';
import { resolveProfile } from '../../connections/profile-store';
import { endpointConnectionConfig } from '../../connections/pg-client';
import { loadKeyList } from '../../keys/key-service';
import { runVerification } from './verify-suite';
import { checkpointCheck } from './checkpoint-check';

/** `custodian verify`: the suite on a profile's own databases (live, or right after a restore with its manifest). */
export async function verifyProfile(
  ctx: CoreContext,
  o: { profile?: string; full: boolean; sample: number; manifest?: BackupManifest | null },
  job?: Pick<JobContext, 'progress' | 'log' | 'throwIfCancelled' | 'signal'>,
  onFraction?: (f: number, message: string) => void,
): Promise<VerificationReport> {
  const profile = resolveProfile(ctx, o.profile);
  const main = await endpointConnectionConfig(ctx, profile.name, 'main');
  const audit = await endpointConnectionConfig(ctx, profile.name, 'audit');
  return runVerification(
    { main: { endpoint: main.endpoint, password: main.password }, audit: { endpoint: audit.endpoint, password: audit.password }, schemas: profile.schemas },
    { manifest: o.manifest ?? null, keys: () => loadKeyList(ctx, profile.name), full: o.full, sample: o.sample, job, onFraction: onFraction ?? ((f, m) => job?.progress(f, m)), checkpoints: checkpointCheck(ctx, profile.name, job) },
  );
}
