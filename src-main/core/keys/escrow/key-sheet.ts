import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import QRCode from 'qrcode';
import { keyFingerprint, keyListFingerprint, splitKeyList } from '../fingerprint';
import type { KeyShare } from './shares';

/**
 * Printable escrow copies (the runbook's "sealed envelope"): a key sheet with the key list, its
 * fingerprints, the deployment and the date, and a QR code; and one page per Shamir share with
 * its holder's name. Drawn with pdf-lib (no browser, no native code); the QR code is drawn as
 * vector squares from the `qrcode` matrix so it prints sharp at any size. The PDF metadata carries
 * only fingerprints, never key material.
 */

const PAGE: [number, number] = [612, 792]; // US Letter, which also prints on A4 without clipping
const MARGIN = 54;

interface Fonts {
  body: PDFFont;
  bold: PDFFont;
  mono: PDFFont;
}

export interface SheetFacts {
  deployment: string;
  date: Date;
}

/** The QR matrix for a text, exported so tests can check what the PDF draws. */
export function qrMatrix(text: string): { size: number; dark(row: number, col: number): boolean } {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  return { size: qr.modules.size, dark: (r, c) => !!qr.modules.get(r, c) };
}

function drawQr(page: PDFPage, text: string, x: number, yTop: number, width: number): number {
  const m = qrMatrix(text);
  const quiet = 4;
  const cell = width / (m.size + 2 * quiet);
  for (let r = 0; r < m.size; r++) {
    for (let c = 0; c < m.size; c++) {
      if (m.dark(r, c)) page.drawRectangle({ x: x + (c + quiet) * cell, y: yTop - (r + quiet + 1) * cell, width: cell, height: cell, color: rgb(0, 0, 0) });
    }
  }
  return yTop - width;
}

function chunk(text: string, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += width) out.push(text.slice(i, i + width));
  return out;
}

/** A small text cursor so pages read top to bottom without manual coordinates everywhere. */
function writer(page: PDFPage, fonts: Fonts) {
  let y = PAGE[1] - MARGIN;
  return {
    line(text: string, opts: { font?: keyof Fonts; size?: number; gap?: number } = {}) {
      const size = opts.size ?? 11;
      y -= size + (opts.gap ?? 4);
      page.drawText(text, { x: MARGIN, y, size, font: fonts[opts.font ?? 'body'] });
    },
    space(n: number) {
      y -= n;
    },
    get y() {
      return y;
    },
    set y(v: number) {
      y = v;
    },
  };
}

async function newDoc(title: string, subject: string, keywords: string[]): Promise<{ doc: PDFDocument; fonts: Fonts }> {
  const doc = await PDFDocument.create();
  doc.setTitle(title);
  doc.setSubject(subject);
  doc.setKeywords(keywords);
  doc.setCreator('Custodian');
  doc.setProducer('Custodian (pdf-lib)');
  const fonts = {
    body: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
    mono: await doc.embedFont(StandardFonts.Courier),
  };
  return { doc, fonts };
}

const dateText = (d: Date) => `${d.toISOString().slice(0, 10)} (UTC)`;

/** The key sheet: every key of the list with its fingerprint, the .env line, and a QR code of the list. */
export async function renderKeySheet(keyList: string, facts: SheetFacts): Promise<Uint8Array> {
  const keys = splitKeyList(keyList);
  const listFp = keyListFingerprint(keyList);
  const { doc, fonts } = await newDoc(`KoNote encryption key sheet — ${facts.deployment}`, `Key list ${listFp}`, ['custodian', 'key-sheet', listFp]);
  const page = doc.addPage(PAGE);
  const w = writer(page, fonts);
  w.line('KoNote encryption key (FIELD_ENCRYPTION_KEY)', { font: 'bold', size: 18 });
  w.line('CONFIDENTIAL. Anyone holding this page can read all participant data. Keep it sealed and locked away.', { size: 9, gap: 8 });
  w.line(`Deployment: ${facts.deployment}`, { gap: 12 });
  w.line(`Printed: ${dateText(facts.date)}`);
  w.line(`Key list fingerprint: ${listFp}`);
  w.space(8);
  keys.forEach((k, i) => {
    w.line(`Key ${i + 1} of ${keys.length}${i === 0 ? ' (encrypts)' : ' (decrypts older data)'} — fingerprint ${keyFingerprint(k)}`, { font: 'bold', size: 10, gap: 8 });
    w.line(k, { font: 'mono', size: 12 });
  });
  w.space(10);
  // Broken only after the commas, never inside a key, so what is typed back from paper is each key whole.
  w.line('Line for KoNote\u2019s environment (type it as ONE line, no spaces):', { size: 10, gap: 8 });
  keys.forEach((k, i) => w.line(`${i === 0 ? 'FIELD_ENCRYPTION_KEY=' : ''}${k}${i < keys.length - 1 ? ',' : ''}`, { font: 'mono', size: 10 }));
  w.space(10);
  const bottom = drawQr(page, keys.join(','), MARGIN, w.y, 200);
  w.y = bottom;
  w.line('To recover: scan the QR code or type the key, then run "custodian key recover --from-sheet"', { size: 9, gap: 10 });
  w.line('(or use Keys > Recover in the app). Custodian checks the fingerprint above before using it.', { size: 9 });
  return doc.save();
}

/** One page per share, each naming its holder, with the share line and its QR code. */
export async function renderSharePages(shares: KeyShare[], holders: string[], facts: SheetFacts): Promise<Uint8Array> {
  const first = shares[0]!;
  const { doc, fonts } = await newDoc(`KoNote key shares (${first.threshold} of ${first.total}) — ${facts.deployment}`, `Key list ${first.listFingerprint}`, ['custodian', 'key-shares', first.listFingerprint]);
  shares.forEach((share, i) => {
    const page = doc.addPage(PAGE);
    const w = writer(page, fonts);
    w.line(`KoNote key share ${share.index} of ${share.total}`, { font: 'bold', size: 18 });
    w.line(`For: ${holders[i] ?? `holder ${share.index}`}`, { font: 'bold', size: 14, gap: 10 });
    w.line(`Deployment: ${facts.deployment}    Printed: ${dateText(facts.date)}`, { gap: 10 });
    w.line(`Key list fingerprint: ${share.listFingerprint}`);
    w.space(6);
    w.line(`Any ${share.threshold} of the ${share.total} shares rebuild the encryption key; fewer reveal nothing.`, { size: 10 });
    w.line('Keep this page private and safe. Do not copy it, photograph it or store it with another share.', { size: 10 });
    w.space(8);
    for (const part of chunk(share.text, 56)) w.line(part, { font: 'mono', size: 11 });
    w.space(8);
    w.y = drawQr(page, share.text, MARGIN, w.y, 220);
    w.line('To recover: gather the shares and run "custodian key recover --shares" (type each share as printed),', { size: 9, gap: 10 });
    w.line('or use Keys > Recover in the app.', { size: 9 });
  });
  return doc.save();
}
