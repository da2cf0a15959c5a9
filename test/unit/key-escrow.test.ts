import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import QRCode from 'qrcode';
import { PNG } from 'pngjs';
import jsQR from 'jsqr';
import { FernetKey } from '../../src-main/core/keys/fernet';
import { keyListFingerprint } from '../../src-main/core/keys/fingerprint';
import { decryptKeyFile, encryptKeyFile } from '../../src-main/core/keys/escrow/key-file';
import { combineShares, parseShare, splitKeyList } from '../../src-main/core/keys/escrow/shares';
import { qrMatrix, renderKeySheet, renderSharePages } from '../../src-main/core/keys/escrow/key-sheet';
import { escrowToFile, escrowToShares, escrowToSheet } from '../../src-main/core/keys/escrow/escrow-service';
import { recoverKeyList } from '../../src-main/core/keys/escrow/recover';
import { importKeyList } from '../../src-main/core/keys/key-service';
import { vaultAccounts } from '../../src-main/core/keys/vault';
import { readCustodyRecord } from '../../src-main/core/keys/custody';
import { makeTestContext } from '../helpers/core-context';
import { runAgeWithPassphrase } from '../helpers/age-tty';

/**
 * Escrow copies (threat: the only copy of FIELD_ENCRYPTION_KEY is lost with the keychain) and
 * recovery from them (threat: a wrong or stale copy is imported and silently replaces the key).
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-escrow-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const K1 = FernetKey.generate();
const K2 = FernetKey.generate();
const LIST = `${K1},${K2}`;
const PASS = 'correct horse battery staple';

describe('passphrase key file (age scrypt)', () => {
  it('a file we write opens with Debian’s `age -d` typing the passphrase on a terminal', async () => {
    const f = path.join(dir, 'k.age');
    fs.writeFileSync(f, await encryptKeyFile(LIST, PASS, 14));
    expect(fs.readFileSync(f, 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    expect(fs.readFileSync(f, 'utf8')).not.toContain(K1);
    const out = path.join(dir, 'k.txt');
    const r = runAgeWithPassphrase(['-d', '-o', out, f], PASS);
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(`FIELD_ENCRYPTION_KEY=${LIST}\n`);
  });

  it('a file `age -p` writes opens with our reader; a wrong passphrase is KeyMismatch', async () => {
    const plain = path.join(dir, 'p.txt');
    fs.writeFileSync(plain, `FIELD_ENCRYPTION_KEY=${K1}\n`);
    const f = path.join(dir, 'p.age');
    const r = runAgeWithPassphrase(['-p', '-o', f, plain], PASS);
    expect(r.status, r.stderr).toBe(0);
    expect(await decryptKeyFile(fs.readFileSync(f), PASS)).toBe(`FIELD_ENCRYPTION_KEY=${K1}\n`);
    await expect(decryptKeyFile(fs.readFileSync(f), 'not the passphrase at all')).rejects.toMatchObject({ kind: 'KeyMismatch' });
    await expect(decryptKeyFile(Buffer.from('hello'), PASS)).rejects.toMatchObject({ kind: 'Validation' });
  }, 60_000);

  it('refuses a short passphrase', async () => {
    await expect(encryptKeyFile(LIST, 'short')).rejects.toMatchObject({ kind: 'Validation' });
  });
});

describe('k-of-n shares', () => {
  it('any 2 of 3 rebuild the list; 1 share fails clearly; a typo is caught by the checksum', async () => {
    const shares = await splitKeyList(LIST, 2, 3);
    expect(shares).toHaveLength(3);
    for (const s of shares) expect(s.text).not.toContain(K1.slice(0, 20));
    for (const pair of [[0, 1], [0, 2], [1, 2]] as const) {
      expect((await combineShares([shares[pair[0]]!.text, shares[pair[1]]!.text])).keyList).toBe(LIST);
    }
    await expect(combineShares([shares[0]!.text])).rejects.toMatchObject({ kind: 'Validation', message: expect.stringMatching(/2 different shares are needed/) });
    await expect(combineShares([shares[0]!.text, shares[0]!.text])).rejects.toMatchObject({ kind: 'Validation' });
    const typo = shares[1]!.text.replace(/:([A-Za-z0-9_-])/, (m, c: string) => `:${c === 'A' ? 'B' : 'A'}`);
    expect(() => parseShare(typo)).toThrow(/typing mistake|not a Custodian/);
    const other = await splitKeyList(K1, 2, 3);
    await expect(combineShares([shares[0]!.text, other[1]!.text])).rejects.toMatchObject({ kind: 'Validation', message: expect.stringMatching(/different split/) });
    // Line breaks from paper are ignored.
    expect((await combineShares([shares[2]!.text.replace(/(.{30})/g, '$1\n '), shares[0]!.text])).keyList).toBe(LIST);
    // As the app sends them: one element per typed line, each share over several lines as printed.
    const typed = [shares[2]!.text, shares[0]!.text].flatMap((t) => t.match(/.{1,64}/g)!);
    expect(typed.length).toBeGreaterThan(2);
    expect((await combineShares(typed)).keyList).toBe(LIST);
  });

  it('3 of 5 needs three', async () => {
    const shares = await splitKeyList(K1, 3, 5);
    await expect(combineShares([shares[0]!.text, shares[4]!.text])).rejects.toMatchObject({ kind: 'Validation' });
    expect((await combineShares([shares[0]!.text, shares[2]!.text, shares[4]!.text])).keyList).toBe(K1);
  });
});

describe('printable PDFs', () => {
  it('the key sheet is one page, carries only fingerprints in its metadata, and its QR decodes to the list', async () => {
    const bytes = await renderKeySheet(LIST, { deployment: 'Maison Soleil', date: new Date('2026-01-02T00:00:00Z') });
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getTitle()).toContain('Maison Soleil');
    expect(doc.getSubject()).toContain(keyListFingerprint(LIST));
    expect(`${doc.getTitle()}${doc.getSubject()}${doc.getKeywords()}`).not.toContain(K1);
    // The matrix drawn in the PDF is the QR code of the list: render the same matrix and decode it.
    const m = qrMatrix(LIST);
    const ref = QRCode.create(LIST, { errorCorrectionLevel: 'M' }).modules;
    expect(m.size).toBe(ref.size);
    expect(decodeMatrix(m)).toBe(LIST);
  });

  it('the printed sheet (rendered by poppler, as a printer would) has a QR code a scanner reads as the list', async () => {
    const pdf = path.join(dir, 'scan.pdf');
    fs.writeFileSync(pdf, await renderKeySheet(LIST, { deployment: 'x', date: new Date() }));
    const r = spawnSync('pdftoppm', ['-r', '100', '-png', '-singlefile', pdf, path.join(dir, 'scan')]);
    expect(r.error, 'Debian package poppler-utils (pdftoppm) must be installed: scripts/install-test-prereqs.sh').toBeUndefined();
    expect(r.status, r.stderr?.toString()).toBe(0);
    const png = PNG.sync.read(fs.readFileSync(path.join(dir, 'scan.png')));
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(LIST);
  });

  it('the printed .env line breaks only after commas, so no key is split across lines', async () => {
    const pdf = path.join(dir, 'text.pdf');
    fs.writeFileSync(pdf, await renderKeySheet(LIST, { deployment: 'x', date: new Date() }));
    const r = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n').map((l) => l.trim());
    const at = lines.findIndex((l) => l.startsWith('FIELD_ENCRYPTION_KEY='));
    expect(lines.slice(at, at + 2)).toEqual([`FIELD_ENCRYPTION_KEY=${K1},`, K2]);
  });

  it('the share PDF has one page per holder, and each page’s QR decodes to that share', async () => {
    const shares = await splitKeyList(LIST, 2, 3);
    const bytes = await renderSharePages(shares, ['Director', 'Treasurer', 'IT'], { deployment: 'x', date: new Date() });
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBe(3);
    expect(decodeMatrix(qrMatrix(shares[1]!.text))).toBe(shares[1]!.text);
  });
});

describe('escrow copies and recovery with the custody record', () => {
  it('makes file, sheet and split copies, records them, and recovers a lost keychain from each', async () => {
    const ctx = makeTestContext({ memoryLog: true });
    try {
      await importKeyList(ctx, 'p', LIST, { source: 'imported' });
      const file = await escrowToFile(ctx, 'p', PASS, path.join(dir, 'p-keys.age'), { workFactor: 12 });
      expect(fs.statSync(file.files[0]!).mode & 0o777).toBe(0o600);
      await escrowToSheet(ctx, 'p', path.join(dir, 'p-sheet.pdf'));
      const split = await escrowToShares(ctx, 'p', { threshold: 2, holders: ['Director', 'Treasurer', 'IT'], pdfPath: path.join(dir, 'p-shares.pdf'), textDir: dir });
      expect(split.files).toHaveLength(4);
      await expect(escrowToSheet(ctx, 'p', path.join(dir, 'p-sheet.pdf'))).rejects.toMatchObject({ kind: 'Conflict' });
      let custody = readCustodyRecord(ctx.log, 'p', true);
      expect(custody.escrow.map((e) => e.kind).sort()).toEqual(['file', 'sheet', 'split:2of3']);
      expect(custody.escrow.every((e) => e.lastTestedAt === null)).toBe(true);

      // The keychain loses the list; recover from the file.
      await ctx.vault.delete(vaultAccounts.fernetKeys('p'));
      const r1 = await recoverKeyList(ctx, 'p', { kind: 'file', path: file.files[0]!, passphrase: PASS }, { checkDatabase: false, testOnly: false });
      expect(r1).toMatchObject({ matchedCustody: true, imported: true, copiesMarkedTested: 1 });
      expect(await ctx.vault.get(vaultAccounts.fernetKeys('p'))).toBe(LIST);
      expect(readCustodyRecord(ctx.log, 'p', true).keys.map((k) => k.source)).toEqual(['imported', 'imported']);

      // From two shares' text files.
      await ctx.vault.delete(vaultAccounts.fernetKeys('p'));
      const texts = split.files.slice(2).map((f) => fs.readFileSync(f, 'utf8').split('\n').find((l) => l.startsWith('CUSTODIAN-SHARE'))!);
      await recoverKeyList(ctx, 'p', { kind: 'shares', shares: texts }, { checkDatabase: false, testOnly: false });
      expect(await ctx.vault.get(vaultAccounts.fernetKeys('p'))).toBe(LIST);

      // Test-only from the sheet (typed): nothing written, copy marked tested.
      const sheetTest = await recoverKeyList(ctx, 'p', { kind: 'sheet', keyList: `FIELD_ENCRYPTION_KEY=${K1},\n${K2}` }, { checkDatabase: false, testOnly: true });
      expect(sheetTest.imported).toBe(false);
      custody = readCustodyRecord(ctx.log, 'p', true);
      expect(custody.escrow.every((e) => e.lastTestedAt !== null)).toBe(true);

      // A stale copy (another list) is refused and nothing changes.
      await expect(recoverKeyList(ctx, 'p', { kind: 'sheet', keyList: K1 }, { checkDatabase: false, testOnly: false })).rejects.toMatchObject({ kind: 'KeyMismatch' });
      expect(await ctx.vault.get(vaultAccounts.fernetKeys('p'))).toBe(LIST);
      // No key material in the SQLite log.
      const dump = JSON.stringify(ctx.log.prepare(`SELECT * FROM escrow_copies`).all()) + JSON.stringify(ctx.log.prepare(`SELECT * FROM key_custody`).all());
      expect(dump).not.toContain(K1);
      expect(dump).not.toContain(K2);
    } finally {
      await ctx.dispose();
    }
  }, 60_000);
});

/** Renders a QR matrix to a PNG (as a printer would) and decodes it with jsQR. */
function decodeMatrix(m: { size: number; dark(r: number, c: number): boolean }): string | null {
  const scale = 4;
  const quiet = 4;
  const px = (m.size + 2 * quiet) * scale;
  const png = new PNG({ width: px, height: px });
  for (let y = 0; y < px; y++) {
    for (let x = 0; x < px; x++) {
      const r = Math.floor(y / scale) - quiet;
      const c = Math.floor(x / scale) - quiet;
      const dark = r >= 0 && c >= 0 && r < m.size && c < m.size && m.dark(r, c);
      const i = (y * px + x) * 4;
      png.data[i] = png.data[i + 1] = png.data[i + 2] = dark ? 0 : 255;
      png.data[i + 3] = 255;
    }
  }
  return jsQR(new Uint8ClampedArray(png.data), px, px)?.data ?? null;
}
