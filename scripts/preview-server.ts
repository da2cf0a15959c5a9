/**
 * The web preview (`npm run preview`): the built renderer on 127.0.0.1 and the real core behind the
 * token- and origin-guarded WebSocket bridge (preview-bridge.ts). Never packaged.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore, closeCore } from '../src-main/core/create-core';
import { createCoreDispatcher } from '../src-main/core/handlers';
import { startMissedBackupWatch } from '../src-main/core/backup/missed-watch';
import { startBridgeServer } from './preview-bridge';

export interface PreviewOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: '127.0.0.1';
  env?: NodeJS.ProcessEnv;
  staticDir?: string;
}

export interface PreviewHandle {
  /** Open this in a browser; the fragment carries the one-time token. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export const DEFAULT_STATIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'renderer');

export async function startPreview(opts: PreviewOptions = {}): Promise<PreviewHandle> {
  const ctx = createCore({ env: opts.env ?? process.env, preview: true });
  const dispatcher = createCoreDispatcher(ctx);
  const bridge = await startBridgeServer({
    staticDir: opts.staticDir ?? DEFAULT_STATIC_DIR,
    dispatcher,
    onJobEvent: (listener) => ctx.jobs.onEvent(listener),
    port: opts.port ?? 0,
  });
  const stopWatch = startMissedBackupWatch(ctx);
  return {
    url: bridge.url,
    port: bridge.port,
    token: bridge.token,
    async close() {
      stopWatch();
      await bridge.close();
      await closeCore(ctx);
    },
  };
}
