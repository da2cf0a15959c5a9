#!/usr/bin/env node
// `npm run preview`: builds the renderer when needed, then serves it on 127.0.0.1 with the real
// core behind a token-guarded WebSocket. Runs the TypeScript through tsx, like bin/custodian.mjs.
import { register } from 'tsx/esm/api';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist', 'renderer', 'index.html');

/** Newest modification time under a folder (the renderer sources and what it imports). */
function newest(dir) {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const t = entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs;
    if (t > latest) latest = t;
  }
  return latest;
}

const sourcesTime = Math.max(newest(path.join(root, 'src-renderer')), newest(path.join(root, 'src-main', 'contract')), fs.statSync(path.join(root, 'vite.config.ts')).mtimeMs);
if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < sourcesTime) {
  console.log('Building the renderer…');
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const res = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

register();
const { startPreview } = await import('./preview-server.ts');
const port = Number(process.env.CUSTODIAN_PREVIEW_PORT ?? 0);
const preview = await startPreview({ port: Number.isInteger(port) ? port : 0 });
console.log('Custodian web preview (development and test tool; never packaged).');
console.log(`Open: ${preview.url}`);
console.log('Keep this link private: it carries the access token for this run. Press Ctrl+C to stop.');

const stop = async () => {
  await preview.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
