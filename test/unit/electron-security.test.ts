// The Electron shell's security decisions, tested as pure functions (no Electron binary here).
// Threat: a renderer compromised through data it displays (XSS in an audit row, a hostile link)
// trying to gain Node, leave the app origin, open windows or programs, get device permissions,
// read files outside the renderer bundle, or call the core from a frame that is not ours.
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { cliArgvFrom } from '../../src-main/electron/cli-mode';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  appResponseHeaders,
  decideNavigation,
  decidePermission,
  decideWindowOpen,
  describeSender,
  isSafeExternalUrl,
  isTrustedSender,
  secureWebPreferences,
  type FrameLike,
} from '../../src-main/electron/security-policy';
import { contentTypeFor, resolveAppAsset } from '../../src-main/electron/app-protocol';
import {
  navigationGuard,
  permissionCheckHandler,
  permissionRequestHandler,
  stayInAppGuard,
  windowOpenHandler,
} from '../../src-main/electron/guards';
import { createBridgeApi, type IpcTransport } from '../../src-main/preload/bridge';
import { CHANNELS, JOB_EVENT_CHANNEL } from '../../src-main/contract/channels';

describe('window preferences', () => {
  it('isolates the renderer: context isolation, sandbox, no Node, no webview', () => {
    const prefs = secureWebPreferences({ preload: '/app/preload.cjs', isPackaged: true });
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      preload: '/app/preload.cjs',
    });
  });

  it('allows DevTools only when the app is not packaged', () => {
    expect(secureWebPreferences({ preload: 'p', isPackaged: true }).devTools).toBe(false);
    expect(secureWebPreferences({ preload: 'p', isPackaged: false }).devTools).toBe(true);
  });
});

describe('navigation decider', () => {
  it('lets the window move within app://custodian', () => {
    expect(decideNavigation(APP_ENTRY_URL)).toEqual({ allow: true, openExternally: false });
    expect(decideNavigation(`${APP_ORIGIN}/index.html#/keys`).allow).toBe(true);
  });

  it.each([
    'https://example.org/',
    'http://example.org/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'app://custodian.evil.example/index.html',
    'app://evil@custodian/index.html',
    'app://other/index.html',
    'not a url',
  ])('refuses to load %s in the window', (url) => {
    expect(decideNavigation(url).allow).toBe(false);
  });

  it('hands only safe https links to the OS browser', () => {
    expect(decideNavigation('https://konote.ca/help').openExternally).toBe(true);
    expect(decideNavigation('http://konote.ca/help').openExternally).toBe(false);
    expect(decideNavigation('file:///C:/Windows/System32/calc.exe').openExternally).toBe(false);
  });

  it('never opens a new Electron window', () => {
    expect(decideWindowOpen('https://konote.ca/')).toEqual({ action: 'deny', openExternally: true });
    expect(decideWindowOpen(APP_ENTRY_URL)).toEqual({ action: 'deny', openExternally: false });
    expect(decideWindowOpen('javascript:alert(1)')).toEqual({ action: 'deny', openExternally: false });
  });
});

describe('event handlers attached by the window factory', () => {
  const fakeEvent = () => ({ preventDefault: vi.fn() });

  it('will-navigate: lets app pages load, blocks the rest, opens only safe links outside', () => {
    const openExternal = vi.fn();
    const guard = navigationGuard(openExternal);

    const inApp = fakeEvent();
    guard(inApp, `${APP_ORIGIN}/index.html#/backups`);
    expect(inApp.preventDefault).not.toHaveBeenCalled();

    const link = fakeEvent();
    guard(link, 'https://konote.ca/docs');
    expect(link.preventDefault).toHaveBeenCalledOnce();
    expect(openExternal).toHaveBeenCalledWith('https://konote.ca/docs');

    const hostile = fakeEvent();
    guard(hostile, 'file:///etc/shadow');
    expect(hostile.preventDefault).toHaveBeenCalledOnce();
    expect(openExternal).toHaveBeenCalledTimes(1);
  });

  it('will-frame-navigate / will-redirect: block without opening anything', () => {
    const guard = stayInAppGuard();
    const out = fakeEvent();
    guard(out, 'https://konote.ca/');
    expect(out.preventDefault).toHaveBeenCalledOnce();
    const inApp = fakeEvent();
    guard(inApp, APP_ENTRY_URL);
    expect(inApp.preventDefault).not.toHaveBeenCalled();
  });

  it('window.open: always denied; safe links handed to the OS browser, others dropped', () => {
    const openExternal = vi.fn();
    const handler = windowOpenHandler(openExternal);
    expect(handler({ url: 'https://konote.ca/' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'ms-settings:privacy' })).toEqual({ action: 'deny' });
    expect(handler({ url: APP_ENTRY_URL })).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://konote.ca/']]);
  });

  it('permission request and check handlers answer no', () => {
    const callback = vi.fn();
    permissionRequestHandler(null, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    expect(permissionCheckHandler(null, 'clipboard-read')).toBe(false);
  });
});

describe('external URL decider', () => {
  it('allows plain https links', () => {
    expect(isSafeExternalUrl('https://www.postgresql.org/docs/15/app-pgdump.html')).toBe(true);
  });

  it.each([
    ['http (cleartext)', 'http://example.org/'],
    ['file', 'file:///etc/passwd'],
    ['javascript', 'javascript:alert(document.cookie)'],
    ['data', 'data:text/html,hi'],
    ['custom scheme launching another program', 'ms-msdt:/id PCWDiagnostic'],
    ['custom scheme (smb)', 'smb://attacker/share'],
    ['our own scheme', 'app://custodian/index.html'],
    ['credentials in the URL', 'https://user:pass@example.org/'],
    ['a user name in the URL', 'https://konote.ca@evil.example/'],
    ['unparseable', 'https//missing-colon'],
    ['empty', ''],
  ])('refuses %s', (_label, url) => {
    expect(isSafeExternalUrl(url)).toBe(false);
  });
});

describe('IPC sender check', () => {
  const ourTop: FrameLike = { url: APP_ENTRY_URL, origin: APP_ORIGIN, parent: null, processId: 4, routingId: 1 };

  it('trusts the top frame of our window on app://custodian', () => {
    expect(isTrustedSender({ ...ourTop }, ourTop)).toBe(true);
  });

  it('refuses a subframe, even on our origin', () => {
    expect(isTrustedSender({ ...ourTop, routingId: 7, parent: ourTop }, ourTop)).toBe(false);
    expect(isTrustedSender({ ...ourTop, parent: ourTop }, ourTop)).toBe(false);
  });

  it('refuses our window after it navigated to another origin', () => {
    expect(isTrustedSender({ ...ourTop, url: 'https://evil.example/', origin: 'https://evil.example' }, ourTop)).toBe(false);
    expect(isTrustedSender({ ...ourTop, url: 'file:///tmp/x.html', origin: 'file://' }, ourTop)).toBe(false);
    // origin spoofed but URL elsewhere (or the reverse) is still refused
    expect(isTrustedSender({ ...ourTop, url: 'https://evil.example/' }, ourTop)).toBe(false);
    expect(isTrustedSender({ ...ourTop, origin: 'null' }, ourTop)).toBe(false);
  });

  it('refuses a frame of another webContents and a window that is not ours', () => {
    expect(isTrustedSender({ ...ourTop, processId: 5 }, ourTop)).toBe(false);
    expect(isTrustedSender({ ...ourTop }, null)).toBe(false);
  });

  it('refuses a null (destroyed) frame', () => {
    expect(isTrustedSender(null, ourTop)).toBe(false);
    expect(isTrustedSender(undefined, ourTop)).toBe(false);
  });

  it('describes the sender without its query string', () => {
    const d = describeSender({ ...ourTop, url: 'https://evil.example/p?token=secret', parent: ourTop });
    expect(d).toContain('subframe');
    expect(d).toContain('https://evil.example/p');
    expect(d).not.toContain('secret');
    expect(describeSender(null)).toMatch(/closed|unknown/);
  });
});

describe('permission decider', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'hid', 'serial', 'usb', 'fullscreen', 'unknown'])(
    'denies %s',
    (permission) => {
      expect(decidePermission(permission)).toBe(false);
    },
  );
});

describe('content security policy', () => {
  const directives = Object.fromEntries(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );

  it("defaults to 'self' and forbids eval and inline script", () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(directives['script-src']).toEqual(["'self'"]);
  });

  it('forbids plugins, framing, base-URI hijack and form posts', () => {
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    expect(directives['form-action']).toEqual(["'none'"]);
  });

  it('is sent with every app:// response, with nosniff', () => {
    const headers = appResponseHeaders('text/html; charset=utf-8');
    expect(headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
    expect(headers['Content-Type']).toBe('text/html; charset=utf-8');
  });
});

describe('app:// file resolution', () => {
  const root = path.resolve('/srv/custodian/dist/renderer');

  it('serves files inside the renderer bundle, index.html for /', () => {
    expect(resolveAppAsset(root, 'app://custodian/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppAsset(root, 'app://custodian/assets/index-abc.js')).toBe(path.join(root, 'assets', 'index-abc.js'));
    expect(resolveAppAsset(root, 'app://custodian/assets/a%20b.css')).toBe(path.join(root, 'assets', 'a b.css'));
  });

  it.each([
    'app://custodian/../../settings.json', // URL parsing folds these to /settings.json inside root
    'app://custodian/%2e%2e/%2e%2e/settings.json',
    'app://custodian/assets/..%2f..%2f..%2fsettings.json',
    'app://custodian/..%2f..%2f..%2f..%2fetc%2fpasswd',
    'app://custodian/%2fetc%2fpasswd',
  ])('never resolves %s outside the renderer folder', (url) => {
    const resolved = resolveAppAsset(root, url);
    expect(resolved === null || resolved.startsWith(root + path.sep)).toBe(true);
  });

  it('refuses the decoded ../ escape outright', () => {
    expect(resolveAppAsset(root, 'app://custodian/assets/..%2f..%2f..%2fsettings.json')).toBeNull();
    expect(resolveAppAsset(root, 'app://custodian/..%2f..%2fetc%2fpasswd')).toBeNull();
  });

  it.each([
    ['a backslash escape (Windows)', 'app://custodian/..%5c..%5csettings.json'],
    ['a NUL byte', 'app://custodian/%00index.html'],
    ['a malformed escape', 'app://custodian/%E0%A4%A'],
    ['another host', 'app://other/index.html'],
    ['another scheme', 'file:///srv/custodian/dist/renderer/index.html'],
  ])('refuses %s', (_label, url) => {
    expect(resolveAppAsset(root, url)).toBeNull();
  });

  it('labels content types so nosniff does not break scripts', () => {
    expect(contentTypeFor('/x/index.html')).toMatch(/^text\/html/);
    expect(contentTypeFor('/x/a.JS')).toMatch(/^text\/javascript/);
    expect(contentTypeFor('/x/blob.bin')).toBe('application/octet-stream');
  });
});

describe('preload bridge', () => {
  function fakeIpc() {
    const listeners = new Map<string, Set<(e: unknown, p: unknown) => void>>();
    const ipc: IpcTransport & { emit(channel: string, payload: unknown): void } = {
      invoke: vi.fn(async (channel: string) => ({ ok: true, value: channel })),
      on: (channel, l) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(l)),
      removeListener: (channel, l) => listeners.get(channel)?.delete(l),
      emit: (channel, payload) => listeners.get(channel)?.forEach((l) => l({ sender: 'ipc-internals' }, payload)),
    };
    return ipc;
  }

  it('forwards contract channels and refuses anything else without reaching ipcMain', async () => {
    const ipc = fakeIpc();
    const api = createBridgeApi(ipc);
    expect(CHANNELS).toContain('app.info');
    await expect(api.invoke('app.info', {})).resolves.toEqual({ ok: true, value: 'app.info' });
    const refused = await api.invoke('ELECTRON_BROWSER_REQUIRE' as 'app.info', {});
    expect(refused).toMatchObject({ ok: false, error: { kind: 'Validation' } });
    expect(ipc.invoke).toHaveBeenCalledTimes(1);
  });

  it('delivers job events without the IPC event object, and unsubscribes', () => {
    const ipc = fakeIpc();
    const api = createBridgeApi(ipc);
    const seen: unknown[] = [];
    const off = api.onJobEvent((e) => seen.push(e));
    ipc.emit(JOB_EVENT_CHANNEL, { type: 'state', jobId: 'j1' });
    off();
    off(); // idempotent
    ipc.emit(JOB_EVENT_CHANNEL, { type: 'state', jobId: 'j2' });
    expect(seen).toEqual([{ type: 'state', jobId: 'j1' }]);
  });

  it('exposes only invoke and onJobEvent', () => {
    expect(Object.keys(createBridgeApi(fakeIpc())).sort()).toEqual(['invoke', 'onJobEvent']);
  });
});

describe('packaged CLI mode (scheduled jobs run "Custodian --cli <verb>")', () => {
  it('routes --cli and what follows to the CLI, and anything else to the window', () => {
    expect(cliArgvFrom(['/Applications/Custodian.app/Contents/MacOS/Custodian', '--cli', 'backup', 'run', '--json'])).toEqual(['/Applications/Custodian.app/Contents/MacOS/Custodian', 'custodian', 'backup', 'run', '--json']);
    expect(cliArgvFrom(['C:\\Custodian\\Custodian.exe'])).toBeNull();
    expect(cliArgvFrom(['/opt/Custodian/custodian', '--no-sandbox'])).toBeNull();
  });
  it('keeps the policy strict: no inline styles or scripts', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("style-src 'self';");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });
});
