import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerPitrCommands } from '../../src-main/cli/pitr';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { serverBinariesFor } from '../../src-main/core/pitr/scratch-instance';
import { memoryCore } from '../helpers/memory-core';
import { cliRunner } from '../helpers/cli-harness';

/** `custodian pitr ...` on an in-memory core: --json conventions and refusals before any work. */
const endpoint = { host: 'localhost', port: 5432, database: 'konote', user: 'konote', sslmode: 'disable' as const };

async function setup() {
  const core = memoryCore();
  await saveProfile(core, { name: 'only', main: endpoint, audit: { ...endpoint, database: 'konote_audit' }, schemas: ['public'] });
  const runCli = cliRunner(core, registerPitrCommands);
  const run = async (...args: string[]) => {
    const r = await runCli(...args);
    return { ...r, json: JSON.parse(r.out || '{}') as Record<string, unknown> & { error?: { kind: string; message: string; hint?: string } } };
  };
  return { core, run };
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-cli-pitr-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('custodian pitr', () => {
  it('config stores the archive folder; window without a base backup says what to do', async () => {
    const { run } = await setup();
    const c = await run('pitr', 'config', '--archive-dir', dir, '--json');
    expect(c.code).toBe(0);
    expect(c.json).toMatchObject({ profile: 'only', role: 'main', archiveDir: dir, backupDir: null });
    const w = await run('pitr', 'window', '--json');
    expect(w.code).toBe(1);
    expect(w.json).toMatchObject({ earliest: null, latest: null, archiveDir: dir });
    expect(String(w.json.notes)).toMatch(/custodian pitr base-backup/);
  });

  it('window without an archive folder is a Validation error with the fix', async () => {
    const { run } = await setup();
    const w = await run('pitr', 'window', '--json');
    expect(w.code).toBe(1);
    expect(w.json.error).toMatchObject({ kind: 'Validation', hint: expect.stringMatching(/--archive-dir/) });
  });

  it('recover refuses ambiguous or abbreviated times before starting anything', async () => {
    const { core, run } = await setup();
    const a = await run('pitr', 'recover', '--to', '2026-11-01 01:30', '--zone', 'America/Toronto', '--json');
    expect(a.json.error).toMatchObject({ kind: 'Validation', message: expect.stringMatching(/happened twice/) });
    const b = await run('pitr', 'recover', '--to', '2026-11-30 10:00 PST', '--json');
    expect(b.json.error?.message).toMatch(/abbreviation/);
    expect(core.jobs.list()).toEqual([]);
  });

  it('copy-back without a recovered copy says to recover first; a bad role is refused', async () => {
    const { run } = await setup();
    const r = await run('pitr', 'copy-back', '--table', 'client_files', '--dry-run', '--json');
    expect(r.json.error).toMatchObject({ kind: 'NotFound', hint: expect.stringMatching(/pitr recover/) });
    const bad = await run('pitr', 'setup-check', '--role', 'replica', '--json');
    expect(bad.json.error?.kind).toBe('Validation');
  });

  it('replace needs the database name typed back; an unknown recovery is NotFound; nothing starts', async () => {
    const { core, run } = await setup();
    const missing = await run('pitr', 'replace', 'rc-nope', '--confirm-database', 'konote', '--json');
    expect(missing.json.error, JSON.stringify(missing.json)).toMatchObject({ kind: 'NotFound' });
    core.log
      .prepare(`INSERT INTO pitr_recoveries (id, profile, role, backup_id, target_utc, state, dir, host, port, database_name, user_name, owner_pid, started_at) VALUES ('rc-1', 'only', 'main', 'bb', '2026-11-30T10:00:00.000Z', 'ready', ?, '127.0.0.1', 5999, 'konote', 'konote', 1, '2026-11-30T10:00:00.000Z')`)
      .run(dir);
    const unconfirmed = await run('pitr', 'replace', 'rc-1', '--json');
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.json.error).toMatchObject({ kind: 'Validation', hint: expect.stringMatching(/--confirm-database konote\.$/) });
    expect(core.jobs.list()).toEqual([]);
  });

  it('azure restore needs the new server name typed back', async () => {
    const { run } = await setup();
    const r = await run('pitr', 'azure', 'restore', '--to', '2026-11-30T10:00:00Z', '--new-server', 'konote-new', '--json');
    expect(r.json.error).toMatchObject({ kind: 'Validation', hint: expect.stringMatching(/--confirm konote-new/) });
  });

  it('server programs older (or other) than the backup’s major are a typed error naming both', async () => {
    const core = memoryCore();
    const e = await serverBinariesFor(core, 99).then(() => null, (x: { kind: string; message: string }) => x);
    expect(['PgVersion', 'ToolMissing']).toContain(e?.kind);
    expect(e?.message).toMatch(/PostgreSQL 99/);
  });
});
