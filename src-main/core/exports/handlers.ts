import type { CoreContext } from '../context';
import type { Handlers } from '../ipc/dispatcher';
import { listLinks, showLink } from './links';
import { revokeLink } from './revoke';
import { cleanupExports } from './cleanup';
import { exportSummary } from './summary';
import { checkDeadlines } from './deadlines';
import { readExportSettings, saveExportSettings } from './export-settings';
import { setIncidentNotes } from './action-log';

type ExportChannels = 'exports.list' | 'exports.show' | 'exports.revoke' | 'exports.notes' | 'exports.cleanup' | 'exports.summary' | 'exports.deadlines' | 'exports.settings.get' | 'exports.settings.save';

export function exportHandlers(ctx: CoreContext): Pick<Handlers, ExportChannels> {
  return {
    'exports.list': (input) => listLinks(ctx, input),
    'exports.show': ({ profile, id }) => showLink(ctx, profile, id),
    'exports.revoke': (input) => revokeLink(ctx, input),
    'exports.notes': ({ recordId, notes }) => setIncidentNotes(ctx, recordId, notes),
    'exports.cleanup': (input) => cleanupExports(ctx, input),
    'exports.summary': (input) => exportSummary(ctx, input),
    'exports.deadlines': (input) => checkDeadlines(ctx, input),
    'exports.settings.get': ({ profile }) => readExportSettings(ctx, profile),
    'exports.settings.save': (input) => saveExportSettings(ctx, input),
  };
}
