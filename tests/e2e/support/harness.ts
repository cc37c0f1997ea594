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
 *     const [a, b, c] = await e2e.openTabs(3);    // three "Front tabs" in one browser profile
 *     const d = await a.openTab();                // one more tab in a's profile
 *     await e2e.close();                          // afterAll
 *
 * Tabs of one browser context share what a browser profile shares: the plugin frames (all from
 * the plugin origin, under the same top-level site) see one BroadcastChannel namespace, one set
 * of Web Locks and one storage, as the plugin in several Front tabs does.
 *
 * Third-party storage: this Chromium blocks third-party cookies by default, and with them it
 * denies the plugin iframe (a third party under the workspace) every storage API: localStorage
 * and navigator.locks throw SecurityError, indexedDB.open fails; BroadcastChannel still works.
 * `openWorkspace` contexts are such (Playwright's own) contexts. `openTabs` defaults to a profile
 * that allows third-party cookies, as Chrome's regular windows do by default, with storage
 * partitioning on (Playwright turns it off): the frames get storage keyed to the workspace's
 * site. `thirdPartyCookies: 'blocked'` gives the other kind (Incognito, or a teammate who
 * blocks them).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Frame, type FrameLocator, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import type { HostCallRecord } from '../../../workspace/host';
import type { WorkspaceTestHook } from '../../../workspace/testHook';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
import { CHROMIUM_ARGS as BASE_ARGS, CHROMIUM_PATH, PARTITIONED_FEATURES, THIRD_PARTY_COOKIES_ALLOWED_PREFERENCES } from '../../support/chromium.mjs';

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
  /**
   * Opens `count` workspace pages ("Front tabs") in ONE new browser context, one after another,
   * each with its plugin iframe; resolves once every tab's plugin has completed the handshake.
   */
  openTabs(count: number, options?: TabsOptions): Promise<WorkspaceSession[]>;
  close(): Promise<void>;
}

export interface TabsOptions {
  /** The iframe URL (default: the plugin). */
  readonly plugin?: string;
  /**
   * 'allowed' (default): a browser profile of its own (a persistent context, one more Chromium
   * process) whose settings allow third-party cookies, so the plugin frames have storage and Web
   * Locks. 'blocked': a context of the shared browser, where they have neither.
   */
  readonly thirdPartyCookies?: 'allowed' | 'blocked';
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
  /** This tab's function-call log (all calls, or those of one function), plain data. */
  calls(name?: string): Promise<HostCallRecord[]>;
  /** Opens another workspace page in this session's browser context (another "Front tab"). */
  openTab(): Promise<WorkspaceSession>;
  /** Uncaught errors in the workspace or the plugin since the page opened. */
  readonly pageErrors: readonly string[];
  /** console.error messages of the workspace and the plugin, for diagnosing a failure. */
  readonly consoleErrors: readonly string[];
  /** Closes this tab; the browser context goes with its last tab. */
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
  const openTab = async (context: BrowserContext, pluginUrl: string): Promise<WorkspaceSession> => {
    const session = await openSession(context, workspaceOrigin, pluginUrl, {
      onClose: (closed) => sessions.delete(closed),
      openTab: () => openTab(context, pluginUrl),
    });
    sessions.add(session);
    return session;
  };

  return {
    workspaceOrigin,
    pluginOrigin,
    browser,
    async openWorkspace(options = {}) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      return openTab(context, options.plugin ?? `${pluginOrigin}/`);
    },
    async openTabs(count, options = {}) {
      if (!Number.isInteger(count) || count < 1) throw new Error('openTabs needs a count of at least 1.');
      const context =
        options.thirdPartyCookies === 'blocked' ? await browser.newContext({ viewport: { width: 1440, height: 900 } }) : await launchProfile();
      const tabs: WorkspaceSession[] = [];
      for (let i = 0; i < count; i += 1) tabs.push(await openTab(context, options.plugin ?? `${pluginOrigin}/`));
      await Promise.all(tabs.map((tab) => tab.waitForHandshake()));
      return tabs;
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

/**
 * A fresh browser profile that allows third-party cookies (Chromium's `cookie_controls_mode` 0,
 * seeded in its Preferences before launch; CDP's Network.setCookieControls does not lift the
 * block on third-party storage). Its directory goes when the context closes.
 */
async function launchProfile(): Promise<BrowserContext> {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-e2e-profile-'));
  mkdirSync(join(dir, 'Default'));
  writeFileSync(join(dir, 'Default', 'Preferences'), THIRD_PARTY_COOKIES_ALLOWED_PREFERENCES);
  try {
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, PARTITIONED_FEATURES],
      viewport: { width: 1440, height: 900 },
    });
    // Chromium may still be writing as it exits: retried, and a leftover in /tmp is no failure.
    context.once('close', () => void rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }).catch(() => undefined));
    return context;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
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

/** Workspace tabs open in each browser context: the context closes with its last one. */
const tabsOpen = new WeakMap<BrowserContext, number>();

async function openSession(
  context: BrowserContext,
  workspaceOrigin: string,
  pluginUrl: string,
  links: { onClose: (session: WorkspaceSession) => void; openTab: () => Promise<WorkspaceSession> },
): Promise<WorkspaceSession> {
  const page = await context.newPage();
  tabsOpen.set(context, (tabsOpen.get(context) ?? 0) + 1);
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

  let closed = false;
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
    calls: (name) => hook((w, n) => w.calls.filter((c) => n === null || c.name === n), name ?? null),
    openTab: () => links.openTab(),
    pageErrors,
    consoleErrors,
    async close() {
      if (closed) return;
      closed = true;
      links.onClose(session);
      await page.close();
      const left = (tabsOpen.get(context) ?? 1) - 1;
      tabsOpen.set(context, left);
      if (left === 0) await context.close();
    },
  };
  return session;
}
