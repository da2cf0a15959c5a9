import { z } from 'zod';
import { ProfileNameSchema } from './profiles';
import { CheckResultSchema } from './drills';

/**
 * Point-in-time recovery (issue 6): self-hosted (base backup + WAL archive → recover to a time
 * into a local scratch instance, then copy deleted rows back) and Azure Flexible Server (az CLI).
 * Times cross the contract as ISO 8601 UTC strings; the renderer shows local time with the zone.
 * Nothing here carries row contents: only counts, primary keys, LSNs, times and paths.
 */

export const PitrRoleSchema = z.enum(['main', 'audit']);
export type PitrRole = z.infer<typeof PitrRoleSchema>;

export const DeploymentKindSchema = z.enum(['docker', 'plain']);
export type DeploymentKind = z.infer<typeof DeploymentKindSchema>;

/** Where one server's WAL archive and base backups live, as seen from this computer. */
export const PitrConfigSchema = z.object({
  profile: z.string(),
  role: PitrRoleSchema,
  /** The folder the server's archive_command copies WAL into (a mounted share or a synced copy). */
  archiveDir: z.string().nullable(),
  /** Where base backups go (default: Custodian's data folder). */
  backupDir: z.string().nullable(),
});
export type PitrConfig = z.infer<typeof PitrConfigSchema>;

export const GeneratedFileSchema = z.object({
  /** Where it goes, in plain words (e.g. "docker-compose.override.yml beside docker-compose.yml"). */
  where: z.string(),
  content: z.string(),
});

export const SetupCheckSchema = z.object({
  profile: z.string(),
  role: PitrRoleSchema,
  serverVersion: z.string().nullable(),
  settings: z.record(z.string(), z.string()),
  checks: z.array(CheckResultSchema),
  ready: z.boolean(),
  deployment: DeploymentKindSchema,
  files: z.array(GeneratedFileSchema),
  /** Plain-language explanation of each generated setting, in order. */
  explanation: z.array(z.string()),
});
export type SetupCheck = z.infer<typeof SetupCheckSchema>;

export const BaseBackupStateSchema = z.enum(['running', 'verified', 'failed']);
export const BaseBackupSchema = z.object({
  id: z.string(),
  profile: z.string(),
  role: PitrRoleSchema,
  path: z.string(),
  state: BaseBackupStateSchema,
  /** Server clock, UTC, just before pg_basebackup started and just after it finished. */
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  startLsn: z.string().nullable(),
  endLsn: z.string().nullable(),
  timeline: z.number().int().nullable(),
  serverMajor: z.number().int(),
  walSegmentSize: z.number().int(),
  sizeBytes: z.number().nullable(),
  verifiedAt: z.string().nullable(),
  error: z.object({ kind: z.string(), message: z.string(), hint: z.string().optional() }).nullable(),
});
export type BaseBackup = z.infer<typeof BaseBackupSchema>;

export const RecoverableWindowSchema = z.object({
  profile: z.string(),
  role: PitrRoleSchema,
  archiveDir: z.string(),
  /** Earliest recoverable moment: the end of the oldest base backup with an unbroken WAL chain. */
  earliest: z.string().nullable(),
  /** Recoverable up to (not including) this moment: the last transaction found in the archive. */
  latest: z.string().nullable(),
  baseBackupId: z.string().nullable(),
  segments: z.number().int(),
  lastSegment: z.string().nullable(),
  /** Missing WAL file names (first few) after the chosen base backup. */
  missing: z.array(z.string()),
  /** Plain-language reasons when the window is empty or shorter than it could be. */
  notes: z.array(z.string()),
});
export type RecoverableWindow = z.infer<typeof RecoverableWindowSchema>;

/** A user's time, understood: the exact instant and how it reads locally and in UTC. */
export const ParsedTargetSchema = z.object({
  input: z.string(),
  utc: z.string(),
  zone: z.string(),
  /** Local wall time in `zone`, with its offset, e.g. "2026-11-30 10:04:05 (UTC-05:00)". */
  local: z.string(),
  /** Set when the input named its own offset or zone, so the user sees how it was read. */
  note: z.string().nullable(),
});
export type ParsedTarget = z.infer<typeof ParsedTargetSchema>;

export const RecoveryStateSchema = z.enum(['recovering', 'ready', 'failed', 'discarded']);
export const RecoverySchema = z.object({
  id: z.string(),
  profile: z.string(),
  role: PitrRoleSchema,
  backupId: z.string(),
  targetUtc: z.string(),
  state: RecoveryStateSchema,
  dir: z.string(),
  /** How to reach the recovered copy (local only; trusted socket login, no password). */
  host: z.string().nullable(),
  port: z.number().int().nullable(),
  database: z.string(),
  user: z.string(),
  /** What PostgreSQL said when it stopped, e.g. "before commit of transaction 812, time ...". */
  stoppedAt: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.object({ kind: z.string(), message: z.string(), hint: z.string().optional() }).nullable(),
});
export type Recovery = z.infer<typeof RecoverySchema>;

export const TableRefSchema = z.object({
  schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default('public'),
  table: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'Table names are lower-case letters, digits and _'),
});

export const CopyBackTableSchema = z.object({
  schema: z.string(),
  table: z.string(),
  /** Parent before child: the order rows are inserted in. */
  order: z.number().int(),
  count: z.number().int(),
  /** Primary keys (as text, composite keys joined with ", ") of the first rows, for the preview. */
  sampleKeys: z.array(z.string()),
  /** How this table was reached: null for the chosen table, else the foreign key followed. */
  via: z.string().nullable(),
});
export const CopyBackPlanSchema = z.object({
  recoveryId: z.string(),
  profile: z.string(),
  targetUtc: z.string(),
  tables: z.array(CopyBackTableSchema),
  total: z.number().int(),
  /** Digest of every key to copy: the apply step refuses if production changed since the preview. */
  digest: z.string(),
  /** What the user must type to confirm. */
  confirmPhrase: z.string(),
});
export type CopyBackPlan = z.infer<typeof CopyBackPlanSchema>;
export const CopyBackResultSchema = CopyBackPlanSchema.extend({
  inserted: z.number().int(),
  auditRowId: z.string().nullable(),
});
export type CopyBackResult = z.infer<typeof CopyBackResultSchema>;

const azureName = z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'Azure server names: 3–63 lower-case letters, digits and dashes');
export const AzureConfigSchema = z.object({
  subscription: z.string().max(100).nullable().default(null),
  resourceGroup: z.string().regex(/^[-\w.()]{1,90}$/, 'A resource group name'),
  mainServer: azureName,
  /** Null when the audit database lives on the main server. */
  auditServer: azureName.nullable().default(null),
});
export type AzureConfig = z.infer<typeof AzureConfigSchema>;

export const AzureServerWindowSchema = z.object({
  role: PitrRoleSchema,
  server: z.string(),
  state: z.string(),
  earliestRestore: z.string().nullable(),
  retentionDays: z.number().nullable(),
  latest: z.string(),
  fqdn: z.string().nullable(),
});
export const AzureWindowSchema = z.object({ profile: z.string(), servers: z.array(AzureServerWindowSchema) });
export type AzureWindow = z.infer<typeof AzureWindowSchema>;

export const AzureRestoreResultSchema = z.object({
  profile: z.string(),
  targetUtc: z.string(),
  servers: z.array(z.object({ role: PitrRoleSchema, source: z.string(), restored: z.string(), fqdn: z.string(), state: z.string() })),
  profileUpdated: z.boolean(),
  lockdown: z.array(CheckResultSchema),
  followUps: z.array(z.string()),
});
export type AzureRestoreResult = z.infer<typeof AzureRestoreResultSchema>;

const isoUtc = z.string().datetime({ offset: true });

export const PitrBaseBackupSpecSchema = z.object({
  kind: z.literal('pitr.baseBackup'),
  profile: ProfileNameSchema,
  role: PitrRoleSchema.default('main'),
});
export const PitrRecoverSpecSchema = z.object({
  kind: z.literal('pitr.recover'),
  profile: ProfileNameSchema,
  role: PitrRoleSchema.default('main'),
  /** The exact instant (already parsed and shown to the user in local time and UTC). */
  targetUtc: isoUtc,
  backupId: z.string().min(1).max(200).nullable().default(null),
});
/** Physical replication slot names: lower-case letters, digits and underscores (PostgreSQL's rule). */
export const ReplicationSlotNameSchema = z.string().regex(/^[a-z0-9_]{1,63}$/, 'Use lower-case letters, digits and _ (at most 63).');
/**
 * Continuous WAL streaming to this computer with pg_receivewal (small deployments without a
 * server-side archive). Runs until cancelled; `dir` null = the configured archive folder.
 */
export const PitrReceiveWalSpecSchema = z.object({
  kind: z.literal('pitr.receiveWal'),
  profile: ProfileNameSchema,
  role: PitrRoleSchema.default('main'),
  dir: z.string().min(1).max(4096).nullable().default(null),
  /** Null = `custodian_<profile>_<role>`. */
  slot: ReplicationSlotNameSchema.nullable().default(null),
});
/** What a streaming folder holds: complete segments (usable by recovery) and the one still being written. */
export const WalStreamStatusSchema = z.object({
  profile: z.string(),
  role: PitrRoleSchema,
  dir: z.string(),
  slot: z.string(),
  completeSegments: z.number().int(),
  lastCompleteSegment: z.string().nullable(),
  /** The `.partial` file pg_receivewal is writing: not used by recovery until it is complete. */
  partialSegment: z.string().nullable(),
  /** Bytes of complete segments received since streaming started (0 in a status read from disk only). */
  receivedBytes: z.number(),
  startedAt: z.string().nullable(),
  stoppedAt: z.string().nullable(),
});
export type WalStreamStatus = z.infer<typeof WalStreamStatusSchema>;

/** The replication slot streaming uses: while nobody streams, the server keeps WAL for it. */
export const WalSlotStatusSchema = z.object({
  profile: z.string(),
  role: PitrRoleSchema,
  slot: z.string(),
  exists: z.boolean(),
  /** True while pg_receivewal (ours or anyone's) streams through it. */
  active: z.boolean(),
  /** WAL the server keeps for the slot (null when there is no slot). */
  retainedBytes: z.number().nullable(),
});
export type WalSlotStatus = z.infer<typeof WalSlotStatusSchema>;

/** Replace production with a recovered copy: dump it, then the real restore's safe path. */
export const PitrReplaceSpecSchema = z.object({
  kind: z.literal('pitr.replace'),
  profile: ProfileNameSchema.nullable().default(null),
  recoveryId: z.string().min(1).max(200),
  /** The typed confirmation: must equal the name of the production database being replaced. */
  confirmDatabase: z.string().min(1).max(63),
  full: z.boolean().default(false),
  sample: z.number().int().min(1).max(100_000).default(50),
  notes: z.string().max(2000).default(''),
});
export const PitrAzureRestoreSpecSchema = z.object({
  kind: z.literal('pitr.azureRestore'),
  profile: ProfileNameSchema,
  targetUtc: isoUtc,
  /** Names of the new servers (Azure restores to a new server, never over the old one). */
  newMainServer: azureName,
  newAuditServer: azureName.nullable().default(null),
  updateProfile: z.boolean().default(true),
});
