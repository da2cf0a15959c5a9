#!/usr/bin/env node
// `npm test`: type-check, lint, build the renderer, then every vitest layer (unit, integration
// against real PostgreSQL, keychain against the real Secret Service, renderer, e2e in Chromium).
// The keychain and e2e layers need a D-Bus session with an unlocked gnome-keyring, so on Linux the
// whole vitest run happens inside `dbus-run-session`. Last line: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const extraArgs = process.argv.slice(2);
let passed = 0;
let failed = 0;

function step(name, command, args, options = {}) {
  console.log(`\n== ${name} ==`);
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  const ok = r.status === 0;
  console.log(`== ${name}: ${ok ? 'passed' : `FAILED (exit ${r.status ?? r.signal})`} ==`);
  return ok;
}

const onlyVitest = extraArgs.length > 0; // `npm test -- --project unit` runs just that
if (!onlyVitest) {
  for (const [name, cmd, args] of [
    ['type-check', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
    ['lint', bin('eslint'), ['.']],
    ['build renderer', bin('vite'), ['build', '--logLevel', 'warn']],
  ]) {
    if (step(name, cmd, args)) passed++;
    else failed++;
  }
  // The e2e layer serves dist/renderer: it is fresh now, so its set-up need not build it again.
  process.env.CUSTODIAN_RENDERER_BUILT = '1';
}

const resultsDir = path.join(root, 'test-results');
mkdirSync(resultsDir, { recursive: true });
const jsonFile = path.join(resultsDir, 'vitest.json');
rmSync(jsonFile, { force: true });
const vitestArgs = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`, ...extraArgs];

const haveDbus = process.platform === 'linux' && spawnSync('sh', ['-c', 'command -v dbus-run-session && command -v gnome-keyring-daemon'], { stdio: 'ignore' }).status === 0;
if (haveDbus) {
  // A private session bus and keyring for this run only. The password must be non-empty: with an
  // empty one gnome-keyring creates no "login" keyring and every write fails ("no default keyring").
  // The keyring files go to a throwaway folder so a real login keyring is neither needed nor touched.
  const inner = `d=$(mktemp -d); printf 'custodian-test' | XDG_DATA_HOME="$d" gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; "$0" "$@"; rc=$?; rm -rf "$d"; exit $rc`;
  step('vitest (inside dbus-run-session with gnome-keyring)', 'dbus-run-session', ['--', 'sh', '-c', inner, bin('vitest'), ...vitestArgs]);
} else {
  if (process.platform === 'linux') console.log('dbus-run-session or gnome-keyring-daemon is missing: run scripts/install-test-prereqs.sh; keychain tests will fail.');
  step('vitest', bin('vitest'), vitestArgs);
}

if (existsSync(jsonFile)) {
  const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numRuntimeErrorCount ?? 0);
  // A test file that fails to load has no tests but must still count as a failure.
  for (const file of report.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed++;
  }
} else {
  console.log('vitest produced no report: counting the whole run as one failure.');
  failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
