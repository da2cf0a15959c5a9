/**
 * Preload (sandboxed, bundled to dist-electron/preload.cjs). The only file that touches
 * ipcRenderer. Exposes `window.api` = { invoke, onJobEvent } generated from the contract, nothing
 * else: no ipcRenderer, no Node, no generic send.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridgeApi } from './bridge';

contextBridge.exposeInMainWorld(
  'api',
  createBridgeApi({
    invoke: (channel, input) => ipcRenderer.invoke(channel, input),
    on: (channel, listener) => ipcRenderer.on(channel, listener),
    removeListener: (channel, listener) => ipcRenderer.removeListener(channel, listener),
  }),
);
