/**
 * The single factory for every BrowserWindow, plus the guards applied to every webContents and
 * session. The decisions themselves live in security-policy.ts (pure, unit-tested); this file
 * only wires them to Electron events.
 */
import { app, BrowserWindow, shell, type Session, type WebContents } from 'electron';
import { navigationGuard, permissionCheckHandler, permissionRequestHandler, stayInAppGuard, windowOpenHandler } from './guards';
import { APP_ENTRY_URL, secureWebPreferences } from './security-policy';

const hardenedContents = new WeakSet<WebContents>();
const hardenedSessions = new WeakSet<Session>();

function openExternally(url: string): void {
  // Only reached for URLs the decider approved (https, no credentials). Errors (no browser) are
  // not worth crashing the app for.
  shell.openExternal(url).catch(() => undefined);
}

/** Deny every permission request and check (camera, notifications, clipboard-read, HID, …). */
export function hardenSession(ses: Session): void {
  if (hardenedSessions.has(ses)) return;
  hardenedSessions.add(ses);
  ses.setPermissionRequestHandler(permissionRequestHandler);
  ses.setPermissionCheckHandler(permissionCheckHandler);
  ses.setDevicePermissionHandler(() => false);
}

/** Navigation, new windows and <webview> are refused for any webContents, ours or not. */
export function hardenWebContents(contents: WebContents): void {
  if (hardenedContents.has(contents)) return;
  hardenedContents.add(contents);
  hardenSession(contents.session);

  contents.on('will-navigate', navigationGuard(openExternally));
  // Subframes (our CSP already forbids frames) and server redirects never leave the app either.
  const stayInApp = stayInAppGuard();
  contents.on('will-frame-navigate', (event) => stayInApp(event, event.url));
  contents.on('will-redirect', (event, url) => stayInApp(event, url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(windowOpenHandler(openExternally));
}

/** Applies the guards to every webContents Electron ever creates (devtools, popups we missed, …). */
export function installGlobalGuards(): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
}

export interface MainWindowOptions {
  preload: string;
}

/** Creates the one kind of window Custodian has; nothing else calls `new BrowserWindow`. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 840,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'Custodian',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences({ preload: options.preload, isPackaged: app.isPackaged }),
  });
  hardenWebContents(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY_URL);
  return win;
}
