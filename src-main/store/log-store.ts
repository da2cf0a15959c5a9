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

/** Applies, in one transaction each, every migration newer than the database's user_version. */
export function migrate(db: LogDb, migrations: Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const newest = migrations.reduce((m, x) => Math.max(m, x.version), 0);
  if (current > newest) {
    throw new Error(`This data folder was written by a newer Custodian (log version ${current}); update Custodian.`);
  }
  const pending = migrations.filter((m) => m.version > current).sort((a, b) => a.version - b.version);
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return pending.length;
}
