import Database from 'better-sqlite3';
import path from 'node:path';
import { ensureDir } from '../core/common/paths';
import { migrations as allMigrations, type Migration } from './migrations/index';

/**
 * The local SQLite log: jobs, drill evidence, custody records, checkpoints. It never holds a
 * secret. Opened once per process; WAL mode so the CLI (scheduled jobs) and the app can share it.
 */
export type LogDb = Database.Database;

export function openLogStore(home: string, migrations: Migration[] = allMigrations): LogDb {
  ensureDir(home);
  const db = new Database(path.join(home, 'custodian.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return db;
}

export function openMemoryLogStore(migrations: Migration[] = allMigrations): LogDb {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations);
  return db;
}

/**
 * Versions up to which every log is known to have applied each migration in order (1..6 were
 * released without gaps). Later numbers are handed out to parallel work and may land out of
 * order (9 before 7), so applied versions are recorded one by one in `schema_migrations`.
 */
const CONTIGUOUS_LEGACY_MAX = 6;

/** Applies, in one transaction each and in version order, every migration not yet applied (gaps allowed). */
export function migrate(db: LogDb, migrations: Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const newest = migrations.reduce((m, x) => Math.max(m, x.version), 0);
  const tracked = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get() !== undefined;
  const applied = new Set<number>();
  if (tracked) {
    for (const r of db.prepare(`SELECT version FROM schema_migrations`).all() as { version: number }[]) applied.add(r.version);
  } else {
    // A log from before tracking: user_version says how far it got, and below the legacy bound that was contiguous.
    for (let v = 1; v <= Math.min(current, CONTIGUOUS_LEGACY_MAX); v++) applied.add(v);
    for (const m of migrations) if (m.version <= current && m.version > CONTIGUOUS_LEGACY_MAX) applied.add(m.version);
  }
  const highestApplied = Math.max(current, ...applied);
  if (highestApplied > newest) {
    throw new Error(`This data folder was written by a newer Custodian (log version ${highestApplied}); update Custodian.`);
  }
  const record = () => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`);
    const ins = db.prepare(`INSERT OR IGNORE INTO schema_migrations (version, applied_at) VALUES (?, ?)`);
    return (v: number) => ins.run(v, new Date().toISOString());
  };
  if (!tracked && (applied.size > 0 || migrations.length > 0)) {
    db.transaction(() => {
      const add = record();
      for (const v of applied) add(v);
    })();
  }
  const pending = migrations.filter((m) => !applied.has(m.version)).sort((a, b) => a.version - b.version);
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      record()(m.version);
      // user_version keeps meaning "highest applied", so an older Custodian still refuses a newer log.
      db.pragma(`user_version = ${Math.max(m.version, db.pragma('user_version', { simple: true }) as number)}`);
    })();
  }
  return pending.length;
}
