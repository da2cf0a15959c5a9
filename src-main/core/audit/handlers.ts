import type { CoreContext } from '../context';
import type { Handlers } from '../ipc/dispatcher';
import { auditActivity, linkTrail, listSavedQueries, queryAudit, withDefaultWindow } from './audit-service';
import { applySavedQuery } from './saved-queries';
import { suspiciousPatterns } from './suspicious';
import { checkpointStore } from './checkpoint-store';

/** IPC handlers of the audit capability (reads only; long work runs as jobs). */
type AuditChannels = 'audit.query' | 'audit.savedQueries' | 'audit.activity' | 'audit.linkTrail' | 'audit.suspicious' | 'audit.checkpoints';

export function auditHandlers(ctx: CoreContext): Pick<Handlers, AuditChannels> {
  return {
    'audit.query': (i) => queryAudit(ctx, { profile: i.profile, filter: i.filter, saved: i.saved, beforeId: i.beforeId, limit: i.limit }),
    'audit.savedQueries': () => listSavedQueries(),
    'audit.activity': (i) => auditActivity(ctx, { profile: i.profile, filter: i.filter, saved: i.saved }),
    'audit.linkTrail': (i) => linkTrail(ctx, i.profile, i.linkId),
    'audit.suspicious': (i) => suspiciousPatterns(ctx, i.profile, withDefaultWindow(applySavedQuery(i.saved, i.filter))),
    'audit.checkpoints': (i) => checkpointStore.list(ctx, i.profile).map(({ databaseLabel: _d, blockSize: _b, blocksRoot: _r, ...c }) => c),
  };
}
