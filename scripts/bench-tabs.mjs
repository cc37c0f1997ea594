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
//           (v8 --expose-gc) after a warm-up of WARMUP calls, then after CALLS more.
//           Why Node, not the page: the page's simulated line keeps its human timings (ringing,
//           connecting: ~2 s a call) and has no call log unless a server is configured.
//   tabs    takeover after the owner tab closes, in headless Chromium: two workspace tabs of one
//           browser profile that allows third-party storage (tests/e2e/support/profile.mjs, as the
//           e2e tests open them), the first owns the phone; close it and time until the other
//           tab's plugin owns it (its window.__softphone dev hook appears, set by the owner's
//           start-up in src/main.tsx). A fresh tab is opened for the next run. TAKEOVERS runs.
//
// Options: --calls N (default 1000), --warmup N (default 50), --takeovers N (default 20).
import 'fake-indexeddb/auto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
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
const TAKEOVERS = Number(option('takeovers', 20));

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
    const { startCallLog, createCallLogSettings, createCallReporter, memoryReportStore } = await server.ssrLoadModule('/src/calllog/index.ts');
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
    const softphone = startSoftphone({
      line,
      host: quietHost(),
      storage,
      onOwner(phone) {
        const settings = createCallLogSettings({ storage, defaults: { url: 'http://127.0.0.1:9', token: 'fct_bench-token-0123456789abcdef' } });
        const started = process.env.BENCH_MEMSTORE ? (() => { const r = createCallReporter({ dialer: phone.actor, settings: () => settings.current(), db: memoryReportStore(), onProblem: (p) => problems.push(p), openCalls: storage }); return { reporter: r, stop: () => r.stop() }; })() : startCallLog({
          dialer: phone.actor,
          storage,
          settings,
          onProblem: (problem) => problems.push(problem),
        });
        // The fetch is the reporter's: startCallLog takes the global one.
        reporter = started.reporter;
        return () => started.stop();
      },
    });
    globalThis.fetch = fetch;
    const owner = softphone.owner.getState();
    if (!owner || !reporter) throw new Error('the softphone did not take the phone');
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

    const heap = async () => {
      for (let i = 0; i < 5; i += 1) await tick();
      for (let i = 0; i < 3; i += 1) gc();
      return process.memoryUsage().heapUsed;
    };

    const started = performance.now();
    for (let k = 0; k < WARMUP; k += 1) await oneCall(k);
    const before = await heap();
    if (process.env.BENCH_SNAP) (await import('node:v8')).writeHeapSnapshot('/tmp/bench-before.heapsnapshot');
    const reportsBefore = accepted;
    const t0 = performance.now();
    for (let k = WARMUP; k < WARMUP + CALLS; k += 1) await oneCall(k);
    const callsMs = performance.now() - t0;
    const after = await heap();
    if (process.env.BENCH_SNAP) (await import('node:v8')).writeHeapSnapshot('/tmp/bench-after.heapsnapshot');
    const growth = after - before;
    softphone.stop();
    report(
      'heap growth over 1,000 calls (target <= 0.5 MB)',
      `${(growth / 1024).toFixed(1)} KB, ${(growth / CALLS).toFixed(0)} B per call (heap after GC ${(before / 1048576).toFixed(1)} -> ${(after / 1048576).toFixed(1)} MB; ${CALLS} calls after ${WARMUP} warm-up, ${accepted - reportsBefore} reports accepted, ${(callsMs / CALLS).toFixed(1)} ms a call; Node ${process.version}, real composition root, simulated line 1 ms timings)`,
    );
    if (problems.length) report('memory: call log problems', problems.slice(0, 3).map((p) => p.code).join(', '));
    report('memory bench wall time', `${((performance.now() - started) / 1000).toFixed(1)} s, load average ${load()}`);
  } finally {
    await server.close();
  }
}

if (wants('memory')) {
  try {
    await memoryGrowth();
  } catch (error) {
    report('heap growth over 1,000 calls', `failed: ${error instanceof Error ? error.stack : String(error)}`);
  }
}
process.exit(0);
