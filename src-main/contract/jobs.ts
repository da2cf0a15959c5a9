import { z } from 'zod';
import { BackupRunSpecSchema, BackupVerifySpecSchema } from './backups';
import { PitrAzureRestoreSpecSchema, PitrBaseBackupSpecSchema, PitrReceiveWalSpecSchema, PitrRecoverSpecSchema, PitrReplaceSpecSchema } from './pitr';
import { AuditCheckpointSpecSchema, AuditExportSpecSchema, AuditVerifySpecSchema, SecurityAuditSpecSchema } from './audit';
import { DrillRunSpecSchema, RestoreRunSpecSchema, VerifyRunSpecSchema } from './drills';
import { PostRotationBackupSpecSchema, RotationDryRunSpecSchema, RotationRunSpecSchema } from './keys-rotation';
import { HavenRewrapSpecSchema } from './haven';

/**
 * A job is intent, never a command line: the renderer names a kind and its validated parameters,
 * and the core decides which tools to run with which arguments.
 */
export const JobSpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('sandbox.up'),
    clients: z.number().int().min(1).max(1_000_000).default(200),
  }),
  z.object({ kind: z.literal('sandbox.down') }),
  z.object({
    kind: z.literal('profile.test'),
    profile: z.string().min(1),
  }),
  z.object({
    kind: z.literal('keys.verify'),
    profile: z.string().min(1),
    sample: z.number().int().min(1).max(100_000).default(50),
  }),
  BackupRunSpecSchema,
  BackupVerifySpecSchema,
  PitrBaseBackupSpecSchema,
  PitrRecoverSpecSchema,
  PitrAzureRestoreSpecSchema,
  PitrReplaceSpecSchema,
  PitrReceiveWalSpecSchema,
  AuditExportSpecSchema,
  AuditCheckpointSpecSchema,
  AuditVerifySpecSchema,
  SecurityAuditSpecSchema,
  DrillRunSpecSchema,
  RestoreRunSpecSchema,
  VerifyRunSpecSchema,
  RotationDryRunSpecSchema,
  RotationRunSpecSchema,
  PostRotationBackupSpecSchema,
  HavenRewrapSpecSchema,
  /** A harmless long job used by tests and the UI's job panel to prove cancel works end to end. */
  z.object({
    kind: z.literal('demo.sleep'),
    seconds: z.number().min(0).max(3600),
  }),
]);
export type JobSpec = z.infer<typeof JobSpecSchema>;
export type JobKind = JobSpec['kind'];

export const JobStateSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobStateSchema>;

export const JobProgressSchema = z.object({
  /** 0..1 when known, null when the work has no measurable size yet. */
  fraction: z.number().min(0).max(1).nullable(),
  message: z.string(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

export const JobSummarySchema = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  state: JobStateSchema,
  progress: JobProgressSchema,
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.object({ kind: z.string(), message: z.string(), hint: z.string().optional() }).nullable(),
  result: z.unknown().nullable(),
});
export type JobSummary = z.infer<typeof JobSummarySchema>;

export const JobLogLineSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  level: z.enum(['info', 'warn', 'error']),
  text: z.string(),
});
export type JobLogLine = z.infer<typeof JobLogLineSchema>;

/** Events pushed from main to the renderer (throttled to ~10 Hz per job for progress). */
export const JobEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), jobId: z.string(), progress: JobProgressSchema }),
  z.object({ type: z.literal('log'), jobId: z.string(), line: JobLogLineSchema }),
  z.object({ type: z.literal('state'), jobId: z.string(), job: JobSummarySchema }),
]);
export type JobEvent = z.infer<typeof JobEventSchema>;
