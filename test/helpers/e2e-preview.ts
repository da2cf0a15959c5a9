/**
 * Shared set-up for the e2e layer: build the renderer, start the web preview on a throwaway
 * CUSTODIAN_HOME, open it in the system Chromium with listeners for CSP violations and console
 * errors, and run axe-core through the DevTools protocol. Each e2e file owns one E2ePreview.
 * Needs the Secret Service (run under dbus-run-session with an unlocked gnome-keyring-daemon).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { startPreview, type PreviewHandle } from '../../scripts/preview-server';

export const ROOT = path.resolve(__dirname, '..', '..');
const AXE_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export interface E2ePreview {
  home: string;
  preview: PreviewHandle;
  browser: Browser;
  page: Page;
  /** Every console error and uncaught page error since the page opened. */
  consoleErrors: string[];
  shotsDir: string;
  shot(name: string): Promise<void>;
  /** Serious/critical axe findings on the page as it is now, each prefixed with `where`. */
  axe(where: string): Promise<string[]>;
  /** Visible badge / button labels cut short by their ellipsis ("VERIF…"): text people cannot read. */
  truncatedLabels(where: string): Promise<string[]>;
  /** Every CSP violation the page reported since it was (re)loaded. */
  cspViolations(): Promise<string[]>;
  /** Calls a core channel through the bridge exactly as the page does (origin + token). */
  call<T = unknown>(channel: string, input: unknown): Promise<T>;
  /** Starts a job through the bridge and waits (polling jobs.list) until it has ended. */
  runJob(spec: Record<string, unknown>, timeoutMs?: number): Promise<{ id: string; state: string; result?: unknown; error?: unknown }>;
  close(): Promise<void>;
}

/** Builds dist/renderer from the current sources (the preview serves that folder). */
export function buildRenderer(): void {
  // scripts/run-tests.mjs has just built it as one of its checks; building again only costs time.
  if (process.env.CUSTODIAN_RENDERER_BUILT === '1') return;
  const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (build.status !== 0) throw new Error(`vite build failed (exit ${build.status})`);
}

export async function openE2ePreview(opts: { shotsDir: string; homePrefix?: string }): Promise<E2ePreview> {
  fs.mkdirSync(opts.shotsDir, { recursive: true });
  buildRenderer();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), opts.homePrefix ?? 'custodian-e2e-'));
  const preview = await startPreview({ port: 0, host: '127.0.0.1', env: { ...process.env, CUSTODIAN_HOME: home } });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  const consoleErrors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(err.message));

  let nextId = 1;
  const call = async <T>(channel: string, input: unknown): Promise<T> => {
    const ws = new WebSocket(`ws://127.0.0.1:${preview.port}/bridge`, { origin: `http://127.0.0.1:${preview.port}` });
    // Buffer every message: several can arrive in one chunk (job events interleave with replies).
    const inbox: Record<string, unknown>[] = [];
    ws.on('message', (d) => inbox.push(JSON.parse(String(d))));
    const waitFor = async (pred: (m: Record<string, unknown>) => boolean) => {
      for (let i = 0; i < 400; i++) {
        const found = inbox.find(pred);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`No answer from the preview bridge for ${channel}`);
    };
    try {
      await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
      ws.send(JSON.stringify({ token: preview.token }));
      await waitFor((m) => m.ready === true);
      const id = nextId++;
      ws.send(JSON.stringify({ id, channel, input }));
      const result = (await waitFor((m) => m.id === id)).result as { ok: boolean; value?: T; error?: unknown };
      if (!result.ok) throw new Error(`${channel} failed: ${JSON.stringify(result.error)}`);
      return result.value as T;
    } finally {
      ws.close();
    }
  };

  const runJob: E2ePreview['runJob'] = async (spec, timeoutMs = 120_000) => {
    const { jobId } = await call<{ jobId: string }>('jobs.start', spec);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const jobs = await call<{ id: string; state: string; result?: unknown; error?: unknown }[]>('jobs.list', { limit: 50 });
      const job = jobs.find((j) => j.id === jobId);
      if (job && !['queued', 'running'].includes(job.state)) return job;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`Job ${String(spec.kind)} did not finish within ${timeoutMs} ms`);
  };

  return {
    home,
    preview,
    browser,
    page,
    consoleErrors,
    shotsDir: opts.shotsDir,
    async shot(name) {
      await page.screenshot({ path: path.join(opts.shotsDir, `${name}.png`), fullPage: true });
    },
    /**
     * axe is evaluated through the DevTools protocol (a <script> from elsewhere would be refused by
     * the CSP, and the page allows no eval), so the app's own CSP stays in force and unmodified.
     */
    async axe(where) {
      await page.evaluate(AXE_SOURCE);
      const found = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(ctx: Document): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> } }).axe;
        const res = await axe.run(document);
        return res.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join(' | ')}`);
      });
      return found.map((f) => `[${where}] ${f}`);
    },
    async truncatedLabels(where) {
      const cut = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('.mantine-Badge-label, .mantine-Button-label')]
          .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
          .map((el) => el.textContent ?? ''),
      );
      return cut.map((text) => `[${where}] label cut short: ${text}`);
    },
    async cspViolations() {
      return page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
    },
    call,
    runJob,
    async close() {
      await browser.close().catch(() => undefined);
      await preview.close().catch(() => undefined);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
