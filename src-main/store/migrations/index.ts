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
  {
    version: 6,
    name: 'drill log (restore drills and real restores, with their evidence)',
    sql: `
      CREATE TABLE drills (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('drill','restore')),
        profile TEXT NOT NULL,
        set_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running','passed','failed','cancelled')),
        started_at TEXT NOT NULL,
        finished_at TEXT,
        rto_seconds REAL,
        rpo_seconds REAL,
        restore_ms INTEGER,
        verify_ms INTEGER,
        ran_by TEXT NOT NULL,
        host TEXT NOT NULL,
        key_list_fingerprint TEXT,
        scratch_json TEXT,
        preflight_json TEXT NOT NULL DEFAULT '[]',
        verification_json TEXT,
        safety_set_id TEXT,
        lockdown_json TEXT,
        failure_json TEXT,
        notes TEXT NOT NULL DEFAULT '',
        job_id TEXT
      );
      CREATE INDEX drills_profile_idx ON drills(profile, started_at);
    `,
  },
  {
    version: 7,
    name: 'key list members (which keys each recorded list held), so backups name the keys they need',
    sql: `
      CREATE TABLE key_list_members (
        profile TEXT NOT NULL,
        list_fingerprint TEXT NOT NULL,
        position INTEGER NOT NULL,
        key_fingerprint TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (profile, list_fingerprint, position)
      );
      INSERT OR IGNORE INTO key_list_members (profile, list_fingerprint, position, key_fingerprint, recorded_at)
        SELECT l.profile, l.list_fingerprint, c.position, c.fingerprint, l.updated_at
          FROM key_lists l JOIN key_custody c ON c.profile = l.profile AND c.position IS NOT NULL AND c.retired_at IS NULL;
    `,
  },
  {
    version: 8,
    name: 'audit checkpoints (hash chain over audit_log) and their block digests',
    sql: `
      CREATE TABLE audit_checkpoints (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        profile TEXT NOT NULL,
        seq INTEGER NOT NULL,
        database_label TEXT NOT NULL,
        from_id INTEGER NOT NULL,
        to_id INTEGER NOT NULL,
        row_count INTEGER NOT NULL,
        block_size INTEGER NOT NULL,
        blocks_root TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        chain_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        reason TEXT NOT NULL,
        file_path TEXT,
        job_id TEXT,
        UNIQUE (profile, seq)
      );
      CREATE TABLE audit_checkpoint_blocks (
        checkpoint_id INTEGER NOT NULL REFERENCES audit_checkpoints(id) ON DELETE CASCADE,
        block INTEGER NOT NULL,
        first_id INTEGER NOT NULL,
        last_id INTEGER NOT NULL,
        row_count INTEGER NOT NULL,
        digest TEXT NOT NULL,
        present BLOB NOT NULL,
        PRIMARY KEY (checkpoint_id, block)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 9,
    name: 'export links: per-profile export folder, and the log of revocations, cleanups, summaries and deadline runs',
    sql: `
      CREATE TABLE export_settings (
        profile TEXT PRIMARY KEY,
        export_dir TEXT,
        server_export_dir TEXT,
        admin_username TEXT,
        pending_delay_minutes INTEGER NOT NULL DEFAULT 10,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE export_actions (
        id TEXT PRIMARY KEY,
        profile TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('revoke','cleanup','summary','deadlines')),
        link_id TEXT,
        at TEXT NOT NULL,
        by_user TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL CHECK (state IN ('started','done','failed')),
        result_json TEXT
      );
      CREATE INDEX export_actions_link_idx ON export_actions(profile, link_id, at);
    `,
  },
  {
    version: 10,
    name: 'point-in-time recovery: archive settings, base backup catalogue, scratch recoveries',
    sql: `
      CREATE TABLE pitr_config (
        profile TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('main','audit')),
        archive_dir TEXT,
        backup_dir TEXT,
        azure_json TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (profile, role)
      );
      CREATE TABLE pitr_base_backups (
        id TEXT PRIMARY KEY,
        profile TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('main','audit')),
        path TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running','verified','failed')),
        started_at TEXT NOT NULL,
        finished_at TEXT,
        start_lsn TEXT,
        end_lsn TEXT,
        timeline INTEGER,
        server_major INTEGER NOT NULL,
        wal_segment_size INTEGER NOT NULL,
        size_bytes INTEGER,
        verified_at TEXT,
        error_json TEXT,
        job_id TEXT
      );
      CREATE INDEX pitr_base_backups_profile_idx ON pitr_base_backups(profile, role, started_at);
      CREATE TABLE pitr_recoveries (
        id TEXT PRIMARY KEY,
        profile TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('main','audit')),
        backup_id TEXT NOT NULL,
        target_utc TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('recovering','ready','failed','discarded')),
        dir TEXT NOT NULL,
        host TEXT,
        port INTEGER,
        database_name TEXT NOT NULL,
        user_name TEXT NOT NULL,
        owner_pid INTEGER NOT NULL,
        stopped_at TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        error_json TEXT
      );
      CREATE INDEX pitr_recoveries_profile_idx ON pitr_recoveries(profile, started_at);
    `,
  },
  {
    // Its own migration: migration 6 (the drill log) was in commits without it. IF NOT EXISTS
    // because one snapshot commit briefly had it inside migration 6.
    version: 11,
    name: 'audit lockdown checks (the dashboard shows the latest)',
    sql: `
      CREATE TABLE IF NOT EXISTS lockdown_checks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        profile TEXT NOT NULL,
        checked_at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('PASS','WARN','FAIL')),
        applied INTEGER NOT NULL DEFAULT 0,
        report_json TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS lockdown_checks_profile_idx ON lockdown_checks(profile, checked_at);
    `,
  },
  {
    // The app and the CLI share one log: a CLI started while the app runs a backup must not take
    // the app's job for a dead one. Each job records the process that runs it.
    version: 12,
    name: 'jobs record their owning process',
    sql: `ALTER TABLE jobs ADD COLUMN owner_pid INTEGER;`,
  },
  {
    // Checkpoints made before this have row format 1 (a JSON text per row); later ones say theirs.
    version: 13,
    name: 'audit checkpoints record the row format they were hashed with',
    sql: `ALTER TABLE audit_checkpoints ADD COLUMN row_format INTEGER NOT NULL DEFAULT 1;`,
  },
  {
    // Incident mode: the scenario D steps only the user can do, ticked in the app or the CLI, with
    // who and when, kept with the rotation as evidence of the response.
    version: 14,
    name: 'incident checklist ticks of key rotations',
    sql: `
      CREATE TABLE key_rotation_checklist (
        rotation_id TEXT NOT NULL REFERENCES key_rotations(id) ON DELETE CASCADE,
        step TEXT NOT NULL,
        ticked_at TEXT NOT NULL,
        ticked_by TEXT NOT NULL,
        PRIMARY KEY (rotation_id, step)
      );
    `,
  },
];
