import { z } from 'zod';
import { ProfileNameSchema } from './profiles';

/**
 * The grandfather-father-son retention policy (days): daily sets 30, Monday sets 90, sets of the
 * 1st of a month 365. Here, not in core, so the Backups page shows the very numbers prune uses.
 */
export const DEFAULT_RETENTION_POLICY = { dailyDays: 30, weeklyDays: 90, monthlyDays: 365 } as const;

export const PinReasonSchema = z.enum(['pre-upgrade', 'post-key-rotation', 'drill-verified', 'manual']);
export const DumpFormatSchema = z.enum(['custom', 'plain']);

export const BackupCheckSchema = z.object({ file: z.string(), check: z.string(), ok: z.boolean(), detail: z.string() });

export const BackupSetSummarySchema = z.object({
  id: z.string(),
  profile: z.string(),
  dir: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  state: z.enum(['running', 'verified', 'unverified', 'failed', 'pruned']),
  format: DumpFormatSchema,
  encrypted: z.boolean(),
  totalBytes: z.number().nullable(),
  keyListFingerprint: z.string().nullable(),
  recipients: z.array(z.string()),
  checks: z.array(BackupCheckSchema),
  failure: z.object({ kind: z.string(), message: z.string(), hint: z.string().optional() }).nullable(),
  pins: z.array(PinReasonSchema),
  jobId: z.string().nullable(),
});
export type BackupSetSummary = z.infer<typeof BackupSetSummarySchema>;

export const BackupRecipientSchema = z.object({ recipient: z.string(), label: z.string(), createdAt: z.string(), identityInKeychain: z.boolean() });

export const PruneResultSchema = z.object({
  dryRun: z.boolean(),
  entries: z.array(z.object({ setId: z.string(), createdAt: z.string(), state: z.string(), action: z.enum(['keep', 'delete']), reasons: z.array(z.string()) })),
  freedBytes: z.number(),
});

export const AlertSchema = z.object({
  id: z.number(),
  profile: z.string(),
  kind: z.string(),
  message: z.string(),
  createdAt: z.string(),
  emailedAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
});

export const ScheduleStatusSchema = z.object({
  id: z.string(),
  scheduler: z.enum(['windows-task', 'launchd', 'systemd-user', 'crontab']),
  installed: z.boolean(),
  time: z.string().nullable(),
  command: z.array(z.string()),
  location: z.string(),
});
export type ScheduleStatus = z.infer<typeof ScheduleStatusSchema>;

export const BackupRunSpecSchema = z.object({
  kind: z.literal('backup.run'),
  profile: ProfileNameSchema.optional(),
  /** A folder chosen in the wizard (a native dialog in Electron); validated by the core. */
  target: z.string().min(1).max(4096).optional(),
  format: DumpFormatSchema.default('custom'),
  encrypt: z.boolean().default(true),
  /** Also the server's roles (pg_dumpall --globals-only, without passwords), when the user may. */
  globals: z.boolean().optional(),
});
export const BackupVerifySpecSchema = z.object({ kind: z.literal('backup.verify'), setId: z.string().min(1).max(4096) });
