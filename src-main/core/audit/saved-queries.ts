import type { AuditFilter, SavedQuery } from '../../contract/audit';
import { AppError } from '../common/errors';
import { emptyFilter } from './filters';

/**
 * The runbook's review queries (which tell admins to paste SQL into psql against table names
 * that do not exist), as saved filters on the real audit_log. Action and resource names are the
 * ones KoNote writes (konote-reference.md §4, §6).
 */

const EXPORT_CREATION_TYPES = ['metric_report', 'standard_report', 'template_report', 'individual_client_export', 'session_report'];
const CLIENT_RECORD_TYPES = ['client_file', 'client', 'clients', 'progress_note', 'plan', 'plan_target', 'client_detail_values'];

export const SAVED_QUERIES: SavedQuery[] = [
  { name: 'failed-logins', title: 'Failed logins (7 days)', description: 'Every failed login attempt in the last 7 days; the user is the name that was typed.', needsUser: false, filter: emptyFilter({ since: '7d', actions: ['login_failed'] }) },
  { name: 'logins-by-user', title: 'Logins by one user (30 days)', description: 'Logins, logouts and failed attempts of one user.', needsUser: true, filter: emptyFilter({ since: '30d', actions: ['login', 'logout', 'login_failed', 'portal_login'] }) },
  {
    name: 'exports-7d',
    title: 'Exports (7 days)',
    description: 'Reports and client exports created in the last 7 days (downloads are a separate query).',
    needsUser: false,
    filter: emptyFilter({ since: '7d', actions: ['export', 'report_approved', 'create'], resourceTypes: EXPORT_CREATION_TYPES }),
  },
  { name: 'downloads', title: 'Export downloads (30 days)', description: 'Every download of a secure export link.', needsUser: false, filter: emptyFilter({ since: '30d', resourceTypes: ['export_download'] }) },
  { name: 'revocations', title: 'Export link revocations (90 days)', description: 'Secure export links revoked by an admin.', needsUser: false, filter: emptyFilter({ since: '90d', resourceTypes: ['export_link_revoked'] }) },
  { name: 'client-views-7d', title: 'Client record views (7 days)', description: 'Who opened client files, notes and plans in the last 7 days.', needsUser: false, filter: emptyFilter({ since: '7d', actions: ['view'], resourceTypes: CLIENT_RECORD_TYPES }) },
  {
    name: 'erasures',
    title: 'Erasures (365 days)',
    description: 'Client erasure requests and completed erasures.',
    needsUser: false,
    filter: emptyFilter({ since: '365d', resourceTypes: ['erasure_request', 'client_erasure', 'erasure'] }),
  },
  {
    name: 'key-rotations',
    title: 'Encryption key rotations (365 days)',
    description: 'Key rotations Custodian finished, and rows KoNote or an operator wrote about encryption key changes.',
    needsUser: false,
    // encryption_key_rotation is what Custodian writes (issue 5); the others are older spellings.
    filter: emptyFilter({ since: '365d', resourceTypes: ['encryption_key_rotation', 'encryption_key', 'key_rotation', 'field_encryption_key'] }),
  },
  {
    name: 'custodian-actions',
    title: 'Custodian’s own changes (365 days)',
    description: 'What Custodian changed in KoNote’s databases: key rotations, export link clean-ups and records copied back after a point-in-time recovery.',
    needsUser: false,
    filter: emptyFilter({ since: '365d', resourceTypes: ['encryption_key_rotation', 'export_link_cleanup', 'pitr_copy_back'] }),
  },
  { name: 'user-activity', title: 'Everything one user did (30 days)', description: 'All audit rows of one user, newest first.', needsUser: true, filter: emptyFilter({ since: '30d' }) },
];

export function findSavedQuery(name: string): SavedQuery {
  const q = SAVED_QUERIES.find((s) => s.name === name);
  if (!q) throw new AppError('Validation', `There is no saved query named "${name.slice(0, 60)}".`, `Use one of: ${SAVED_QUERIES.map((s) => s.name).join(', ')}.`);
  return q;
}

/**
 * A saved query with the user's own values laid on top: their time range replaces the saved one,
 * their user fills a user-shaped query, and extra filters narrow it further.
 */
export function applySavedQuery(name: string | null, filter: AuditFilter): AuditFilter {
  if (!name) return filter;
  const saved = findSavedQuery(name);
  if (saved.needsUser && !filter.user?.trim()) {
    throw new AppError('Validation', `The saved query "${saved.title}" needs a user.`, 'Give a user id or part of a display name (--user in the command line).');
  }
  const ownTime = filter.since !== null || filter.from !== null || filter.to !== null;
  return {
    ...saved.filter,
    ...(ownTime ? { since: filter.since, from: filter.from, to: filter.to } : {}),
    user: filter.user ?? saved.filter.user,
    actions: filter.actions.length ? filter.actions : saved.filter.actions,
    resourceTypes: filter.resourceTypes.length ? filter.resourceTypes : saved.filter.resourceTypes,
    excludeResourceTypes: [...saved.filter.excludeResourceTypes, ...filter.excludeResourceTypes],
    programId: filter.programId ?? saved.filter.programId,
    ip: filter.ip ?? saved.filter.ip,
    text: filter.text ?? saved.filter.text,
    linkId: filter.linkId ?? saved.filter.linkId,
  };
}
