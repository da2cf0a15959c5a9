import { z } from 'zod';

/**
 * The closed set of error kinds that cross process boundaries (IPC, preview bridge, CLI --json).
 * Every kind maps to a plain-language default hint in the renderer and CLI; a specific `hint`
 * on the error itself wins.
 */
export const ERROR_KINDS = [
  'Validation',
  'NotFound',
  'PgAuth',
  'PgConnect',
  'PgTls',
  'PgTimeout',
  'PgVersion',
  'PgQuery',
  'ToolMissing',
  'KeyMissing',
  'KeyMismatch',
  'KeyInvalid',
  'KeychainUnavailable',
  'Cancelled',
  'Conflict',
  'Forbidden',
  'Internal',
] as const;

export const ErrorKindSchema = z.enum(ERROR_KINDS);
export type ErrorKind = z.infer<typeof ErrorKindSchema>;

export const AppErrorDataSchema = z.object({
  kind: ErrorKindSchema,
  message: z.string(),
  hint: z.string().optional(),
});
export type AppErrorData = z.infer<typeof AppErrorDataSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorData };

export function resultSchema<T extends z.ZodTypeAny>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: AppErrorDataSchema }),
  ]);
}
