/**
 * The preview bridge's guards, with a fake dispatcher. Threats: another web page in the browser
 * (wrong Origin), a local process without the token, DNS rebinding (wrong Host), path traversal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src-main/contract/jobs';
import { PREVIEW_CSP, resolveStatic, startBridgeServer, tokensEqual, type BridgeServer } from '../../scripts/preview-bridge';

const calls: { channel: string; input: unknown; trusted: boolean }[] = [];
let emit: (e: JobEvent) => void = () => undefined;
let server: BridgeServer;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>x</title>');
  fs.writeFileSync(path.join(os.tmpdir(), 'bridge-secret.txt'), 'secret');
  server = await startBridgeServer({
    staticDir: dir,
    authTimeoutMs: 1000,
    dispatcher: {
      async dispatch(channel, input, caller) {
        calls.push({ channel, input, trusted: caller.trusted });
        return { ok: true, value: { echoed: channel } };
      },
    },
    onJobEvent(listener) {
      emit = listener;
      return () => {
        emit = () => undefined;
      };
    },
  });
});

afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Conn {
  ws: WebSocket;
  messages: unknown[];
  closed: Promise<number>;
  next(): Promise<unknown>;
}

function connect(origin: string, query = ''): Promise<Conn> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/bridge${query}`, { origin });
  const messages: unknown[] = [];
  const waiters: ((m: unknown) => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d));
    const w = waiters.shift();
    if (w) w(m);
    else messages.push(m);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.on('open', () =>
      resolve({
        ws,
        messages,
        closed,
        next: () => (messages.length ? Promise.resolve(messages.shift()) : new Promise((r) => waiters.push(r))),
      }),
    );
    ws.on('error', reject);
  });
}

describe('preview bridge', () => {
  it('refuses a socket from another origin with 1008 and dispatches nothing', async () => {
    const before = calls.length;
    const c = await connect('http://evil.example');
    c.ws.send(JSON.stringify({ token: server.token }));
    c.ws.send(JSON.stringify({ id: 1, channel: 'settings.get', input: {} }));
    expect(await c.closed).toBe(1008);
    expect(calls.length).toBe(before);
  });

  it('refuses a wrong token with 1008 and dispatches nothing', async () => {
    const before = calls.length;
    const c = await connect(server.origin);
    c.ws.send(JSON.stringify({ token: `${server.token.slice(0, -1)}x` }));
    c.ws.send(JSON.stringify({ id: 1, channel: 'settings.get', input: {} }));
    expect(await c.closed).toBe(1008);
    expect(calls.length).toBe(before);
  });

  it('refuses a call sent before the token', async () => {
    const before = calls.length;
    const c = await connect(server.origin);
    c.ws.send(JSON.stringify({ id: 1, channel: 'settings.get', input: {} }));
    expect(await c.closed).toBe(1008);
    expect(calls.length).toBe(before);
  });

  it('closes a socket that never authenticates', async () => {
    const c = await connect(server.origin);
    expect(await c.closed).toBe(1008);
  });

  it('dispatches as a trusted caller after the right token and pushes job events', async () => {
    const c = await connect(server.origin);
    c.ws.send(JSON.stringify({ token: server.token }));
    expect(await c.next()).toEqual({ ready: true });
    c.ws.send(JSON.stringify({ id: 7, channel: 'jobs.list', input: { limit: 5 } }));
    expect(await c.next()).toEqual({ id: 7, result: { ok: true, value: { echoed: 'jobs.list' } } });
    expect(calls.at(-1)).toEqual({ channel: 'jobs.list', input: { limit: 5 }, trusted: true });

    const event: JobEvent = { type: 'progress', jobId: 'j1', progress: { fraction: 0.5, message: 'half' } };
    emit(event);
    expect(await c.next()).toEqual({ event });
    c.ws.close();
  });

  it('does not push job events to unauthenticated sockets', async () => {
    const c = await connect(server.origin);
    emit({ type: 'progress', jobId: 'j2', progress: { fraction: 0.1, message: 'x' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(c.messages).toEqual([]);
    c.ws.close();
  });

  it('compares tokens in constant time regardless of length', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(tokensEqual('', 'abc')).toBe(false);
  });
});

function get(pathname: string, host = `127.0.0.1:${server.port}`): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: pathname, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('preview static server', () => {
  it('serves index.html with the CSP and nosniff headers', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toBe(PREVIEW_CSP);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('never serves files outside the renderer folder', async () => {
    expect((await get('/../bridge-secret.txt')).body).not.toContain('secret');
    expect((await get('/%2e%2e/bridge-secret.txt')).body).not.toContain('secret');
    expect((await get('/..%2fbridge-secret.txt')).body).not.toContain('secret');
    expect(resolveStatic('/srv/r', '/../etc/passwd')).toBeNull();
    expect(resolveStatic('/srv/r', '/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(resolveStatic('/srv/r', '/assets/a.js')).toBe(path.resolve('/srv/r/assets/a.js'));
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get('/', 'evil.example:80')).status).toBe(421);
  });

  it('matches the meta CSP of the renderer page (plus frame-ancestors)', () => {
    const html = fs.readFileSync(path.resolve('src-renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(`${meta}; frame-ancestors 'none'`).toBe(PREVIEW_CSP);
  });
});
