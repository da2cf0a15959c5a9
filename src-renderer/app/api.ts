/**
 * The ONLY module that touches window.api. In Electron the preload exposes `window.api`
 * ({ invoke, onJobEvent }); in the web preview the same contract travels over a WebSocket to
 * the preview bridge (scripts/preview-bridge.ts), authenticated by a one-time token.
 */
import type { CustodianApi } from '../../src-main/contract/api';
import type { Channel, ChannelInput, ChannelOutput } from '../../src-main/contract/channels';
import type { Result } from '../../src-main/contract/errors';
import type { JobEvent } from '../../src-main/contract/jobs';

export type { CustodianApi };

const TOKEN_KEY = 'custodian.previewToken';

let testApi: CustodianApi | null = null;
let realApi: CustodianApi | null = null;

/** Renderer tests inject a fake API; pass null to go back to the real one. */
export function setApiForTests(api: CustodianApi | null): void {
  testApi = api;
}

export function getApi(): CustodianApi {
  if (testApi) return testApi;
  if (!realApi) {
    const exposed = (window as unknown as { api?: CustodianApi }).api;
    realApi = exposed ?? createPreviewClient(takePreviewToken());
  }
  return realApi;
}

/** Shorthand used by pages: `call('profiles.list', {})`. Never throws; always a Result. */
export function call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>> {
  return getApi().invoke(channel, input);
}

/**
 * The preview URL carries `#token=...` once. Take it, drop it from the address bar and history
 * (so it is not bookmarked, shared or shown), and keep it for this tab only so a reload reconnects.
 */
export function takePreviewToken(): string | null {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match?.[1]) {
    try {
      window.sessionStorage.setItem(TOKEN_KEY, match[1]);
    } catch {
      // Storage disabled: the token still works for this page load.
    }
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return match[1];
  }
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

type Pending = (result: Result<never>) => void;

function disconnected(message: string): Result<never> {
  return { ok: false, error: { kind: 'Internal', message, hint: 'Reload the page. In the web preview, start it again with npm run preview.' } };
}

/** WebSocket client for the preview bridge: `{id, channel, input}` out, `{id, result}` / `{event}` in. */
export function createPreviewClient(token: string | null): CustodianApi {
  const listeners = new Set<(event: JobEvent) => void>();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let ready: Promise<WebSocket> | null = null;

  function connect(): Promise<WebSocket> {
    if (ready) return ready;
    ready = new Promise<WebSocket>((resolve, reject) => {
      if (!token) {
        reject(new Error('This page was opened without its access token. Open the address printed by npm run preview.'));
        return;
      }
      const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
      const ws = new WebSocket(`${scheme}//${window.location.host}/bridge`);
      let authenticated = false;
      ws.addEventListener('open', () => ws.send(JSON.stringify({ token })));
      ws.addEventListener('message', (msg) => {
        let data: { ready?: boolean; id?: number; result?: Result<never>; event?: JobEvent };
        try {
          data = JSON.parse(String(msg.data));
        } catch {
          return;
        }
        if (data.ready) {
          authenticated = true;
          resolve(ws);
        } else if (data.event) {
          for (const l of listeners) l(data.event);
        } else if (typeof data.id === 'number' && data.result) {
          pending.get(data.id)?.(data.result);
          pending.delete(data.id);
        }
      });
      ws.addEventListener('close', () => {
        ready = null;
        if (!authenticated) reject(new Error('The preview refused the connection (wrong or expired token).'));
        for (const settle of pending.values()) settle(disconnected('Lost the connection to the preview.'));
        pending.clear();
      });
    });
    // A failed attempt is retried on the next call rather than cached forever.
    ready.catch(() => {
      ready = null;
    });
    return ready;
  }

  return {
    async invoke(channel, input) {
      let ws: WebSocket;
      try {
        ws = await connect();
      } catch (e) {
        return disconnected(e instanceof Error ? e.message : String(e));
      }
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve as Pending);
        ws.send(JSON.stringify({ id, channel, input }));
      });
    },
    onJobEvent(listener) {
      listeners.add(listener);
      // Subscribing alone opens the socket, so events arrive even before the first call.
      void connect().catch(() => undefined);
      return () => listeners.delete(listener);
    },
  };
}
