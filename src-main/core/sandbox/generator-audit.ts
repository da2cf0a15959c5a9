import type { Client } from 'pg';
import { BulkInserter, Prng, syncIdentity } from './generator-support';
import type { SandboxUser } from './generator-fixed';

/**
 * The audit log: tens of thousands of rows over the last ~120 days whose ids grow with
 * event_timestamp (as KoNote's identity column does), with the events implied by the export
 * links merged in at their times.
 */

export interface AuditSpecial {
  at: number;
  userId: number | null;
  userDisplay: string;
  action: string;
  resourceType: string;
  resourceId: number | null;
  metadata: Record<string, unknown>;
}

const DAY = 86_400_000;
const SPAN_DAYS = 120;

const ACTIONS = [
  ['view', 45], ['post', 14], ['login', 9], ['logout', 5], ['update', 8], ['create', 6], ['login_failed', 3], ['export', 1.5], ['access_denied', 1],
  ['delete', 0.5], ['patch', 1], ['cancel', 0.3], ['portal_login', 1.5], ['scheduled', 0.2], ['preview', 0.5],
] as const;
const VIEW_TYPES = ['client_file', 'progress_note', 'plan', 'client_file', 'report', 'dashboard'] as const;
const POST_PATHS = ['/clients/{id}/notes/', '/clients/{id}/plan/', '/clients/{id}/edit/', '/reports/', '/groups/attendance/'] as const;

export async function generateAuditLog(
  client: Client,
  rng: Prng,
  o: {
    total: number;
    now: Date;
    users: SandboxUser[];
    clients: number;
    programs: number;
    specials: AuditSpecial[];
    onProgress?: (done: number) => void;
    checkpoint?: () => void;
  },
): Promise<number> {
  await client.query('SET synchronous_commit = off');
  const rows = new BulkInserter(client, 'audit_log', 2000);
  const end = o.now.getTime() - 60_000;
  const start = end - SPAN_DAYS * DAY;
  const specials = [...o.specials].filter((s) => s.at <= end).sort((a, b) => a.at - b.at);
  const generic = Math.max(0, o.total - specials.length);
  let id = 0;
  let si = 0;
  const ip = () => `${rng.pick(['10.0', '192.168', '172.16'])}.${rng.int(0, 20)}.${rng.int(2, 254)}`;

  const write = async (at: number, e: Omit<AuditSpecial, 'at'> & { programId?: number | null }) => {
    await rows.add({
      id: ++id, event_timestamp: new Date(at), user_id: e.userId, user_display: e.userDisplay, ip_address: ip(), action: e.action, resource_type: e.resourceType,
      resource_id: e.resourceId, program_id: e.programId ?? null, old_values: null, new_values: null, metadata: JSON.stringify(e.metadata), is_demo_context: false,
      is_confidential_context: e.programId === 4, tenant_schema: '',
    });
    if (id % 10_000 === 0) {
      // Commit in slices: a multi-million-row load must not be one huge transaction.
      await rows.flush();
      await client.query('COMMIT');
      await client.query('BEGIN');
      o.checkpoint?.();
      o.onProgress?.(id);
    }
  };

  const active = o.users.filter((u) => u.isActive);
  await client.query('BEGIN');
  for (let i = 0; i < generic; i++) {
    // Strictly increasing: slot i plus a jitter smaller than one slot.
    const at = start + Math.floor(((i + rng.next()) / generic) * (end - start));
    while (si < specials.length && specials[si]!.at <= at) {
      const s = specials[si++]!;
      await write(s.at, s);
    }
    const action = rng.weighted(ACTIONS);
    const u = rng.pick(active);
    const clientId = rng.int(1, Math.max(1, o.clients));
    const programId = rng.int(1, o.programs);
    const by = { userId: u.id, userDisplay: u.displayName };
    switch (action) {
      case 'login':
      case 'logout':
        await write(at, { ...by, action, resourceType: 'session', resourceId: null, metadata: { method: 'password' } });
        break;
      case 'login_failed': {
        const who = rng.chance(0.7) ? u.username : rng.pick(['admin', 'root', 'test', 'administrator']);
        await write(at, { userId: null, userDisplay: who, action, resourceType: 'session', resourceId: null, metadata: { username: who, reason: 'invalid_credentials' } });
        break;
      }
      case 'view': {
        const type = rng.pick(VIEW_TYPES);
        await write(at, { ...by, action, resourceType: type, resourceId: type === 'dashboard' ? null : clientId, programId, metadata: { path: `/clients/${clientId}/` } });
        break;
      }
      case 'post':
      case 'patch':
        await write(at, { ...by, action, resourceType: rng.pick(['clients', 'notes', 'plans', 'groups']), resourceId: null, metadata: { path: rng.pick(POST_PATHS).replace('{id}', String(clientId)), status_code: rng.pick([200, 302, 302]) } });
        break;
      case 'export':
        await write(at, { ...by, action, resourceType: 'metric_report', resourceId: null, programId, metadata: { program: programId, export_mode: 'aggregate', recipient: 'funder' } });
        break;
      default:
        await write(at, { ...by, action, resourceType: rng.pick(['client_file', 'progress_note', 'plan_target', 'program']), resourceId: clientId, programId, metadata: {} });
    }
  }
  while (si < specials.length) {
    const s = specials[si++]!;
    await write(s.at, s);
  }
  await rows.flush();
  await client.query('COMMIT');
  await syncIdentity(client, ['audit_log', 'django_migrations']);
  await client.query('ANALYZE audit_log');
  o.onProgress?.(id);
  return id;
}
