import { dashboardHealth } from '../../src-main/core/dashboard/health';
import { setStore } from '../../src-main/core/backup/set-store';
import { memoryCore } from '../helpers/memory-core';
import { pitrStore } from '../../src-main/core/pitr/pitr-store';

/** The dashboard's "last verified backup vs RPO" tile reads the real backup-set log, nothing else. */
function addSet(core: ReturnType<typeof memoryCore>, id: string, hoursAgo: number, state: 'verified' | 'unverified' | 'failed') {
  const createdAt = new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
  setStore.insertRunning(core, { id, profile: 'Office', dir: `/b/${id}`, createdAt, format: 'custom', encrypted: true, keyListFingerprint: null, recipients: [], jobId: null });
  setStore.finish(core, id, state, state === 'failed' ? { failure: { kind: 'PgConnect', message: 'down' } } : { totalBytes: 1000, checks: [] });
}
const tile = async (core: ReturnType<typeof memoryCore>, profile: string | null) => (await dashboardHealth(core, profile)).find((t) => t.id === 'lastBackup')!;

describe('dashboard tile: last verified backup vs RPO', () => {
  it('says "none" with no set, "failed" when only failed sets exist, and never counts an unverified set', async () => {
    const core = memoryCore();
    expect(await tile(core, null)).toMatchObject({ status: 'unknown', messageKey: 'health.noProfile' });
    expect(await tile(core, 'Office')).toMatchObject({ status: 'fail', messageKey: 'health.lastBackup.none' });
    addSet(core, 'a', 2, 'failed');
    addSet(core, 'b', 1, 'unverified');
    expect(await tile(core, 'Office')).toMatchObject({ status: 'fail', messageKey: 'health.lastBackup.failed' });
  });

  it('is ok within the RPO (24 h by default) and stale after it, with the real age in hours', async () => {
    const core = memoryCore();
    addSet(core, 'old', 30, 'verified');
    expect(await tile(core, 'Office')).toMatchObject({ status: 'fail', messageKey: 'health.lastBackup.stale', values: { hours: 30, rpo: 24 } });
    addSet(core, 'new', 3, 'verified');
    addSet(core, 'newer-but-unverified', 1, 'unverified');
    expect(await tile(core, 'Office')).toMatchObject({ status: 'ok', messageKey: 'health.lastBackup.ok', values: { hours: 3, rpo: 24 } });
    core.settings.update({ rpoHours: 2 });
    expect(await tile(core, 'Office')).toMatchObject({ status: 'fail', values: { hours: 3, rpo: 2 } });
  });
});

describe('dashboard tile: recovered copies still running', () => {
  const recovery = (core: ReturnType<typeof memoryCore>, id: string, profile: string, hoursAgo: number) => {
    const at = new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
    pitrStore.insertRecovery(core, { id, profile, role: 'main', backupId: 'pb', targetUtc: at, dir: `/x/${id}`, host: '/x/run', port: 5999, database: 'konote', user: 'u', startedAt: at });
    pitrStore.updateRecovery(core, id, { state: 'ready', finishedAt: at });
  };
  const copies = async (core: ReturnType<typeof memoryCore>, profile: string | null) => (await dashboardHealth(core, profile)).find((t) => t.id === 'recoveredCopies');

  it('appears only while a recovered copy of this deployment is ready, counting them and the oldest one\u2019s hours', async () => {
    const core = memoryCore();
    expect(await copies(core, 'Office')).toBeUndefined();
    recovery(core, 'r1', 'Office', 5);
    recovery(core, 'r2', 'Office', 1);
    recovery(core, 'r3', 'Elsewhere', 50);
    expect(await copies(core, 'Office')).toEqual({ id: 'recoveredCopies', status: 'warn', messageKey: 'health.recoveredCopies.running', values: { count: 2, hours: 5 } });
    expect(await copies(core, null)).toBeUndefined();
    pitrStore.updateRecovery(core, 'r1', { state: 'discarded' });
    pitrStore.updateRecovery(core, 'r2', { state: 'discarded' });
    expect(await copies(core, 'Office')).toBeUndefined();
  });
});
