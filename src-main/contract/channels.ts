import { z } from 'zod';
import { JobSpecSchema, JobSummarySchema, JobLogLineSchema } from './jobs';
import { ProfileSchema, ProfileInputSchema, ProfileTestSchema, ProfileNameSchema } from './profiles';
import { ToolFoundSchema } from './tools';
import { AzureConfigSchema, AzureWindowSchema, BaseBackupSchema, CopyBackPlanSchema, CopyBackResultSchema, DeploymentKindSchema, ParsedTargetSchema, PitrConfigSchema, PitrRoleSchema, RecoverableWindowSchema, RecoverySchema, SetupCheckSchema, TableRefSchema, WalSlotStatusSchema } from './pitr';
import { KeyCustodySchema } from './keys';
import { DropOldResultSchema, EscrowCopyResultSchema, IncidentStepSchema, KeyHistorySchema, KeyRevealSchema, RecoverResultSchema, RecoverSourceSchema, RotationStatusSchema } from './keys-rotation';
import { DrillSummarySchema, LockdownReportSchema, PreflightResultSchema } from './drills';
import { AlertSchema, BackupRecipientSchema, BackupSetSummarySchema, PinReasonSchema, PruneResultSchema, ScheduleStatusSchema } from './backups';
import { CleanupInputSchema, CleanupResultSchema, DeadlinesInputSchema, DeadlinesResultSchema, ExportLinkDetailSchema, ExportListInputSchema, ExportListSchema, ExportSettingsSchema, ExportSummarySchema, RevocationRecordSchema, RevokeInputSchema, RevokeResultSchema, SummaryInputSchema } from './exports';
import { HavenDecryptInputSchema, HavenDecryptResultSchema, HavenKeySetInputSchema, HavenKeyStatusSchema, HavenVerifyInputSchema, HavenVerifyReportSchema } from './haven';
import { ActivitySchema, AuditFilterSchema, AuditPageSchema, AuditQueryInputSchema, CheckpointSummarySchema, LinkTrailSchema, SavedQuerySchema, SuspiciousReportSchema } from './audit';

const none = z.object({}).strict();
const profileRef = z.object({ profile: ProfileNameSchema }).strict();

export const HealthTileSchema = z.object({
  id: z.enum(['lastBackup', 'lastDrill', 'keyAge', 'escrow', 'auditLockdown', 'suspicious', 'recoveredCopies']),
  status: z.enum(['ok', 'warn', 'fail', 'unknown']),
  /** i18n key of the headline and its values, so the renderer words it in the user's language. */
  messageKey: z.string(),
  values: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
});
export type HealthTile = z.infer<typeof HealthTileSchema>;

export const DoctorReportSchema = z.object({
  tools: z.array(ToolFoundSchema),
  keychain: z.object({ available: z.boolean(), backend: z.string(), detail: z.string().optional() }),
  profiles: z.array(z.object({ name: z.string(), main: z.boolean(), audit: z.boolean(), detail: z.string().optional() })),
  dataFolder: z.string(),
  ok: z.boolean(),
});
export type DoctorReport = z.infer<typeof DoctorReportSchema>;

export const SettingsSchema = z.object({
  language: z.enum(['en', 'fr']).default('en'),
  activeProfile: z.string().nullable().default(null),
  toolOverrides: z.record(z.string(), z.string()).default({}),
  /** Where alert emails go (the SMTP password lives in the keychain, never here). */
  smtp: z
    .object({
      host: z.string().min(1).max(255),
      port: z.number().int().min(1).max(65535).default(587),
      secure: z.boolean().default(false),
      user: z.string().max(255).default(''),
      from: z.string().email(),
      to: z.array(z.string().email()).min(1),
    })
    .nullable()
    .default(null),
  /** Recovery point objective for the dashboard and the "missed backup" alert, in hours. */
  rpoHours: z.number().int().min(1).max(24 * 30).default(24),
});
export type Settings = z.infer<typeof SettingsSchema>;

/**
 * The whole renderer ↔ main contract. Each channel is `{ input, output }`; the Electron ipcMain
 * adapter, the preload API and the preview bridge are all generated from this one object.
 */
export const contract = {
  'app.info': { input: none, output: z.object({ version: z.string(), dataFolder: z.string(), preview: z.boolean(), platform: z.string() }) },
  /**
   * The system's own file or folder chooser (desktop app only; the preview and the CLI have none,
   * and say so). Returns the chosen absolute path, or null when the user closed the dialog.
   */
  'app.pickPath': {
    input: z.object({ kind: z.enum(['folder', 'open', 'save']), title: z.string().min(1).max(200), defaultPath: z.string().max(4096).optional(), extensions: z.array(z.string().regex(/^[A-Za-z0-9]{1,10}$/)).max(10).optional() }).strict(),
    output: z.object({ path: z.string().nullable() }),
  },
  'dashboard.health': { input: z.object({ profile: ProfileNameSchema.nullable() }).strict(), output: z.array(HealthTileSchema) },
  'doctor.run': { input: none, output: DoctorReportSchema },

  'settings.get': { input: none, output: SettingsSchema },
  'settings.update': { input: SettingsSchema.partial().strict(), output: SettingsSchema },

  'profiles.list': { input: none, output: z.array(ProfileSchema) },
  'profiles.save': { input: ProfileInputSchema, output: ProfileSchema },
  'profiles.remove': { input: profileRef, output: z.object({ removed: z.boolean() }) },
  'profiles.test': { input: profileRef, output: ProfileTestSchema },

  'tools.discover': { input: none, output: z.array(ToolFoundSchema) },

  'keys.custody': { input: profileRef, output: KeyCustodySchema },
  /** The key list travels renderer → main once (from the import form) and is never sent back. */
  'keys.import': { input: z.object({ profile: ProfileNameSchema, keyList: z.string().min(1).max(10_000), replace: z.boolean().default(false) }).strict(), output: KeyCustodySchema },
  'keys.generate': { input: profileRef, output: KeyCustodySchema },
  /** Escrow copies: the passphrase travels renderer → main once; only paths and fingerprints come back. */
  'keys.escrow.file': { input: z.object({ profile: ProfileNameSchema, path: z.string().min(1), passphrase: z.string().min(12).max(1024) }).strict(), output: EscrowCopyResultSchema },
  'keys.escrow.sheet': { input: z.object({ profile: ProfileNameSchema, path: z.string().min(1) }).strict(), output: EscrowCopyResultSchema },
  'keys.escrow.split': {
    input: z.object({ profile: ProfileNameSchema, path: z.string().min(1), threshold: z.number().int().min(2).max(20), holders: z.array(z.string().min(1).max(100)).min(2).max(20), textDir: z.string().min(1).nullable().default(null) }).strict(),
    output: EscrowCopyResultSchema,
  },
  'keys.recover': {
    input: z.object({ profile: ProfileNameSchema, source: RecoverSourceSchema, checkDatabase: z.boolean().default(true), testOnly: z.boolean().default(false) }).strict(),
    output: RecoverResultSchema,
  },
  'keys.history': { input: profileRef, output: KeyHistorySchema },
  /** Rotation runs as jobs (keys.rotationDryRun, keys.rotate); these read its state and finish it. */
  'keys.rotation.status': { input: z.object({ profile: ProfileNameSchema, agency: z.string().min(1).max(63).nullable().default(null) }).strict(), output: RotationStatusSchema.nullable() },
  /** Ticks or unticks one of the user's steps of an incident rotation's checklist (kept with who and when). */
  'keys.rotation.checklist': { input: z.object({ profile: ProfileNameSchema, rotationId: z.string().uuid(), step: IncidentStepSchema, ticked: z.boolean() }).strict(), output: RotationStatusSchema },
  'keys.rotation.dropOld': { input: z.object({ profile: ProfileNameSchema, agency: z.string().min(1).max(63).nullable().default(null), confirm: z.literal(true) }).strict(), output: DropOldResultSchema },
  /** The one key "reveal": only when the user asks, to copy the list into KoNote's environment. */
  'keys.reveal': { input: z.object({ profile: ProfileNameSchema, confirm: z.literal(true) }).strict(), output: KeyRevealSchema },

  'backups.list': { input: z.object({ profile: ProfileNameSchema.nullable() }).strict(), output: z.array(BackupSetSummarySchema) },
  'backups.pin': { input: z.object({ setId: z.string(), pin: PinReasonSchema, pinned: z.boolean() }).strict(), output: BackupSetSummarySchema },
  'backups.prune': { input: z.object({ profile: ProfileNameSchema, dryRun: z.boolean() }).strict(), output: PruneResultSchema },
  'backups.recipients': { input: profileRef, output: z.array(BackupRecipientSchema) },
  /** The one "reveal" flow: the new identity is returned once so the user can escrow it. */
  'backups.createIdentity': { input: profileRef, output: z.object({ recipient: z.string(), identity: z.string() }) },
  'backups.alerts': { input: z.object({ profile: ProfileNameSchema.nullable() }).strict(), output: z.array(AlertSchema) },
  'schedule.show': { input: profileRef, output: ScheduleStatusSchema },
  'schedule.install': { input: z.object({ profile: ProfileNameSchema, time: z.string().regex(/^([01]?\d|2[0-3]):[0-5]\d$/) }).strict(), output: ScheduleStatusSchema },
  'schedule.remove': { input: profileRef, output: ScheduleStatusSchema },

  /** Restore drills and real restores run as jobs (drill.run, restore.run, verify.run); these read the drill log. */
  'drills.list': { input: z.object({ profile: ProfileNameSchema.nullable() }).strict(), output: z.array(DrillSummarySchema) },
  'drills.get': { input: z.object({ id: z.string().min(1).max(200) }).strict(), output: DrillSummarySchema },
  'drills.report': { input: z.object({ id: z.string().min(1).max(200) }).strict(), output: z.object({ id: z.string(), html: z.string() }) },
  /** The same report printed to PDF by Chromium's engine (printToPDF in the app), base64 for the download. */
  'drills.reportPdf': { input: z.object({ id: z.string().min(1).max(200) }).strict(), output: z.object({ id: z.string(), pdfBase64: z.string() }) },
  'drills.preflight': { input: z.object({ profile: ProfileNameSchema, setId: z.string().min(1).max(200).nullable(), local: z.boolean().optional() }).strict(), output: PreflightResultSchema },
  'lockdown.check': { input: profileRef, output: LockdownReportSchema },
  'lockdown.apply': { input: z.object({ profile: ProfileNameSchema, confirm: z.literal(true) }).strict(), output: LockdownReportSchema },

  /** Secure export links (KoNote's reports_secureexportlink), cleanup, weekly summary, report deadlines. */
  'exports.list': { input: ExportListInputSchema, output: ExportListSchema },
  'exports.show': { input: z.object({ profile: ProfileNameSchema, id: z.string().min(1).max(100) }).strict(), output: ExportLinkDetailSchema },
  'exports.revoke': { input: RevokeInputSchema, output: RevokeResultSchema },
  'exports.notes': { input: z.object({ profile: ProfileNameSchema, recordId: z.string().min(1).max(100), notes: z.string().max(20_000) }).strict(), output: RevocationRecordSchema },
  'exports.cleanup': { input: CleanupInputSchema, output: CleanupResultSchema },
  'exports.summary': { input: SummaryInputSchema, output: ExportSummarySchema },
  'exports.deadlines': { input: DeadlinesInputSchema, output: DeadlinesResultSchema },
  'exports.settings.get': { input: profileRef, output: ExportSettingsSchema },
  'exports.settings.save': { input: ExportSettingsSchema.strict(), output: ExportSettingsSchema },

  /** Haven HMIS bundles (.enc): one master key for the machine, not per profile; re-wrapping runs as a job (haven.rewrap). */
  'haven.key.status': { input: none, output: HavenKeyStatusSchema },
  'haven.key.set': { input: HavenKeySetInputSchema, output: HavenKeyStatusSchema },
  'haven.decrypt': { input: HavenDecryptInputSchema, output: HavenDecryptResultSchema },
  'haven.verify': { input: HavenVerifyInputSchema, output: HavenVerifyReportSchema },

  /** Audit-log review (reads; export, checkpoint, verify and the security check run as jobs). */
  'audit.query': { input: AuditQueryInputSchema, output: AuditPageSchema },
  'audit.savedQueries': { input: none, output: z.array(SavedQuerySchema) },
  'audit.activity': { input: z.object({ profile: ProfileNameSchema, filter: AuditFilterSchema.prefault({}), saved: z.string().max(60).nullable().default(null) }).strict(), output: ActivitySchema },
  'audit.linkTrail': { input: z.object({ profile: ProfileNameSchema, linkId: z.string().min(1).max(100) }).strict(), output: LinkTrailSchema },
  'audit.suspicious': { input: z.object({ profile: ProfileNameSchema, filter: AuditFilterSchema.prefault({}), saved: z.string().max(60).nullable().default(null) }).strict(), output: SuspiciousReportSchema },
  'audit.checkpoints': { input: profileRef, output: z.array(CheckpointSummarySchema) },

  /** Point-in-time recovery (base backups, recovery and Azure restores run as jobs: pitr.*). */
  'pitr.slot.status': { input: z.object({ profile: ProfileNameSchema, role: PitrRoleSchema.default('main') }).strict(), output: WalSlotStatusSchema },
  /** Drops the streaming slot so the server stops keeping WAL for it (refused while streaming). */
  'pitr.slot.drop': { input: z.object({ profile: ProfileNameSchema, role: PitrRoleSchema.default('main'), confirm: z.literal(true) }).strict(), output: WalSlotStatusSchema },
  'pitr.config.get': { input: z.object({ profile: ProfileNameSchema, role: PitrRoleSchema.default('main') }).strict(), output: PitrConfigSchema },
  'pitr.config.set': { input: z.object({ profile: ProfileNameSchema, role: PitrRoleSchema.default('main'), archiveDir: z.string().min(1).max(1000).nullable(), backupDir: z.string().min(1).max(1000).nullable().default(null) }).strict(), output: PitrConfigSchema },
  'pitr.setupCheck': { input: z.object({ profile: ProfileNameSchema, role: PitrRoleSchema.default('main'), deployment: DeploymentKindSchema.default('docker') }).strict(), output: SetupCheckSchema },
  'pitr.backups': { input: z.object({ profile: ProfileNameSchema.nullable() }).strict(), output: z.array(BaseBackupSchema) },
  'pitr.window': { input: z.object({ profile: ProfileNameSchema, role: PitrRoleSchema.default('main') }).strict(), output: RecoverableWindowSchema },
  'pitr.parseTarget': { input: z.object({ input: z.string().min(1).max(100), zone: z.string().min(1).max(64).nullable().default(null) }).strict(), output: ParsedTargetSchema },
  'pitr.recoveries': { input: z.object({ profile: ProfileNameSchema.nullable() }).strict(), output: z.array(RecoverySchema) },
  'pitr.discard': { input: z.object({ recoveryId: z.string().min(1).max(200) }).strict(), output: RecoverySchema },
  'pitr.copyBack.preview': { input: TableRefSchema.extend({ profile: ProfileNameSchema, recoveryId: z.string().min(1).max(200).nullable().default(null) }).strict(), output: CopyBackPlanSchema },
  'pitr.copyBack.apply': {
    input: TableRefSchema.extend({ profile: ProfileNameSchema, recoveryId: z.string().min(1).max(200).nullable().default(null), digest: z.string().regex(/^[0-9a-f]{64}$/), confirm: z.string().min(1).max(100) }).strict(),
    output: CopyBackResultSchema,
  },
  'pitr.azure.config.get': { input: profileRef, output: AzureConfigSchema.nullable() },
  'pitr.azure.config.set': { input: z.object({ profile: ProfileNameSchema, config: AzureConfigSchema }).strict(), output: AzureConfigSchema },
  'pitr.azure.window': { input: profileRef, output: AzureWindowSchema },

  'jobs.start': { input: JobSpecSchema, output: z.object({ jobId: z.string() }) },
  'jobs.cancel': { input: z.object({ jobId: z.string() }).strict(), output: z.object({ cancelled: z.boolean() }) },
  'jobs.list': { input: z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(), output: z.array(JobSummarySchema) },
  'jobs.log': { input: z.object({ jobId: z.string(), afterSeq: z.number().int().default(0) }).strict(), output: z.array(JobLogLineSchema) },
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type ChannelInput<C extends Channel> = z.input<Contract[C]['input']>;
export type ChannelParsedInput<C extends Channel> = z.output<Contract[C]['input']>;
export type ChannelOutput<C extends Channel> = z.output<Contract[C]['output']>;
export const CHANNELS = Object.keys(contract) as Channel[];

/** The single push channel for job events. */
export const JOB_EVENT_CHANNEL = 'jobs.event';
