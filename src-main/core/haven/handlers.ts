import path from 'node:path';
import type { CoreContext } from '../context';
import type { Handlers } from '../ipc/dispatcher';
import { AppError } from '../common/errors';
import { extractMasterKeyHex, havenKeyStatus, setHavenKey } from './master-key';
import { havenDecrypt, havenVerify } from './haven-service';

type HavenChannels = 'haven.key.status' | 'haven.key.set' | 'haven.decrypt' | 'haven.verify';

/**
 * Paths typed in the app are resolved by the main process, whose working folder the user cannot
 * see: a relative path would land somewhere surprising, so only full paths are accepted.
 */
export function havenFullPath(p: string, what: string): string {
  if (!path.isAbsolute(p)) throw new AppError('Validation', `The ${what} "${p}" is not a full path.`, process.platform === 'win32' ? 'Give the whole path, for example C:\\Users\\you\\Downloads\\export.enc.' : 'Give the whole path, for example /home/you/Downloads/export.enc.');
  return path.normalize(p);
}

/**
 * IPC handlers for the Haven section of the Export links page. The master key arrives once
 * (key.set) and is never sent back: only fingerprints and strength warnings are. Re-wrapping a
 * folder runs as the `haven.rewrap` job (jobs.ts).
 */
export function havenHandlers(ctx: CoreContext): Pick<Handlers, HavenChannels> {
  return {
    'haven.key.status': () => havenKeyStatus(ctx),
    'haven.key.set': ({ hex }) => setHavenKey(ctx, extractMasterKeyHex(hex)),
    'haven.decrypt': ({ file, out }) => havenDecrypt(ctx, havenFullPath(file, 'bundle'), havenFullPath(out, 'output file')),
    'haven.verify': ({ file }) => havenVerify(ctx, havenFullPath(file, 'bundle')),
  };
}
