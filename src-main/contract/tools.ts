import { z } from 'zod';

export const PG_TOOLS = ['pg_dump', 'pg_dumpall', 'pg_restore', 'psql', 'pg_basebackup', 'pg_verifybackup', 'pg_waldump', 'pg_receivewal', 'pg_ctl', 'initdb', 'postgres'] as const;
export const PgToolSchema = z.enum(PG_TOOLS);
export type PgTool = z.infer<typeof PgToolSchema>;

export const ToolFoundSchema = z.object({
  tool: PgToolSchema,
  path: z.string().nullable(),
  /** Major version, e.g. 15 for 15.18. */
  major: z.number().nullable(),
  version: z.string().nullable(),
  source: z.enum(['override', 'path', 'conventional']).nullable(),
});
export type ToolFound = z.infer<typeof ToolFoundSchema>;
