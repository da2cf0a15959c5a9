import fs from 'node:fs';
import type { Recovery } from '../../contract/pitr';
import type { CoreContext } from '../context';
import { AppError } from '../common/errors';
import { clusterLayout, clusterStatus, isPortFree, runServerTool } from '../sandbox/local-cluster';
import { serverBinariesFor } from './scratch-instance';

/**
 * A recovered copy is kept until discarded, but the computer may have restarted since: start it
 * again (it was promoted, so it starts as a normal server, no recovery) before copy-back reads it.
 */
export async function ensureScratchRunning(ctx: CoreContext, r: Pick<Recovery, 'id' | 'dir' | 'port'>): Promise<void> {
  const status = clusterStatus(r.dir);
  if (status.running) return;
  if (!status.exists || status.major === null) {
    throw new AppError('NotFound', `The recovered copy ${r.id} is no longer on this computer.`, 'Recover to the time again.');
  }
  if (r.port && !(await isPortFree(r.port))) {
    throw new AppError('Conflict', `Port ${r.port}, which the recovered copy ${r.id} uses, is taken by another program.`, 'Stop that program, or discard this copy and recover again.');
  }
  if (fs.existsSync(`${clusterLayout(r.dir).dataDir}/recovery.signal`)) {
    throw new AppError('Conflict', `The recovered copy ${r.id} never finished recovering.`, 'Discard it and recover again.');
  }
  const bins = await serverBinariesFor(ctx, status.major);
  const l = clusterLayout(r.dir);
  await runServerTool(bins.pgCtl, ['-D', l.dataDir, '-l', l.logFile, '-w', '-t', '120', 'start']);
}
