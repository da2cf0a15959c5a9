import { createHash } from 'node:crypto';
import type { HavenCheck, HavenVerifyReport } from '../../contract/haven';
import { isAppError } from '../common/errors';
import { decryptBundleToBuffer, openBundle } from './bundle-file';
import { readZip, type ZipEntry } from './zip-reader';

/**
 * `haven verify`: check what can be checked in a bundle and name what cannot. Haven's runbook
 * says `sha256sum -c manifest.sha256`, but that file is bare hex that is not the hash of
 * manifest.json, and signature.txt is an HMAC over a document Haven does not ship: those two are
 * reported as "not verifiable", never as a pass or a fail (haven-reference.md).
 */

export const EXPECTED_FILES = ['Client.csv', 'Enrollment.csv', 'Services.csv', 'manifest.json', 'manifest.sha256', 'signature.txt'];
const HEX64 = /^[0-9a-fA-F]{64}$/;

/** Per-file SHA-256 values listed in manifest.json, in whichever of the usual shapes it uses. */
export function manifestHashes(manifest: unknown): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    const name = ['name', 'file', 'fileName', 'filename', 'path'].map((k) => o[k]).find((x) => typeof x === 'string') as string | undefined;
    const hash = ['sha256', 'hash', 'checksum', 'sha256Hash', 'digest'].map((k) => o[k]).find((x) => typeof x === 'string' && HEX64.test(x.replace(/^sha256:/, ''))) as string | undefined;
    if (name && hash) found.set(name.split('/').pop()!, hash.replace(/^sha256:/, '').toLowerCase());
    for (const [k, x] of Object.entries(o)) {
      if (typeof x === 'string' && /\.[a-z]+$/i.test(k) && HEX64.test(x.replace(/^sha256:/, ''))) found.set(k.split('/').pop()!, x.replace(/^sha256:/, '').toLowerCase());
      else if (typeof x === 'object') visit(x);
    }
  };
  visit(manifest);
  return found;
}

export async function verifyBundle(file: string, keys: Buffer[], keyWarnings: string[]): Promise<HavenVerifyReport> {
  const checks: HavenCheck[] = [];
  const report: HavenVerifyReport = { file, size: 0, entries: [], checks, ok: false };
  const fail = (id: string, label: string, detail: string) => checks.push({ id, label, status: 'fail', detail });
  for (const w of keyWarnings) checks.push({ id: 'master-key', label: 'Master key strength', status: 'warn', detail: w });

  let plaintext: Buffer;
  try {
    const opened = openBundle(file);
    report.size = opened.size;
    checks.push({ id: 'layout', label: 'File layout', status: 'pass', detail: `IV length 12, wrapped key 60 bytes, ${opened.size - 96} bytes of content.` });
    const d = await decryptBundleToBuffer(file, keys);
    checks.push({ id: 'data-key', label: 'Data key unwraps under the master key', status: 'pass', detail: d.keyIndex === 0 ? 'Opened with the current master key.' : 'Opened with a previous master key: re-wrap this bundle (`custodian haven rewrap`).' });
    checks.push({ id: 'integrity', label: 'Content integrity (AES-GCM tag)', status: 'pass', detail: 'The content is exactly what Haven encrypted.' });
    plaintext = d.plaintext;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const kind = isAppError(e) ? e.kind : 'Internal';
    if (kind === 'KeyMismatch') fail('data-key', 'Data key unwraps under the master key', msg);
    else if (/integrity check/.test(msg)) fail('integrity', 'Content integrity (AES-GCM tag)', msg);
    else fail('layout', 'File layout', msg);
    return report;
  }

  let entries: ZipEntry[];
  try {
    entries = readZip(plaintext);
    report.entries = entries.map((e) => ({ name: e.name, size: e.size }));
    checks.push({ id: 'zip', label: 'Decrypted content is a ZIP archive', status: 'pass', detail: `${entries.length} files.` });
  } catch (e) {
    fail('zip', 'Decrypted content is a ZIP archive', e instanceof Error ? e.message : String(e));
    return finish(report);
  }
  const byName = new Map(entries.map((e) => [e.name.split('/').pop()!, e]));
  const missing = EXPECTED_FILES.filter((n) => !byName.has(n));
  checks.push({ id: 'contents', label: 'Expected files present', status: missing.length ? 'warn' : 'pass', detail: missing.length ? `Missing: ${missing.join(', ')}.` : EXPECTED_FILES.join(', ') });

  let hashes = new Map<string, string>();
  const manifestEntry = byName.get('manifest.json');
  let manifestBytes: Buffer | null = null;
  if (manifestEntry) {
    try {
      manifestBytes = manifestEntry.data();
      hashes = manifestHashes(JSON.parse(manifestBytes.toString('utf8')));
    } catch (e) {
      fail('manifest', 'manifest.json readable', e instanceof Error ? e.message : String(e));
    }
  }
  for (const [name, entry] of byName) {
    if (!name.toLowerCase().endsWith('.csv')) continue;
    const expected = hashes.get(name);
    if (!expected) {
      checks.push({ id: `hash:${name}`, label: `${name} hash`, status: 'not-verifiable', detail: 'manifest.json lists no SHA-256 for this file.' });
      continue;
    }
    try {
      const actual = createHash('sha256').update(entry.data()).digest('hex');
      checks.push(actual === expected ? { id: `hash:${name}`, label: `${name} hash`, status: 'pass', detail: `SHA-256 ${actual.slice(0, 16)}… matches manifest.json.` } : { id: `hash:${name}`, label: `${name} hash`, status: 'fail', detail: `SHA-256 is ${actual}, manifest.json says ${expected}.` });
    } catch (e) {
      fail(`hash:${name}`, `${name} hash`, e instanceof Error ? e.message : String(e));
    }
  }
  const sumEntry = byName.get('manifest.sha256');
  if (sumEntry) {
    const sum = sumEntry.data().toString('utf8').trim().toLowerCase();
    const ofManifest = manifestBytes ? createHash('sha256').update(manifestBytes).digest('hex') : null;
    checks.push(
      sum === ofManifest
        ? { id: 'manifest.sha256', label: 'manifest.sha256', status: 'pass', detail: 'It is the SHA-256 of manifest.json.' }
        : { id: 'manifest.sha256', label: 'manifest.sha256', status: 'not-verifiable', detail: 'Bare hex without a file name, not the hash of manifest.json: Haven does not say what it covers, so it cannot be checked (the runbook’s `sha256sum -c` cannot work).' },
    );
  }
  if (byName.has('signature.txt')) {
    checks.push({ id: 'signature', label: 'signature.txt', status: 'not-verifiable', detail: 'An HMAC-SHA256 over a JSON document Haven does not include in the bundle: it cannot be checked from the bundle alone.' });
  }
  return finish(report);
}

function finish(r: HavenVerifyReport): HavenVerifyReport {
  r.ok = !r.checks.some((c) => c.status === 'fail');
  return r;
}
