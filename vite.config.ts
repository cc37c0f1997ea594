import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Says where the local Front workspace (workspace/, a dev tool) is once the dev server listens.
 * Dev server only: `vite build` builds index.html, the plugin, and never the workspace.
 */
function frontWorkspaceUrl(): Plugin {
  return {
    name: 'front-workspace-url',
    apply: 'serve',
    configureServer(server) {
      server.httpServer?.once('listening', () => {
        const address = server.httpServer?.address();
        const port = typeof address === 'object' && address ? address.port : server.config.server.port;
        // After Vite's own banner, which it prints once listen() has resolved.
        setTimeout(() => server.config.logger.info(`  ➜  Front workspace: http://localhost:${port}/workspace/`), 0);
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), frontWorkspaceUrl()],
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  build: {
    outDir: 'dist',
    sourcemap: true,
    // Every browser Front supports (its desktop app is Chromium; Chrome, Edge, Firefox 115+,
    // Safari 17+) preloads modules natively: the polyfill would be 0.2 KB gzip on the first screen.
    modulePreload: { polyfill: false },
    // Everything the first render needs in one chunk: without this group, each lazy chunk that
    // shares a module with the entry (the machine, the stores) splits it out into a small chunk
    // of its own, and the first screen loads ten files and 2 KB more gzip instead of two.
    rolldownOptions: { output: { codeSplitting: { groups: [{ name: 'initial', tags: ['$initial'] }] } } },
  },
  test: {
    restoreMocks: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'happy-dom',
          include: ['tests/**/*.test.{ts,tsx}'],
          exclude: ['tests/e2e/**', '**/*.e2e.test.ts', '**/node_modules/**'],
          setupFiles: ['tests/support/setup.ts'],
          // This machine is shared and noisy; a first lazy import can take seconds to transform.
          testTimeout: 15_000,
        },
      },
      {
        // A real Chromium against the workspace and the plugin on a Vite dev server (tests/e2e/support/harness.ts).
        // Any *.e2e.test.ts belongs here, wherever it lives under tests/.
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/**/*.e2e.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One browser and one server per file; files one after another, so timings stay honest on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
