import { dashboardHealth } from '../../src-main/core/dashboard/health';
import { setStore } from '../../src-main/core/backup/set-store';
import { memoryCore } from '../helpers/memory-core';

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
