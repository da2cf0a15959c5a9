import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTestContext } from '../helpers/core-context';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { backupHandlers } from '../../src-main/core/backup/handlers';

/**
 * The Linux schedule for real: `custodian schedule install|show|remove` (bin/custodian.mjs, as IT
 * staff run it) and the app's schedule.* channels write the user's actual crontab through the
 * `crontab` command. The user's previous crontab is saved first and put back afterwards, and
 * other lines in it must survive every install and remove.
 */
const ROOT = path.resolve(__dirname, '../..');
const hasCrontab = spawnSync('sh', ['-c', 'command -v crontab'], { stdio: 'ignore' }).status === 0;
const PROFILE = 'Head office 2.0';
const ID = 'backup-head-office-2-0';
const OTHER_LINE = '17 4 * * 1 /usr/bin/true # someone else’s job, must survive';

let home: string;
let previous: string | null = null;
let env: NodeJS.ProcessEnv;
let savedScheduler: string | undefined;

const crontab = () => {
  const r = spawnSync('crontab', ['-l'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
};
const setCrontab = (text: string) => expect(spawnSync('crontab', ['-'], { input: text, encoding: 'utf8' }).status).toBe(0);

function cli(...args: string[]): { code: number | null; json: Record<string, unknown>; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/custodian.mjs'), ...args, '--json'], { env, cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, json: JSON.parse(r.stdout || '{}'), stderr: r.stderr };
}

describe.skipIf(!hasCrontab)('daily backup schedule in the real crontab (skipped only when the crontab command is absent)', () => {
  beforeAll(async () => {
    const r = spawnSync('crontab', ['-l'], { encoding: 'utf8' });
    previous = r.status === 0 ? r.stdout : null;
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-cron-'));
    env = { ...process.env, CUSTODIAN_HOME: home, CUSTODIAN_SCHEDULER: 'crontab' };
    const ctx = makeTestContext({ home });
    const ep = { host: 'db.example.org', port: 5432, database: 'konote', user: 'konote', sslmode: 'require' as const };
    await saveProfile(ctx, { name: PROFILE, main: ep, audit: { ...ep, database: 'konote_audit' }, schemas: ['public'] });
    await ctx.dispose();
    setCrontab(`${OTHER_LINE}\n`);
    savedScheduler = process.env.CUSTODIAN_SCHEDULER;
  });

  afterAll(() => {
    if (savedScheduler === undefined) delete process.env.CUSTODIAN_SCHEDULER;
    else process.env.CUSTODIAN_SCHEDULER = savedScheduler;
    if (previous === null) spawnSync('crontab', ['-r']);
    else spawnSync('crontab', ['-'], { input: previous });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('install writes one quoted line running the CLI at the chosen time; show reads it back; remove takes only it away', () => {
    const installed = cli('schedule', 'install', '--profile', PROFILE, '--time', '03:07');
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.json).toMatchObject({ id: ID, scheduler: 'crontab', installed: true, time: '03:07', location: 'user crontab' });
    expect(installed.json.command).toEqual([process.execPath, path.join(ROOT, 'bin/custodian.mjs'), 'backup', 'run', '--profile', PROFILE, '--json']);

    const text = crontab();
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(OTHER_LINE);
    const ours = lines[1]!;
    expect(ours.startsWith('7 3 * * * ')).toBe(true);
    expect(ours.endsWith(`# custodian:${ID}`)).toBe(true);
    // Every argument is shell-quoted (the name has spaces), and output goes to the data folder's log.
    expect(ours).toContain(`'backup' 'run' '--profile' 'Head office 2.0' '--json'`);
    expect(ours).toContain(`>> '${path.join(home, 'logs', `${ID}.log`)}' 2>&1`);

    // Installing again (another time) moves the line instead of adding a second one.
    expect(cli('schedule', 'install', '--profile', PROFILE, '--time', '23:45').json).toMatchObject({ installed: true, time: '23:45' });
    expect(crontab().split('\n').filter((l) => l.includes(`# custodian:${ID}`))).toEqual([expect.stringMatching(/^45 23 \* \* \* /)]);

    expect(cli('schedule', 'show', '--profile', PROFILE).json).toMatchObject({ installed: true, time: '23:45', scheduler: 'crontab' });

    const removed = cli('schedule', 'remove', '--profile', PROFILE);
    expect(removed.code).toBe(0);
    expect(removed.json).toMatchObject({ installed: false, time: null });
    expect(crontab()).toBe(`${OTHER_LINE}\n`);
    expect(cli('schedule', 'show', '--profile', PROFILE).json).toMatchObject({ installed: false });
  }, 120_000);

  it('the line cron would run starts the real CLI with the profile name intact, logging one JSON document', () => {
    cli('schedule', 'install', '--profile', PROFILE, '--time', '03:07');
    const line = crontab().split('\n').find((l) => l.endsWith(`# custodian:${ID}`))!;
    // What cron hands to /bin/sh: the text after the five time fields, with cron's \% unescaped.
    const command = line.split(' ').slice(5).join(' ').replace(/\\%/g, '%');
    const r = spawnSync('/bin/sh', ['-c', command], { env: { ...env, CUSTODIAN_SCHEDULER: '' }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).not.toBe(0); // no encryption recipient yet: the CLI refuses, and says why
    const log = fs.readFileSync(path.join(home, 'logs', `${ID}.log`), 'utf8');
    const doc = JSON.parse(log) as { error: { kind: string; message: string } };
    expect(doc.error.kind).toBe('Validation');
    expect(doc.error.message).toContain(`"${PROFILE}"`);
    cli('schedule', 'remove', '--profile', PROFILE);
    expect(crontab()).toBe(`${OTHER_LINE}\n`);
  }, 120_000);

  it('the app’s schedule.* channels drive the same crontab (CUSTODIAN_SCHEDULER=crontab)', async () => {
    process.env.CUSTODIAN_SCHEDULER = 'crontab';
    const ctx = makeTestContext({ home });
    try {
      const h = backupHandlers(ctx);
      expect(await h['schedule.show']({ profile: PROFILE })).toMatchObject({ installed: false, scheduler: 'crontab' });
      expect(await h['schedule.install']({ profile: PROFILE, time: '1:05' })).toMatchObject({ installed: true, time: '01:05' });
      expect(crontab()).toMatch(new RegExp(`^5 1 \\* \\* \\* .*# custodian:${ID}$`, 'm'));
      expect(await h['schedule.remove']({ profile: PROFILE })).toMatchObject({ installed: false });
      expect(crontab()).toBe(`${OTHER_LINE}\n`);
    } finally {
      await ctx.dispose();
    }
  });
});
