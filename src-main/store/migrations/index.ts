/**
 * Numbered migrations of the SQLite log. Append only: never edit a migration that has shipped;
 * add the next number. Each has a test in test/unit/store-migrations.test.ts.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'jobs and job logs',
    sql: `
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        spec_json TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued','running','succeeded','failed','cancelled')),
        progress_fraction REAL,
        progress_message TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        error_json TEXT,
        result_json TEXT
      );
      CREATE INDEX jobs_created_idx ON jobs(created_at);
      CREATE TABLE job_logs (
        job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('info','warn','error')),
        text TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
      );
    `,
  },
  {
    version: 2,
    name: 'connection profiles',
    sql: `
      CREATE TABLE profiles (
        name TEXT PRIMARY KEY,
        profile_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'key custody records',
    sql: `
      CREATE TABLE key_custody (
        profile TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        position INTEGER,
        source TEXT NOT NULL CHECK (source IN ('generated','imported','recovered')),
        imported_at TEXT NOT NULL,
        became_primary_at TEXT,
        retired_at TEXT,
        PRIMARY KEY (profile, fingerprint)
      );
      CREATE TABLE key_lists (
        profile TEXT PRIMARY KEY,
        list_fingerprint TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE escrow_copies (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        profile TEXT NOT NULL,
        kind TEXT NOT NULL,
        list_fingerprint TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_tested_at TEXT
      );
    `,
  },
  {
    version: 4,
    name: 'backup sets, recipients and schedules',
    sql: `
      CREATE TABLE backup_sets (
        id TEXT PRIMARY KEY,
        profile TEXT NOT NULL,
        dir TEXT NOT NULL,
        created_at TEXT NOT NULL,
        finished_at TEXT,
        state TEXT NOT NULL CHECK (state IN ('running','verified','unverified','failed','pruned')),
        format TEXT NOT NULL,
        encrypted INTEGER NOT NULL,
        total_bytes INTEGER,
        key_list_fingerprint TEXT,
        recipients_json TEXT NOT NULL DEFAULT '[]',
        checks_json TEXT NOT NULL DEFAULT '[]',
        failure_json TEXT,
        pins_json TEXT NOT NULL DEFAULT '[]',
        job_id TEXT
      );
      CREATE INDEX backup_sets_profile_idx ON backup_sets(profile, created_at);
      CREATE TABLE backup_recipients (
        profile TEXT NOT NULL,
        recipient TEXT NOT NULL,
        label TEXT NOT NULL,
        created_at TEXT NOT NULL,
        identity_in_keychain INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (profile, recipient)
      );
      CREATE TABLE alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        profile TEXT NOT NULL,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        created_at TEXT NOT NULL,
        emailed_at TEXT,
        acknowledged_at TEXT
      );
    `,
  },
  {
    version: 5,
    name: 'key rotations and their per-column progress',
    sql: `
      CREATE TABLE key_rotations (
        id TEXT PRIMARY KEY,
        profile TEXT NOT NULL,
        agency TEXT,
        state TEXT NOT NULL CHECK (state IN ('rotating','verified','completed')),
        incident INTEGER NOT NULL DEFAULT 0,
        old_fingerprints_json TEXT NOT NULL,
        new_fingerprint TEXT NOT NULL,
        started_at TEXT NOT NULL,
        verified_at TEXT,
        completed_at TEXT
      );
      CREATE INDEX key_rotations_profile_idx ON key_rotations(profile, started_at);
      CREATE TABLE key_rotation_columns (
        rotation_id TEXT NOT NULL REFERENCES key_rotations(id) ON DELETE CASCADE,
        schema_name TEXT NOT NULL,
        table_name TEXT NOT NULL,
        column_name TEXT NOT NULL,
        last_pk TEXT,
        done INTEGER NOT NULL DEFAULT 0,
        reencrypted INTEGER NOT NULL DEFAULT 0,
        already_new INTEGER NOT NULL DEFAULT 0,
        empty INTEGER NOT NULL DEFAULT 0,
        conflicts INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (rotation_id, schema_name, table_name, column_name)
      );
    `,
  },
];
