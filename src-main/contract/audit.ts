import { z } from 'zod';
import { ProfileNameSchema } from './profiles';

/**
 * Audit-log review (issue 7): filters, pages of rows, saved queries, export-link trails,
 * checkpoints (tamper evidence), suspicious patterns and the security check. Filter values are
 * data: the core binds every one of them as a query parameter, never into SQL text.
 */

/** Relative windows: "7d", "24h", "90m". */
export const SinceSchema = z.string().regex(/^\d{1,5}[mhd]$/, 'Use a number and m, h or d, e.g. 7d or 24h');

const text = (max: number) => z.string().max(max);
export const AuditFilterSchema = z
  .object({
    /** Either a relative window or absolute bounds (ISO 8601; without a zone they are local time). */
    since: SinceSchema.nullable().default(null),
    from: text(40).nullable().default(null),
    to: text(40).nullable().default(null),
    /** A user id (digits) or part of a display name. */
    user: text(255).nullable().default(null),
    actions: z.array(text(50)).max(30).default([]),
    resourceTypes: z.array(text(100)).max(30).default([]),
    excludeResourceTypes: z.array(text(100)).max(30).default([]),
    programId: z.number().int().min(0).max(2_147_483_647).nullable().default(null),
    /** One address or a CIDR block (10.0.0.0/8). */
    ip: text(60).nullable().default(null),
    /** Case-insensitive text searched in metadata (wildcards are literal). */
    text: text(200).nullable().default(null),
    /** An export link's UUID: matches metadata.link_id or metadata.secure_link_id. */
    linkId: z.string().uuid().nullable().default(null),
  })
  .strict();
export type AuditFilter = z.output<typeof AuditFilterSchema>;
export type AuditFilterInput = z.input<typeof AuditFilterSchema>;

const json = z.unknown();
export const AuditRowSchema = z.object({
  /** bigint as decimal text (ids can pass 2^53). */
  id: z.string(),
  eventTimestamp: z.string(),
  userId: z.number().nullable(),
  userDisplay: z.string(),
  ipAddress: z.string().nullable(),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.number().nullable(),
  programId: z.number().nullable(),
  oldValues: json,
  newValues: json,
  metadata: json,
  isDemoContext: z.boolean(),
  isConfidentialContext: z.boolean(),
  tenantSchema: z.string(),
});
export type AuditRow = z.infer<typeof AuditRowSchema>;

export const AuditPageSchema = z.object({
  rows: z.array(AuditRowSchema),
  /** Pass back as `beforeId` for the next (older) page; null when this was the last. */
  nextCursor: z.string().nullable(),
  /** The UTC bounds actually used, and the id range the primary-key probes found for them. */
  range: z.object({ fromUtc: z.string().nullable(), toUtc: z.string().nullable(), firstId: z.string().nullable(), lastId: z.string().nullable() }),
  elapsedMs: z.number(),
});
export type AuditPage = z.infer<typeof AuditPageSchema>;

export const AuditQueryInputSchema = z
  .object({
    profile: ProfileNameSchema,
    filter: AuditFilterSchema.prefault({}),
    saved: z.string().max(60).nullable().default(null),
    beforeId: z.string().regex(/^\d{1,19}$/).nullable().default(null),
    limit: z.number().int().min(1).max(1000).default(50),
  })
  .strict();

export const SavedQuerySchema = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  /** A saved query that needs a user (logins by user, activity of one user). */
  needsUser: z.boolean(),
  filter: AuditFilterSchema,
});
export type SavedQuery = z.infer<typeof SavedQuerySchema>;

export const ActivityBucketSchema = z.object({ day: z.string(), action: z.string(), count: z.number().int() });
export const ActivitySchema = z.object({ buckets: z.array(ActivityBucketSchema), timeZone: z.string() });
export type Activity = z.infer<typeof ActivitySchema>;

export const LinkTrailSchema = z.object({
  linkId: z.string(),
  /** Where the search looked: the link's own lifetime (from the main database), or the whole log. */
  scope: z.enum(['link-lifetime', 'whole-log']),
  rows: z.array(AuditRowSchema),
  created: z.boolean(),
  downloads: z.number().int(),
  revoked: z.boolean(),
});
export type LinkTrail = z.infer<typeof LinkTrailSchema>;

export const CheckpointSummarySchema = z.object({
  id: z.number().int(),
  profile: z.string(),
  seq: z.number().int(),
  fromId: z.string(),
  toId: z.string(),
  rowCount: z.number().int(),
  blocks: z.number().int(),
  chainHash: z.string(),
  prevHash: z.string(),
  createdAt: z.string(),
  reason: z.string(),
  file: z.string().nullable(),
});
export type CheckpointSummary = z.infer<typeof CheckpointSummarySchema>;

export const CheckpointProblemSchema = z.object({
  checkpointSeq: z.number().int(),
  kind: z.enum(['changed', 'missing', 'added', 'chain']),
  firstId: z.string(),
  lastId: z.string(),
  detail: z.string(),
});
export type CheckpointProblem = z.infer<typeof CheckpointProblemSchema>;

export const CheckpointVerifySchema = z.object({
  profile: z.string(),
  ok: z.boolean(),
  checkpoints: z.number().int(),
  verified: z.number().int(),
  /** Checkpoints beyond the rows the target holds (e.g. a backup older than the checkpoint). */
  skipped: z.number().int(),
  rowsVerified: z.number().int(),
  problems: z.array(CheckpointProblemSchema),
  /** Plain summary naming the first problem, e.g. "Rows 1200–1299 changed (checkpoint 3)". */
  firstProblem: z.string().nullable(),
  uncoveredRows: z.number().int(),
  elapsedMs: z.number(),
});
export type CheckpointVerify = z.infer<typeof CheckpointVerifySchema>;

export const SuspiciousKindSchema = z.enum(['failedLoginBurstIp', 'failedLoginBurstUser', 'largeExport', 'downloadByOther', 'unusualHours']);
export const SuspiciousPatternSchema = z.object({
  kind: SuspiciousKindSchema,
  /** Who or what: an IP, a user name, a link id. */
  subject: z.string(),
  count: z.number().int(),
  firstAt: z.string(),
  lastAt: z.string(),
  detail: z.string(),
  /** The audit rows behind it (up to a cap). */
  rows: z.array(AuditRowSchema),
});
export type SuspiciousPattern = z.infer<typeof SuspiciousPatternSchema>;
export const SuspiciousReportSchema = z.object({ patterns: z.array(SuspiciousPatternSchema), fromUtc: z.string(), toUtc: z.string(), timeZone: z.string() });
export type SuspiciousReport = z.infer<typeof SuspiciousReportSchema>;

/** KoNote's security_audit JSON shape, plus `category` and `fix` on each result. */
export const SECURITY_CATEGORIES = ['ENC', 'RBAC', 'AUD', 'BAK'] as const;
export const SecurityCategorySchema = z.enum(SECURITY_CATEGORIES);
export const SecurityResultSchema = z.object({
  check_id: z.string(),
  category: SecurityCategorySchema,
  description: z.string(),
  status: z.enum(['PASS', 'WARN', 'FAIL', 'SKIP']),
  detail: z.string(),
  fix: z.string().nullable(),
});
export type SecurityResult = z.infer<typeof SecurityResultSchema>;
export const SecurityReportSchema = z.object({
  timestamp: z.string(),
  profile: z.string(),
  results: z.array(SecurityResultSchema),
  summary: z.object({ passed: z.number().int(), warnings: z.number().int(), failed: z.number().int(), skipped: z.number().int() }),
});
export type SecurityReport = z.infer<typeof SecurityReportSchema>;

export const AuditExportSpecSchema = z.object({
  kind: z.literal('audit.export'),
  profile: z.string().min(1),
  filter: AuditFilterSchema.prefault({}),
  saved: z.string().max(60).nullable().default(null),
  out: z.string().min(1).max(4096),
});
export const AuditCheckpointSpecSchema = z.object({
  kind: z.literal('audit.checkpoint'),
  profile: z.string().min(1),
  reason: z.enum(['manual', 'review', 'backup']).default('manual'),
  /** Also write the checkpoint to this file (to keep elsewhere). */
  file: z.string().min(1).max(4096).nullable().default(null),
  /** Leave the newest rows out for this long: an insert still in flight may commit a lower id. */
  settleSeconds: z.number().int().min(0).max(86_400).default(60),
});
export const AuditVerifySpecSchema = z.object({
  kind: z.literal('audit.verify'),
  profile: z.string().min(1),
  /** Compare the chain with a checkpoint file kept elsewhere. */
  file: z.string().min(1).max(4096).nullable().default(null),
});
export const SecurityAuditSpecSchema = z.object({
  kind: z.literal('security.audit'),
  profile: z.string().min(1),
  categories: z.array(SecurityCategorySchema).default([...SECURITY_CATEGORIES]),
  full: z.boolean().default(false),
  sample: z.number().int().min(1).max(100_000).default(50),
});
