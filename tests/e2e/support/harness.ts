/**
 * End-to-end harness: the Vite dev server (Vite's JS API) serving the workspace and the plugin,
 * and a real headless Chromium (Debian's /usr/bin/chromium through playwright-core; no browser is
 * ever downloaded). The workspace is opened at http://localhost:PORT/workspace/ and embeds the
 * plugin from http://127.0.0.1:PORT/: one server, two origins, as Front embeds a plugin.
 *
 *     const e2e = await startE2E();               // beforeAll: server + browser
 *     const ws = await e2e.openWorkspace();       // a fresh browser context and page
 *     await ws.plugin.getByRole('button', { name: 'Hang up' }).click();
 *     await ws.hook((w) => w.calls);              // window.__workspace, see workspace/testHook.ts
 *     await e2e.close();                          // afterAll
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Frame, type FrameLocator, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import type { WorkspaceTestHook } from '../../../workspace/testHook';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
import { CHROMIUM_ARGS as BASE_ARGS, CHROMIUM_PATH } from '../../support/chromium.mjs';

export { CHROMIUM_PATH };
const CHROMIUM_ARGS = [...BASE_ARGS, '--disable-quic'];

export interface E2E {
  /** The workspace's origin (http://localhost:PORT). */
  readonly workspaceOrigin: string;
  /** The plugin's origin (http://127.0.0.1:PORT). */
  readonly pluginOrigin: string;
  readonly browser: Browser;
  /** Opens the workspace in a new browser context; `plugin` is the iframe URL (default: the plugin). */
  openWorkspace(options?: { plugin?: string }): Promise<WorkspaceSession>;
  close(): Promise<void>;
}

export interface WorkspaceSession {
  readonly page: Page;
  readonly context: BrowserContext;
  /** The plugin iframe, for locators: `plugin.getByRole('status')`. */
  readonly plugin: FrameLocator;
  /** The plugin iframe as a Frame, for `evaluate` inside the plugin. */
  pluginFrame(): Promise<Frame>;
  /** Runs `fn` in the workspace page with its test hook and `arg`; both cross as plain data. */
  hook<T, A = undefined>(fn: (workspace: WorkspaceTestHook, arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  /** Resolves once the plugin has completed `count` SDK handshakes. */
  waitForHandshake(count?: number, timeoutMs?: number): Promise<void>;
  /** Uncaught errors in the workspace or the plugin since the page opened. */
  readonly pageErrors: readonly string[];
  /** console.error messages of the workspace and the plugin, for diagnosing a failure. */
  readonly consoleErrors: readonly string[];
  close(): Promise<void>;
}

export async function startE2E(): Promise<E2E> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: apt-get install chromium (as .ci/run does), or set CHROMIUM_PATH.`);
  }
  const server = await startServer();
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  } catch (error) {
    await server.close();
    throw error;
  }
  const address = server.httpServer?.address();
  if (!address || typeof address !== 'object') throw new Error('The Vite server has no address.');
  const workspaceOrigin = `http://localhost:${address.port}`;
  const pluginOrigin = `http://127.0.0.1:${address.port}`;
  const sessions = new Set<WorkspaceSession>();

  return {
    workspaceOrigin,
    pluginOrigin,
    browser,
    async openWorkspace(options = {}) {
      const session = await openSession(browser, workspaceOrigin, options.plugin ?? `${pluginOrigin}/`, (closed) => sessions.delete(closed));
      sessions.add(session);
      return session;
    },
    async close() {
      for (const session of sessions) await session.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.close();
    },
  };
}

/**
 * Runs `fn(window[globalName], arg)` in a page or frame. `fn` is sent as source text, so it can
 * use nothing from the test's scope; `arg` and the result cross as JSON-like data.
 */
export async function evaluateWith<G, T, A>(target: Page | Frame, globalName: string, fn: (global: G, arg: A) => T | Promise<T>, arg?: A): Promise<T> {
  const argument = arg === undefined ? 'undefined' : JSON.stringify(arg);
  return (await target.evaluate(`(${fn.toString()})(window[${JSON.stringify(globalName)}], ${argument})`)) as T;
}

async function startServer(): Promise<ViteDevServer> {
  const server = await createServer({
    configFile: `${ROOT}vite.config.ts`,
    root: ROOT,
    // Its own pre-bundle cache, so a running `npm start` and the tests never rewrite each other's.
    cacheDir: `${ROOT}node_modules/.vite-e2e`,
    logLevel: 'warn',
    clearScreen: false,
    server: {
      host: '127.0.0.1',
      port: 0,
      strictPort: false,
      // Files edited while the tests run must not reload the pages under test.
      hmr: false,
      watch: null,
    },
  });
  await server.listen();
  return server;
}

async function openSession(
  browser: Browser,
  workspaceOrigin: string,
  pluginUrl: string,
  onClose: (session: WorkspaceSession) => void,
): Promise<WorkspaceSession> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(`${error.name}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(`${workspaceOrigin}/workspace/?plugin=${encodeURIComponent(pluginUrl)}`);
  await page.waitForFunction(() => window.__workspace !== undefined);
  const pluginOrigin = new URL(pluginUrl).origin;

  const hook: WorkspaceSession['hook'] = (fn, arg) => evaluateWith(page, '__workspace', fn, arg);

  const session: WorkspaceSession = {
    page,
    context,
    plugin: page.frameLocator('iframe[title="Softphone plugin"]'),
    async pluginFrame() {
      const handle = await page.waitForSelector('iframe[title="Softphone plugin"]', { state: 'attached' });
      const frame = await handle.contentFrame();
      if (!frame) throw new Error('The plugin iframe has no frame.');
      if (!frame.url().startsWith(pluginOrigin)) await frame.waitForURL((url) => url.origin === pluginOrigin);
      return frame;
    },
    hook,
    async waitForHandshake(count = 1, timeoutMs = 20_000) {
      await page.waitForFunction((n) => (window.__workspace?.handshakes ?? 0) >= n, count, { timeout: timeoutMs });
    },
    pageErrors,
    consoleErrors,
    async close() {
      onClose(session);
      await context.close();
    },
  };
  return session;
}
