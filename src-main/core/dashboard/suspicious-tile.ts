import type { HealthTile } from '../../contract/channels';
import type { CoreContext } from '../context';
import { emptyFilter } from '../audit/filters';

/** The dashboard must stay quick: an audit database that is slow or unreachable costs at most this. */
export const SUSPICIOUS_TILE_TIMEOUT_MS = 3000;
export const SUSPICIOUS_TILE_DAYS = 7;

/**
 * The "suspicious patterns" tile: how many findings the Audit page would show for the last 7 days
 * (failed-login bursts, 100+ client exports, downloads by someone other than the creator, unusual
 * hours). The audit database is a network call, so it is bounded: past the timeout the connection
 * is closed and the tile says "not known" rather than holding up every other tile.
 */
export async function suspiciousTile(ctx: CoreContext, profile: string | null, timeoutMs = SUSPICIOUS_TILE_TIMEOUT_MS): Promise<HealthTile> {
  const days = SUSPICIOUS_TILE_DAYS;
  if (!profile) return { id: 'suspicious', status: 'unknown', messageKey: 'health.noProfile', values: {} };
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve('timeout');
    }, timeoutMs);
  });
  // Loaded lazily: it pulls in the pg client, which the other tiles never need.
  const work = (async () => {
    const [{ findSuspicious }, { withAuditClient }] = await Promise.all([import('../audit/suspicious'), import('../audit/audit-db')]);
    return withAuditClient(ctx, profile, (c) => findSuspicious(c, emptyFilter({ since: `${days}d` })), { signal: controller.signal, connectTimeoutMs: timeoutMs });
  })();
  // After a timeout the work is abandoned; its later rejection must not surface as unhandled.
  work.catch(() => undefined);
  try {
    const r = await Promise.race([work, timedOut]);
    if (r === 'timeout') return { id: 'suspicious', status: 'unknown', messageKey: 'health.suspicious.timeout', values: { seconds: Math.round(timeoutMs / 1000), days } };
    const count = r.patterns.length;
    return count === 0
      ? { id: 'suspicious', status: 'ok', messageKey: 'health.suspicious.none', values: { days } }
      : { id: 'suspicious', status: 'warn', messageKey: 'health.suspicious.found', values: { count, days } };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { id: 'suspicious', status: 'unknown', messageKey: 'health.suspicious.unreachable', values: { days, reason } };
  } finally {
    clearTimeout(timer);
  }
}
