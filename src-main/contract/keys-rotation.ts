import { z } from 'zod';
import { KeyCustodySchema, KeyVerifySchema } from './keys';

/** Escrow copies, recovery and key rotation (issue 5). No schema here ever carries key material back. */

export const EscrowCopyResultSchema = z.object({
  profile: z.string(),
  kind: z.enum(['file', 'sheet', 'split']),
  listFingerprint: z.string(),
  /** Absolute paths written (the PDF first for a split, then one text file per share). */
  files: z.array(z.string()),
  holders: z.array(z.string()),
});
export type EscrowCopyResult = z.infer<typeof EscrowCopyResultSchema>;

/** Where a recovery reads the list from; secrets travel renderer → main only. */
export const RecoverSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), path: z.string().min(1), passphrase: z.string().min(1).max(1024) }),
  z.object({ kind: z.literal('sheet'), keyList: z.string().min(1).max(10_000) }),
  z.object({ kind: z.literal('shares'), shares: z.array(z.string().min(1).max(2000)).min(1).max(20) }),
]);
export type RecoverSource = z.infer<typeof RecoverSourceSchema>;

export const RecoverResultSchema = z.object({
  profile: z.string(),
  listFingerprint: z.string(),
  /** True when the custody record names this exact list. */
  matchedCustody: z.boolean(),
  imported: z.boolean(),
  copiesMarkedTested: z.number().int(),
  databaseCheck: KeyVerifySchema.nullable(),
});
export type RecoverResult = z.infer<typeof RecoverResultSchema>;

export const RotationColumnCountsSchema = z.object({
  schema: z.string(),
  table: z.string(),
  column: z.string(),
  toReencrypt: z.number().int(),
  alreadyNew: z.number().int(),
  empty: z.number().int(),
  /** Primary keys of rows that decrypt under no key in the list (first 500). */
  undecryptable: z.array(z.string()),
  undecryptableCount: z.number().int(),
});
export type RotationColumnCounts = z.infer<typeof RotationColumnCountsSchema>;

export const RotationDryRunSchema = z.object({
  profile: z.string(),
  agency: z.string().nullable(),
  /** Whether a rotation is under way (then "alreadyNew" counts rows under its new key). */
  rotationActive: z.boolean(),
  columns: z.array(RotationColumnCountsSchema),
  /** Columns that cannot be rotated by key (no single-column primary key): must be empty to rotate. */
  unsupported: z.array(z.string()),
  totals: z.object({ toReencrypt: z.number().int(), alreadyNew: z.number().int(), empty: z.number().int(), undecryptable: z.number().int() }),
  ok: z.boolean(),
});
export type RotationDryRun = z.infer<typeof RotationDryRunSchema>;

export const RotationStateSchema = z.enum(['rotating', 'verified', 'completed']);

/**
 * Incident mode (scenario D): the steps only the user can do, ticked by them and kept with the
 * rotation. (Rotating, the fresh backup and new escrow copies are checked by Custodian itself.)
 */
export const IncidentStepSchema = z.enum(['revokeCopies', 'findLeak', 'otherSecrets', 'reviewAudit']);
export type IncidentStep = z.infer<typeof IncidentStepSchema>;
export const IncidentTickSchema = z.object({ step: IncidentStepSchema, tickedAt: z.string(), by: z.string() });
export type IncidentTick = z.infer<typeof IncidentTickSchema>;

export const RotationStatusSchema = z.object({
  id: z.string(),
  profile: z.string(),
  agency: z.string().nullable(),
  state: RotationStateSchema,
  incident: z.boolean(),
  oldFingerprints: z.array(z.string()),
  newFingerprint: z.string(),
  startedAt: z.string(),
  verifiedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  columns: z.array(
    z.object({
      schema: z.string(),
      table: z.string(),
      column: z.string(),
      done: z.boolean(),
      reencrypted: z.number().int(),
      alreadyNew: z.number().int(),
      empty: z.number().int(),
      conflicts: z.number().int(),
    }),
  ),
  /** Plain-language steps for the user at this stage (what to set in KoNote, when to restart). */
  nextSteps: z.array(z.string()),
  /** The backup taken after the rotation and pinned "post-key-rotation", once there is one. */
  postBackup: z.object({ setId: z.string(), createdAt: z.string(), state: z.string(), verified: z.boolean() }).nullable().default(null),
  /** Incident rotations: the user's ticks on the scenario D checklist (empty otherwise). */
  checklist: z.array(IncidentTickSchema).default([]),
});
export type RotationStatus = z.infer<typeof RotationStatusSchema>;

export const RotationVerifySchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  failed: z.array(z.object({ schema: z.string(), table: z.string(), column: z.string(), id: z.string() })),
});
export type RotationVerify = z.infer<typeof RotationVerifySchema>;

/** `verify` is null when the job only prepared the rotation (new key, "new,old" list) without re-encrypting. */
export const RotationRunResultSchema = z.object({ status: RotationStatusSchema, verify: RotationVerifySchema.nullable() });
export type RotationRunResult = z.infer<typeof RotationRunResultSchema>;

export const DropOldResultSchema = z.object({
  status: RotationStatusSchema,
  custody: KeyCustodySchema.nullable(),
  auditRowWritten: z.boolean(),
  nextSteps: z.array(z.string()),
});
export type DropOldResult = z.infer<typeof DropOldResultSchema>;

export const PostRotationBackupResultSchema = z.object({
  rotationId: z.string(),
  setId: z.string(),
  dir: z.string(),
  verified: z.boolean(),
  keyListFingerprint: z.string().nullable(),
  pins: z.array(z.string()),
});
export type PostRotationBackupResult = z.infer<typeof PostRotationBackupResultSchema>;

/**
 * The explicit "reveal" flow (the only IPC output that carries key material): the user asked to
 * see or copy the list to paste it into KoNote's environment.
 */
export const KeyRevealSchema = z.object({ profile: z.string(), listFingerprint: z.string(), keyList: z.string(), envLine: z.string(), keyCount: z.number().int() });
export type KeyReveal = z.infer<typeof KeyRevealSchema>;

export const KeyHistorySchema = z.object({ custody: KeyCustodySchema, rotations: z.array(RotationStatusSchema) });
export type KeyHistory = z.infer<typeof KeyHistorySchema>;

/** Job specs (added to JobSpecSchema in jobs.ts). */
export const RotationDryRunSpecSchema = z.object({
  kind: z.literal('keys.rotationDryRun'),
  profile: z.string().min(1),
  agency: z.string().min(1).max(63).nullable().default(null),
});
export const RotationRunSpecSchema = z.object({
  kind: z.literal('keys.rotate'),
  profile: z.string().min(1),
  agency: z.string().min(1).max(63).nullable().default(null),
  resume: z.boolean().default(false),
  incident: z.boolean().default(false),
  batchSize: z.number().int().min(1).max(10_000).default(2000),
  /**
   * Only make the new key and the "new,old" list, so the user can give KoNote that list and
   * restart it before any value is re-encrypted (the wizard's normal pace); resume re-encrypts.
   */
  prepareOnly: z.boolean().default(false),
});
/** The fresh backup after a rotation (incident checklist: "fresh backup"), pinned "post-key-rotation". */
export const PostRotationBackupSpecSchema = z.object({
  kind: z.literal('keys.postRotationBackup'),
  profile: z.string().min(1),
  target: z.string().min(1).max(4096).optional(),
});
