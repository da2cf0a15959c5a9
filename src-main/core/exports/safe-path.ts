import fs from 'node:fs';
import path from 'node:path';

/**
 * The one place that decides whether a path from the database may be touched. KoNote refuses to
 * serve a file whose real path is outside SECURE_EXPORT_DIR; Custodian refuses to look at, or
 * delete, such a path for the same reason: a row saying `../../etc/passwd`, or a symlink in the
 * folder pointing elsewhere, must be reported, never followed.
 */

export type PathCheck =
  | { kind: 'inside'; real: string; exists: true }
  | { kind: 'missing'; resolved: string; exists: false }
  | { kind: 'outside'; reason: string };

const within = (dir: string, p: string) => {
  const rel = path.relative(dir, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

/**
 * Classifies `filePath` against the export folder's real path. Relative paths and `..` segments
 * are judged lexically first (no filesystem access for a path that is already outside), then the
 * real path (symlinks resolved) must still be inside; a symlink itself is refused even when it
 * points inside, because deleting through it would remove something that is not an export file.
 */
export function checkExportPath(realDir: string, filePath: string): PathCheck {
  if (!path.isAbsolute(filePath)) return { kind: 'outside', reason: `"${filePath}" is not an absolute path (KoNote stores absolute paths).` };
  if (filePath.split(/[\\/]/).includes('..')) return { kind: 'outside', reason: `"${filePath}" climbs out with "..".` };
  const resolved = path.resolve(filePath);
  // Lexically inside the folder as configured, or as its real path (the folder itself may be a mount/symlink).
  let lst: fs.Stats;
  try {
    lst = fs.lstatSync(resolved);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return { kind: 'outside', reason: `"${filePath}" cannot be examined (${(e as NodeJS.ErrnoException).code ?? e}).` };
    // Absent: it is "missing" only if its parent is really inside the folder.
    let parentReal: string;
    try {
      parentReal = fs.realpathSync(path.dirname(resolved));
    } catch {
      return within(realDir, resolved) || path.dirname(resolved) === realDir ? { kind: 'missing', resolved, exists: false } : { kind: 'outside', reason: `"${filePath}" is not in the export folder.` };
    }
    const target = path.join(parentReal, path.basename(resolved));
    return within(realDir, target) ? { kind: 'missing', resolved, exists: false } : { kind: 'outside', reason: `"${filePath}" is not in the export folder ${realDir}.` };
  }
  if (lst.isSymbolicLink()) {
    let target = '(unreadable)';
    try {
      target = fs.realpathSync(resolved);
    } catch {
      // dangling link: still refused
    }
    return { kind: 'outside', reason: `"${filePath}" is a symbolic link (to ${target}); Custodian does not follow links out of the export folder.` };
  }
  const real = fs.realpathSync(resolved);
  if (!within(realDir, real)) return { kind: 'outside', reason: `"${filePath}" resolves to ${real}, outside the export folder ${realDir}.` };
  if (!lst.isFile()) return { kind: 'outside', reason: `"${filePath}" is not a regular file.` };
  return { kind: 'inside', real, exists: true };
}

/** Deletes a file already checked to be inside; re-checks first (the folder may have changed). */
export function deleteInside(realDir: string, filePath: string): { ok: true; gone: boolean } | { ok: false; refused: boolean; reason: string } {
  const c = checkExportPath(realDir, filePath);
  if (c.kind === 'outside') return { ok: false, refused: true, reason: c.reason };
  if (c.kind === 'missing') return { ok: true, gone: true };
  try {
    fs.unlinkSync(c.real);
    return { ok: true, gone: false };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: true, gone: true };
    return { ok: false, refused: false, reason: `Could not delete ${filePath} (${code ?? String(e)}).` };
  }
}
