import { z } from 'zod';
import { ProfileNameSchema } from './profiles';

/**
 * Restore drills, real restores, post-restore verification and audit lockdown (issue 4).
 * Nothing here carries personal information: only counts, timings, fingerprints, primary keys of
 * rows that failed to decrypt, and results.
 */

export const CheckStatusSchema = z.enum(['PASS', 'WARN', 'FAIL']);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

/** One verification or pre-restore check, with its plain-language detail and (when not PASS) the fix. */
export const CheckResultSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: CheckStatusSchema,
  detail: z.string(),
  hint: z.string().optional(),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

/** Decryption results of one encrypted column. `failedPks` lists (up to a cap) the rows that did not open. */
export const ColumnDecryptSchema = z.object({
  schema: z.string(),
  table: z.string(),
  column: z.string(),
  checked: z.number().int(),
  decrypted: z.number().int(),
  empty: z.number().int(),
  failed: z.number().int(),
  failedPks: z.array(z.string()),
});
export type ColumnDecrypt = z.infer<typeof ColumnDecryptSchema>;

export const VerificationReportSchema = z.object({
  /** `user@host:port/database` of each side (never a password). */
  target: z.object({ main: z.string(), audit: z.string() }),
  mode: z.enum(['sample', 'full']),
  sample: z.number().int(),
  /** Compared against a backup manifest (a drill or restore) or not (a live check). */
  againstManifest: z.string().nullable(),
  status: CheckStatusSchema,
  checks: z.array(CheckResultSchema),
  columns: z.array(ColumnDecryptSchema),
  counts: z.record(z.string(), z.number()),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
});
export type VerificationReport = z.infer<typeof VerificationReportSchema>;

export const DrillStateSchema = z.enum(['running', 'passed', 'failed', 'cancelled']);
export type DrillState = z.infer<typeof DrillStateSchema>;

export const DrillSummarySchema = z.object({
  id: z.string(),
  /** A rehearsal into scratch databases, or a real restore into production. */
  kind: z.enum(['drill', 'restore']),
  profile: z.string(),
  setId: z.string(),
  state: DrillStateSchema,
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** Measured: time from the start of the restore to the end of verification. */
  rtoSeconds: z.number().nullable(),
  /** Age of the backup set when the drill started. */
  rpoSeconds: z.number().nullable(),
  restoreMs: z.number().nullable(),
  verifyMs: z.number().nullable(),
  ranBy: z.string(),
  host: z.string(),
  keyListFingerprint: z.string().nullable(),
  scratch: z
    .object({
      server: z.string(),
      main: z.string(),
      audit: z.string(),
      kept: z.boolean(),
      droppedAt: z.string().nullable(),
      /** On a throwaway local instance (removed after the drill) rather than the profile's server. */
      local: z.boolean().optional(),
    })
    .nullable(),
  preflight: z.array(CheckResultSchema),
  verification: VerificationReportSchema.nullable(),
  /** Restores only: the safety backup taken first, and the lockdown applied after. */
  safetySetId: z.string().nullable(),
  lockdown: z.unknown().nullable(),
  failure: z.object({ kind: z.string(), message: z.string(), hint: z.string().optional() }).nullable(),
  notes: z.string(),
  jobId: z.string().nullable(),
});
export type DrillSummary = z.infer<typeof DrillSummarySchema>;

export const PreflightResultSchema = z.object({ setId: z.string(), ok: z.boolean(), checks: z.array(CheckResultSchema) });
export type PreflightResult = z.infer<typeof PreflightResultSchema>;

export const LockdownReportSchema = z.object({
  profile: z.string(),
  database: z.string(),
  writer: z.string(),
  owner: z.string().nullable(),
  writerIsOwner: z.boolean(),
  writerIsSuperuser: z.boolean(),
  /** Owner, member of the owner's role, or holding a grant option: can give itself UPDATE/DELETE back. */
  writerCanRegrant: z.boolean(),
  writerPrivileges: z.array(z.string()),
  readerExists: z.boolean(),
  readerPrivileges: z.array(z.string()),
  status: CheckStatusSchema,
  findings: z.array(CheckResultSchema),
  /** Statements run by `lockdown apply` (empty for --check). */
  applied: z.array(z.string()),
});
export type LockdownReport = z.infer<typeof LockdownReportSchema>;

const sample = z.number().int().min(1).max(100_000).default(50);

export const DrillRunSpecSchema = z.object({
  kind: z.literal('drill.run'),
  profile: ProfileNameSchema.optional(),
  /** Default: the newest verified set of the profile. */
  setId: z.string().min(1).max(200).optional(),
  keep: z.boolean().default(false),
  /** Restore into a throwaway local instance (needs PostgreSQL server programs on this computer). */
  local: z.boolean().optional(),
  full: z.boolean().default(false),
  sample,
  notes: z.string().max(2000).default(''),
});
export const RestoreRunSpecSchema = z.object({
  kind: z.literal('restore.run'),
  profile: ProfileNameSchema.optional(),
  setId: z.string().min(1).max(200),
  /** The typed confirmation: must equal the production main database's name. */
  confirmDatabase: z.string().min(1).max(63),
  full: z.boolean().default(false),
  sample,
  notes: z.string().max(2000).default(''),
});
export const VerifyRunSpecSchema = z.object({
  kind: z.literal('verify.run'),
  profile: ProfileNameSchema.optional(),
  full: z.boolean().default(false),
  sample,
});
