import { describe, expect, it } from 'vitest';
import { candidateFolders, chooseTool, installHint, parseVersionOutput, type ToolProbe } from '../../src-main/core/connections/tool-discovery';

const folders = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv, override?: string) => candidateFolders(platform, env, override);

describe('candidateFolders', () => {
  it('Windows: PATH first, then Program Files\\PostgreSQL\\<v>\\bin from 18 down to 12', () => {
    const f = folders('win32', { Path: 'C:\\Windows\\system32;"C:\\Tools\\pg\\bin";C:\\Windows\\system32', ProgramFiles: 'D:\\Apps' });
    expect(f[0]).toEqual({ folder: 'C:\\Windows\\system32', source: 'path' });
    expect(f[1]).toEqual({ folder: 'C:\\Tools\\pg\\bin', source: 'path' });
    const conventional = f.filter((x) => x.source === 'conventional').map((x) => x.folder);
    expect(conventional.slice(0, 7)).toEqual([18, 17, 16, 15, 14, 13, 12].map((v) => `D:\\Apps\\PostgreSQL\\${v}\\bin`));
    // duplicates (case-insensitive on Windows) are listed once
    expect(f.filter((x) => x.folder.toLowerCase() === 'c:\\windows\\system32')).toHaveLength(1);
  });

  it('Windows without ProgramFiles falls back to C:\\Program Files', () => {
    expect(folders('win32', {}).map((x) => x.folder)).toContain('C:\\Program Files\\PostgreSQL\\16\\bin');
  });

  it('macOS: Postgres.app (latest, then versions), then Homebrew on Apple silicon and Intel', () => {
    const f = folders('darwin', { PATH: '/usr/bin:/bin' }).map((x) => x.folder);
    expect(f.slice(0, 2)).toEqual(['/usr/bin', '/bin']);
    const i = (s: string) => f.indexOf(s);
    expect(i('/Applications/Postgres.app/Contents/Versions/latest/bin')).toBeGreaterThan(1);
    expect(i('/Applications/Postgres.app/Contents/Versions/latest/bin')).toBeLessThan(i('/Applications/Postgres.app/Contents/Versions/18/bin'));
    expect(i('/Applications/Postgres.app/Contents/Versions/12/bin')).toBeLessThan(i('/opt/homebrew/opt/postgresql@18/bin'));
    expect(i('/opt/homebrew/opt/postgresql@12/bin')).toBeLessThan(i('/usr/local/opt/postgresql@18/bin'));
    expect(f).toContain('/usr/local/opt/postgresql@15/bin');
  });

  it('Linux: PATH, then /usr/lib/postgresql/<v>/bin newest first', () => {
    const f = folders('linux', { PATH: '/usr/local/bin:/usr/bin:' });
    expect(f.slice(0, 2).map((x) => x.source)).toEqual(['path', 'path']);
    const deb = f.filter((x) => x.folder.startsWith('/usr/lib/postgresql/')).map((x) => x.folder);
    expect(deb).toEqual([18, 17, 16, 15, 14, 13, 12].map((v) => `/usr/lib/postgresql/${v}/bin`));
  });

  it('a user-chosen folder is searched before everything else', () => {
    const f = folders('linux', { PATH: '/usr/bin' }, '/opt/pg16/bin');
    expect(f[0]).toEqual({ folder: '/opt/pg16/bin', source: 'override' });
    expect(f[1]!.folder).toBe('/usr/bin');
  });
});

describe('parseVersionOutput', () => {
  it.each([
    ['pg_dump (PostgreSQL) 15.14 (Debian 15.14-1.pgdg120+1)', 15, '15.14'],
    ['postgres (PostgreSQL) 16.4', 16, '16.4'],
    ['pg_restore (PostgreSQL) 17beta1', 17, '17'],
    ['psql (PostgreSQL) 9.6.24', 9, '9.6.24'],
  ])('%s', (text, major, version) => {
    expect(parseVersionOutput(text)).toEqual({ major, version });
  });
  it('rejects output that is not a PostgreSQL tool', () => {
    expect(parseVersionOutput('GNU bash, version 5.2')).toBeNull();
  });
});

describe('chooseTool', () => {
  const p = (major: number, source: ToolProbe['source'], path = `/${source}/${major}/pg_dump`): ToolProbe => ({ tool: 'pg_dump', path, source, major, version: `${major}.1` });

  it('picks the newest major; on a tie the one found first (PATH before conventional)', () => {
    expect(chooseTool([p(14, 'path'), p(16, 'conventional'), p(15, 'conventional')])!.major).toBe(16);
    expect(chooseTool([p(16, 'path'), p(16, 'conventional')])!.source).toBe('path');
  });

  it('the user override wins when it satisfies the requirement, and is skipped when too old', () => {
    expect(chooseTool([p(14, 'override'), p(17, 'path')])!.source).toBe('override');
    expect(chooseTool([p(14, 'override'), p(17, 'path')], { atLeastMajor: 16 })!.major).toBe(17);
  });

  it('honours atLeastMajor and exactMajor, and returns null when nothing fits', () => {
    expect(chooseTool([p(14, 'path'), p(15, 'conventional')], { atLeastMajor: 15 })!.major).toBe(15);
    expect(chooseTool([p(14, 'path'), p(15, 'conventional')], { atLeastMajor: 16 })).toBeNull();
    expect(chooseTool([p(17, 'path'), p(15, 'conventional')], { exactMajor: 15 })!.major).toBe(15);
    expect(chooseTool([])).toBeNull();
  });
});

describe('installHint', () => {
  it('names the per-OS way to install the right version', () => {
    expect(installHint('win32', 16)).toMatch(/PostgreSQL 16.*EDB installer/);
    expect(installHint('darwin', 16)).toMatch(/postgresql@16/);
    expect(installHint('linux', 16)).toMatch(/postgresql-client-16/);
  });
});
