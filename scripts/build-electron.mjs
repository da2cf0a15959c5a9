#!/usr/bin/env node
// Bundles the Electron shell with esbuild:
//   src-main/electron/main.ts → dist-electron/main.js   (ESM: package.json is "type": "module",
//                                                        and Electron 45 loads an ESM main natively)
//   src-main/preload/index.ts → dist-electron/preload.cjs (CJS: a sandboxed preload cannot be ESM)
// Native modules stay external (electron-builder unpacks them from the asar); `electron` is
// provided by the runtime; pg-native is pg's optional binding, which we do not use.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist-electron');
const production = process.env.NODE_ENV === 'production';
const common = { absWorkingDir: root, bundle: true, minify: production, logLevel: 'warning' };

const main = {
  ...common,
  entryPoints: ['src-main/electron/main.ts'],
  outfile: path.join(outdir, 'main.js'),
  platform: 'node',
  target: 'node22', // Electron 45 ships Node 22
  format: 'esm',
  external: ['electron', 'better-sqlite3', '@napi-rs/keyring', 'pg-native'],
  // Bundled CommonJS dependencies (pg, commander, …) call require() for Node built-ins; an ESM
  // bundle has no require, so give it one.
  banner: { js: "import { createRequire as __custodianCreateRequire } from 'node:module';\nconst require = __custodianCreateRequire(import.meta.url);" },
  sourcemap: production ? false : 'linked',
};

// The preload needs only the contract's channel names, not its zod schemas (≈700 kB the sandboxed
// preload would parse on every page load). Read the names from the contract now and hand the
// preload a generated module in place of src-main/contract/channels.
const { CHANNELS, JOB_EVENT_CHANNEL } = await tsImport('../src-main/contract/channels.ts', import.meta.url);
const channelNamesOnly = {
  name: 'contract-channel-names',
  setup(b) {
    b.onResolve({ filter: /contract\/channels$/ }, () => ({ path: 'channels', namespace: 'contract-channel-names' }));
    b.onLoad({ filter: /.*/, namespace: 'contract-channel-names' }, () => ({
      contents: `export const CHANNELS = ${JSON.stringify(CHANNELS)};\nexport const JOB_EVENT_CHANNEL = ${JSON.stringify(JOB_EVENT_CHANNEL)};\n`,
      loader: 'js',
    }));
  },
};

const preload = {
  ...common,
  entryPoints: ['src-main/preload/index.ts'],
  outfile: path.join(outdir, 'preload.cjs'),
  // A sandboxed preload runs in the renderer with a tiny require() that only knows `electron`,
  // so everything else (the contract's channel list, zod) is bundled in.
  platform: 'browser',
  target: 'chrome140',
  format: 'cjs',
  external: ['electron'],
  plugins: [channelNamesOnly],
  sourcemap: production ? false : 'inline',
};

rmSync(outdir, { recursive: true, force: true });
try {
  await build(main);
  await build(preload);
} catch {
  // esbuild has already printed each error with its file and line; a stack trace adds nothing.
  console.error('Building the Electron shell failed (see the errors above).');
  process.exit(1);
}
console.log(`Built ${path.relative(root, outdir)}/main.js and preload.cjs`);
