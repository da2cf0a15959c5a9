import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { PG_TOOLS, type PgTool, type ToolFound } from '../../contract/tools';
import type { CoreContext } from '../context';
import { AppError } from '../common/errors';

/**
 * Finds PostgreSQL's programs: a user override first, then PATH, then where installers put them
 * on Windows, macOS and Linux. Choosing is a pure function of what was found (tested without any
 * installed tool); probing runs `<tool> --version` without a shell.
 */

export type ToolSource = NonNullable<ToolFound['source']>;
export interface CandidateFolder {
  folder: string;
  source: ToolSource;
}
export interface ToolProbe {
  tool: PgTool;
  path: string;
  source: ToolSource;
  major: number;
  version: string;
}
export interface ToolSearch {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** settings.toolOverrides: `folder` → a folder to search first; `<tool>` → that exact file. */
  overrides: Record<string, string>;
}

const NEWEST_MAJOR = 18;
const OLDEST_MAJOR = 12;
const majors = (): number[] => Array.from({ length: NEWEST_MAJOR - OLDEST_MAJOR + 1 }, (_, i) => NEWEST_MAJOR - i);

/** Pure: the folders to look in, in order of preference, without duplicates. */
export function candidateFolders(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, overrideFolder?: string): CandidateFolder[] {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const out: CandidateFolder[] = [];
  const seen = new Set<string>();
  const add = (folder: string, source: ToolSource) => {
    const norm = p.normalize(folder);
    const key = platform === 'win32' ? norm.toLowerCase() : norm;
    if (!folder || seen.has(key)) return;
    seen.add(key);
    out.push({ folder: norm, source });
  };
  if (overrideFolder) add(overrideFolder, 'override');
  const pathVar = platform === 'win32' ? (env.Path ?? env.PATH ?? env.path ?? '') : (env.PATH ?? '');
  for (const entry of pathVar.split(platform === 'win32' ? ';' : ':')) {
    const clean = entry.trim().replace(/^"(.*)"$/, '$1');
    if (clean) add(clean, 'path');
  }
  if (platform === 'win32') {
    const programFiles = [env.ProgramFiles ?? 'C:\\Program Files', env.ProgramW6432, env['ProgramFiles(x86)']].filter((x): x is string => !!x);
    for (const base of programFiles) for (const v of majors()) add(p.join(base, 'PostgreSQL', String(v), 'bin'), 'conventional');
  } else if (platform === 'darwin') {
    add('/Applications/Postgres.app/Contents/Versions/latest/bin', 'conventional');
    for (const v of majors()) add(`/Applications/Postgres.app/Contents/Versions/${v}/bin`, 'conventional');
    for (const v of majors()) add(`/opt/homebrew/opt/postgresql@${v}/bin`, 'conventional');
    for (const v of majors()) add(`/usr/local/opt/postgresql@${v}/bin`, 'conventional');
  } else {
    for (const v of majors()) add(`/usr/lib/postgresql/${v}/bin`, 'conventional');
    // Red Hat family layout.
    for (const v of majors()) add(`/usr/pgsql-${v}/bin`, 'conventional');
  }
  return out;
}

export function executableName(tool: PgTool, platform: NodeJS.Platform): string {
  return platform === 'win32' ? `${tool}.exe` : tool;
}

/** Pure: "pg_dump (PostgreSQL) 15.14 (Debian ...)" → { major: 15, version: '15.14' }; old "9.6.3" → major 9. */
export function parseVersionOutput(text: string): { major: number; version: string } | null {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
  if (!m) return null;
  const version = [m[1], m[2], m[3]].filter(Boolean).join('.');
  return { major: Number(m[1]), version };
}

/**
 * Pure: the best probe for a tool. An override that satisfies the requirement always wins (the
 * user chose it); otherwise the newest satisfying major; ties keep search order (PATH before
 * conventional folders).
 */
export function chooseTool(probes: ToolProbe[], req: { atLeastMajor?: number; exactMajor?: number } = {}): ToolProbe | null {
  const ok = (p: ToolProbe) => (req.exactMajor === undefined || p.major === req.exactMajor) && (req.atLeastMajor === undefined || p.major >= req.atLeastMajor);
  const override = probes.find((p) => p.source === 'override' && ok(p));
  if (override) return override;
  let best: ToolProbe | null = null;
  for (const p of probes) if (ok(p) && (!best || p.major > best.major)) best = p;
  return best;
}

export function installHint(platform: NodeJS.Platform, major: number | string): string {
  if (platform === 'win32') return `Install the PostgreSQL ${major} command line tools with the EDB installer (https://www.postgresql.org/download/windows/), then run "custodian doctor" again.`;
  if (platform === 'darwin') return `Install PostgreSQL ${major} with Postgres.app, or run "brew install postgresql@${major}", then run "custodian doctor" again.`;
  return `Install the PostgreSQL ${major} client tools (Debian/Ubuntu: "apt install postgresql-client-${major}" from apt.postgresql.org), then run "custodian doctor" again.`;
}

const VERSION_MISMATCH_HINT = (serverMajor: number) =>
  `pg_dump must be at least as new as the server: install PostgreSQL ${serverMajor} client tools, or point Custodian to them in Settings.`;

const probeCache = new Map<string, { mtimeMs: number; result: { major: number; version: string } | null }>();

/** Runs `<file> --version` (no shell) with a short timeout; cached per file and modification time. */
export async function probeVersion(file: string): Promise<{ major: number; version: string } | null> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
    if (!stat.isFile()) return null;
  } catch {
    return null;
  }
  const cached = probeCache.get(file);
  if (cached && cached.mtimeMs === stat.mtimeMs) return cached.result;
  const result = await new Promise<{ major: number; version: string } | null>((resolve) => {
    let out = '';
    let child;
    try {
      child = spawn(file, ['--version'], { shell: false, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, timeout: 10_000 });
    } catch {
      return resolve(null);
    }
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.resume();
    child.on('error', () => resolve(null));
    child.on('close', () => resolve(parseVersionOutput(out)));
  });
  probeCache.set(file, { mtimeMs: stat.mtimeMs, result });
  return result;
}

export function searchFromContext(ctx: Pick<CoreContext, 'env' | 'settings'>): ToolSearch {
  return { platform: process.platform, env: ctx.env, overrides: ctx.settings.get().toolOverrides ?? {} };
}

/** Every working copy of `tool` that can be found, in search order. */
export async function probeTool(search: ToolSearch, tool: PgTool): Promise<ToolProbe[]> {
  const files: Array<{ file: string; source: ToolSource }> = [];
  const direct = search.overrides[tool];
  if (direct) files.push({ file: direct, source: 'override' });
  for (const c of candidateFolders(search.platform, search.env, search.overrides.folder)) {
    files.push({ file: path.join(c.folder, executableName(tool, search.platform)), source: c.source });
  }
  const seen = new Set<string>();
  const probes: ToolProbe[] = [];
  for (const f of files) {
    let real: string;
    try {
      real = fs.realpathSync(f.file);
    } catch {
      continue;
    }
    // Debian's /usr/bin/pg_dump is a wrapper script that picks a version itself: still usable.
    if (seen.has(real)) continue;
    seen.add(real);
    const v = await probeVersion(f.file);
    if (v) probes.push({ tool, path: f.file, source: f.source, major: v.major, version: v.version });
  }
  return probes;
}

export async function discoverToolsIn(search: ToolSearch, tools: readonly PgTool[] = PG_TOOLS): Promise<ToolFound[]> {
  return Promise.all(
    tools.map(async (tool) => {
      const best = chooseTool(await probeTool(search, tool));
      return best ? { tool, path: best.path, major: best.major, version: best.version, source: best.source } : { tool, path: null, major: null, version: null, source: null };
    }),
  );
}

/** The best (newest, or the user's override) copy of each tool. */
export function discoverTools(ctx: Pick<CoreContext, 'env' | 'settings'>): Promise<ToolFound[]> {
  return discoverToolsIn(searchFromContext(ctx));
}

export async function pickToolIn(search: ToolSearch, tool: PgTool, req: { atLeastMajor?: number; exactMajor?: number } = {}): Promise<ToolProbe> {
  const probes = await probeTool(search, tool);
  const best = chooseTool(probes, req);
  if (best) return best;
  const wanted = req.exactMajor ?? req.atLeastMajor;
  if (probes.length === 0) {
    throw new AppError('ToolMissing', `Custodian could not find ${tool} on this computer.`, installHint(search.platform, wanted ?? 'client'));
  }
  const found = probes.map((p) => `${p.version} at ${p.path}`).join('; ');
  if (req.exactMajor !== undefined) {
    throw new AppError('PgVersion', `${tool} ${req.exactMajor} is needed, but only ${found} was found.`, installHint(search.platform, req.exactMajor));
  }
  throw new AppError('PgVersion', `${tool} is older than the server (PostgreSQL ${req.atLeastMajor}); found ${found}.`, VERSION_MISMATCH_HINT(req.atLeastMajor ?? 0));
}

/** Path of a tool at least as new as `atLeastMajor` (the server's major), or a typed error with the fix. */
export async function pickTool(ctx: Pick<CoreContext, 'env' | 'settings'>, tool: PgTool, req: { atLeastMajor?: number; exactMajor?: number } = {}): Promise<string> {
  return (await pickToolIn(searchFromContext(ctx), tool, req)).path;
}
