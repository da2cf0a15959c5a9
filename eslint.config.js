// ESLint flat config. Besides TypeScript's recommended rules, it enforces the process boundaries
// of ARCHITECTURE.md §2 (proved by test/unit/lint-boundaries.test.ts):
//   - only src-main/electron and src-main/preload import `electron`;
//   - ipcRenderer only in src-main/preload;
//   - src-main/contract imports nothing from Node, the DOM, electron or the rest of main;
//   - src-renderer imports nothing from main except src-main/contract, and no Node built-ins.
// Flat config replaces (not merges) a rule's options when a later block matches the same file,
// so each zone below lists its complete set of restrictions.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const ELECTRON_ONLY = 'Only src-main/electron and src-main/preload may import electron';
const electronForbidden = { name: 'electron', message: ELECTRON_ONLY };
const ipcRendererForbidden = { name: 'electron', importNames: ['ipcRenderer'], message: 'ipcRenderer is used only in src-main/preload.' };

const nodeBuiltinsForbidden = (message) => [
  ...builtinModules.filter((m) => !m.startsWith('_')).map((name) => ({ name, message })),
];
const nodeSchemeForbidden = (message) => ({ group: ['node:*'], message });

const CONTRACT_MSG = 'src-main/contract is shared with the renderer: it may import zod and its own files only (no Node, no electron, no core/store/cli).';
const RENDERER_MSG = 'src-renderer reaches main only through src-main/contract (and window.api in src-renderer/app).';

export default tseslint.config(
  { ignores: ['dist/', 'dist-electron/', 'node_modules/', 'release/', 'test-results/', 'coverage/', '.custodian-dev/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // Plain JS files run in Node (scripts, bin, config files, after-pack hook).
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },

  // Zone: everything outside the Electron shell — no electron at all.
  {
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    ignores: ['src-main/electron/**', 'src-main/preload/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronForbidden] }] },
  },
  // Zone: the main-process shell may import electron, but not ipcRenderer.
  {
    files: ['src-main/electron/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [ipcRendererForbidden] }] },
  },
  // Zone: the contract — portable between main, preload and renderer.
  {
    files: ['src-main/contract/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronForbidden, ...nodeBuiltinsForbidden(CONTRACT_MSG)],
          patterns: [
            nodeSchemeForbidden(CONTRACT_MSG),
            { regex: '^(\\.\\./)+(core|store|cli|electron|preload)(/|$)', message: CONTRACT_MSG },
            { regex: '(^|/)src-main/(core|store|cli|electron|preload)(/|$)', message: CONTRACT_MSG },
            { regex: '(^|/)src-renderer(/|$)', message: CONTRACT_MSG },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'location', 'fetch'].map((name) => ({
          name,
          message: 'The contract must not touch the DOM or the network: it is shared by main and renderer.',
        })),
        ...['process', 'Buffer', 'require', '__dirname', '__filename', 'global'].map((name) => ({
          name,
          message: 'The contract must not touch Node: it is shared by main and renderer.',
        })),
      ],
    },
  },
  // Zone: the renderer — only the contract from main, nothing from Node.
  {
    files: ['src-renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronForbidden, ...nodeBuiltinsForbidden(RENDERER_MSG)],
          patterns: [
            nodeSchemeForbidden(RENDERER_MSG),
            { regex: '(^|/)src-main/(?!contract(/|$))', message: RENDERER_MSG },
            { regex: '(^|/)src-main/?$', message: RENDERER_MSG },
          ],
        },
      ],
    },
  },
);
