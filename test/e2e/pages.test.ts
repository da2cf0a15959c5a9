/**
 * The pages that otherwise only have jsdom tests, in real Chromium through the web preview, against
 * the real core and the practice sandbox (a real PostgreSQL 15 with KoNote's shape, keys and data):
 * a real backup through the wizard, a real drill on it with its report, the key escrow and rotation
 * dry run, the PITR set-up check, an audit search, the security check and the export links.
 * After every step: no CSP violation, no console error, no serious/critical axe finding, no badge or
 * button label cut short, and a screenshot in test-results/e2e-pages/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { openE2ePreview, ROOT, type E2ePreview } from '../helpers/e2e-preview';

let e2e: E2ePreview;
let page: Page;
let target: string;
let sandboxStarted = false;

/** The checks every step ends with; soft, so one run reports every problem on every page. */
async function checkStep(name: string): Promise<void> {
  await e2e.shot(name);
  expect.soft(await e2e.cspViolations(), `CSP violations after ${name}`).toEqual([]);
  expect.soft(e2e.consoleErrors, `console errors after ${name}`).toEqual([]);
  expect.soft(await e2e.axe(name), `axe findings on ${name}`).toEqual([]);
  expect.soft(await e2e.truncatedLabels(name), `labels cut short on ${name}`).toEqual([]);
}

async function openPage(link: string, heading = link): Promise<void> {
  await page.getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

beforeAll(async () => {
  e2e = await openE2ePreview({ shotsDir: path.join(ROOT, 'test-results', 'e2e-pages'), homePrefix: 'custodian-e2e-pages-' });
  page = e2e.page;
  target = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-e2e-backups-'));
  // A small sandbox: a real cluster with KoNote's tables, audit rows, export links and imported keys.
  const up = await e2e.runJob({ kind: 'sandbox.up', clients: 15 }, 150_000);
  sandboxStarted = true;
  expect(up.state, JSON.stringify(up.error)).toBe('succeeded');
  await page.goto(e2e.preview.url);
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
});

afterAll(async () => {
  // The sandbox cluster lives in the throwaway home: stop it before the folder goes.
  if (sandboxStarted) await e2e.runJob({ kind: 'sandbox.down' }, 60_000).catch(() => undefined);
  await e2e?.close();
  if (target) fs.rmSync(target, { recursive: true, force: true });
});

describe('pages end to end on the practice sandbox', () => {
  beforeEach(() => {
    onTestFailed(async () => {
      await e2e.shot('failure');
      console.error('Page text at failure:', (await page.textContent('body'))?.slice(0, 3000));
    });
  });

  it('Backups: "Back up now" through the wizard to a folder, and the verified set in the table', async () => {
    await openPage('Backups');
    await page.getByRole('button', { name: 'Back up now' }).click();
    await page.getByText('Step 1 of 4').waitFor();
    await page.getByLabel('Backup folder').fill(target);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Format').selectOption('custom');
    await page.getByRole('button', { name: 'Next' }).click();
    // The sandbox has no backup key yet: create it; the private key is shown once.
    await page.getByRole('button', { name: 'Create the backup encryption key' }).click();
    await page.getByTestId('backup-identity').waitFor();
    await checkStep('01-backup-identity');
    await page.getByLabel('I have stored the private key offline').check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Step 4 of 4').waitFor();
    await page.getByRole('button', { name: 'Start backup' }).click();
    await page.getByText(/^Backup set .+ is verified\.$/).waitFor({ timeout: 90_000 });
    const sets = page.getByTestId('backup-set');
    await expect.poll(() => sets.count()).toBe(1);
    await sets.first().getByText('Verified', { exact: true }).waitFor();
    // Really written to the chosen folder.
    expect(fs.readdirSync(target).length).toBeGreaterThan(0);
    await checkStep('02-backup-verified');
  });

  it('Drills & Restore: a real drill on that set passes, and its report opens', async () => {
    await openPage('Drills & Restore');
    await page.getByRole('button', { name: 'Run a restore drill' }).click();
    await page.getByLabel('Backup set').waitFor();
    await checkStep('03-drill-pick-set');
    await page.getByRole('button', { name: 'Next' }).click();
    const start = page.getByRole('button', { name: 'Run the drill' });
    await expect.poll(() => start.isEnabled(), { timeout: 30_000 }).toBe(true);
    await checkStep('04-drill-checklist');
    await start.click();
    await page.getByText(/^Passed \(/).first().waitFor({ timeout: 120_000 });
    await checkStep('05-drill-passed');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the report' }).first().click()]);
    const file = path.join(e2e.shotsDir, 'drill-report.html');
    await download.saveAs(file);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toMatch(/PASS/);
    // The report is a page of its own: open it and look at it.
    const report = await page.context().newPage();
    await report.goto(`file://${file}`);
    await report.screenshot({ path: path.join(e2e.shotsDir, '06-drill-report.png'), fullPage: true });
    expect(await report.textContent('body')).toMatch(/PASS/);
    await report.close();
  });

  it('Keys: escrow copy and the rotation dry run', async () => {
    await openPage('Keys');
    await page.getByRole('cell', { name: 'Primary (encrypts)' }).waitFor();
    await checkStep('07-keys');
    await page.getByRole('button', { name: 'Make an escrow copy' }).click();
    await page.getByLabel('Passphrase', { exact: true }).fill('lantern quarry obvious seventeen');
    await page.getByTestId('passphrase-strength').getByText('Strength: strong').waitFor();
    await checkStep('08-keys-escrow');
    await page.getByRole('button', { name: 'Rotate the key' }).click();
    await page.getByRole('button', { name: 'Run the dry run' }).click();
    await page.getByTestId('dry-run-table').waitFor({ timeout: 60_000 });
    await checkStep('09-keys-rotation-dry-run');
  });

  it('Point-in-time recovery: the set-up check renders', async () => {
    await openPage('Point-in-time recovery');
    await page.getByRole('button', { name: 'Check the server' }).click();
    await page.getByText(/^(The server is ready for point-in-time recovery\.|Something is missing: apply the settings below\.)$/).waitFor({ timeout: 30_000 });
    await checkStep('10-pitr-setup-check');
  });

  it('Audit log: a search returns rows', async () => {
    await openPage('Audit log');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByTestId('audit-row').first().waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('audit-row').count()).toBeGreaterThan(0);
    await checkStep('11-audit-search');
    // One row's detail, with its JSON metadata.
    await page.getByTestId('audit-row').first().getByRole('button').click();
    await page.getByText(/^Row \d+$/).waitFor();
    await checkStep('11b-audit-row-detail');
  });

  it('Security check: it runs and lists its checks', async () => {
    await openPage('Security check');
    await page.getByRole('button', { name: 'Run the security check' }).click();
    await page.getByTestId('security-check').first().waitFor({ timeout: 60_000 });
    await checkStep('12-security-check');
  });

  it('Export links: the list shows links and the Haven section renders', async () => {
    await openPage('Export links');
    await page.getByTestId('export-link').first().waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Haven bundles' }).waitFor();
    await checkStep('13-export-links');
    await page.getByTestId('export-link').first().getByRole('button', { name: /^Investigate / }).click();
    await page.locator('#link-details-title').waitFor();
    await checkStep('14-export-link-details');
  });

  it('control: the CSP is enforced and its violations are reported (else "none" proves nothing)', async () => {
    await page.evaluate(() => {
      const style = document.createElement('style');
      style.textContent = 'body { color: red }';
      document.head.appendChild(style);
    });
    await expect.poll(async () => (await e2e.cspViolations()).length).toBeGreaterThan(0);
    // And the cut-label check sees a badge squeezed below its text (CSSOM styles are allowed by the CSP).
    expect(await e2e.truncatedLabels('control')).toEqual([]);
    await page.evaluate(() => {
      const badge = document.querySelector<HTMLElement>('.mantine-Badge-root');
      if (badge) badge.style.cssText = 'min-width: 0; width: 24px';
    });
    expect((await e2e.truncatedLabels('control')).length).toBeGreaterThan(0);
  });
});
