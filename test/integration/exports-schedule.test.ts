import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTestContext } from '../helpers/core-context';
import { saveProfile } from '../../src-main/core/connections/profile-store';

/**
 * The runbook's three cron jobs as real crontab entries, through `custodian exports schedule`
 * (bin/custodian.mjs) and the shared scheduler code. The user's crontab is saved and restored;
 * other lines must survive.
 */
const ROOT = path.resolve(__dirname, '../..');
const hasCrontab = spawnSync('sh', ['-c', 'command -v crontab'], { stdio: 'ignore' }).status === 0;
const PROFILE = 'Main office';
const OTHER_LINE = '5 1 * * * /usr/bin/true # not ours';
let home: string;
let previous: string | null = null;
let env: NodeJS.ProcessEnv;

const crontab = () => {
  const r = spawnSync('crontab', ['-l'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
};
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/custodian.mjs'), ...args, '--json'], { env, cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, json: JSON.parse(r.stdout || '{}') as Record<string, unknown>, stderr: r.stderr };
}

describe.skipIf(!hasCrontab)('export schedules in the real crontab (skipped only without the crontab command)', () => {
  beforeAll(async () => {
    const r = spawnSync('crontab', ['-l'], { encoding: 'utf8' });
    previous = r.status === 0 ? r.stdout : null;
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-excron-'));
    env = { ...process.env, CUSTODIAN_HOME: home, CUSTODIAN_SCHEDULER: 'crontab' };
    const ctx = makeTestContext({ home });
    const ep = { host: 'db.example.org', port: 5432, database: 'konote', user: 'konote', sslmode: 'require' as const };
    await saveProfile(ctx, { name: PROFILE, main: ep, audit: { ...ep, database: 'konote_audit' }, schemas: ['public'] });
    await ctx.dispose();
    spawnSync('crontab', ['-'], { input: `${OTHER_LINE}\n` });
  });
  afterAll(() => {
    if (previous === null) spawnSync('crontab', ['-r']);
    else spawnSync('crontab', ['-'], { input: previous });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('installs cleanup, summary and deadlines at their times; show reads back; remove takes only that one', () => {
    for (const [task, time] of [['cleanup', '03:15'], ['summary', '07:30'], ['deadlines', '08:05']] as const) {
      const r = cli('exports', 'schedule', 'install', task, ...(task === 'deadlines' ? ['--time', time] : []));
      expect(r.code, r.stderr).toBe(0);
      expect(r.json).toMatchObject({ installed: true, scheduler: 'crontab', time });
    }
    const tab = crontab();
    expect(tab).toContain(OTHER_LINE);
    expect(tab).toMatch(/^15 3 \* \* \* .*'exports' 'cleanup' '--profile' 'Main office' '--json'.*exports-cleanup-main-office/m);
    expect(tab).toMatch(/^30 7 \* \* \* .*'exports' 'summary' '--days' '7' '--only-on' 'monday'/m);
    expect(tab).toMatch(/^5 8 \* \* \* .*'exports' 'deadlines'/m);
    expect(cli('exports', 'schedule', 'show', 'summary').json).toMatchObject({ installed: true, time: '07:30' });
    expect(cli('exports', 'schedule', 'remove', 'summary').json).toMatchObject({ installed: false });
    const after = crontab();
    expect(after).not.toContain("'summary'");
    expect(after).toContain("'cleanup'");
    expect(after).toContain(OTHER_LINE);
    expect(cli('exports', 'schedule', 'install', 'backups').json).toMatchObject({ error: { kind: 'Validation' } });
  });

  it('the weekly summary entry does nothing on the other days (no database needed to find that out)', () => {
    const days = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
    const notToday = days[(new Date().getDay() + 1) % 7]!;
    const r = cli('exports', 'summary', '--days', '7', '--only-on', notToday, '--profile', PROFILE);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ skipped: true });
  });
});
