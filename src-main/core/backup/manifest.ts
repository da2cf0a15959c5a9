import { z } from 'zod';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../common/errors';
import { writeFileAtomic } from '../common/atomic-file';

/**
 * The manifest is written last: its presence is what makes a backup set "complete". It is also
 * what later drills compare a restore against (the exact counts were taken in the same snapshot
 * as the dump).
 */
export const MANIFEST_NAME = 'manifest.json';

/** KoNote's key tables, counted exactly in the dump's snapshot. */
export const MAIN_KEY_TABLES = ['users', 'client_files', 'progress_notes', 'plan_targets', 'programs', 'plan_sections'] as const;
export const AUDIT_KEY_TABLES = ['audit_log'] as const;

export const BackupFileSchema = z.object({
  role: z.enum(['main', 'audit', 'globals']),
  file: z.string().regex(/^[^/\\]+$/),
  format: z.enum(['custom', 'plain']),
  encrypted: z.boolean(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** SHA-256 of the dump before encryption, so a decrypt can be checked end to end. */
  plaintextSha256: z.string().regex(/^[0-9a-f]{64}$/),
  plaintextBytes: z.number().int().nonnegative(),
  database: z.string(),
  pgDumpVersion: z.string(),
  serverVersion: z.string(),
  /** pg_class.reltuples per table (estimates), for progress weighting and size sanity. */
  tableEstimates: z.record(z.string(), z.number()),
  /** Exact counts of key tables, taken in the dump's snapshot. */
  counts: z.record(z.string(), z.number().int()),
  /** audit_log only: highest id in the snapshot (drills check ids without gaps up to it). */
  maxAuditId: z.number().int().nullable().optional(),
});
export type BackupFile = z.infer<typeof BackupFileSchema>;

export const BackupManifestSchema = z.object({
  manifestVersion: z.literal(1),
  setId: z.string(),
  deployment: z.string(),
  createdAt: z.string(),
  completedAt: z.string(),
  keyListFingerprint: z.string().nullable(),
  encryption: z.object({ format: z.literal('age'), recipients: z.array(z.string()).min(1) }).nullable(),
  files: z.array(BackupFileSchema).min(1),
  custodianVersion: z.string(),
});
export type BackupManifest = z.infer<typeof BackupManifestSchema>;

export function writeManifest(dir: string, manifest: BackupManifest): void {
  writeFileAtomic(path.join(dir, MANIFEST_NAME), JSON.stringify(BackupManifestSchema.parse(manifest), null, 2) + '\n');
}

export function readManifest(dir: string): BackupManifest {
  const file = path.join(dir, MANIFEST_NAME);
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    throw new AppError('NotFound', `No manifest in ${dir}: this is not a complete Custodian backup set.`, 'Pick a folder made by Custodian. A set without manifest.json was interrupted and cannot be trusted.');
  }
  const parsed = BackupManifestSchema.safeParse(safeJson(raw));
  if (!parsed.success) {
    throw new AppError('Validation', `The manifest in ${dir} is damaged or was not written by Custodian.`, 'Use another backup set; do not restore from this one.');
  }
  return parsed.data;
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
