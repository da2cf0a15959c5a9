import type { LogDb } from '../../store/log-store';
import type { KeyCustody, KeyFact } from '../../contract/keys';
import type { CoreContext } from '../context';
import { isAppError } from '../common/errors';
import { vaultAccounts } from './vault';
import { keyFingerprint } from './fingerprint';

const safeKeyFingerprint = (k: string) => {
  try {
    return keyFingerprint(k);
  } catch {
    return 'damaged entry';
  }
};

/**
 * The custody record: which keys a deployment uses (by fingerprint only), their order, when each
 * was imported, became primary, or was dropped. Kept in the SQLite log, outside the keychain, so a
 * keychain that loses the keys is noticed (KeyMissing) instead of silently replaced.
 */

type KeySource = KeyFact['source'];

interface CustodyRow {
  fingerprint: string;
  position: number | null;
  source: KeySource;
  imported_at: string;
  became_primary_at: string | null;
  retired_at: string | null;
}

export interface KeyListRecord {
  listFingerprint: string;
  updatedAt: string;
}

export function readKeyListRecord(db: LogDb, profile: string): KeyListRecord | null {
  const row = db.prepare(`SELECT list_fingerprint, updated_at FROM key_lists WHERE profile = ?`).get(profile) as
    | { list_fingerprint: string; updated_at: string }
    | undefined;
  return row ? { listFingerprint: row.list_fingerprint, updatedAt: row.updated_at } : null;
}

/**
 * Records a new current list. Keys already known keep their history (imported_at, source); keys no
 * longer in the list are marked retired; a key that moves to position 0 gets a new became_primary_at.
 */
export function recordKeyList(
  db: LogDb,
  profile: string,
  list: { fingerprints: string[]; listFingerprint: string },
  source: KeySource,
  now: Date = new Date(),
): void {
  const at = now.toISOString();
  db.transaction(() => {
    const existing = new Map(
      (db.prepare(`SELECT * FROM key_custody WHERE profile = ?`).all(profile) as CustodyRow[]).map((r) => [r.fingerprint, r]),
    );
    const update = db.prepare(`UPDATE key_custody SET position = ?, retired_at = NULL, became_primary_at = ? WHERE profile = ? AND fingerprint = ?`);
    const insert = db.prepare(
      `INSERT INTO key_custody (profile, fingerprint, position, source, imported_at, became_primary_at, retired_at) VALUES (?, ?, ?, ?, ?, ?, NULL)`,
    );
    list.fingerprints.forEach((fp, position) => {
      const old = existing.get(fp);
      if (old) {
        const wasPrimary = old.position === 0 && old.retired_at === null;
        const becamePrimary = position === 0 ? (wasPrimary ? old.became_primary_at ?? at : at) : old.became_primary_at;
        update.run(position, becamePrimary, profile, fp);
        existing.delete(fp);
      } else {
        insert.run(profile, fp, position, source, at, position === 0 ? at : null);
      }
    });
    const retire = db.prepare(`UPDATE key_custody SET position = NULL, retired_at = ? WHERE profile = ? AND fingerprint = ?`);
    for (const old of existing.values()) if (old.retired_at === null) retire.run(at, profile, old.fingerprint);
    // Which keys this list holds, kept for good: backups are labelled by list, restores need keys.
    const member = db.prepare(`INSERT OR IGNORE INTO key_list_members (profile, list_fingerprint, position, key_fingerprint, recorded_at) VALUES (?, ?, ?, ?, ?)`);
    list.fingerprints.forEach((fp, position) => member.run(profile, list.listFingerprint, position, fp, at));
    db.prepare(
      `INSERT INTO key_lists (profile, list_fingerprint, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(profile) DO UPDATE SET list_fingerprint = excluded.list_fingerprint, updated_at = excluded.updated_at`,
    ).run(profile, list.listFingerprint, at);
  })();
}

/** Removes every custody trace of a profile (only for throwaway sandboxes). */
export function deleteCustody(db: LogDb, profile: string): void {
  db.transaction(() => {
    db.prepare(`DELETE FROM key_custody WHERE profile = ?`).run(profile);
    db.prepare(`DELETE FROM key_lists WHERE profile = ?`).run(profile);
    db.prepare(`DELETE FROM escrow_copies WHERE profile = ?`).run(profile);
    db.prepare(`DELETE FROM key_list_members WHERE profile = ?`).run(profile);
  })();
}

/**
 * "Which key do I need for this backup?": the keys of the list a backup set was labelled with, in
 * list order. Empty when the list was never recorded here (e.g. a set made on another machine).
 */
export function keysForList(db: LogDb, profile: string, listFingerprint: string): string[] {
  return (db.prepare(`SELECT key_fingerprint FROM key_list_members WHERE profile = ? AND list_fingerprint = ? ORDER BY position`).all(profile, listFingerprint) as { key_fingerprint: string }[]).map((r) => r.key_fingerprint);
}

/** Per key: how many retained backup sets (not failed, not pruned) were taken under a list holding it. */
function backupSetsPerKey(db: LogDb, profile: string): Map<string, number> {
  const rows = db
    .prepare(
      `SELECT m.key_fingerprint AS fp, count(DISTINCT b.id) AS n
         FROM key_list_members m JOIN backup_sets b ON b.profile = m.profile AND b.key_list_fingerprint = m.list_fingerprint
        WHERE m.profile = ? AND b.state IN ('verified', 'unverified')
        GROUP BY m.key_fingerprint`,
    )
    .all(profile) as { fp: string; n: number }[];
  return new Map(rows.map((r) => [r.fp, r.n]));
}

/** The custody record as the contract shows it; `inKeychain` is supplied by the caller. */
export function readCustodyRecord(db: LogDb, profile: string, inKeychain: boolean, now: Date = new Date()): KeyCustody {
  const list = readKeyListRecord(db, profile);
  const rows = db
    .prepare(`SELECT * FROM key_custody WHERE profile = ? ORDER BY position IS NULL, position, retired_at DESC, imported_at`)
    .all(profile) as CustodyRow[];
  const needed = backupSetsPerKey(db, profile);
  const keys: KeyFact[] = rows.map((r) => ({
    fingerprint: r.fingerprint,
    position: r.position ?? -1,
    primary: r.position === 0 && r.retired_at === null,
    importedAt: r.imported_at,
    becamePrimaryAt: r.became_primary_at,
    retiredAt: r.retired_at,
    source: r.source,
    backupSets: needed.get(r.fingerprint) ?? 0,
  }));
  const primary = keys.find((k) => k.primary);
  const since = primary ? Date.parse(primary.becamePrimaryAt ?? primary.importedAt) : NaN;
  const escrow = list
    ? (db
        .prepare(`SELECT kind, created_at, last_tested_at FROM escrow_copies WHERE profile = ? AND list_fingerprint = ? ORDER BY created_at`)
        .all(profile, list.listFingerprint) as { kind: string; created_at: string; last_tested_at: string | null }[])
    : [];
  return {
    profile,
    listFingerprint: list?.listFingerprint ?? null,
    keys,
    inKeychain,
    primaryAgeDays: Number.isFinite(since) ? Math.max(0, Math.floor((now.getTime() - since) / 86_400_000)) : null,
    escrow: escrow.map((e) => ({ kind: e.kind, createdAt: e.created_at, lastTestedAt: e.last_tested_at })),
  };
}

/**
 * Custody plus whether the keychain really holds the list. A keychain that cannot be reached
 * counts as "not in keychain" here (the dashboard shows it); operations that need the key fail
 * with KeychainUnavailable instead.
 */
export async function custodyFor(ctx: CoreContext, profile: string): Promise<KeyCustody> {
  let inKeychain = false;
  let retained: string[] = [];
  try {
    inKeychain = (await ctx.vault.get(vaultAccounts.fernetKeys(profile))) !== null;
    const retired = await ctx.vault.get(vaultAccounts.retiredFernetKeys(profile));
    retained = retired ? retired.split(',').filter((k) => k.trim()).map((k) => safeKeyFingerprint(k.trim())) : [];
  } catch (e) {
    if (!isAppError(e) || e.kind !== 'KeychainUnavailable') throw e;
  }
  return { ...readCustodyRecord(ctx.log, profile, inKeychain), retainedRetired: retained };
}
