import { describe, it, expect } from 'vitest';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, openLogStore } from '../../src-main/store/log-store';
import { migrations } from '../../src-main/store/migrations/index';

const tables = (db: Database.Database) =>
  (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);

describe('SQLite log migrations', () => {
  it('are numbered 1..n without gaps or duplicates', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  // One test per migration: applying up to N creates exactly what N promises, and N+1 applies on top.
  const expected: Record<number, string[]> = {
    1: ['jobs', 'job_logs'],
    2: ['profiles'],
    3: ['key_custody', 'key_lists', 'escrow_copies'],
    4: ['backup_sets', 'backup_recipients', 'alerts'],
    5: ['key_rotations', 'key_rotation_columns'],
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
