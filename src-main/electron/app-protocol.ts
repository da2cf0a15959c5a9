import path from 'node:path';
import { APP_HOST, APP_SCHEME } from './security-policy';

/**
 * Pure part of the app:// protocol handler: which file under dist/renderer a request may read.
 * No electron import, so it is unit-tested (test/unit/electron-security.test.ts).
 *
 * Threat: a request such as app://custodian/..%2f..%2fsettings.json or an absolute path trying to
 * read files outside the renderer bundle (the data folder, the user's home).
 */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps an app:// URL to an absolute file path inside `root`, or null when the request is not for
 * our host, cannot be decoded, or would escape `root`. `/` serves index.html.
 */
export function resolveAppAsset(root: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null; // malformed %-escape
  }
  // NUL bytes and backslashes never appear in our bundle's file names; refusing them closes
  // Windows-specific tricks (`..\\`) that URL normalisation does not see.
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const relative = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const base = path.resolve(root);
  const resolved = path.resolve(base, relative);
  if (resolved !== base && !resolved.startsWith(base + path.sep)) return null;
  if (resolved === base) return null;
  return resolved;
}
