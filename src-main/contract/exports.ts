import { z } from 'zod';
import { ProfileNameSchema } from './profiles';

/**
 * Secure export links (KoNote's `reports_secureexportlink`), their cleanup, the weekly summary and
 * report deadlines. Facts: konote-reference.md §3–4.
 */

/** Export types KoNote writes today, then the legacy ones older rows may carry. */
export const EXPORT_TYPES = ['metrics', 'standard_report', 'individual_client', 'session_report', 'client_data', 'funder_report', 'cmt'] as const;
export const ExportTypeSchema = z.enum(EXPORT_TYPES);

/**
 * KoNote's statuses in KoNote's evaluation order. `file_unknown` takes File Missing's place when
 * the export folder is not reachable from this computer: we cannot say the file is there.
 */
export const LINK_STATUSES = ['revoked', 'expired', 'file_missing', 'file_unknown', 'pending', 'active'] as const;
export const LinkStatusSchema = z.enum(LINK_STATUSES);
export type LinkStatus = z.infer<typeof LinkStatusSchema>;

/** present / missing: checked inside the export folder; outside: the path escapes it (never followed). */
export const FileStateSchema = z.enum(['present', 'missing', 'unknown', 'outside']);
export type FileState = z.infer<typeof FileStateSchema>;

const UserRefSchema = z.object({ id: z.number(), username: z.string(), displayName: z.string() });

export const ExportLinkSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  exportType: z.string(),
  /** False for a type Custodian does not know (shown, flagged, never guessed at). */
  typeKnown: z.boolean(),
  status: LinkStatusSchema,
  fileState: FileStateSchema,
  /** Plain-language reason when `file_path` points outside the export folder. */
  pathProblem: z.string().nullable(),
  clientCount: z.number(),
  includesNotes: z.boolean(),
  containsPii: z.boolean(),
  isElevated: z.boolean(),
  /** When an elevated link stops being "Pending" (KoNote's delay after creation). */
  pendingUntil: z.string().nullable(),
  recipient: z.string(),
  filename: z.string(),
  downloadCount: z.number(),
  lastDownloadedAt: z.string().nullable(),
  revoked: z.boolean(),
  revokedAt: z.string().nullable(),
  createdBy: UserRefSchema.nullable(),
  revokedBy: UserRefSchema.nullable(),
});
export type ExportLink = z.infer<typeof ExportLinkSchema>;

export const AuditTrailRowSchema = z.object({
  id: z.number(),
  at: z.string(),
  user: z.string(),
  action: z.string(),
  resourceType: z.string(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditTrailRow = z.infer<typeof AuditTrailRowSchema>;

export const RevocationRecordSchema = z.object({ id: z.string(), at: z.string(), byUser: z.string(), reason: z.string(), notes: z.string(), state: z.enum(['started', 'done', 'failed']) });
export type RevocationRecord = z.infer<typeof RevocationRecordSchema>;

export const ExportLinkDetailSchema = ExportLinkSchema.extend({
  filePath: z.string(),
  /** `filters_json` parsed; null when it is not valid JSON (then see filtersRaw). */
  filters: z.unknown().nullable(),
  filtersRaw: z.string(),
  lastDownloadedBy: UserRefSchema.nullable(),
  approvedAt: z.string().nullable(),
  approvedBy: UserRefSchema.nullable(),
  adminNotifiedAt: z.string().nullable(),
  agencyNotes: z.string(),
  /** Audit rows naming this link (metadata link_id / secure_link_id), oldest first. */
  trail: z.array(AuditTrailRowSchema),
  trailError: z.string().nullable(),
  /** Custodian's own record of revoking it (reason, incident notes), if it was revoked here. */
  revocations: z.array(RevocationRecordSchema),
});
export type ExportLinkDetail = z.infer<typeof ExportLinkDetailSchema>;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date as YYYY-MM-DD');

export const ExportListInputSchema = z
  .object({
    profile: ProfileNameSchema,
    status: LinkStatusSchema.optional(),
    type: ExportTypeSchema.optional(),
    /** Username, display name (case-insensitive) or user id. */
    creator: z.string().min(1).max(150).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    elevated: z.boolean().optional(),
    pii: z.boolean().optional(),
    limit: z.number().int().min(1).max(5000).default(500),
  })
  .strict();
export type ExportListInput = z.input<typeof ExportListInputSchema>;

export const ExportFolderStateSchema = z.object({ exportDir: z.string().nullable(), reachable: z.boolean(), detail: z.string().nullable() });
export type ExportFolderState = z.infer<typeof ExportFolderStateSchema>;

export const ExportListSchema = z.object({
  folder: ExportFolderStateSchema,
  links: z.array(ExportLinkSchema),
  truncated: z.boolean(),
  unknownTypes: z.array(z.string()),
  /** Other schemas with their own export links (multi-agency): not listed here, said so plainly. */
  otherSchemas: z.array(z.string()).default([]),
});
export type ExportList = z.infer<typeof ExportListSchema>;

export const RevokeInputSchema = z
  .object({
    profile: ProfileNameSchema,
    id: z.string().uuid('An export link id is a UUID'),
    reason: z.string().trim().min(3, 'Say briefly why the link is revoked').max(2000),
    /** The KoNote admin account the revocation is recorded under (default: the configured one). */
    asUser: z.string().min(1).max(150).optional(),
    confirm: z.literal(true),
  })
  .strict();

export const FileActionSchema = z.enum(['deleted', 'would-delete', 'already-gone', 'not-reachable', 'refused', 'failed', 'kept']);
export type FileAction = z.infer<typeof FileActionSchema>;

export const RevokeResultSchema = z.object({
  linkId: z.string(),
  revokedAt: z.string(),
  revokedBy: UserRefSchema,
  auditRowId: z.number(),
  file: z.object({ action: FileActionSchema, detail: z.string() }),
  recordId: z.string(),
});
export type RevokeResult = z.infer<typeof RevokeResultSchema>;

export const CleanupInputSchema = z.object({ profile: ProfileNameSchema, dryRun: z.boolean(), exportDir: z.string().min(1).optional() }).strict();

export const CleanupResultSchema = z.object({
  dryRun: z.boolean(),
  exportDir: z.string(),
  /** Rows that expired before this moment are removed (KoNote: now - 1 day). */
  cutoff: z.string(),
  expired: z.array(z.object({ id: z.string(), expiresAt: z.string(), revoked: z.boolean(), filePath: z.string(), rowAction: z.enum(['deleted', 'would-delete', 'kept']), fileAction: FileActionSchema, detail: z.string() })),
  orphans: z.array(z.object({ name: z.string(), action: FileActionSchema, detail: z.string() })),
  /** Paths refused because their real path is outside the export folder (never followed). */
  refused: z.array(z.object({ linkId: z.string().nullable(), path: z.string(), reason: z.string() })),
  keptRevokedUnexpired: z.number(),
  auditRowId: z.number().nullable(),
});
export type CleanupResult = z.infer<typeof CleanupResultSchema>;

export const SummaryInputSchema = z.object({ profile: ProfileNameSchema, days: z.number().int().min(1).max(366).default(7), dryRun: z.boolean() }).strict();

export const ExportSummarySchema = z.object({
  start: z.string(),
  end: z.string(),
  days: z.number(),
  total: z.number(),
  byType: z.array(z.object({ type: z.string(), count: z.number() })),
  elevated: z.number(),
  downloaded: z.number(),
  /** KoNote's "pending" in the summary: never downloaded and not revoked. */
  notDownloaded: z.number(),
  revoked: z.number(),
  topCreators: z.array(z.object({ name: z.string(), count: z.number() })),
  subject: z.string(),
  text: z.string(),
  recipients: z.array(z.string()),
  sent: z.boolean(),
  dryRun: z.boolean(),
});
export type ExportSummary = z.infer<typeof ExportSummarySchema>;

export const DeadlinesInputSchema = z.object({ profile: ProfileNameSchema, dryRun: z.boolean() }).strict();

export const DeadlineSchema = z.object({
  id: z.number(),
  name: z.string(),
  reportType: z.string(),
  frequency: z.string(),
  dueDate: z.string(),
  reminderDaysBefore: z.number(),
  daysLeft: z.number(),
  isActive: z.boolean(),
  inReminderWindow: z.boolean(),
  bannerShownAt: z.string().nullable(),
  emailSentAt: z.string().nullable(),
  /** What this run did (or, in a dry run, would do): banner, email, advance. */
  actions: z.array(z.enum(['banner', 'email', 'advance'])),
  emailTo: z.array(z.string()),
  nextDueDate: z.string().nullable(),
});
export type Deadline = z.infer<typeof DeadlineSchema>;
export const DeadlinesResultSchema = z.object({ today: z.string(), dryRun: z.boolean(), schedules: z.array(DeadlineSchema), emailsSent: z.number() });
export type DeadlinesResult = z.infer<typeof DeadlinesResultSchema>;

export const ExportSettingsSchema = z.object({
  profile: ProfileNameSchema,
  /** KoNote's SECURE_EXPORT_DIR as reachable from this computer (a path or a mounted share). */
  exportDir: z.string().min(1).max(4000).nullable(),
  /** SECURE_EXPORT_DIR as KoNote's server sees it, when it differs (a share mounted elsewhere here). */
  serverExportDir: z.string().min(1).max(4000).nullable().default(null),
  adminUsername: z.string().min(1).max(150).nullable(),
  pendingDelayMinutes: z.number().int().min(0).max(24 * 60).default(10),
});
export type ExportSettings = z.infer<typeof ExportSettingsSchema>;

export const EXPORT_SCHEDULE_TASKS = ['cleanup', 'summary', 'deadlines'] as const;
export const ExportScheduleTaskSchema = z.enum(EXPORT_SCHEDULE_TASKS);
export type ExportScheduleTask = z.infer<typeof ExportScheduleTaskSchema>;
