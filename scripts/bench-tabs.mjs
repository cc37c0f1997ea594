#!/usr/bin/env node
// One phone across Front tabs, over time (called by scripts/bench.mjs as sections `memory` and
// `tabs`; runs on its own too: node scripts/bench-tabs.mjs [memory] [tabs]).
// Numbers only, no pass/fail: the machine is shared and noisy.
//
//   memory  heap growth over 1,000 simulated calls, in Node, through the real composition root:
//           startSoftphone (tab hub, mirrored machine, Front connector, notifications, call
//           continuity) + startCallLog (reporter, outbox, IndexedDB via fake-indexeddb) on the
//           simulated line with 1 ms timings; the call-log server is a fetch answering 202. Each
//           call: the caller rings, the agent answers, the caller hangs up, the agent moves on,
//           and the call's reports are all accepted before the next call. Heap after forced GC
//           (v8 --expose-gc) after a warm-up of WARMUP calls, after CALLS more, and after each of
//           ROUNDS more rounds of CALLS. Heap snapshots of a run (2026-12-02) put the first
//           figure's growth in compiled code (the JIT still warming up; the code-space part is printed) and in the
//           capacity of the WeakMap hash tables of the `idb` library (its entries are weak and
//           collected; the tables keep their peak size), which varies from run to run with GC
//           timing; the later rounds, once warm, show what the calls themselves keep.
//           Why Node, not the page: the page's simulated line keeps its human timings (ringing,
//           connecting: ~2 s a call) and has no call log unless a server is configured.
//   tabs    takeover after the owner tab closes, in headless Chromium: two workspace tabs of one
//           browser profile that allows third-party storage (tests/e2e/support/profile.mjs, as the
//           e2e tests open them), the first owns the phone; close it and time until the other
//           tab's plugin owns it (its window.__softphone dev hook appears, set by the owner's
//           start-up in src/main.tsx). A fresh tab is opened for the next run. TAKEOVERS runs.
//
// Options: --calls N (default 1000), --warmup N (default 50), --rounds N (default 3),
// --gc-every N (default 50; 0: a full GC only where the heap is read),
// --takeovers N (default 20).
import 'fake-indexeddb/auto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const sections = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const wants = (name) => sections.length === 0 || sections.includes(name);
const CALLS = Number(option('calls', 1000));
const WARMUP = Number(option('warmup', 50));
const GC_EVERY = Number(option('gc-every', 50));
const TAKEOVERS = Number(option('takeovers', 20));
const ROUNDS = Number(option('rounds', 3));

function report(label, value) {
  console.log(`${label.padEnd(44)} ${value}`);
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

// --- memory -------------------------------------------------------------------------------------

/** Local storage as the page has it, in memory. */
function memoryStorage() {
  const items = new Map();
  return {
    get length() {
      return items.size;
    },
    key: (i) => [...items.keys()][i] ?? null,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
  };
}

/** A Front host that keeps nothing: contexts never come, notifications get ids. */
function quietHost() {
  let next = 1;
  return {
    subscribe: (listener) => {
      listener({ kind: 'waiting' });
      return () => {};
    },
    displayNotification: async () => `notification-${next++}`,
    dismissNotification: async () => undefined,
    listTags: async () => [],
    tagConversation: async () => undefined,
    openUrl: async () => undefined,
  };
}

async function memoryGrowth() {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const { createServer } = await import('vite');
  const server = await createServer({ root, logLevel: 'error', server: { middlewareMode: true, hmr: false, watch: null }, appType: 'custom', cacheDir: join(root, 'node_modules/.vite-bench') });
  try {
    const { startSoftphone } = await server.ssrLoadModule('/src/app/index.ts');
    const { startCallLog, createCallLogSettings } = await server.ssrLoadModule('/src/calllog/index.ts');
    const { createSimulatedLine } = await server.ssrLoadModule('/src/telephony/simulated/index.ts');

    const storage = memoryStorage();
    let accepted = 0;
    const fetch = async () => {
      accepted += 1;
      return new Response('{"status":"accepted"}', { status: 202, headers: { 'content-type': 'application/json' } });
    };
    const line = createSimulatedLine({ ringMs: 1, connectMs: 1, transferRingMs: 1, lossAfterMs: 1, statsEveryMs: 0 });
    let reporter = null;
    const problems = [];
    // The reporter's fetch is the global one (read at each send).
    globalThis.fetch = fetch;
    const softphone = startSoftphone({
      line,
      host: quietHost(),
      storage,
      onOwner(phone) {
        const settings = createCallLogSettings({ storage, defaults: { url: 'http://127.0.0.1:9', token: 'fct_bench-token-0123456789abcdef' } });
        const started = startCallLog({
          dialer: phone.actor,
          storage,
          settings,
          onProblem: (problem) => problems.push(problem),
        });
        reporter = started.reporter;
        return () => started.stop();
      },
    });
    // The phone itself loads off the first render (src/app/phone.ts): wait for this instance to own it.
    const ownerBy = performance.now() + 10_000;
    while (!softphone.owner.getState() || !reporter) {
      if (performance.now() > ownerBy) throw new Error('the softphone did not take the phone');
      await new Promise((r) => setTimeout(r, 5));
    }
    const owner = softphone.owner.getState();
    await reporter.ready;
    const actor = owner.actor;
    const tick = () => new Promise((r) => setTimeout(r, 0));
    const until = async (what, check) => {
      const end = performance.now() + 5_000;
      while (!check()) {
        if (performance.now() > end) throw new Error(`timed out waiting for ${what} (state ${JSON.stringify(actor.getSnapshot().value)})`);
        await tick();
      }
    };

    const oneCall = async (k) => {
      const callId = line.ringAgent({ from: `+1415555${String(1000 + (k % 9000)).padStart(4, '0')}`, name: 'Maria Garcia', giveUpAfterMs: 60_000 });
      await until('ringing', () => actor.getSnapshot().hasTag('ringing'));
      actor.send({ type: 'AGENT.ANSWER' });
      await until('connected', () => actor.getSnapshot().context.call?.connectedAt != null);
      line.remoteHangsUp();
      await until('ended', () => actor.getSnapshot().matches('ended'));
      actor.send({ type: 'AGENT.RESET' });
      await until('logged', () => reporter.status(callId)?.kind === 'logged');
    };

    /** Heap in use after forced GC, and the part that is compiled code (the JIT's, not the calls'). */
    const heap = async () => {
      for (let i = 0; i < 5; i += 1) await tick();
      for (let i = 0; i < 3; i += 1) gc();
      const code = getHeapSpaceStatistics()
        .filter((space) => space.space_name.startsWith('code'))
        .reduce((sum, space) => sum + space.space_used_size, 0);
      return { used: process.memoryUsage().heapUsed, code };
    };
    const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

    const started = performance.now();
    // --gc-every N: a full GC after every N calls, as Chrome's idle-time GC does while the plugin
    // waits between calls (0: only where the heap is read).
    const callAndMaybeGc = async (k) => {
      await oneCall(k);
      if (GC_EVERY > 0 && (k + 1) % GC_EVERY === 0) gc();
    };
    for (let k = 0; k < WARMUP; k += 1) await callAndMaybeGc(k);
    const h0 = await heap();
    const reportsBefore = accepted;
    const t0 = performance.now();
    for (let k = WARMUP; k < WARMUP + CALLS; k += 1) await callAndMaybeGc(k);
    const callsMs = performance.now() - t0;
    const h1 = await heap();
    const reportsFirst = accepted - reportsBefore;
    // More rounds of the same: what still grows once the code is warm is what calls keep. Growth
    // comes in steps (a hash table doubling its capacity), so the rounds are summed as well.
    const rounds = [];
    let last = h1;
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let k = 0; k < CALLS; k += 1) await callAndMaybeGc(WARMUP + (round + 1) * CALLS + k);
      const h = await heap();
      rounds.push(h.used - last.used);
      last = h;
    }
    softphone.stop();
    const first = h1.used - h0.used;
    const later = last.used - h1.used;
    report(
      `heap growth over ${CALLS.toLocaleString('en')} calls${GC_EVERY ? ` (GC every ${GC_EVERY})` : ''} (target <= 0.5 MB)`,
      `${kb(first)}, ${(first / CALLS).toFixed(0)} B per call (after GC; ${(h0.used / 1048576).toFixed(1)} -> ${(h1.used / 1048576).toFixed(1)} MB after ${WARMUP} warm-up calls; code space ${kb(h1.code - h0.code)} of it)`,
    );
    report(
      `heap growth over the next ${ROUNDS} x ${CALLS.toLocaleString('en')} calls`,
      `${kb(later)} in all, ${(later / (ROUNDS * CALLS)).toFixed(0)} B per call (rounds: ${rounds.map(kb).join(', ')}; code space ${kb(last.code - h1.code)}; what keeps growing once the code is warm)`,
    );
    report(
      'memory: how',
      `Node ${process.version}, real composition root (startSoftphone + startCallLog, fake-indexeddb, fetch answering 202), simulated line 1 ms timings; ${reportsFirst} reports accepted per ${CALLS.toLocaleString('en')} calls, ${(callsMs / CALLS).toFixed(1)} ms a call`,
    );
    if (problems.length) report('memory: call log problems', problems.slice(0, 3).map((p) => p.code).join(', '));
    report('memory bench wall time', `${((performance.now() - started) / 1000).toFixed(1)} s, load average ${load()}`);
  } finally {
    await server.close();
  }
}

// --- takeover -----------------------------------------------------------------------------------

async function startDevServer() {
  const { createServer } = await import('vite');
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

/** One more workspace page ("Front tab") in the profile; resolves once its plugin has joined the phone. */
async function openTab(context, workspaceOrigin, pluginUrl) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`));
  await page.goto(`${workspaceOrigin}/workspace/?plugin=${encodeURIComponent(pluginUrl)}`);
  await page.waitForFunction(() => (window.__workspace?.handshakes ?? 0) >= 1, null, { timeout: 30_000 });
  const handle = await page.waitForSelector('iframe[title="Softphone plugin"]', { state: 'attached' });
  const frame = await handle.contentFrame();
  if (!frame) throw new Error('The plugin iframe has no frame.');
  const pluginOrigin = new URL(pluginUrl).origin;
  if (!frame.url().startsWith(pluginOrigin)) await frame.waitForURL((url) => url.origin === pluginOrigin);
  await frame.waitForSelector('[role="status"]', { state: 'attached', timeout: 30_000 });
  // Joined: it owns the phone, or its request for the phone's Web Lock (PHONE_HUB_NAME in
  // src/app/startSoftphone.ts) waits in the queue (only one tab at a time waits here).
  await frame.waitForFunction(async () => {
    if (window.__softphone !== undefined) return true;
    const { pending = [] } = await navigator.locks.query();
    return pending.some((lock) => lock.name === 'front-softphone/phone');
  }, null, { timeout: 30_000, polling: 20 });
  return { page, frame, errors, owns: () => frame.evaluate(() => window.__softphone !== undefined) };
}

/** In the plugin frame: resolves (its clock) once this instance owns the phone and its line is there. */
const waitToOwn = () =>
  new Promise((resolve) => {
    const check = () => {
      if (window.__softphone) void Promise.resolve(window.__softphone.line.ready).then(() => resolve(performance.timeOrigin + performance.now()));
      else setTimeout(check, 1);
    };
    check();
  });

async function takeover() {
  const { launchProfile } = await import('../tests/e2e/support/profile.mjs');
  const started = performance.now();
  const dev = await startDevServer();
  let context = null;
  try {
    context = await launchProfile();
    const workspaceOrigin = `http://localhost:${dev.port}`;
    const pluginUrl = `http://127.0.0.1:${dev.port}/`;
    let tabs = [await openTab(context, workspaceOrigin, pluginUrl), await openTab(context, workspaceOrigin, pluginUrl)];
    const owns = [];
    const rings = [];
    for (let run = 0; run < TAKEOVERS + 1; run += 1) {
      const flags = await Promise.all(tabs.map((tab) => tab.owns()));
      if (flags.filter(Boolean).length !== 1) throw new Error(`run ${run}: ${flags.filter(Boolean).length} tabs own the phone`);
      const owner = tabs[flags.indexOf(true)];
      const next = tabs[flags.indexOf(false)];
      const owned = next.frame.evaluate(waitToOwn);
      const closedAt = Date.now();
      await owner.page.close({ runBeforeUnload: true });
      // The plugin frame's clock (performance.timeOrigin + now) against this process's Date.now():
      // one machine's wall clock, to about a millisecond.
      const ownedAt = await owned;
      // The next call reaches the new owner: the workspace rings, the plugin says so.
      await next.page.evaluate(() => window.__workspace.ring('+14155550123', 'Maria Garcia'));
      await next.frame.waitForFunction(() => /^Incoming call/.test(document.querySelector('[role="status"]')?.textContent?.trim() ?? ''), null, { timeout: 10_000, polling: 5 });
      const rangAt = Date.now();
      if (run > 0) {
        // The first run is a warm-up (the dev server's first module requests).
        owns.push(ownedAt - closedAt);
        rings.push(rangAt - closedAt);
      }
      await next.frame.evaluate(() => window.__softphone.actor.send({ type: 'AGENT.DECLINE' }));
      await next.frame.waitForFunction(() => window.__softphone.actor.getSnapshot().matches('ended'), null, { timeout: 10_000 });
      await next.frame.evaluate(() => window.__softphone.actor.send({ type: 'AGENT.RESET' }));
      tabs = [next, await openTab(context, workspaceOrigin, pluginUrl)];
      if (next.errors.length) throw new Error(`page errors: ${next.errors.slice(0, 3).join(' | ')}`);
    }
    const summary = (values) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `median ${quantile(sorted, 0.5).toFixed(0)} ms, p95 ${quantile(sorted, 0.95).toFixed(0)} ms (min ${sorted[0].toFixed(0)}, max ${sorted.at(-1).toFixed(0)}, n=${sorted.length})`;
    };
    report('takeover after the owner tab closes (<= 2 s)', `${summary(owns)} [close -> the other tab owns the phone, its simulated line loaded]`);
    report('takeover: owner closes -> next ring shown', `${summary(rings)} [close -> workspace rings the new owner -> "Incoming call" in its plugin]`);
    report('takeover: how', `Chromium ${context.browser()?.version() ?? ''} headless, one profile allowing third-party storage (as the e2e tests), two workspace tabs, plugin from the Vite dev server; page.close() runs beforeunload/pagehide`);
  } finally {
    await context?.close().catch(() => undefined);
    await dev.server.close().catch(() => undefined);
  }
  report('takeover bench wall time', `${((performance.now() - started) / 1000).toFixed(1)} s, load average ${load()}`);
}

if (wants('memory')) {
  try {
    await memoryGrowth();
  } catch (error) {
    report('heap growth over 1,000 calls', `failed: ${error instanceof Error ? error.stack : String(error)}`);
  }
}
if (wants('tabs')) {
  try {
    await takeover();
  } catch (error) {
    report('takeover after the owner tab closes', `failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exit(0);
