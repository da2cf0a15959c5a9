import { z } from 'zod';

/** Haven HMIS export bundles (`.enc`): facts in haven-reference.md. */

export const HavenCheckSchema = z.object({
  id: z.string(),
  label: z.string(),
  status: z.enum(['pass', 'fail', 'warn', 'not-verifiable']),
  detail: z.string(),
});
export type HavenCheck = z.infer<typeof HavenCheckSchema>;

export const HavenVerifyReportSchema = z.object({
  file: z.string(),
  size: z.number(),
  entries: z.array(z.object({ name: z.string(), size: z.number() })),
  checks: z.array(HavenCheckSchema),
  /** True when nothing checkable failed; "not-verifiable" items never count as a pass. */
  ok: z.boolean(),
});
export type HavenVerifyReport = z.infer<typeof HavenVerifyReportSchema>;

export const HavenDecryptResultSchema = z.object({ file: z.string(), out: z.string(), bytes: z.number(), keyUsed: z.enum(['current', 'previous']), warnings: z.array(z.string()) });
export type HavenDecryptResult = z.infer<typeof HavenDecryptResultSchema>;

export const HavenRewrapFileSchema = z.object({
  file: z.string(),
  action: z.enum(['rewrapped', 'would-rewrap', 'already-current', 'failed', 'skipped']),
  detail: z.string(),
});
export const HavenRewrapReportSchema = z.object({ dir: z.string(), dryRun: z.boolean(), files: z.array(HavenRewrapFileSchema), failed: z.number(), warnings: z.array(z.string()) });
export type HavenRewrapReport = z.infer<typeof HavenRewrapReportSchema>;

export const HavenKeyStatusSchema = z.object({
  present: z.boolean(),
  /** SHA-256 prefix of the key bytes: tells keys apart without revealing them. */
  fingerprint: z.string().nullable(),
  bits: z.number().nullable(),
  previous: z.array(z.object({ fingerprint: z.string(), retiredAt: z.string() })),
  warnings: z.array(z.string()),
  /** The same weaknesses as codes, for the app to word in the user's language. */
  warningCodes: z.array(z.enum(['all-zero', 'aes-128', 'aes-192'])).default([]),
});
export type HavenKeyWarning = 'all-zero' | 'aes-128' | 'aes-192';
export type HavenKeyStatus = z.infer<typeof HavenKeyStatusSchema>;

/**
 * The master key travels renderer → main once (from the set-key form), like keys.import does for
 * the Fernet list; only its status (fingerprints, strength warnings) ever comes back.
 */
export const HavenKeySetInputSchema = z.object({ hex: z.string().min(1).max(400) }).strict();
/** Paths only: the decrypt output must not exist yet (nothing is ever overwritten). */
export const HavenDecryptInputSchema = z.object({ file: z.string().min(1).max(4096), out: z.string().min(1).max(4096) }).strict();
export const HavenVerifyInputSchema = z.object({ file: z.string().min(1).max(4096) }).strict();

/** Re-wrapping a folder is a job (progress per file, cancel between files); run it dry first. */
export const HavenRewrapSpecSchema = z.object({ kind: z.literal('haven.rewrap'), dir: z.string().min(1).max(4096), dryRun: z.boolean() });
