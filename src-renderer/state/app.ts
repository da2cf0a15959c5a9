import { create } from 'zustand';
import type { Profile, Settings } from '../../src-main/contract';
import { call } from '../app/api';

/** App-wide state: settings (language, active profile) and the profile list. */
interface AppState {
  settings: Settings | null;
  profiles: Profile[];
  loaded: boolean;
  /** The desktop app offers native file dialogs; the web preview does not. */
  nativeDialogs: boolean;
  setSettings(s: Settings): void;
  setNativeDialogs(on: boolean): void;
  setProfiles(p: Profile[]): void;
  setLoaded(): void;
}

export const useAppState = create<AppState>((set) => ({
  settings: null,
  profiles: [],
  loaded: false,
  nativeDialogs: false,
  setSettings: (settings) => set({ settings }),
  setNativeDialogs: (nativeDialogs) => set({ nativeDialogs }),
  setProfiles: (profiles) => set({ profiles }),
  setLoaded: () => set({ loaded: true }),
}));

/** The profile pages act on: the saved active one if it still exists, else the only/first one. */
export function activeProfileName(settings: Settings | null, profiles: Profile[]): string | null {
  const wanted = settings?.activeProfile;
  if (wanted && profiles.some((p) => p.name === wanted)) return wanted;
  return profiles[0]?.name ?? null;
}

export function useActiveProfile(): string | null {
  return useAppState((s) => activeProfileName(s.settings, s.profiles));
}

export async function refreshProfiles(): Promise<void> {
  const res = await call('profiles.list', {});
  if (res.ok) useAppState.getState().setProfiles(res.value);
}
