/**
 * `npm start`: the whole local demo in one command, on loopback only.
 *
 *   - a stand-in for Front's Channel API (server/standin), which shows the calls as Front would;
 *   - the call-logging server (server/), pointed at the stand-in, with the channel authorized and
 *     a teammate token made through its admin API, as an admin would;
 *   - the plugin and the local Front workspace on Vite's dev server; the plugin's call log is
 *     preset (dev builds only) with the server URL and that token.
 *
 * The demo's app secret and admin token are random per run and never printed.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer } from 'vite';
import { loadConfig, startServer } from '../server';
import { startStandin } from '../server/standin/standin';

const root = resolve(import.meta.dirname, '..');
const host = '127.0.0.1';
const vitePort = Number(process.env.PORT ?? 5173);
const secret = () => randomBytes(24).toString('base64url');

const appUid = 'app_local_demo';
const appSecret = secret();
const adminToken = secret();
// The stand-in's Core API token: contact names for numbers (its STANDIN_CONTACTS).
const frontApiToken = secret();
const dataDir = resolve(root, 'server/.data');
mkdirSync(dataDir, { recursive: true });

const standin = await startStandin({ appUid, appSecret, host, port: 8788, apiToken: frontApiToken });
const server = await startServer(
  loadConfig({
    FRONT_APP_UID: appUid,
    FRONT_APP_SECRET: appSecret,
    ADMIN_TOKEN: adminToken,
    FRONT_API_TOKEN: frontApiToken,
    FRONT_API_BASE_URL: standin.url,
    DATABASE_PATH: resolve(dataDir, 'demo.sqlite'),
    LISTEN_HOST: host,
    PORT: '8787',
    CORS_ORIGINS: `http://${host}:${vitePort},http://localhost:${vitePort}`,
  }),
);
await standin.authorize(server.url, 'cha_local_demo');
const tokenResponse = await fetch(`${server.url}/admin/tokens`, {
  method: 'POST',
  headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'agent@example.com', label: 'local demo' }),
});
if (!tokenResponse.ok) throw new Error(`Could not create the demo teammate token (HTTP ${tokenResponse.status}).`);
const { token } = (await tokenResponse.json()) as { token: string };

// Read by the plugin in dev builds only (src/main.tsx); a production build never sees them.
process.env.VITE_CALL_LOG_URL = server.url;
process.env.VITE_CALL_LOG_TOKEN = token;

const vite = await createServer({
  root,
  server: {
    host,
    port: vitePort,
    strictPort: true,
    // The workspace reads the stand-in's calls same-origin.
    proxy: { '/_standin': standin.url },
  },
});
await vite.listen();
vite.printUrls();
console.log(`  ➜  Calls as Front recorded them: ${standin.url}/_standin/calls`);

let closing = false;
const close = async () => {
  if (closing) return;
  closing = true;
  await vite.close();
  await server.close();
  await standin.close();
  process.exit(0);
};
process.on('SIGINT', () => void close());
process.on('SIGTERM', () => void close());
