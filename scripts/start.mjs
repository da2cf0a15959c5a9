#!/usr/bin/env node
// `npm start`: everything a fresh machine needs, then the app.
//   1. Linux without a D-Bus session: re-run inside a private one with gnome-keyring (keys need
//      a Secret Service to live in).
//   2. node_modules missing: `npm ci` (without the Electron binary download, which may be blocked).
//   3. The renderer build is missing or older than its sources: `vite build`.
//   4. No connection profile yet: `custodian sandbox up`, so the app opens on the practice sandbox.
//   5. The Electron binary is available (or can be fetched now): build the shell and launch it.
//      Otherwise say so plainly and open the web preview (the same UI and core in the browser).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isWindows = process.platform === 'win32';
const say = (line) => console.log(`[custodian] ${line}`);
const run = (cmd, args, options = {}) =>
  spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: isWindows && cmd === 'npm', ...options }).status === 0;
const node = (args, options) => run(process.execPath, args, options);
const onPath = (cmd) => !isWindows && spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const fail = (line) => {
  say(line);
  process.exit(1);
};

// 1. Secret Service on Linux. A desktop session always has one; ssh/headless sessions do not.
if (process.platform === 'linux' && !process.env.DBUS_SESSION_BUS_ADDRESS && !process.env.CUSTODIAN_START_DBUS) {
  if (onPath('dbus-run-session') && onPath('gnome-keyring-daemon')) {
    say('No desktop keyring is reachable (no D-Bus session): starting a private one with gnome-keyring for this run.');
    say('Note: keys saved this way are kept in ~/.local/share/keyrings/login.keyring and are still there next time,');
    say('but that keyring is locked with an EMPTY password, so anyone who can read your home folder can read them.');
    say('On a shared machine, start Custodian from a desktop session whose keyring has a real password instead.');
    // The daemon reads the unlock password up to end of input: a lone newline is the empty
    // password (with no input at all it tries to prompt, which fails without a display).
    const inner = `printf '\\n' | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$0" "$@"`;
    const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', inner, process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, CUSTODIAN_START_DBUS: '1' },
    });
    process.exit(r.status ?? 1);
  }
  say('No D-Bus session, and dbus-run-session / gnome-keyring-daemon are not installed: the keychain will be unavailable.');
  say('Install them (sudo apt-get install dbus gnome-keyring) or start Custodian from a desktop session.');
}

// 2. Dependencies.
if (!existsSync(path.join(root, 'node_modules'))) {
  say('Installing dependencies (npm ci)…');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'], { env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } })) fail('npm ci failed (see above).');
}

// better-sqlite3 is compiled for one runtime: Node (the CLI, tests) or Electron (a different ABI).
// Keep both builds beside each other and swap the live one, so the CLI keeps working after the
// app closes and the Electron build is compiled only once.
const sqliteDir = path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release');
const liveSqlite = path.join(sqliteDir, 'better_sqlite3.node');
const sqliteMarker = path.join(sqliteDir, 'better_sqlite3.runtime');
function useSqliteFor(runtime) {
  const current = existsSync(sqliteMarker) ? readFileSync(sqliteMarker, 'utf8').trim() : 'node';
  if (current === runtime || !existsSync(liveSqlite)) return true;
  copyFileSync(liveSqlite, `${liveSqlite}.${current}`);
  if (existsSync(`${liveSqlite}.${runtime}`)) copyFileSync(`${liveSqlite}.${runtime}`, liveSqlite);
  else if (!node([path.join(root, 'node_modules', 'electron-builder', 'cli.js'), 'install-app-deps'])) {
    copyFileSync(`${liveSqlite}.${current}`, liveSqlite); // leave the working build in place
    return false;
  }
  writeFileSync(sqliteMarker, runtime);
  return true;
}
useSqliteFor('node'); // in case a previous run was interrupted while the app was open

// 3. Renderer build, if missing or stale.
function newestMtime(entry) {
  if (!existsSync(entry)) return 0;
  const st = statSync(entry);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}
const builtIndex = path.join(root, 'dist', 'renderer', 'index.html');
const sources = ['src-renderer', 'src-main/contract', 'vite.config.ts', 'package-lock.json'].map((p) => path.join(root, p));
if (newestMtime(builtIndex) < Math.max(...sources.map(newestMtime))) {
  say('Building the user interface (vite build)…');
  if (!node([path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'])) fail('Building the user interface failed (see above).');
}

// 4. With no connection profile, open on the practice sandbox.
const cli = path.join(root, 'bin', 'custodian.mjs');
const listed = spawnSync(process.execPath, [cli, 'profile', 'list', '--json'], { cwd: root, encoding: 'utf8' });
let profiles = null;
try {
  const value = JSON.parse(listed.stdout);
  profiles = Array.isArray(value) ? value : Array.isArray(value?.profiles) ? value.profiles : null;
} catch {
  profiles = null;
}
if (profiles === null) {
  say('Could not read the connection profiles (`custodian profile list` failed); not starting the sandbox.');
} else if (profiles.length === 0) {
  say('No connection profile yet: starting the practice sandbox (custodian sandbox up)…');
  if (!node([cli, 'sandbox', 'up'])) say('The sandbox did not start (see above); the app opens without it.');
}

// 5. Electron if its binary is here; otherwise the web preview.
function electronBinary() {
  // node_modules/electron/index.js would try to download the binary when it is missing, which
  // hangs or fails offline; read the path it would return instead, and check it exists.
  const dir = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

let electron = electronBinary();
if (!electron) {
  // `npm ci` above skips the download so an offline machine can still install; try it once now.
  say('Fetching the Electron binary (skipped if it cannot be reached)…');
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron', 'install.js')], { cwd: root, stdio: 'ignore', env, timeout: 180_000 });
  electron = electronBinary();
}

if (electron) {
  say('Building the Electron shell…');
  if (!node([path.join(root, 'scripts', 'build-electron.mjs')])) fail('Building the Electron shell failed (see above).');
  if (!useSqliteFor('electron')) fail('Rebuilding better-sqlite3 for Electron failed (see above).');
  say('Starting Custodian…');
  const r = spawnSync(electron, ['.'], { cwd: root, stdio: 'inherit' });
  useSqliteFor('node');
  process.exit(r.status ?? 0);
}
say('The Electron binary is not installed and cannot be fetched on this machine (it is downloaded separately');
say('from GitHub, which is not reachable here). Opening the web preview instead: the same interface and core,');
say('served on 127.0.0.1 for your browser. Open the address it prints below. Stop it with Ctrl+C.');
const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'preview.mjs'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 0);
