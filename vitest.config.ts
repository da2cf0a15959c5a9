import { defineConfig } from 'vitest/config';

/**
 * Test layers (ARCHITECTURE.md §5). `npm test` (scripts/run-tests.mjs) runs them all, the keychain
 * layer inside dbus-run-session with an unlocked gnome-keyring-daemon.
 */
export default defineConfig({
  test: {
    globals: true,
    projects: [
      { test: { name: 'unit', globals: true, environment: 'node', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          globals: true,
          environment: 'node',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      { test: { name: 'keychain', globals: true, environment: 'node', include: ['test/keychain/**/*.test.ts'], testTimeout: 30_000 } },
      {
        esbuild: { jsx: 'automatic' },
        test: {
          name: 'renderer',
          globals: true,
          environment: 'jsdom',
          include: ['test/renderer/**/*.test.tsx'],
          setupFiles: ['test/helpers/renderer-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          globals: true,
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
