/**
 * Electron main process: app lifecycle, the app:// protocol, and the ipcMain adapter onto the
 * plain-Node core. Everything that matters lives in the core (tested without Electron); this file
 * is wiring only. Bundled by scripts/build-electron.mjs to dist-electron/main.js (ESM).
 */
import { app, BrowserWindow, dialog, ipcMain, protocol, type IpcMainInvokeEvent } from 'electron';
import Store from 'electron-store';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHANNELS, JOB_EVENT_CHANNEL } from '../contract/channels';
import { closeCore, createCore } from '../core/create-core';
import { createCoreDispatcher } from '../core/handlers';
import type { CallerInfo } from '../core/ipc/dispatcher';
import type { CoreContext } from '../core/context';
import { SETTINGS_FILE_NAME } from '../store/settings';
import { contentTypeFor, resolveAppAsset } from './app-protocol';
import { APP_SCHEME, appResponseHeaders, describeSender, isTrustedSender, type FrameLike } from './security-policy';
import { createMainWindow, installGlobalGuards } from './window-factory';
import { cliArgvFrom } from './cli-mode';
import { main as runCli } from '../cli/main';
import { startMissedBackupWatch } from '../core/backup/missed-watch';
import { startAlertNotifier } from './alert-notifier';
import { registerPdfRenderer } from '../core/drill/report-pdf';
import { chosenPath, dialogPlan } from './file-dialogs';

// Must happen before `ready`: app:// behaves like https (standard origin, secure context) so the
// renderer gets a real origin for the sender check and CSP 'self'. No bypassCSP, no CORS.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();
installGlobalGuards();

const here = path.dirname(fileURLToPath(import.meta.url));
const windows = new Set<BrowserWindow>();

function openWindow(): BrowserWindow {
  const win = createMainWindow({ preload: path.join(here, 'preload.cjs') });
  windows.add(win);
  win.on('closed', () => windows.delete(win));
  return win;
}

/** The sender check: the call must come from the top frame of one of *our* windows on app://custodian. */
function callerOf(event: IpcMainInvokeEvent): CallerInfo {
  try {
    const win = BrowserWindow.fromWebContents(event.sender);
    const ours: FrameLike | null = win && windows.has(win) ? win.webContents.mainFrame : null;
    const frame: FrameLike | null = event.senderFrame;
    return { trusted: isTrustedSender(frame, ours), description: describeSender(frame) };
  } catch {
    // A frame disposed mid-call throws on property access: not a caller we can vouch for.
    return { trusted: false, description: 'a disposed frame' };
  }
}

function serveRenderer(rendererRoot: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const notFound = () => new Response('Not found', { status: 404, headers: appResponseHeaders('text/plain; charset=utf-8') });
    if (request.method !== 'GET') return new Response('Method not allowed', { status: 405, headers: appResponseHeaders('text/plain; charset=utf-8') });
    const file = resolveAppAsset(rendererRoot, request.url);
    if (!file) return notFound();
    try {
      return new Response(await readFile(file), { status: 200, headers: appResponseHeaders(contentTypeFor(file)) });
    } catch {
      return notFound();
    }
  });
}

/**
 * The architecture says the app reads settings through electron-store and the CLI through `conf`.
 * electron-store *is* conf with Electron defaults, so pointing it at the core's data folder and
 * file name (src-main/store/settings.ts: cwd = ctx.home, name 'settings') makes both read one
 * settings.json. The IPC handlers keep using the core's openSettings (so the CLI, the preview and
 * the app share one tested code path, with schema validation); this instance is for main-process
 * reads only and never writes.
 */
function openAppSettings(ctx: CoreContext): Store<Record<string, unknown>> | null {
  try {
    return new Store<Record<string, unknown>>({ cwd: ctx.home, name: SETTINGS_FILE_NAME });
  } catch {
    return null; // an unreadable file: the core's openSettings falls back to defaults on its own
  }
}

async function start(): Promise<void> {
  await app.whenReady();
  const ctx = createCore();
  ctx.version = app.getVersion();
  const appSettings = openAppSettings(ctx);
  if (!app.isPackaged && appSettings) console.log(`Custodian settings: ${appSettings.path}`);

  // Native file dialogs, attached to the focused window so they are modal to it.
  const dispatcher = createCoreDispatcher(ctx, {
    'app.pickPath': async (req) => {
      const plan = dialogPlan(req);
      const win = BrowserWindow.getFocusedWindow() ?? [...windows][0];
      if (plan.dialog === 'save') {
        const r = win ? await dialog.showSaveDialog(win, plan.options) : await dialog.showSaveDialog(plan.options);
        return { path: chosenPath(plan, r) };
      }
      const r = win ? await dialog.showOpenDialog(win, plan.options) : await dialog.showOpenDialog(plan.options);
      return { path: chosenPath(plan, r) };
    },
  });
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, (event, input: unknown) => dispatcher.dispatch(channel, input, callerOf(event)));
  }
  const stopJobEvents = ctx.jobs.onEvent((jobEvent) => {
    for (const win of windows) if (!win.isDestroyed()) win.webContents.send(JOB_EVENT_CHANNEL, jobEvent);
  });

  // Drill reports print to PDF with Electron's own Chromium: a hidden, sandboxed window without
  // JavaScript or preload (the report is static HTML built by the core).
  registerPdfRenderer(async (html) => {
    const win = new BrowserWindow({ show: false, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false } });
    try {
      await win.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
      return await win.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
    } finally {
      win.destroy();
    }
  });
  const stopMissedBackupWatch = startMissedBackupWatch(ctx);
  const stopAlertNotifier = startAlertNotifier(ctx, () => {
    const win = [...windows][0] ?? openWindow();
    win.show();
    win.focus();
  });
  serveRenderer(path.join(app.getAppPath(), 'dist', 'renderer'));
  openWindow();

  app.on('second-instance', () => {
    const win = [...windows][0] ?? openWindow();
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('activate', () => {
    if (windows.size === 0) openWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Close the core (cancel running jobs so their child processes stop, close SQLite) before exit.
  let closing = false;
  app.on('will-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    stopJobEvents();
    stopMissedBackupWatch();
    stopAlertNotifier();
    for (const channel of CHANNELS) ipcMain.removeHandler(channel);
    closeCore(ctx)
      .catch((e: unknown) => console.error('Custodian: closing the core failed:', e))
      .finally(() => app.exit(0));
  });
}

const cliArgv = cliArgvFrom(process.argv);
if (cliArgv) {
  // `Custodian --cli backup run ...` from the OS scheduler: no window, no single-instance lock
  // (a scheduled backup must run while the app is open); SQLite's WAL mode handles the sharing.
  app.dock?.hide();
  runCli(cliArgv)
    .catch(() => {
      process.exitCode = 1;
    })
    .finally(() => app.exit(typeof process.exitCode === 'number' ? process.exitCode : 0));
} else if (!app.requestSingleInstanceLock()) {
  // One Custodian window per user: two would race on running jobs.
  app.quit();
} else {
  start().catch((e: unknown) => {
    console.error('Custodian failed to start:', e);
    app.exit(1);
  });
}
