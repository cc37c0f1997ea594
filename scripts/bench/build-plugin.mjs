// Builds the plugin for scripts/bench-browser.mjs: node scripts/bench/build-plugin.mjs OUT_DIR
//
// Run it in a process of its own with NODE_ENV=production: a Vite dev server started earlier in
// the same process sets NODE_ENV=development, and `vite build` would then bundle React's
// development build. The build is the production one (minified, React production, `production`
// export conditions) with one difference: import.meta.env.DEV is defined true, so src/main.tsx
// exposes window.__softphone = { actor, line, host } for the bench to time line.dial and
// host.displayNotification. That block is the only use of import.meta.env in src/ (and none of
// the bundled dependencies reads it). Prints one line of JSON: { ok, reactDevelopment, initialKb }.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = process.argv[2];
if (!outDir) throw new Error('usage: node scripts/bench/build-plugin.mjs OUT_DIR');

await build({
  configFile: join(root, 'vite.config.ts'),
  root,
  mode: 'production',
  logLevel: 'error',
  define: { 'import.meta.env.DEV': 'true' },
  build: { outDir, emptyOutDir: true, sourcemap: false },
});

// A message only React's development build contains: proof of which React was bundled.
const assets = join(outDir, 'assets');
const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
const reactDevelopment = js.some((f) => readFileSync(join(assets, f), 'utf8').includes('Cannot update a component'));
const hooked = js.some((f) => readFileSync(join(assets, f), 'utf8').includes('__softphone'));
console.log(JSON.stringify({ ok: true, reactDevelopment, hooked }));
