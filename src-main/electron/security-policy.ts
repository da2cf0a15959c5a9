/**
 * The Electron shell's security decisions as pure functions, so they are unit-tested without the
 * Electron binary (ARCHITECTURE.md §1). window-factory.ts and main.ts only wire these to Electron
 * events; nothing here imports electron at run time.
 *
 * Threats covered: a compromised or tricked renderer (XSS through data shown from a database,
 * a malicious link in an audit row) must not gain Node, navigate the privileged window to another
 * origin, open new windows, get device permissions, or call the core from a frame that is not ours.
 */

/** The renderer is served from app://custodian/ (a standard, secure custom scheme) rather than file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'custodian';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** The webPreferences every Custodian window gets; the window factory is the only caller. */
export interface SecureWebPreferences {
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webviewTag: false;
  spellcheck: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  navigateOnDragDrop: false;
  safeDialogs: true;
  preload: string;
  devTools: boolean;
}

export function secureWebPreferences(options: { preload: string; isPackaged: boolean }): SecureWebPreferences {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    spellcheck: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    // Dropping a file on the window must not navigate it to file://.
    navigateOnDragDrop: false,
    safeDialogs: true,
    preload: options.preload,
    // DevTools would let anyone at the keyboard call the core directly; only in development.
    devTools: !options.isPackaged,
  };
}

/**
 * The Content-Security-Policy sent with every app:// response. Scripts only from the app itself
 * (no inline script, no eval), styles only from the built stylesheet (the renderer avoids the Mantine
 * parts that inject <style> tags, and index.html carries the same policy for the web preview). No
 * network access at all: the renderer reaches the core only over IPC.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Headers every app:// response carries. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True only for URLs of the app itself (app://custodian/...). */
export function isAppUrl(url: string): boolean {
  const u = parseUrl(url);
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

/**
 * Links we are willing to hand to the OS browser: https only, a real host name, no credentials
 * (a `https://user:pass@host` link is a classic phishing shape). file:, http:, javascript:, data:
 * and custom schemes (which launch other programs) are refused.
 */
export function isSafeExternalUrl(url: string): boolean {
  const u = parseUrl(url);
  if (!u) return false;
  if (u.protocol !== 'https:') return false;
  if (u.username !== '' || u.password !== '') return false;
  return u.hostname.length > 0;
}

export interface NavigationDecision {
  /** Let the window itself go there (only our own pages). */
  allow: boolean;
  /** Hand the URL to the OS browser instead (only safe https links). */
  openExternally: boolean;
}

/** will-navigate / will-redirect: stay on app://custodian; anything else never loads in our window. */
export function decideNavigation(url: string): NavigationDecision {
  if (isAppUrl(url)) return { allow: true, openExternally: false };
  return { allow: false, openExternally: isSafeExternalUrl(url) };
}

/** setWindowOpenHandler: no new Electron windows, ever; safe https links go to the OS browser. */
export function decideWindowOpen(url: string): { action: 'deny'; openExternally: boolean } {
  return { action: 'deny', openExternally: isSafeExternalUrl(url) };
}

/** Permission request / check handlers: Custodian needs no camera, notifications, geolocation, … */
export function decidePermission(_permission: string): boolean {
  return false;
}

/** The parts of Electron's WebFrameMain the sender check reads. */
export interface FrameLike {
  url: string;
  origin: string;
  parent: unknown;
  processId: number;
  routingId: number;
}

/**
 * An IPC call is trusted only when it comes from the top frame of one of our windows, showing our
 * own origin. A subframe, a frame that navigated elsewhere, or a destroyed frame (null) is refused;
 * the dispatcher then answers with a Forbidden error.
 */
export function isTrustedSender(frame: FrameLike | null | undefined, ourMainFrame: FrameLike | null | undefined): boolean {
  if (!frame || !ourMainFrame) return false;
  if (frame.parent !== null) return false;
  if (frame.processId !== ourMainFrame.processId || frame.routingId !== ourMainFrame.routingId) return false;
  return frame.origin === APP_ORIGIN && isAppUrl(frame.url);
}

/** A short description of the caller for the Forbidden message (no query strings: they may hold data). */
export function describeSender(frame: FrameLike | null | undefined): string {
  if (!frame) return 'a closed or unknown frame';
  const u = parseUrl(frame.url);
  const where = u ? `${u.protocol}//${u.host}${u.pathname}` : 'an unparseable URL';
  return `${frame.parent === null ? 'top frame' : 'subframe'} at ${where}`;
}
