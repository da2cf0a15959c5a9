import { setStore } from '../../src-main/core/backup/set-store';
import { listAlerts } from '../../src-main/core/backup/alerts';
import { checkAllMissedBackups } from '../../src-main/core/backup/missed-watch';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { memoryCore } from '../helpers/memory-core';

/** Threat covered: a schedule that silently stopped running (nothing fails, so nothing else alerts). */
const ep = (database: string) => ({ host: '127.0.0.1', port: 5432, database, user: 'konote', sslmode: 'disable' as const });

async function withProfiles(core: ReturnType<typeof memoryCore>) {
  for (const name of ['Office', 'NewSite']) await saveProfile(core, { name, main: ep('konote'), audit: ep('konote_audit'), schemas: ['public'] });
}

describe('missed-backup watch', () => {
  it('alerts once for a deployment whose last verified set is older than RPO + 2 h, and ignores never-backed-up profiles', async () => {
    const core = memoryCore();
    await withProfiles(core);
    const createdAt = new Date(Date.now() - 30 * 3_600_000).toISOString();
    setStore.insertRunning(core, { id: 's1', profile: 'Office', dir: '/b/s1', createdAt, format: 'custom', encrypted: true, keyListFingerprint: null, recipients: [], jobId: null });
    setStore.finish(core, 's1', 'verified', { totalBytes: 1000, checks: [] });

    const raised = await checkAllMissedBackups(core);
    expect(raised.map((a) => [a.profile, a.kind])).toEqual([['Office', 'backup-missed']]);
    expect(raised[0]!.message).toMatch(/No verified backup of "Office" for 30 hours/);
    // The next hourly check does not repeat it.
    expect(await checkAllMissedBackups(core)).toEqual([]);
    expect(listAlerts(core, { profile: 'NewSite' })).toEqual([]);
  });

  it('stays quiet while the last verified set is within the window', async () => {
    const core = memoryCore();
    await withProfiles(core);
    setStore.insertRunning(core, { id: 's2', profile: 'Office', dir: '/b/s2', createdAt: new Date(Date.now() - 25 * 3_600_000).toISOString(), format: 'custom', encrypted: true, keyListFingerprint: null, recipients: [], jobId: null });
    setStore.finish(core, 's2', 'verified', { totalBytes: 1000, checks: [] });
    expect(await checkAllMissedBackups(core)).toEqual([]);
  });
});

describe('alerts for desktop notifications', () => {
  it('hands out only alerts newer than the last one seen, oldest first', async () => {
    const { raiseAlert, alertsAfter, lastAlertId } = await import('../../src-main/core/backup/alerts');
    const core = memoryCore();
    await raiseAlert(core, 'Office', 'backup-failed', 'first');
    const seen = lastAlertId(core);
    await raiseAlert(core, 'Office', 'backup-small', 'second');
    await raiseAlert(core, 'Office', 'backup-missed', 'third');
    expect(alertsAfter(core, seen).map((a) => a.message)).toEqual(['second', 'third']);
    expect(alertsAfter(core, lastAlertId(core))).toEqual([]);
  });
});
