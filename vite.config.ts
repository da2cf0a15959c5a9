import { defineConfig } from 'vite';

/**
 * Builds the renderer (src-renderer) to dist/renderer. No React plugin: esbuild's automatic JSX
 * runtime is enough (no fast refresh needed; the preview serves the built files).
 */
export default defineConfig({
  root: 'src-renderer',
  base: './',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // The CSP forbids inline scripts: never inline the module-preload polyfill or small assets as data: scripts.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    // zod (the contract's validators) makes one ~530 kB chunk; fine for a local desktop app.
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      // Mantine marks its modules "use client" (a React Server Components hint); meaningless in a
      // client-only bundle, and hundreds of these warnings would bury real ones in `npm start`.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
