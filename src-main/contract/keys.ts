import { z } from 'zod';

/** Public facts about one Fernet key: never the key itself. */
export const KeyFactSchema = z.object({
  fingerprint: z.string(),
  position: z.number().int(),
  primary: z.boolean(),
  importedAt: z.string(),
  becamePrimaryAt: z.string().nullable(),
  retiredAt: z.string().nullable(),
  source: z.enum(['generated', 'imported', 'recovered']),
  /** Retained backup sets (not failed or pruned) taken under a key list holding this key. */
  backupSets: z.number().int().optional(),
});
export type KeyFact = z.infer<typeof KeyFactSchema>;

export const KeyCustodySchema = z.object({
  profile: z.string(),
  /** Fingerprint of the whole ordered list, used to label backup sets. */
  listFingerprint: z.string().nullable(),
  keys: z.array(KeyFactSchema),
  inKeychain: z.boolean(),
  primaryAgeDays: z.number().nullable(),
  escrow: z.array(z.object({ kind: z.string(), createdAt: z.string(), lastTestedAt: z.string().nullable() })),
  /** Keys a rotation dropped that the keychain still holds for older backups (fingerprints). */
  retainedRetired: z.array(z.string()).optional(),
});
export type KeyCustody = z.infer<typeof KeyCustodySchema>;

export const KeyVerifySchema = z.object({
  profile: z.string(),
  checked: z.number().int(),
  decrypted: z.number().int(),
  failed: z.array(z.object({ table: z.string(), column: z.string(), id: z.string() })),
  empty: z.number().int(),
  columns: z.array(z.object({ schema: z.string(), table: z.string(), column: z.string(), checked: z.number().int(), decrypted: z.number().int() })),
  ok: z.boolean(),
});
export type KeyVerify = z.infer<typeof KeyVerifySchema>;
