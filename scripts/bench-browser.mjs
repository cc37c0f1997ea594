#!/usr/bin/env node
// Browser latencies of the softphone inside the local Front workspace (called by scripts/bench.mjs
// when /usr/bin/chromium exists; runs on its own too: node scripts/bench-browser.mjs).
// Numbers only, no pass/fail: the machine is shared and noisy.
//
// Set-up, as tests/e2e/support/harness.ts does it: a Vite dev server serves the workspace at
// http://localhost:PORT/workspace/, which embeds the plugin from another origin (127.0.0.1), so the
// workspace and the plugin run in two renderer processes and talk by cross-process postMessage.
//
//   dev   the plugin from the same Vite dev server: React development build, unminified, every
//         module a request; slower than what teammates run.
//   prod  the plugin built by `vite build` (React production build, minified; in a temp dir)
//         and served by `vite preview`; built with import.meta.env.DEV=true so that src/main.tsx
//         still exposes window.__softphone (scripts/bench/build-plugin.mjs). The workspace is the
//         dev server's in both cases.
//
// Two scenarios, each WARMUP + RUNS times per mode:
//   Call button  workspace callHandle('(415) 555-0100') (a CONTACT_HANDLE context with a fresh
//                click timestamp) -> the plugin dials; then AGENT.HANG_UP, wait for ended,
//                AGENT.RESET, wait for "Ready" (a click during a call would only be "call next").
//   Incoming     workspace ring (the simulator's ringAgent postMessage) -> the plugin calls
//                host.displayNotification(INCOMING_CALL); then AGENT.DECLINE, wait for ended and
//                for the notification's dismissal, AGENT.RESET, wait for "Ready".
//
// Every time is performance.timeOrigin + performance.now() of the frame that takes it:
//   ws post       the workspace posting the message: a probe around MessagePort.postMessage
//                 (context_update), or just before __workspace.ring() (ringAgent).
//   msg in        that message reaching the plugin frame's first listener (probe, see
//                 scripts/bench/probe.mjs).
//   line.dial / displayNotification   window.__softphone.line.dial / .host.displayNotification
//                 patched in the plugin frame to record the time, then call through.
// "msg in -> ..." is the plugin's own part, on one clock. "ws post -> ..." includes the
// cross-process postMessage and compares two processes' clocks on one machine.
//
// Options: --runs N (default 200), --warmup N (default 20), --only dev|prod.
import { CHROMIUM_ARGS as BASE_ARGS, CHROMIUM_PATH } from '../tests/support/chromium.mjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { createServer, preview } from 'vite';
import { PROBE_SCRIPT, frameSetup } from './bench/probe.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// The tests' flags (tests/support/chromium.mjs), as the e2e harness uses them.
const CHROMIUM_ARGS = [...BASE_ARGS, '--disable-quic'];

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const RUNS = Number(option('runs', 200));
const WARMUP = Number(option('warmup', 20));
const ONLY = option('only', null);
/** A phase that is still measuring after this long stops early and says how many runs it got. */
const PHASE_BUDGET_MS = 22_000;
const CALL_HANDLE = '(415) 555-0100';
const CALLER = { from: '+14155550123', name: 'Maria Garcia' };
const TARGET = 'target < 5 ms';

function report(label, value) {
  console.log(`${label.padEnd(44)} ${value}`);
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const ms = (x) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) < 0.005 ? '0.00' : x.toFixed(2));

/** "median 1.20 ms, p95 2.40 ms (min 0.90, n=200)" */
function summary(values, note = '') {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return `no data${note ? ` ${note}` : ''}`;
  const sorted = [...v].sort((a, b) => a - b);
  return `median ${ms(quantile(sorted, 0.5))} ms, p95 ${ms(quantile(sorted, 0.95))} ms (min ${ms(sorted[0])}, n=${v.length})${note ? ` ${note}` : ''}`;
}

// --- servers and browser ------------------------------------------------------------------------

async function startDevServer() {
  const server = await createServer({
    configFile: join(root, 'vite.config.ts'),
    root,
    // Its own pre-bundle cache, so a running `npm start` or e2e run and the bench never rewrite each other's.
    cacheDir: join(root, 'node_modules/.vite-bench'),
    logLevel: 'error',
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address !== 'object') throw new Error('The Vite dev server has no address.');
  return { server, port: address.port };
}

async function startProdServer() {
  const outDir = mkdtempSync(join(tmpdir(), 'softphone-bench-'));
  const started = performance.now();
  // In a child process: this one runs the dev server, whose NODE_ENV=development would make
  // `vite build` bundle React's development build (see scripts/bench/build-plugin.mjs).
  const output = execFileSync(process.execPath, [join(root, 'scripts/bench/build-plugin.mjs'), outDir], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
    encoding: 'utf8',
  });
  const buildMs = performance.now() - started;
  const built = JSON.parse(output.trim().split('\n').at(-1));
  const server = await preview({
    configFile: join(root, 'vite.config.ts'),
    root,
    logLevel: 'error',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer?.address();
  if (!address || typeof address !== 'object') throw new Error('The preview server has no address.');
  return {
    port: address.port,
    buildMs,
    built,
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** Opens the workspace with the plugin from `pluginUrl`; resolves once the plugin says Ready. */
async function openWorkspace(browser, workspaceOrigin, pluginUrl, mode) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript({ content: PROBE_SCRIPT });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`));
  await page.goto(`${workspaceOrigin}/workspace/?plugin=${encodeURIComponent(pluginUrl)}`);
  await page.waitForFunction(() => window.__workspace !== undefined && window.__bench !== undefined, null, { timeout: 30_000 });
  await page.waitForFunction(() => (window.__workspace?.handshakes ?? 0) >= 1, null, { timeout: 30_000 });
  const handle = await page.waitForSelector('iframe[title="Softphone plugin"]', { state: 'attached' });
  const frame = await handle.contentFrame();
  if (!frame) throw new Error('The plugin iframe has no frame.');
  const pluginOrigin = new URL(pluginUrl).origin;
  if (!frame.url().startsWith(pluginOrigin)) await frame.waitForURL((url) => url.origin === pluginOrigin);
  if (!(await frame.evaluate(() => window.__bench !== undefined))) throw new Error('The probe init script did not run in the plugin frame.');
  await frame.waitForFunction(() => window.__softphone !== undefined, null, { timeout: 30_000 });
  await frame.waitForSelector('[role="status"]', { state: 'attached', timeout: 30_000 });
  await frame.waitForFunction(() => document.querySelector('[role="status"]')?.textContent?.trim() === 'Ready', null, { timeout: 30_000 });
  const setupProblem = await frame.evaluate(frameSetup);
  if (setupProblem) throw new Error(setupProblem);
  // The simulated line loads lazily; the warm-up runs take care of the rest (phone metadata, JIT).
  await frame.evaluate(() => window.__softphone.line.ready);
  return { context, page, frame, errors };
}

/** Whether Chromium runs the plugin iframe in a renderer process of its own (out-of-process iframe). */
async function pluginIsOutOfProcess(session) {
  try {
    const cdp = await session.context.newCDPSession(session.page);
    const { targetInfos } = await cdp.send('Target.getTargets');
    await cdp.detach();
    return targetInfos.some((t) => t.type === 'iframe');
  } catch {
    return null;
  }
}

// --- the two scenarios --------------------------------------------------------------------------

/**
 * Call button: the workspace's "Call (415) 555-0100" (callHandle: a CONTACT_HANDLE context with
 * this click's timestamp), then hang up, wait for ended, reset to idle.
 */
async function callButtonRuns(session) {
  const { page, frame } = session;
  const rows = [];
  const started = performance.now();
  for (let k = 0; k < WARMUP + RUNS; k += 1) {
    if (k >= WARMUP && performance.now() - started > PHASE_BUDGET_MS) break;
    const posted = await page.evaluate(async (handle) => {
      const b = window.__bench;
      await b.settle();
      const before = b.ctxPost.length;
      window.__workspace.callHandle(handle);
      return b.ctxPost.slice(before);
    }, CALL_HANDLE);
    if (posted.length !== 1) throw new Error(`Call click ${k} posted ${posted.length} context_update(s), expected 1.`);
    const plugin = await frame.evaluate(async (k) => window.__bench.callRun(k), k);
    if (k >= WARMUP) rows.push({ post: posted[0], ...plugin });
  }
  return rows;
}

/** Incoming call: the workspace rings the agent; the agent declines; wait for ended, reset to idle. */
async function incomingRuns(session) {
  const { page, frame } = session;
  const rows = [];
  const started = performance.now();
  const firstFn = await page.evaluate(() => window.__bench.fnRecv.length);
  let k = 0;
  for (; k < WARMUP + RUNS; k += 1) {
    if (k >= WARMUP && performance.now() - started > PHASE_BUDGET_MS) break;
    const post = await page.evaluate(async (caller) => {
      await window.__bench.settle();
      const t = performance.timeOrigin + performance.now();
      if (!window.__workspace.ring(caller.from, caller.name)) throw new Error('The workspace has no plugin window to ring.');
      return t;
    }, CALLER);
    const plugin = await frame.evaluate(async (k) => window.__bench.incomingRun(k), k);
    if (k >= WARMUP) rows.push({ post, ...plugin });
  }
  // When the workspace received each INCOMING_CALL displayNotification function_call (its clock).
  const received = await page.evaluate(
    (first) => window.__bench.fnRecv.slice(first).filter((c) => c.name === 'displayNotification' && c.type === 'INCOMING_CALL').map((c) => c.t),
    firstFn,
  );
  if (received.length === k) received.slice(WARMUP).forEach((t, i) => (rows[i].wsReceived = t));
  return rows;
}

// --- reporting ----------------------------------------------------------------------------------

const d = (rows, to, from) => rows.map((r) => (r[to] ?? NaN) - (r[from] ?? NaN));

function reportFigures(mode, call, incoming) {
  const m = mode.padEnd(5);
  report(`${m}Call: ws post -> line.dial`, summary(d(call, 'dial', 'post'), '[workspace post -> line.dial; includes cross-origin postMessage]'));
  report(`${m}Call: msg in -> line.dial`, summary(d(call, 'dial', 'recv'), `[plugin's own part: context_update event -> line.dial; ${TARGET}]`));
  report(`${m}Call: msg in -> "Calling" shown`, summary(d(call, 'calling', 'callingRecv'), '[same start -> status region says "Calling ..." (after the render)]'));
  report(`${m}Call: ws post -> msg in (IPC)`, summary(d(call, 'recv', 'post'), "[MessagePort postMessage alone; two processes' clocks]"));
  report(`${m}Incoming: ws post -> displayNotif.`, summary(d(incoming, 'notify', 'post'), '[workspace posts ringAgent -> host.displayNotification; includes cross-origin postMessage]'));
  report(`${m}Incoming: msg in -> displayNotif.`, summary(d(incoming, 'notify', 'recv'), `[plugin's own part: simulator message event -> host.displayNotification; ${TARGET}]`));
  report(`${m}Incoming: ws post -> msg in (IPC)`, summary(d(incoming, 'recv', 'post'), "[window.postMessage alone (the simulator's path, not Front's); two processes' clocks]"));
  report(`${m}Incoming: msg in -> function_call`, summary(d(incoming, 'fnPost', 'recv'), '[same start -> the SDK posts function_call displayNotification]'));
  report(`${m}Incoming: ws post -> ws gets call`, summary(d(incoming, 'wsReceived', 'post'), '[ringAgent posted -> function_call received; workspace clock only]'));
}

// --- main ---------------------------------------------------------------------------------------

const wallStart = performance.now();
let dev = null;
let prod = null;
let browser = null;
try {
  dev = await startDevServer();
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  const workspaceOrigin = `http://localhost:${dev.port}`;
  report(
    'browser bench',
    `Chromium ${browser.version()} headless; ${RUNS} runs after ${WARMUP} warm-up per figure; median / p95 in ms; timer resolution ~0.1 ms (no cross-origin isolation)`,
  );
  console.log(
    '  ws post  = the workspace posting the message: context_update (Call click) or ringAgent (incoming call, simulator)\n' +
      "  msg in   = that message reaching the plugin frame's first listener; msg in -> X is the plugin's own part, one clock\n" +
      "  ws post -> X includes the cross-process postMessage and compares the two processes' clocks (see the IPC rows' min)",
  );

  if (ONLY === null || ONLY === 'dev') {
    try {
      const session = await openWorkspace(browser, workspaceOrigin, `http://127.0.0.1:${dev.port}/`, 'dev');
      const oopif = await pluginIsOutOfProcess(session);
      report('browser: plugin iframe process', oopif === null ? 'unknown' : oopif ? 'its own renderer process (workspace localhost, plugin 127.0.0.1)' : 'same process as the workspace');
      report('dev  plugin', 'Vite dev server: React development build, unminified (slower than production)');
      const call = await callButtonRuns(session);
      const incoming = await incomingRuns(session);
      reportFigures('dev', call, incoming);
      if (session.errors.length) report('dev  page errors', session.errors.slice(0, 3).join(' | '));
      await session.context.close();
    } catch (error) {
      report('dev  browser latencies', `failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  if (ONLY === null || ONLY === 'prod') {
    try {
      prod = await startProdServer();
      const react = prod.built.reactDevelopment ? 'React DEVELOPMENT build (unexpected)' : 'React production build';
      report('prod plugin', `vite build (${(prod.buildMs / 1000).toFixed(1)} s), minified, ${react}, served by vite preview; only change: window.__softphone exposed`);
      if (!prod.built.hooked) throw new Error('the production build does not expose window.__softphone');
      const session = await openWorkspace(browser, workspaceOrigin, `http://127.0.0.1:${prod.port}/`, 'prod');
      const call = await callButtonRuns(session);
      const incoming = await incomingRuns(session);
      reportFigures('prod', call, incoming);
      if (session.errors.length) report('prod page errors', session.errors.slice(0, 3).join(' | '));
      await session.context.close();
    } catch (error) {
      report('prod browser latencies', `failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
} catch (error) {
  report('browser latencies', `failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await browser?.close().catch(() => undefined);
  await prod?.close().catch(() => undefined);
  await dev?.server.close().catch(() => undefined);
}
report('browser bench wall time', `${((performance.now() - wallStart) / 1000).toFixed(1)} s`);
process.exit(0);
