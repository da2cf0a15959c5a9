import { describe, it, expect } from 'vitest';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, openLogStore } from '../../src-main/store/log-store';
import { migrations } from '../../src-main/store/migrations/index';

const tables = (db: Database.Database) =>
  (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);

describe('SQLite log migrations', () => {
  it('are numbered in increasing order without duplicates (numbers reserved by parallel work may be missing)', () => {
    const versions = migrations.map((m) => m.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    expect(versions.slice(0, 6)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('applies a migration whose number arrives after higher ones were applied (a filled gap)', () => {
    const db = new Database(':memory:');
    // 8 creates audit_checkpoints and 13 alters it: both wait for the gap to be filled.
    const late = new Set([8, 13]);
    migrate(db, migrations.filter((m) => !late.has(m.version)));
    expect(tables(db)).not.toContain('audit_checkpoints');
    expect(migrate(db, migrations)).toBe(2);
    expect(tables(db)).toContain('audit_checkpoints');
    expect(migrate(db, migrations)).toBe(0);
  });

  it('upgrades a log written before applied versions were tracked (user_version only)', () => {
    const db = new Database(':memory:');
    for (const m of migrations.filter((x) => x.version <= 5)) db.exec(m.sql);
    db.pragma('user_version = 5');
    expect(migrate(db, migrations)).toBe(migrations.filter((x) => x.version > 5).length);
    expect(tables(db)).toContain('drills');
  });

  // One test per migration: applying up to N creates exactly what N promises, and N+1 applies on top.
  const expected: Record<number, string[]> = {
    1: ['jobs', 'job_logs'],
    2: ['profiles'],
    3: ['key_custody', 'key_lists', 'escrow_copies'],
    4: ['backup_sets', 'backup_recipients', 'alerts'],
    5: ['key_rotations', 'key_rotation_columns'],
    6: ['drills'],
    7: ['key_list_members'],
    8: ['audit_checkpoints', 'audit_checkpoint_blocks'],
    9: ['export_settings', 'export_actions'],
    10: ['pitr_config', 'pitr_base_backups', 'pitr_recoveries'],
    11: ['lockdown_checks'],
    12: [],
    13: [],
    14: ['key_rotation_checklist'],
  };
  for (const m of migrations) {
    it(`migration ${m.version} (${m.name}) applies on top of ${m.version - 1}`, () => {
      const db = new Database(':memory:');
      migrate(db, migrations.filter((x) => x.version < m.version));
      const before = tables(db);
      expect(migrate(db, migrations.filter((x) => x.version <= m.version))).toBe(1);
      const added = tables(db).filter((t) => !before.includes(t));
      // A new migration must say here which tables it adds (an empty list for column-only changes).
      expect(expected[m.version], `add migration ${m.version} to the expected table list`).toBeDefined();
      expect(added.sort()).toEqual([...expected[m.version]!].sort());
      expect(db.pragma('user_version', { simple: true })).toBe(m.version);
    });
  }

  it('migration 7 backfills the members of each profile’s current key list from the custody record', () => {
    const db = new Database(':memory:');
    migrate(db, migrations.filter((x) => x.version <= 6));
    db.prepare(`INSERT INTO key_lists VALUES ('office', 'list-2', '2026-02-01T00:00:00Z')`).run();
    const custody = db.prepare(`INSERT INTO key_custody (profile, fingerprint, position, source, imported_at, became_primary_at, retired_at) VALUES (?, ?, ?, 'imported', '2026-01-01T00:00:00Z', NULL, ?)`);
    custody.run('office', 'new-fp', 0, null);
    custody.run('office', 'old-fp', 1, null);
    custody.run('office', 'gone-fp', null, '2025-12-01T00:00:00Z');
    migrate(db, migrations.filter((x) => x.version <= 7));
    expect(db.prepare(`SELECT list_fingerprint, position, key_fingerprint FROM key_list_members ORDER BY position`).all()).toEqual([
      { list_fingerprint: 'list-2', position: 0, key_fingerprint: 'new-fp' },
      { list_fingerprint: 'list-2', position: 1, key_fingerprint: 'old-fp' },
    ]);
  });

  it('is idempotent and refuses a log written by a newer Custodian', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-log-'));
    const db = openLogStore(dir);
    expect(migrate(db, migrations)).toBe(0);
    db.pragma('user_version = 999');
    db.close();
    expect(() => openLogStore(dir)).toThrow(/newer Custodian/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
