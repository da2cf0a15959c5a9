import type { DeploymentKind } from '../../contract/pitr';

/**
 * Pure: the exact settings a KoNote server needs for continuous archiving, for Docker Compose
 * (KoNote's `db` / `audit_db` services on postgres:16-alpine) or a plain server, with the reason
 * for each line in plain words. Tested without a server; the setup check fills in the names.
 */

export interface AdviceInput {
  deployment: DeploymentKind;
  /** Compose service name (db / audit_db) or a label for a plain server. */
  service: string;
  /** The role pg_basebackup logs in as (the profile's user). */
  user: string;
  /** Seconds after which a quiet server still archives its current WAL file (the RPO). */
  archiveTimeoutSeconds: number;
  /** Already true on the server: then the line is kept but the explanation says so. */
  userHasReplication: boolean;
}

export interface Advice {
  files: { where: string; content: string }[];
  explanation: string[];
}

const sqlIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

export function archiveAdvice(a: AdviceInput): Advice {
  const explanation = [
    'wal_level = replica: the server writes enough detail into its write-ahead log (WAL) to rebuild the database at any moment, not only after a crash.',
    'archive_mode = on: every finished WAL file is handed to archive_command, so no change is lost between base backups. Changing it needs a server restart.',
    'archive_command copies each finished WAL file into the archive folder, and refuses to overwrite a file that is already there (a second server writing into the same folder would otherwise destroy the history).',
    `archive_timeout = ${a.archiveTimeoutSeconds}: when the server is quiet it still closes and archives its WAL file at least this often, so at most ${Math.round(a.archiveTimeoutSeconds / 60)} minutes of changes can be lost.`,
    'max_wal_senders = 5: base backups stream their WAL over replication connections; two are needed per backup, the rest is headroom.',
    a.userHasReplication
      ? `The user "${a.user}" already may make base backups (REPLICATION or superuser).`
      : `The user "${a.user}" needs the REPLICATION right to make base backups: run the SQL below once as a superuser.`,
    'pg_hba.conf must let that user open a "replication" connection from this computer; the line below allows it with a password.',
    'Custodian must be able to read the archive folder from this computer (a mounted share or a regular copy of it): set it with `custodian pitr config --archive-dir FOLDER`.',
  ];
  const grant = a.userHasReplication ? [] : [{ where: 'Run once as a superuser (psql)', content: `ALTER ROLE ${sqlIdent(a.user)} REPLICATION;\n` }];
  const hba = `host  replication  ${a.user}  0.0.0.0/0  scram-sha-256\n`;
  if (a.deployment === 'docker') {
    const yaml = [
      'services:',
      `  ${a.service}:`,
      '    command:',
      '      - postgres',
      ...['wal_level=replica', 'archive_mode=on', 'archive_command=test ! -f /wal-archive/%f && cp %p /wal-archive/%f', `archive_timeout=${a.archiveTimeoutSeconds}`, 'max_wal_senders=5'].flatMap((s) => ['      - -c', `      - ${s}`]),
      '    volumes:',
      `      - ./wal-archive/${a.service}:/wal-archive`,
      '',
    ].join('\n');
    return {
      files: [
        { where: 'docker-compose.override.yml beside KoNote’s docker-compose.yml (then: docker compose up -d)', content: yaml },
        {
          where: `Create the archive folder once, owned by the container’s postgres user (uid 70 in postgres:16-alpine)`,
          content: `mkdir -p wal-archive/${a.service} && sudo chown 70:70 wal-archive/${a.service} && chmod 700 wal-archive/${a.service}\n`,
        },
        {
          where: `Allow replication logins (appends to pg_hba.conf inside the ${a.service} container, then reloads)`,
          content: `docker compose exec ${a.service} sh -c 'echo "${hba.trim()}" >> "$PGDATA/pg_hba.conf"' && docker compose exec ${a.service} psql -U ${a.user} -c 'SELECT pg_reload_conf()'\n`,
        },
        ...grant,
      ],
      explanation: [...explanation, 'In Docker Compose the settings go on the command line of the service (an override file keeps KoNote’s own file untouched); the archive folder is a bind mount on the host.'],
    };
  }
  const conf = [
    'wal_level = replica',
    'archive_mode = on',
    "archive_command = 'test ! -f /var/lib/postgresql/wal-archive/%f && cp %p /var/lib/postgresql/wal-archive/%f'",
    `archive_timeout = ${a.archiveTimeoutSeconds}`,
    'max_wal_senders = 5',
    '',
  ].join('\n');
  return {
    files: [
      { where: 'postgresql.conf (or a file in conf.d/), then restart PostgreSQL (e.g. sudo systemctl restart postgresql)', content: conf },
      { where: 'Create the archive folder once, owned by the postgres user', content: 'sudo install -d -o postgres -g postgres -m 700 /var/lib/postgresql/wal-archive\n' },
      { where: 'pg_hba.conf (then: SELECT pg_reload_conf();)', content: hba },
      ...grant,
    ],
    explanation: [...explanation, 'On Windows use archive_command = \'copy "%p" "C:\\\\wal-archive\\\\%f"\' and a folder the PostgreSQL service account can write.'],
  };
}
