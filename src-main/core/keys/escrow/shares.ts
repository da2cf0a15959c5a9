import crypto from 'node:crypto';
import { combine, split } from 'shamir-secret-sharing';
import { AppError } from '../../common/errors';
import { keyListFingerprint } from '../fingerprint';

/**
 * k-of-n split of the key list (Shamir's secret sharing, the audited `shamir-secret-sharing`
 * library): e.g. 2 of 3 for the director, the treasurer and IT. Any k shares rebuild the list;
 * fewer reveal nothing about it. Each share is one line of text that can be printed, typed back
 * or scanned (QR) — with a checksum so a typing mistake is caught before it is combined:
 *
 *   CUSTODIAN-SHARE-1:2of3:1:ab12-cd34-ef56-7890:<base64url share>:<checksum>
 *
 * The list fingerprint in every share lets recovery say "these shares belong to key list X" and
 * confirm the rebuilt list, since combining too few or mixed shares yields garbage, not an error.
 */

const PREFIX = 'CUSTODIAN-SHARE-1';

export interface KeyShare {
  threshold: number;
  total: number;
  index: number;
  listFingerprint: string;
  /** The share line as printed. */
  text: string;
}

function checksum(body: string): string {
  return crypto.createHash('sha256').update(body).digest('hex').slice(0, 8);
}

export async function splitKeyList(keyList: string, threshold: number, total: number): Promise<KeyShare[]> {
  if (!Number.isInteger(threshold) || !Number.isInteger(total) || threshold < 2 || total < threshold || total > 20) {
    throw new AppError('Validation', `A split needs at least 2 shares required and no more shares than holders (asked: ${threshold} of ${total}).`, 'For example 2 of 3: the director, the treasurer and IT each keep one share; any two can recover the key.');
  }
  const list = keyList.trim();
  const fp = keyListFingerprint(list);
  const parts = await split(new TextEncoder().encode(list), total, threshold);
  return parts.map((bytes, i) => {
    const body = `${PREFIX}:${threshold}of${total}:${i + 1}:${fp}:${Buffer.from(bytes).toString('base64url')}`;
    return { threshold, total, index: i + 1, listFingerprint: fp, text: `${body}:${checksum(body)}` };
  });
}

/** Parses one share line; whitespace (line breaks on paper) is ignored. */
export function parseShare(line: string): KeyShare & { bytes: Uint8Array } {
  const text = line.replace(/\s+/g, '');
  const m = /^CUSTODIAN-SHARE-1:(\d+)of(\d+):(\d+):([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}):([A-Za-z0-9_-]+):([0-9a-f]{8})$/.exec(text);
  if (!m) {
    throw new AppError('Validation', 'That is not a Custodian key share (it should start with "CUSTODIAN-SHARE-1:").', 'Copy the whole share line from the printed page, or scan its QR code.');
  }
  const body = text.slice(0, text.lastIndexOf(':'));
  if (checksum(body) !== m[6]) {
    throw new AppError('Validation', `Share ${m[3]} has a typing mistake (its checksum does not match).`, 'Compare the share character by character with the printed page, or scan its QR code.');
  }
  return { threshold: Number(m[1]), total: Number(m[2]), index: Number(m[3]), listFingerprint: m[4]!, text, bytes: new Uint8Array(Buffer.from(m[5]!, 'base64url')) };
}

/**
 * Shares as typed from paper: a share is printed over several lines, so a new share starts only at
 * a line beginning with the prefix; other lines continue the share before them.
 */
export function groupShareLines(lines: string[]): string[] {
  const out: string[] = [];
  for (const raw of lines.flatMap((l) => l.split(/\r?\n/))) {
    const line = raw.trim();
    if (!line) continue;
    if (out.length === 0 || /^CUSTODIAN-SHARE-/i.test(line)) out.push(line);
    else out[out.length - 1] += line;
  }
  return out;
}

/** Rebuilds the key list from at least k shares of the same split; fewer fails clearly. */
export async function combineShares(lines: string[]): Promise<{ keyList: string; listFingerprint: string }> {
  const shares = groupShareLines(lines).map(parseShare);
  if (shares.length === 0) throw new AppError('Validation', 'No share was given.', 'Enter each share as printed; a share starts with CUSTODIAN-SHARE-1.');
  const first = shares[0]!;
  const mixed = shares.find((s) => s.listFingerprint !== first.listFingerprint || s.threshold !== first.threshold || s.total !== first.total);
  if (mixed) {
    throw new AppError('Validation', `Share ${mixed.index} belongs to a different split (key list ${mixed.listFingerprint}, ${mixed.threshold} of ${mixed.total}) than share ${first.index} (${first.listFingerprint}, ${first.threshold} of ${first.total}).`, 'Use shares printed on the same day for the same key list.');
  }
  const unique = [...new Map(shares.map((s) => [s.index, s])).values()];
  if (unique.length < first.threshold) {
    throw new AppError('Validation', `${first.threshold} different shares are needed to recover this key list; ${unique.length} ${unique.length === 1 ? 'was' : 'were'} given.`, `Ask ${first.threshold - unique.length} more share holder(s) for their share.`);
  }
  let keyList: string;
  try {
    keyList = new TextDecoder('utf-8', { fatal: true }).decode(await combine(unique.map((s) => s.bytes)));
  } catch {
    keyList = '';
  }
  let fp: string | null = null;
  try {
    fp = keyListFingerprint(keyList);
  } catch {
    fp = null;
  }
  if (fp !== first.listFingerprint) {
    throw new AppError('KeyMismatch', 'The shares did not rebuild the key list they were made from.', 'One of the shares is damaged. Try a different combination of shares.');
  }
  return { keyList, listFingerprint: fp };
}
