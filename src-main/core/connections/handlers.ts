import type { CoreContext } from '../context';
import type { Handlers } from '../ipc/dispatcher';
import { listProfiles, removeProfile, saveProfile } from './profile-store';
import { testProfile } from './test-connection';
import { discoverTools } from './tool-discovery';

/** IPC handlers of the connections capability. Passwords arrive in profiles.save and never go back. */
export function connectionHandlers(ctx: CoreContext): Pick<Handlers, 'profiles.list' | 'profiles.save' | 'profiles.remove' | 'profiles.test' | 'tools.discover'> {
  return {
    'profiles.list': () => listProfiles(ctx),
    'profiles.save': (input) => saveProfile(ctx, input),
    'profiles.remove': async ({ profile }) => ({ removed: await removeProfile(ctx, profile) }),
    'profiles.test': ({ profile }) => testProfile(ctx, profile),
    'tools.discover': () => discoverTools(ctx),
  };
}
