/**
 * The web preview's HTTP + WebSocket server, independent of the core so its security checks are
 * unit-tested with a fake dispatcher (test/unit/preview-bridge.test.ts). preview-server.ts wires it
 * to the real core. Development and test tool only: never packaged.
 *
 * Threats covered: another web page in the user's browser (wrong Origin) or another local user /
 * process (no token) driving the core through the bridge; DNS rebinding (Host header check); the
 * static server reading files outside the renderer bundle (path traversal).
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Result } from '../src-main/contract/errors';
import type { JobEvent } from '../src-main/contract/jobs';

/** Same policy as src-renderer/index.html's meta tag, plus frame-ancestors (header-only). */
export const PREVIEW_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws://127.0.0.1:*",
  "worker-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface BridgeDispatcher {
  dispatch(channel: string, rawInput: unknown, caller: { trusted: boolean; description: string }): Promise<Result<unknown>>;
}

export interface BridgeOptions {
  staticDir: string;
  dispatcher: BridgeDispatcher;
  /** Subscribe to job events; returns the unsubscribe function. */
  onJobEvent(listener: (event: JobEvent) => void): () => void;
  port?: number;
  /** Tests may fix the token; normally 32 random bytes per run. */
  token?: string;
  /** How long a socket may stay unauthenticated. */
  authTimeoutMs?: number;
}

export interface BridgeServer {
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const POLICY_VIOLATION = 1008;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** Constant-time comparison of two strings of any length (hash first, so lengths never leak). */
export function tokensEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** The file under root a URL path names, or null when it would escape root. */
export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = path.resolve(root);
  const full = path.resolve(base, rel);
  if (full !== base && !full.startsWith(base + path.sep)) return null;
  return full;
}

function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': PREVIEW_CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

export async function startBridgeServer(opts: BridgeOptions): Promise<BridgeServer> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const authTimeoutMs = opts.authTimeoutMs ?? 5000;
  let origin = '';
  let hostHeader = '';

  const server = http.createServer((req, res) => {
    const headers = securityHeaders();
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 arrives with its own Host.
    if (req.headers.host !== hostHeader) {
      res.writeHead(421, { ...headers, 'Content-Type': 'text/plain' }).end('Wrong host');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Method not allowed');
      return;
    }
    const file = resolveStatic(opts.staticDir, req.url ?? '/');
    if (!file) {
      res.writeHead(400, { ...headers, 'Content-Type': 'text/plain' }).end('Bad path');
      return;
    }
    fs.stat(file, (err, stat) => {
      if (err || !stat.isFile()) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('Not found');
        return;
      }
      const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': String(stat.size) });
      if (req.method === 'HEAD') res.end();
      else fs.createReadStream(file).pipe(res);
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const authenticated = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname !== '/bridge' || req.headers.host !== hostHeader) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // A browser always sends Origin; only our own page's origin may talk to the core.
      if (req.headers.origin !== origin) {
        ws.close(POLICY_VIOLATION, 'Origin not allowed');
        return;
      }
      const timer = setTimeout(() => ws.close(POLICY_VIOLATION, 'Not authenticated'), authTimeoutMs);
      ws.on('close', () => {
        clearTimeout(timer);
        authenticated.delete(ws);
      });
      ws.on('message', (data) => {
        let msg: { token?: unknown; id?: unknown; channel?: unknown; input?: unknown };
        try {
          msg = JSON.parse(String(data));
        } catch {
          ws.close(POLICY_VIOLATION, 'Bad message');
          return;
        }
        if (!authenticated.has(ws)) {
          // The first message must be the token; anything else ends the connection, nothing dispatched.
          if (typeof msg.token === 'string' && tokensEqual(msg.token, token)) {
            clearTimeout(timer);
            authenticated.add(ws);
            ws.send(JSON.stringify({ ready: true }));
          } else {
            ws.close(POLICY_VIOLATION, 'Bad token');
          }
          return;
        }
        if (typeof msg.id !== 'number' || typeof msg.channel !== 'string') {
          ws.close(POLICY_VIOLATION, 'Bad message');
          return;
        }
        const id = msg.id;
        void opts.dispatcher
          .dispatch(msg.channel, msg.input, { trusted: true, description: 'preview page (token and origin checked)' })
          .then((result) => {
            if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result }));
          });
      });
    });
  });

  const unsubscribe = opts.onJobEvent((event) => {
    const payload = JSON.stringify({ event });
    for (const ws of authenticated) if (ws.readyState === ws.OPEN) ws.send(payload);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${HOST}:${port}`;
  hostHeader = `${HOST}:${port}`;

  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
