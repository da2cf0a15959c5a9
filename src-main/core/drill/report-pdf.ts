import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../common/errors';

/**
 * The drill report as PDF, printed by Chromium's own engine (issue 4: "Electron's printToPDF in the
 * app, the same engine in tests"). The app registers its printToPDF; the CLI and tests drive an
 * installed Chromium-family browser (Chromium, Chrome or Edge — Edge is on every Windows machine)
 * through playwright-core, with JavaScript off: the report is static HTML and needs none.
 */
export type PdfRenderer = (html: string) => Promise<Buffer>;

let registered: PdfRenderer | null = null;

/** Electron's main process registers `webContents.printToPDF` here. */
export function registerPdfRenderer(renderer: PdfRenderer | null): void {
  registered = renderer;
}

export function chromiumCandidates(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string[] {
  const own = env.CUSTODIAN_CHROMIUM ? [env.CUSTODIAN_CHROMIUM] : [];
  if (platform === 'win32') {
    const roots = [env['ProgramFiles(x86)'], env.ProgramFiles, env.LOCALAPPDATA].filter((r): r is string => Boolean(r));
    return [...own, ...roots.flatMap((r) => [path.win32.join(r, 'Microsoft', 'Edge', 'Application', 'msedge.exe'), path.win32.join(r, 'Google', 'Chrome', 'Application', 'chrome.exe')])];
  }
  if (platform === 'darwin') {
    return [...own, '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge', '/Applications/Chromium.app/Contents/MacOS/Chromium'];
  }
  return [...own, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/microsoft-edge'];
}

export async function renderReportPdf(html: string, env: NodeJS.ProcessEnv = process.env, candidates: string[] = chromiumCandidates(env)): Promise<Buffer> {
  if (registered) return registered(html);
  const executablePath = candidates.find((p) => fs.existsSync(p));
  if (!executablePath) {
    throw new AppError(
      'ToolMissing',
      'No Chromium-family browser (Chromium, Google Chrome or Microsoft Edge) was found to print the report to PDF.',
      'Install one of them (or set CUSTODIAN_CHROMIUM to its program), or write the report as HTML (--out report.html) and print it to PDF from any browser.',
    );
  }
  const { chromium } = await import('playwright-core');
  // Chromium refuses its sandbox as root (CI containers); an ordinary user keeps it.
  const browser = await chromium.launch({ executablePath, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  try {
    const page = await browser.newPage({ javaScriptEnabled: false });
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, margin: { top: '15mm', bottom: '15mm', left: '12mm', right: '12mm' } });
  } finally {
    await browser.close();
  }
}
