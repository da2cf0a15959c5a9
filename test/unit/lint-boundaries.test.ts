// Proves the process boundaries of ARCHITECTURE.md §2 are enforced by eslint.config.js: each
// forbidden import is reported for a file in the zone, and the allowed imports pass.
// Threat: a refactor that quietly pulls Node or electron into the renderer (widening what an XSS
// could reach) or core logic into the contract (which the renderer bundles).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

/** Rule ids reported for `code` as if it lived at `file` (relative to the project root). */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  if (!result) throw new Error('ESLint returned no result');
  expect(result.messages.filter((m) => m.fatal)).toEqual([]);
  return result.messages.map((m) => m.ruleId ?? 'fatal');
}

const BOUNDARY = ['no-restricted-imports', 'no-restricted-globals'];
const boundaryOnly = (ids: string[]) => ids.filter((id) => BOUNDARY.includes(id));

describe('electron is imported only by the shell', () => {
  it.each(['src-main/core/x.ts', 'src-main/store/x.ts', 'src-main/cli/x.ts', 'src-renderer/app/x.ts', 'src-main/contract/x.ts', 'test/unit/x.test.ts', 'scripts/x.mjs'])(
    'refuses electron in %s',
    async (file) => {
      expect(boundaryOnly(await violations(file, "import { app } from 'electron';\nexport const a = app;\n"))).toContain('no-restricted-imports');
    },
  );

  it('allows electron in src-main/electron and src-main/preload', async () => {
    expect(boundaryOnly(await violations('src-main/electron/x.ts', "import { app } from 'electron';\nexport const a = app;\n"))).toEqual([]);
    expect(boundaryOnly(await violations('src-main/preload/x.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n"))).toEqual([]);
  });

  it('keeps ipcRenderer out of the main-process shell', async () => {
    const ids = await violations('src-main/electron/x.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n");
    expect(ids).toContain('no-restricted-imports');
  });

  it('names the rule in the message', async () => {
    const [result] = await eslint.lintText("import 'electron';\n", { filePath: path.join(root, 'src-main/core/x.ts') });
    expect(result?.messages[0]?.message).toContain('Only src-main/electron and src-main/preload may import electron');
  });
});

describe('the contract imports nothing from Node, the DOM or the rest of main', () => {
  it.each([
    "import fs from 'node:fs';\nexport const f = fs;\n",
    "import path from 'path';\nexport const p = path;\n",
    "import { spawn } from 'child_process';\nexport const s = spawn;\n",
    "import { readFile } from 'fs/promises';\nexport const r = readFile;\n",
    "import { AppError } from '../core/common/errors';\nexport const e = AppError;\n",
    "import { openSettings } from '../store/settings';\nexport const o = openSettings;\n",
    "import { main } from '../cli/main';\nexport const m = main;\n",
    "import { x } from '../../src-renderer/app/x';\nexport const y = x;\n",
  ])('refuses %s', async (code) => {
    expect(boundaryOnly(await violations('src-main/contract/x.ts', code))).toContain('no-restricted-imports');
  });

  it.each(['window.location.href', 'document.title', 'navigator.userAgent', 'localStorage.length', 'process.platform', 'Buffer.from("a")'])(
    'refuses the global in %s',
    async (expr) => {
      expect(boundaryOnly(await violations('src-main/contract/x.ts', `export const v = ${expr};\n`))).toContain('no-restricted-globals');
    },
  );

  it('allows zod and sibling contract files', async () => {
    const code = "import { z } from 'zod';\nimport { ERROR_KINDS } from './errors';\nexport const s = z.enum(ERROR_KINDS);\n";
    expect(boundaryOnly(await violations('src-main/contract/x.ts', code))).toEqual([]);
  });
});

describe('the renderer imports only the contract from main', () => {
  it.each([
    "import { createCore } from '../../src-main/core/create-core';\nexport const c = createCore;\n",
    "import { openSettings } from '../../src-main/store/settings';\nexport const o = openSettings;\n",
    "import { main } from '../../src-main/cli/main';\nexport const m = main;\n",
    "import { isAppUrl } from '../../src-main/electron/security-policy';\nexport const i = isAppUrl;\n",
    "import { createBridgeApi } from '../../src-main/preload/bridge';\nexport const b = createBridgeApi;\n",
    "import fs from 'node:fs';\nexport const f = fs;\n",
    "import os from 'os';\nexport const o = os;\n",
  ])('refuses %s', async (code) => {
    expect(boundaryOnly(await violations('src-renderer/app/x.ts', code))).toContain('no-restricted-imports');
  });

  it('allows the contract, React and relative renderer modules', async () => {
    const code = [
      "import type { CustodianApi } from '../../src-main/contract/api';",
      "import { CHANNELS } from '../../src-main/contract';",
      "import { useState } from 'react';",
      "import { t } from '../i18n/x';",
      'export type A = CustodianApi;',
      'export const v = [CHANNELS, useState, t];',
      '',
    ].join('\n');
    expect(boundaryOnly(await violations('src-renderer/app/x.ts', code))).toEqual([]);
  });
});

describe('core may use Node', () => {
  it('allows node: built-ins in src-main/core', async () => {
    expect(boundaryOnly(await violations('src-main/core/x.ts', "import fs from 'node:fs';\nexport const f = fs;\n"))).toEqual([]);
  });
});
