import { z } from 'zod';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export const SslModeSchema = z.enum(SSL_MODES);

/** PostgreSQL identifiers as KoNote uses them: plain lower-case names (django-tenants schema names). */
const schemaName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'Schema names are lower-case letters, digits and _');

export const DatabaseEndpointSchema = z.object({
  host: z.string().min(1).max(255).regex(/^[^\s/]+$|^\/[^\s]*$/, 'A host name, an IP address or a socket folder'),
  port: z.number().int().min(1).max(65535).default(5432),
  database: z.string().min(1).max(63),
  user: z.string().min(1).max(63),
  sslmode: SslModeSchema.default('prefer'),
});
export type DatabaseEndpoint = z.infer<typeof DatabaseEndpointSchema>;

export const ProfileNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, 'Use letters, digits, spaces, dots, dashes or underscores');

/** A KoNote deployment: its main database and its append-only audit database. */
export const ProfileSchema = z.object({
  name: ProfileNameSchema,
  main: DatabaseEndpointSchema,
  audit: DatabaseEndpointSchema,
  schemas: z.array(schemaName).min(1).default(['public']),
  /** Marks the practice sandbox so the UI can say so and `sandbox down` can remove it. */
  sandbox: z.boolean().default(false),
  createdAt: z.string(),
});
export type Profile = z.infer<typeof ProfileSchema>;

/** What the user submits: passwords travel once, straight into the keychain, never back out. */
export const ProfileInputSchema = ProfileSchema.omit({ createdAt: true, sandbox: true }).extend({
  mainPassword: z.string().max(1024).optional(),
  auditPassword: z.string().max(1024).optional(),
});
export type ProfileInput = z.input<typeof ProfileInputSchema>;

export const EndpointTestSchema = z.object({
  role: z.enum(['main', 'audit']),
  reachable: z.boolean(),
  serverVersion: z.string().nullable(),
  serverVersionNum: z.number().nullable(),
  user: z.string(),
  superuser: z.boolean().nullable(),
  createRole: z.boolean().nullable(),
  createDb: z.boolean().nullable(),
  replication: z.boolean().nullable(),
  /** Who owns audit_log (audit database only), and whether that is the connecting user. */
  auditLogOwner: z.string().nullable(),
  ownsAuditLog: z.boolean().nullable(),
  ssl: z.boolean().nullable(),
  latencyMs: z.number().nullable(),
  error: z.object({ kind: z.string(), message: z.string(), hint: z.string().optional() }).nullable(),
});
export type EndpointTest = z.infer<typeof EndpointTestSchema>;

export const ProfileTestSchema = z.object({
  profile: z.string(),
  ok: z.boolean(),
  main: EndpointTestSchema,
  audit: EndpointTestSchema,
});
export type ProfileTest = z.infer<typeof ProfileTestSchema>;
