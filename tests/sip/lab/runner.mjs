// The SIP lab: Kamailio, a Vite dev server and Chromium, all on loopback inside the private
// network namespace this process was started in (see lab.ts, which starts it with
// `unshare -n sh -c 'ip link set lo up && exec node runner.mjs'`). It is driven over the Node IPC
// channel: the parent sends { id, op, args }, the runner answers { id, ok, value | error }, and
// forwards what the pages report as { event: 'page', page, data }.
//
// Plain JavaScript on purpose: Node 20 runs it directly, with nothing to compile.
import { CHROMIUM_ARGS, PARTITIONED_FEATURES, THIRD_PARTY_COOKIES_ALLOWED_PREFERENCES } from '../../support/chromium.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeskPhone, killGroup, prepareCompany, startCoturn, startRtpengine, towardDesk, WSS_PORT } from './company.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const HTTP_PORT = 5199;
const WS_PORT = 8080;
const CHROMIUM = process.env.SIP_LAB_CHROMIUM ?? '/usr/bin/chromium';
const KAMAILIO = process.env.SIP_LAB_KAMAILIO ?? 'kamailio';

if (typeof process.send !== 'function') {
  console.error('runner.mjs is driven by tests/sip/lab/lab.ts over an IPC channel; run the tests instead.');
  process.exit(2);
}

const runDir = mkdtempSync(join(tmpdir(), 'sip-lab-'));
/** @type {import('node:child_process').ChildProcess | null} */
let kamailio = null;
/** Kamailio's log lines since the lab started, across restarts. */
const kamailioLog = [];
let vite = null;
let browser = null;
/** @type {Map<string, { context: any, page: any }>} */
const pages = new Map();
let closing = false;
/** The configuration Kamailio runs with: the browser-only lab's, or the company lab's (company.start). */
let kamailioConfig = { file: join(root, 'kamailio/kamailio.cfg'), port: WS_PORT };

function send(message) {
  if (process.connected) process.send(message);
}

// ---- Kamailio -----------------------------------------------------------------------------

async function startKamailio() {
  if (kamailio) throw new Error('Kamailio is already running.');
  const child = spawn(
    KAMAILIO,
    ['-f', kamailioConfig.file, '-DD', '-E', '-Y', runDir, '-w', runDir],
    // Its own process group, so the whole tree (main process and workers) can be killed at once.
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  kamailio = child;
  // Whole lines only: a chunk may end in the middle of one.
  const reader = () => {
    let partial = '';
    return (chunk) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line.trim()) kamailioLog.push(line);
    };
  };
  child.stdout.on('data', reader());
  child.stderr.on('data', reader());
  child.on('exit', () => {
    if (kamailio === child) kamailio = null;
  });
  // Ready once the WebSocket port accepts connections.
  const started = Date.now();
  while (Date.now() - started < 10_000) {
    if (!kamailio) throw new Error(`Kamailio exited at start:\n${kamailioLog.slice(-20).join('\n')}`);
    // listeningAt: when the port first accepted a connection (wall clock), for bench-sip.mjs.
    if (await portOpen(kamailioConfig.port)) return { pid: child.pid, listeningAt: Date.now() };
    await sleep(10);
  }
  throw new Error(`Kamailio did not listen on ${kamailioConfig.port}:\n${kamailioLog.slice(-20).join('\n')}`);
}

async function killKamailio() {
  const child = kamailio;
  if (!child) return;
  kamailio = null;
  const exited = new Promise((done) => child.once('exit', done));
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  await Promise.race([exited, sleep(5000)]);
  // The port must be free before a restart.
  const started = Date.now();
  while ((await portOpen(kamailioConfig.port)) && Date.now() - started < 5000) await sleep(50);
}

async function portOpen(port) {
  const { connect } = await import('node:net');
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

// ---- Vite and Chromium ----------------------------------------------------------------------

const BROWSER_ARGS = [
  ...CHROMIUM_ARGS,
  // Without it WebRTC gathers no ICE candidate on loopback.
  '--allow-loopback-in-peer-connection',
  // Background pages must not have their timers throttled: several parties share one browser.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** `browserArgs`: more Chromium switches (the company lab's certificate and tone). */
async function startWeb(options = {}) {
  const { createServer } = await import('vite');
  vite = await createServer({
    configFile: false,
    root,
    logLevel: 'error',
    clearScreen: false,
    // Its own cache, so it never races another engineer's dev server over node_modules/.vite.
    cacheDir: join(root, 'node_modules/.vite-sip'),
    server: { host: '127.0.0.1', port: HTTP_PORT, strictPort: true, hmr: false, watch: null },
    optimizeDeps: {
      entries: ['tests/sip/pages/*.html'],
      include: ['jssip', 'valibot'],
    },
  });
  await vite.listen();
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...BROWSER_ARGS, ...(options.browserArgs ?? [])] });
  return { httpPort: HTTP_PORT, wsUrl: company ? `wss://127.0.0.1:${WSS_PORT}` : `ws://127.0.0.1:${WS_PORT}` };
}

async function openPage(name, path) {
  if (pages.has(name)) await closePage(name);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.exposeFunction('labEmit', (data) => send({ event: 'page', page: name, data }));
  page.on('pageerror', (error) => send({ event: 'page', page: name, data: { kind: 'pageerror', message: String(error?.stack ?? error) } }));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      send({ event: 'page', page: name, data: { kind: 'console', level: message.type(), text: message.text() } });
    }
  });
  pages.set(name, { context, page });
  await page.goto(`http://127.0.0.1:${HTTP_PORT}/${path}`);
  await page.waitForFunction(() => typeof window.lab === 'object' && window.lab !== null, null, { timeout: 30_000 });
  return { name };
}

/**
 * Closes a page. A tab sharing its profile with another page closes alone; the last one closes the
 * profile. `runBeforeUnload: true` closes it as a person closes a tab: beforeunload, pagehide and
 * unload run first (the plugin's owner unregisters then).
 */
async function closePage(name, options = {}) {
  const entry = pages.get(name);
  if (!entry) return;
  pages.delete(name);
  const shared = [...pages.values()].some((other) => other.context === entry.context);
  const runBeforeUnload = options.runBeforeUnload === true;
  if (shared) {
    await entry.page.close({ runBeforeUnload }).catch(() => {});
    // With runBeforeUnload, close() resolves before the page is gone: wait for it.
    if (runBeforeUnload && !entry.page.isClosed()) await new Promise((done) => entry.page.once('close', done));
    return;
  }
  if (runBeforeUnload) {
    await entry.page.close({ runBeforeUnload }).catch(() => {});
    if (!entry.page.isClosed()) await new Promise((done) => entry.page.once('close', done));
  }
  await entry.context.close().catch(() => {});
}

/** The contacts the registrar holds for `aor` (user@domain), from Kamailio's own location table. */
async function registrarContacts(aor) {
  if (!kamailio) throw new Error('Kamailio is not running.');
  const result = spawnSync('kamcmd', ['-s', `unix:${join(runDir, 'kamailio_ctl')}`, 'ul.lookup', 'location', aor], { encoding: 'utf8', timeout: 5_000 });
  const text = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (/AOR not found/i.test(text)) return [];
  if (result.status !== 0) throw new Error(`kamcmd ul.lookup failed: ${text.trim()}`);
  return [...text.matchAll(/Address:\s*(\S+)/g)].map((m) => m[1]);
}

async function callPage(name, method, args) {
  const entry = pages.get(name);
  if (!entry) throw new Error(`No page named ${name}.`);
  return entry.page.evaluate(
    async ({ method, args }) => {
      const target = window.lab[method];
      if (typeof target !== 'function') throw new Error(`The page has no lab.${method}().`);
      return target(...args);
    },
    { method, args },
  );
}

// ---- the Front workspace with the real plugin (tests/sip/plugin.e2e.test.ts) ------------------
// A second Vite server with the repo's own vite.config.ts (React, the workspace), so the lab pages'
// server above stays as it is. Pages opened here are driven with Playwright from the test
// (`page.drive`): the plugin is clicked and typed into as a teammate would.

const APP_PORT = 5198;
let appVite = null;

async function startApp() {
  if (appVite) return { appPort: APP_PORT };
  const { createServer } = await import('vite');
  appVite = await createServer({
    configFile: join(root, 'vite.config.ts'),
    root,
    logLevel: 'error',
    clearScreen: false,
    cacheDir: join(root, 'node_modules/.vite-sip-app'),
    server: { host: '127.0.0.1', port: APP_PORT, strictPort: true, hmr: false, watch: null },
    optimizeDeps: { entries: ['index.html', 'workspace/index.html'] },
  });
  await appVite.listen();
  return { appPort: APP_PORT };
}

/** Opens `url` in a new browser context, with `initScript` (source text) in every frame first. */
async function openApp(name, url, options = {}) {
  if (pages.has(name)) await closePage(name);
  // `sameContextAs`: another tab of that page's browser profile (shared storage, BroadcastChannel
  // and Web Locks), as a teammate with Front open in several tabs.
  const shared = options.sameContextAs ? pages.get(options.sameContextAs) : null;
  if (options.sameContextAs && !shared) throw new Error(`No page named ${options.sameContextAs}.`);
  // `profile: true`: a browser profile of its own (a persistent context: one more Chromium process)
  // that allows third-party cookies as Chrome's regular windows do, with storage partitioning on.
  // Playwright's own contexts block them, and with them every storage API of the plugin iframe
  // (navigator.locks and localStorage throw SecurityError): its tabs could not elect one owner.
  const context = shared ? shared.context : options.profile ? await launchProfile() : await browser.newContext({ viewport: { width: 1440, height: 900 } });
  if (options.initScript && !shared) await context.addInitScript({ content: options.initScript });
  // A persistent context opens with one blank page: the first tab uses it.
  const blank = !shared && options.profile ? context.pages().find((p) => p.url() === 'about:blank') : undefined;
  const page = blank ?? (await context.newPage());
  page.on('pageerror', (error) => send({ event: 'page', page: name, data: { kind: 'pageerror', message: String(error?.stack ?? error) } }));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      send({ event: 'page', page: name, data: { kind: 'console', level: message.type(), text: message.text(), url: message.location()?.url } });
    }
  });
  pages.set(name, { context, page });
  await page.goto(url);
  if (options.waitFor) await page.waitForFunction(options.waitFor, null, { timeout: 30_000 });
  return { name };
}

/** A fresh persistent browser profile that allows third-party cookies; its directory goes with it. */
async function launchProfile() {
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(runDir, 'profile-'));
  mkdirSync(join(dir, 'Default'));
  writeFileSync(join(dir, 'Default', 'Preferences'), THIRD_PARTY_COOKIES_ALLOWED_PREFERENCES);
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...BROWSER_ARGS, PARTITIONED_FEATURES],
    viewport: { width: 1440, height: 900 },
  });
  context.once('close', () => {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      // Chromium may still be writing as it exits; the run directory goes at lab.stop anyway.
    }
  });
  return context;
}

/**
 * Runs `source`, the text of an `async ({ page, context }, arg) => value` function, here with the
 * page's Playwright objects; the value must be plain data.
 */
async function drivePage(name, source, arg) {
  const entry = pages.get(name);
  if (!entry) throw new Error(`No page named ${name}.`);
  const fn = (0, eval)(`(${source})`);
  return fn({ page: entry.page, context: entry.context }, arg);
}

// ---- the company-like lab (tests/sip/company.e2e.test.ts; see company.mjs) -------------------------

/** @type {{ dir: string, rtpengine: any, coturn: any, desk: DeskPhone, logs: Record<string, string[]> } | null} */
let company = null;

/**
 * Starts the company's services instead of the browser-only Kamailio: rtpengine, Kamailio with
 * authentication and TLS, coturn, and the desk phone registered as `desk`. Returns the generated
 * passwords and TURN secret to the test (over IPC only), and the Chromium switches for web.start.
 */
async function startCompany({ users, desk }) {
  if (company) throw new Error('The company lab is already running.');
  if (kamailio) throw new Error('Kamailio already runs the browser-only configuration.');
  const dir = join(runDir, 'company');
  const made = prepareCompany(root, dir, { users });
  const logs = { rtpengine: [], coturn: [], desk: [] };
  company = { dir, rtpengine: null, coturn: null, desk: new DeskPhone(dir, logs.desk), logs };
  company.rtpengine = await startRtpengine(dir, logs.rtpengine);
  kamailioConfig = { file: join(dir, 'kamailio.cfg'), port: WSS_PORT };
  await startKamailio();
  company.coturn = await startCoturn(dir, made.turnSecret, logs.coturn);
  await company.desk.start({ user: desk, password: made.passwords[desk], tone: made.deskTone });
  return {
    passwords: made.passwords,
    turnSecret: made.turnSecret,
    browserArgs: [`--ignore-certificate-errors-spki-list=${made.spkiHash}`, `--use-file-for-fake-audio-capture=${made.browserTone}`],
  };
}

function deskPhone() {
  if (!company) throw new Error('The company lab is not running.');
  return company.desk;
}

/**
 * What the desk phone heard on its newest call (samples in -1..1): the last `seconds` of it, from
 * sample `fromSample` on; `total` says how many samples the recording holds.
 */
function deskHeard({ fromSample = 0, seconds = 1 } = {}) {
  const recording = deskPhone().recording();
  if (!recording) return null;
  const count = Math.round(recording.sampleRate * seconds);
  const samples = recording.samples.slice(fromSample).slice(-count);
  return { file: recording.file, sampleRate: recording.sampleRate, samples, total: recording.samples.length };
}

async function stopCompany() {
  if (!company) return;
  const { rtpengine, coturn, desk } = company;
  await desk.stop();
  await killGroup(coturn);
  await killGroup(rtpengine);
}

// ---- the channel ------------------------------------------------------------------------------

const ops = {
  'web.start': startWeb,
  'kamailio.start': startKamailio,
  'kamailio.kill': killKamailio,
  'kamailio.log': async () => kamailioLog.slice(),
  'kamailio.contacts': registrarContacts,
  'page.open': openPage,
  'page.close': closePage,
  'page.call': callPage,
  'app.start': startApp,
  'app.open': openApp,
  'page.drive': drivePage,
  'lab.stop': stop,
  'company.start': startCompany,
  'company.log': async (name) => (company?.logs[name] ?? []).slice(),
  'desk.command': (command, params) => deskPhone().command(command, params),
  'desk.events': async () => deskPhone().events.slice(),
  'desk.heard': async (options) => deskHeard(options),
  'rtpengine.towardDesk': async (sinceMs, seconds = 1, untilMs = undefined) => {
    if (!company) throw new Error('The company lab is not running.');
    const { sampleRate, samples, packets } = towardDesk(company.dir, sinceMs, untilMs ?? Infinity);
    return { sampleRate, packets, samples: samples.slice(-Math.round(sampleRate * seconds)) };
  },
  'desk.clearRecordings': async () => deskPhone().clearRecordings(),
};

async function stop() {
  if (closing) return;
  closing = true;
  for (const name of [...pages.keys()]) await closePage(name);
  await browser?.close().catch(() => {});
  await vite?.close().catch(() => {});
  await appVite?.close().catch(() => {});
  await killKamailio();
  await stopCompany();
  rmSync(runDir, { recursive: true, force: true });
}

process.on('message', async (message) => {
  const { id, op, args = [] } = message ?? {};
  const run = ops[op];
  try {
    if (!run) throw new Error(`Unknown lab operation ${op}.`);
    const value = await run(...args);
    send({ id, ok: true, value: value ?? null });
  } catch (error) {
    send({ id, ok: false, error: String(error?.message ?? error) });
  }
});

// Whatever ends this process (an error included), the servers it started go with it: each runs in
// its own process group.
process.on('exit', () => {
  for (const child of [kamailio, company?.rtpengine, company?.coturn, company?.desk.child]) {
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

// The parent went away (test finished or crashed): leave nothing running.
process.on('disconnect', async () => {
  await stop().catch(() => {});
  process.exit(0);
});

function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}

// Says the namespace is what it should be: loopback only.
const links = spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout ?? '';
send({ event: 'ready', links: links.split('\n').filter(Boolean).map((l) => l.split(':')[1]?.trim()) });
