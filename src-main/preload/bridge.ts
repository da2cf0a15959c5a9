import { CHANNELS, JOB_EVENT_CHANNEL } from '../contract/channels';
import type { CustodianApi } from '../contract/api';
import type { Result } from '../contract/errors';
import type { JobEvent } from '../contract/jobs';

/**
 * The renderer's whole API, generated from the contract's channel list. Kept free of electron
 * imports (the transport is passed in) so it is unit-tested; preload/index.ts hands it
 * ipcRenderer and exposes the result with contextBridge.
 */
export interface IpcTransport {
  invoke(channel: string, input: unknown): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

export function createBridgeApi(ipc: IpcTransport): CustodianApi {
  const allowed = new Set<string>(CHANNELS);
  return {
    invoke(channel, input) {
      // Refuse here as well as in main: the preload is the renderer's only door, and a channel that
      // is not in the contract must not reach ipcMain at all (e.g. Electron-internal channels).
      if (typeof channel !== 'string' || !allowed.has(channel)) {
        const refused: Result<never> = {
          ok: false,
          error: { kind: 'Validation', message: `Unknown channel "${String(channel)}".`, hint: 'Update Custodian: the window and the core disagree on the contract.' },
        };
        return Promise.resolve(refused);
      }
      // main answers every call with a Result envelope (the dispatcher never throws).
      return ipc.invoke(channel, input) as Promise<Result<never>>;
    },
    onJobEvent(listener) {
      if (typeof listener !== 'function') throw new TypeError('onJobEvent needs a function');
      // The IpcRendererEvent (with its `sender`) never reaches the page: only the payload does.
      const wrapped = (_event: unknown, payload: unknown) => listener(payload as JobEvent);
      ipc.on(JOB_EVENT_CHANNEL, wrapped);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipc.removeListener(JOB_EVENT_CHANNEL, wrapped);
      };
    },
  };
}
