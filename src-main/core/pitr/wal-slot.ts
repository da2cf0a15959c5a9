import type { Client } from 'pg';
import type { CoreContext } from '../context';
import type { PitrRole, WalSlotStatus } from '../../contract/pitr';
import { AppError } from '../common/errors';
import { withClient } from '../connections/pg-client';
import { resolveProfile } from '../connections/profile-store';
import { defaultSlotName } from './wal-stream';

/**
 * The replication slot WAL streaming uses (wal-stream.ts). It stays when streaming stops, on
 * purpose, so nothing is lost while Custodian is closed; but while nobody streams, the server
 * keeps every WAL file from the slot's position on, and its disk fills. This shows how much it
 * holds back and drops it when streaming is given up.
 */

type SlotRef = { profile: string | null; role: PitrRole; slot?: string | null };

function target(ctx: CoreContext, o: SlotRef) {
  const profile = resolveProfile(ctx, o.profile).name;
  return { profile, role: o.role, slot: o.slot ?? defaultSlotName(profile, o.role) };
}

async function readSlot(c: Client, t: { profile: string; role: PitrRole; slot: string }): Promise<WalSlotStatus> {
  // pg_current_wal_lsn() only works on a primary; on a standby, the last replayed position.
  const r = await c.query<{ active: boolean; retained: number | null }>(
    `SELECT active, pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END, restart_lsn)::float8 AS retained
       FROM pg_replication_slots WHERE slot_name = $1`,
    [t.slot],
  );
  const row = r.rows[0];
  return { ...t, exists: !!row, active: row?.active ?? false, retainedBytes: row?.retained ?? null };
}

export async function walSlotStatus(ctx: CoreContext, o: SlotRef): Promise<WalSlotStatus> {
  const t = target(ctx, o);
  return withClient(ctx, t.profile, t.role, (c) => readSlot(c, t));
}

/** Drops the slot; refused while it is in use (stop streaming first) or when there is none. */
export async function dropWalSlot(ctx: CoreContext, o: SlotRef): Promise<WalSlotStatus> {
  const t = target(ctx, o);
  return withClient(ctx, t.profile, t.role, async (c) => {
    const before = await readSlot(c, t);
    if (!before.exists) throw new AppError('NotFound', `There is no replication slot "${t.slot}" on the ${t.role} database server.`, 'Nothing to remove: the server is not keeping WAL for Custodian.');
    if (before.active) {
      throw new AppError('Conflict', `The replication slot "${t.slot}" is in use: WAL is being streamed through it right now.`, 'Stop the streaming first (Point-in-time recovery > Stop, or Ctrl+C in `custodian pitr stream`), then remove the slot.');
    }
    try {
      await c.query('SELECT pg_drop_replication_slot($1)', [t.slot]);
    } catch (e) {
      // Streaming started between the check and the drop.
      if ((e as { code?: string }).code === '55006') throw new AppError('Conflict', `The replication slot "${t.slot}" came into use just now.`, 'Stop the streaming first, then remove the slot.', { cause: e });
      throw e;
    }
    return readSlot(c, t);
  });
}
