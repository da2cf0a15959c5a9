import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumCandidates, renderReportPdf } from '../../src-main/core/drill/report-pdf';

/**
 * The drill report printed to PDF by a real Chromium (Debian's), as auditors receive it, and read
 * back with poppler's pdftotext: the evidence is in the PDF, not just in the HTML.
 */
const html = `<!doctype html><html><head><meta charset="utf-8"><title>Drill</title></head><body>
<h1>Restore drill drill_20261130 — PASSED</h1><p>Time to restore and verify (RTO): 2.0 s</p><p>Key list 7b9b-c183-3951-0eb5</p></body></html>`;

describe('drill report as PDF', { timeout: 60_000 }, () => {
  it('prints with Chromium and keeps the evidence readable as text', async () => {
    const pdf = await renderReportPdf(html, { ...process.env, CUSTODIAN_CHROMIUM: '/usr/bin/chromium' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'drill-pdf-')), 'report.pdf');
    fs.writeFileSync(file, pdf);
    const text = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/drill_20261130/);
    expect(text.stdout).toMatch(/PASSED/);
    expect(text.stdout).toMatch(/7b9b-c183-3951-0eb5/);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('without any Chromium-family browser: a typed error saying how to get the report anyway', async () => {
    await expect(renderReportPdf(html, {}, ['/nonexistent/chromium'])).rejects.toMatchObject({ kind: 'ToolMissing', hint: expect.stringMatching(/--out report\.html/) });
    expect(chromiumCandidates({ ProgramFiles: 'C:\\Program Files', 'ProgramFiles(x86)': 'C:\\Program Files (x86)' }, 'win32')).toContain('C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe');
    expect(chromiumCandidates({ CUSTODIAN_CHROMIUM: '/opt/chrome' }, 'darwin')[0]).toBe('/opt/chrome');
  });
});
