import fs from 'node:fs';
import type { Client } from 'pg';
import type { CheckResult } from '../../contract/drills';
import type { DeploymentKind, PitrRole, SetupCheck } from '../../contract/pitr';
import type { CoreContext } from '../context';
import { resolveProfile } from '../connections/profile-store';
import { withClient } from '../connections/pg-client';
import { pitrStore } from './pitr-store';
import { archiveAdvice } from './setup-advice';
import { listArchive } from './wal-archive';

/**
 * `custodian pitr setup-check`: is this server archiving its WAL, can the profile's user take base
 * backups, and can Custodian read the archive? Reads settings only; never changes the server. Each
 * failed check carries its fix, and the exact settings for the deployment are generated.
 */

const SETTINGS = ['wal_level', 'archive_mode', 'archive_command', 'archive_library', 'archive_timeout', 'max_wal_senders', 'server_version', 'wal_segment_size'];
const DEFAULT_ARCHIVE_TIMEOUT = 300;

export interface ServerFacts {
  settings: Record<string, string>;
  user: string;
  superuser: boolean;
  replication: boolean;
  archiver: { archived: number; failed: number; lastArchivedWal: string | null; lastArchivedAt: string | null; lastFailedWal: string | null; lastFailedAt: string | null } | null;
}

export async function readServerFacts(client: Client): Promise<ServerFacts> {
  // pg_settings hides superuser-only values from other users: a missing row means "cannot read".
  const rows = (await client.query<{ name: string; setting: string }>(`SELECT name, setting FROM pg_settings WHERE name = ANY($1::text[])`, [SETTINGS])).rows;
  const settings = Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  const me = (await client.query<{ u: string; s: boolean; r: boolean }>(`SELECT current_user AS u, rolsuper AS s, rolreplication AS r FROM pg_roles WHERE rolname = current_user`)).rows[0]!;
  const a = (
    await client.query<{ archived_count: string; failed_count: string; last_archived_wal: string | null; last_archived_time: Date | null; last_failed_wal: string | null; last_failed_time: Date | null }>(
      `SELECT archived_count, failed_count, last_archived_wal, last_archived_time, last_failed_wal, last_failed_time FROM pg_stat_archiver`,
    )
  ).rows[0];
  return {
    settings,
    user: me.u,
    superuser: me.s,
    replication: me.r,
    archiver: a
      ? {
          archived: Number(a.archived_count),
          failed: Number(a.failed_count),
          lastArchivedWal: a.last_archived_wal,
          lastArchivedAt: a.last_archived_time?.toISOString() ?? null,
          lastFailedWal: a.last_failed_wal,
          lastFailedAt: a.last_failed_time?.toISOString() ?? null,
        }
      : null,
  };
}

const check = (id: string, title: string, ok: boolean | 'warn', detail: string, hint?: string): CheckResult => ({
  id,
  title,
  status: ok === true ? 'PASS' : ok === 'warn' ? 'WARN' : 'FAIL',
  detail,
  ...(ok === true || !hint ? {} : { hint }),
});

/** Pure: the checks, from what the server and the archive folder said. */
export function judgeSetup(f: ServerFacts, archive: { dir: string | null; readable: boolean; files: number; newestAt: string | null }): CheckResult[] {
  const s = f.settings;
  const out: CheckResult[] = [];
  const restart = 'Apply the generated settings below, then restart PostgreSQL.';
  out.push(check('wal_level', 'WAL detail level', s.wal_level === 'replica' || s.wal_level === 'logical', `wal_level is ${s.wal_level ?? 'unknown'}.`, restart));
  out.push(check('archive_mode', 'WAL archiving switched on', s.archive_mode === 'on' || s.archive_mode === 'always', `archive_mode is ${s.archive_mode ?? 'unknown'}.`, restart));
  const cmd = s.archive_command;
  const lib = s.archive_library;
  const hasArchiver = (cmd !== undefined && cmd !== '' && cmd !== '(disabled)') || (lib !== undefined && lib !== '');
  if (cmd === undefined && lib === undefined) out.push(check('archive_command', 'Where WAL is archived', 'warn', `The user "${f.user}" may not read archive_command.`, 'Run the check with a superuser profile to see it.'));
  else out.push(check('archive_command', 'Where WAL is archived', hasArchiver, lib ? `archive_library = ${lib}` : `archive_command = ${cmd || '(empty)'}`, 'Set archive_command as generated below (then reload the configuration).'));
  if (f.archiver) {
    const a = f.archiver;
    const failing = a.failed > 0 && !!a.lastFailedAt && (!a.lastArchivedAt || a.lastFailedAt > a.lastArchivedAt);
    if (failing) out.push(check('archiver', 'Archiving is working', false, `The last attempt failed (${a.lastFailedWal} at ${a.lastFailedAt}); ${a.failed} failures so far.`, 'Check that the archive folder exists, is writable by the postgres user and is not full; the server log says why.'));
    else if (!a.lastArchivedAt) out.push(check('archiver', 'Archiving is working', 'warn', 'No WAL file has been archived yet.', 'Once archiving is on, run `SELECT pg_switch_wal();` as a superuser to archive the first file now.'));
    else out.push(check('archiver', 'Archiving is working', true, `${a.archived} files archived; the last one (${a.lastArchivedWal}) at ${a.lastArchivedAt}.`));
  }
  const timeout = Number(s.archive_timeout ?? '0');
  out.push(
    check('archive_timeout', 'Quiet periods still archived', timeout > 0 && timeout <= 3600 ? true : 'warn', timeout > 0 ? `archive_timeout is ${timeout} s.` : 'archive_timeout is off: on a quiet day the newest changes may wait hours before they are archived.', `Set archive_timeout = ${DEFAULT_ARCHIVE_TIMEOUT} (5 minutes).`),
  );
  const senders = Number(s.max_wal_senders ?? '0');
  out.push(check('max_wal_senders', 'Room for base backups', senders >= 2, `max_wal_senders is ${senders}; a base backup needs 2.`, restart));
  out.push(
    check(
      'replication_role',
      'May take base backups',
      f.superuser || f.replication,
      f.superuser ? `"${f.user}" is a superuser.` : f.replication ? `"${f.user}" has the REPLICATION right.` : `"${f.user}" has neither REPLICATION nor superuser.`,
      `Run as a superuser: ALTER ROLE "${f.user}" REPLICATION; and allow replication logins in pg_hba.conf.`,
    ),
  );
  if (!archive.dir) out.push(check('archive_folder', 'Custodian can read the archive', false, 'No archive folder is set for this server in Custodian.', 'Run `custodian pitr config --archive-dir FOLDER` with the folder (or mounted share) archive_command writes into.'));
  else if (!archive.readable) out.push(check('archive_folder', 'Custodian can read the archive', false, `${archive.dir} cannot be read from this computer.`, 'Check that the share is mounted and that your user may read it.'));
  else out.push(check('archive_folder', 'Custodian can read the archive', archive.files > 0 ? true : 'warn', `${archive.files} WAL files in ${archive.dir}${archive.newestAt ? `, newest written ${archive.newestAt}` : ''}.`, 'No WAL files yet: check archive_command writes into this folder.'));
  return out;
}

export async function runSetupCheck(ctx: CoreContext, profileName: string | null, role: PitrRole, deployment: DeploymentKind): Promise<SetupCheck> {
  const profile = resolveProfile(ctx, profileName);
  const facts = await withClient(ctx, profile.name, role, readServerFacts);
  const cfg = pitrStore.config(ctx, profile.name, role);
  let archive = { dir: cfg.archiveDir, readable: false, files: 0, newestAt: null as string | null };
  if (cfg.archiveDir) {
    try {
      fs.accessSync(cfg.archiveDir, fs.constants.R_OK);
      const segSize = Number(facts.settings.wal_segment_size ?? 16 * 1024 * 1024);
      const files = listArchive(cfg.archiveDir, segSize);
      archive = { dir: cfg.archiveDir, readable: true, files: files.segments.length, newestAt: files.newestMtime };
    } catch {
      archive = { ...archive, readable: false };
    }
  }
  const checks = judgeSetup(facts, archive);
  const advice = archiveAdvice({
    deployment,
    service: role === 'main' ? 'db' : 'audit_db',
    user: profile[role].user,
    archiveTimeoutSeconds: DEFAULT_ARCHIVE_TIMEOUT,
    userHasReplication: facts.superuser || facts.replication,
  });
  return {
    profile: profile.name,
    role,
    serverVersion: facts.settings.server_version ?? null,
    settings: facts.settings,
    checks,
    ready: checks.every((c) => c.status !== 'FAIL'),
    deployment,
    files: advice.files,
    explanation: advice.explanation,
  };
}
