import fs from 'node:fs';
import path from 'node:path';
import type { CoreContext } from '../context';
import { ExportSettingsSchema, type ExportFolderState, type ExportSettings } from '../../contract/exports';
import { getProfile } from '../connections/profile-store';
import { sandboxStatus } from '../sandbox/sandbox-service';

/**
 * Per-profile export settings in the SQLite log: where KoNote's SECURE_EXPORT_DIR is reachable
 * from this computer, which KoNote admin account revocations are recorded under, and KoNote's
 * ELEVATED_EXPORT_DELAY_MINUTES. The sandbox's own export folder is the default for the sandbox.
 */

interface Row {
  profile: string;
  export_dir: string | null;
  server_export_dir: string | null;
  admin_username: string | null;
  pending_delay_minutes: number;
}

export function readExportSettings(ctx: CoreContext, profile: string): ExportSettings {
  const p = getProfile(ctx, profile);
  const row = ctx.log.prepare('SELECT * FROM export_settings WHERE profile = ?').get(p.name) as Row | undefined;
  const sandboxDir = p.sandbox ? sandboxStatus(ctx).exportDir : null;
  return {
    profile: p.name,
    exportDir: row?.export_dir ?? sandboxDir,
    serverExportDir: row?.server_export_dir ?? null,
    adminUsername: row?.admin_username ?? null,
    pendingDelayMinutes: row?.pending_delay_minutes ?? 10,
  };
}

export function saveExportSettings(ctx: CoreContext, input: ExportSettings): ExportSettings {
  const s = ExportSettingsSchema.parse(input);
  getProfile(ctx, s.profile);
  const dir = s.exportDir === null ? null : path.resolve(s.exportDir);
  ctx.log
    .prepare(
      `INSERT INTO export_settings (profile, export_dir, server_export_dir, admin_username, pending_delay_minutes, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(profile) DO UPDATE SET export_dir = excluded.export_dir, server_export_dir = excluded.server_export_dir, admin_username = excluded.admin_username,
         pending_delay_minutes = excluded.pending_delay_minutes, updated_at = excluded.updated_at`,
    )
    .run(s.profile, dir, s.serverExportDir, s.adminUsername, s.pendingDelayMinutes, new Date().toISOString());
  return readExportSettings(ctx, s.profile);
}

/** Whether the export folder can be read from here; `realDir` is its resolved real path. */
export function exportFolderState(exportDir: string | null): ExportFolderState & { realDir: string | null } {
  if (!exportDir) return { exportDir: null, reachable: false, detail: 'No export folder is set for this deployment.', realDir: null };
  try {
    const realDir = fs.realpathSync(exportDir);
    if (!fs.statSync(realDir).isDirectory()) return { exportDir, reachable: false, detail: `${exportDir} is not a folder.`, realDir: null };
    fs.readdirSync(realDir);
    return { exportDir, reachable: true, detail: null, realDir };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    return { exportDir, reachable: false, detail: code === 'ENOENT' ? `${exportDir} does not exist (or the share is not mounted).` : `${exportDir} cannot be read (${code || String(e)}).`, realDir: null };
  }
}

/**
 * Where a row's `file_path` (as KoNote's server wrote it) is on this computer: under the server's
 * folder → the same relative path under the local folder; anything else is returned unchanged and
 * will be judged (and refused) by checkExportPath.
 */
export function localPathFor(settings: Pick<ExportSettings, 'exportDir' | 'serverExportDir'>, filePath: string): string {
  const server = settings.serverExportDir;
  if (!server || !settings.exportDir) return filePath;
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '');
  const s = norm(server);
  const f = norm(filePath);
  if (!f.startsWith(`${s}/`)) return filePath;
  const rel = f.slice(s.length + 1);
  // ".." keeps its meaning (and its refusal) after the move: never normalised away here.
  return `${settings.exportDir.replace(/[\\/]+$/, '')}${path.sep}${rel.split('/').join(path.sep)}`;
}
