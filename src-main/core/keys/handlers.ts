import type { CoreContext } from '../context';
import type { Handlers } from '../ipc/dispatcher';
import { resolveProfile } from '../connections/profile-store';
import { custodyFor } from './custody';
import { generateKey, importKeyList } from './key-service';

/** IPC handlers for the Keys page. The key list arrives once (import) and is never sent back. */
export function keyHandlers(ctx: CoreContext): Pick<Handlers, 'keys.custody' | 'keys.import' | 'keys.generate'> {
  return {
    'keys.custody': async ({ profile }) => custodyFor(ctx, resolveProfile(ctx, profile).name),
    'keys.import': async ({ profile, keyList, replace }) =>
      importKeyList(ctx, resolveProfile(ctx, profile).name, keyList, { source: 'imported', replace }),
    'keys.generate': async ({ profile }) => generateKey(ctx, resolveProfile(ctx, profile).name),
  };
}
