#!/usr/bin/env node
// node scripts/bench-server.mjs: figures for the call-logging server (server/README.md quotes them).
// Numbers only, no pass/fail: this machine is shared and noisy, so people read the targets
// (>= 1,000 reports/s accepted; p99 < 50 ms from a plugin report to Front receiving the request).
//
// The real server runs as a child process (its own SQLite file in a temp dir, default settings),
// the Front stand-in (healthy: no faults) and the load generator run in this process; all traffic
// stays on 127.0.0.1. Latency is measured from just before a report is sent to the server to the
// moment the stand-in receives the Front request it causes (one clock: this process's).
//
//   throughput   as many reports as the server takes, 64 in flight: accepted/s, and the latency
//                report -> Front under that saturation
//   paced        reports at a steady 500/s, then 1,000/s, 5 s each: the latency report -> Front
//   cpu          the server's CPU time per report (Front request included), from /proc
//
//   company      a simulated company against a stand-in enforcing Front's budget (100 a minute, 5 a
//                second): 200 teammates, 12 calls an hour each (answered calls with holds,
//                unanswered ones, summaries), one hour compressed into BENCH_COMPANY_SECONDS (240):
//                Front requests a minute, 429s (target 0), share of the budget used while behind
//                (target >= 90%), delay from a call's end to Front's final state (p50 / p99, in
//                real time: compressed time x the compression)
//
// `node scripts/bench-server.mjs load company` runs only the sections named (default: both).
// Options: BENCH_CALLS (2000), BENCH_RATES (500,1000), BENCH_SECONDS (5), DATABASE_SYNCHRONOUS
// (normal), BENCH_NODE_ARGS (extra node flags for the server, e.g. --cpu-prof), BENCH_TEAMMATES
// (200), BENCH_CALLS_PER_HOUR (12), BENCH_BUDGET (100), BENCH_COMPANY_SECONDS (240).
// The load section gives the server a budget it never reaches (Front's plans are 50 to 200 a
// minute): it measures the server's own cost, not Front's pacing.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { startStandin } = await tsImport('../server/standin/standin.ts', import.meta.url);

const APP_UID = 'bench_app';
const APP_SECRET = 'bench-app-secret-0123456789';
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const RATES = (process.env.BENCH_RATES ?? '500,1000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const now = () => performance.timeOrigin + performance.now();

function report(label, value) {
  console.log(`${label.padEnd(52)} ${value}`);
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The plugin's call id in a Front id (the teammate's tag, a dash, the plugin's id: server/calls/ownership.ts). */
const pluginIdOf = (frontId) => frontId.replace(/^t[0-9a-f]{16}-/, '');

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const sections = process.argv.slice(2);
const wants = (name) => sections.length === 0 || sections.includes(name);

if (wants('load')) await loadBench();
if (wants('company')) await companyBench();

async function loadBench() {
  /** Where each Front request of a call/status arrived at the stand-in. */
  const arrivals = new Map();
  const standin = await startStandin({
    appUid: APP_UID,
    appSecret: APP_SECRET,
    maxLoggedRequests: 10,
    // Front ids are the teammate's tag, a dash, the plugin's id (server/calls/ownership.ts): keyed by the plugin's id.
    onApplied: (e) => arrivals.set(`${pluginIdOf(e.callId)}|${e.status}`, e.receivedAt),
  });

  const dir = mkdtempSync(join(tmpdir(), 'bench-server-'));
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/cli.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      FRONT_APP_UID: APP_UID,
      FRONT_APP_SECRET: APP_SECRET,
      ADMIN_TOKEN,
      FRONT_API_BASE_URL: standin.url,
      DATABASE_PATH: join(dir, 'calls.sqlite'),
      DATABASE_SYNCHRONOUS: process.env.DATABASE_SYNCHRONOUS ?? 'normal',
      ...(process.env.OUTBOX_CONCURRENCY ? { OUTBOX_CONCURRENCY: process.env.OUTBOX_CONCURRENCY } : {}),
      FRONT_RATE_LIMIT_PER_MINUTE: '1000000',
      FRONT_BURST_PER_SECOND: '100000',
      PORT: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolveUrl, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /"msg":"server listening","url":"([^"]+)"/.exec(out);
      if (match) resolveUrl(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });

  // node:http with keep-alive: the load generator shares this process with the stand-in, and fetch
  // costs several times the CPU per request.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  function post(path, json, token) {
    const body = JSON.stringify(json);
    return new Promise((resolvePost, reject) => {
      const req = http.request(
        `${url}${path}`,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            if (res.statusCode !== 202 && res.statusCode !== 201 && res.statusCode !== 200) reject(new Error(`${res.statusCode} ${text}`));
            else resolvePost(JSON.parse(text));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async function drain(timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await (await fetch(`${url}/admin/outbox`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
      if (s.pending === 0 && s.inflight === 0) return;
      if (Date.now() > deadline) throw new Error('the outbox did not drain');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Four reports a call: started, connected, held, ended; each causes one Front request. */
  function reportsFor(prefix, count) {
    const list = [];
    const at = Date.now();
    for (let i = 0; i < count; i++) {
      const callId = `${prefix}-${i}`;
      const participant = `+1415${String(5_000_000 + i).padStart(7, '0')}`;
      list.push(
        [{ seq: 1, at, type: 'CALL_STARTED', detail: { callId, callType: 'outbound', participant } }, `${callId}|ringing`],
        [{ seq: 2, at: at + 1, type: 'CALL_CONNECTED', detail: { callId } }, `${callId}|connected`],
        [{ seq: 3, at: at + 2, type: 'HOLD', detail: { callId } }, `${callId}|hold`],
        [{ seq: 4, at: at + 3, type: 'CALL_ENDED', detail: { callId, reason: 'localHangup' } }, `${callId}|hangup`],
      );
    }
    return list;
  }

  /** Sends each call's reports in order, calls interleaved; `pace` spaces out the starts. */
  async function run(prefix, calls, { inflight, ratePerSecond }) {
    const token = tokens[0];
    const list = reportsFor(prefix, calls);
    // Per call, reports are sent one after the other (as a plugin does); across calls in parallel.
    const perCall = [];
    for (let i = 0; i < list.length; i += 4) perCall.push(list.slice(i, i + 4));
    const sentAt = new Map();
    let next = 0;
    let sent = 0;
    const t0 = now();
    const worker = async () => {
      while (next < perCall.length) {
        const call = perCall[next++];
        for (const [body, key] of call) {
          if (ratePerSecond) {
            const due = t0 + (sent / ratePerSecond) * 1000;
            sent++;
            const wait = due - now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          }
          sentAt.set(key, now());
          await post('/v1/calls/events', body, token);
        }
      }
    };
    await Promise.all(Array.from({ length: inflight }, worker));
    const elapsed = now() - t0;
    await drain();
    const latencies = [];
    for (const [key, at] of sentAt) {
      const arrived = arrivals.get(key);
      if (arrived !== undefined) latencies.push(arrived - at);
    }
    latencies.sort((a, b) => a - b);
    return { reports: list.length, elapsed, latencies, missing: sentAt.size - latencies.length };
  }

  let tokens = [];
  try {
    await standin.authorize(url, 'cha_bench');
    tokens = [(await post('/admin/tokens', { email: 'bench@example.com' }, ADMIN_TOKEN)).token];

    // Warm up (JIT, connections, SQLite pages); not counted.
    await run('warm', 100, { inflight: 16 });

    console.log(`server bench (${new Date().toISOString()}), node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    report('database synchronous', process.env.DATABASE_SYNCHRONOUS ?? 'normal');
    const cpuBefore = cpuSeconds(child.pid);
    const saturated = await run('sat', CALLS, { inflight: 64 });
    const cpuAfter = cpuSeconds(child.pid);
    report(`throughput: reports accepted per second (${saturated.reports})`, `${Math.round((saturated.reports / saturated.elapsed) * 1000)}/s`);
    report('throughput: report -> Front p50 / p99 (ms)', `${percentile(saturated.latencies, 50).toFixed(1)} / ${percentile(saturated.latencies, 99).toFixed(1)}`);
    if (cpuBefore !== null && cpuAfter !== null) {
      report('server CPU per report, Front request included (µs)', Math.round(((cpuAfter - cpuBefore) / saturated.reports) * 1e6));
    }

    let missing = saturated.missing;
    for (const rate of RATES) {
      const paced = await run(`paced${rate}`, Math.ceil((rate * SECONDS) / 4), { inflight: 64, ratePerSecond: rate });
      missing += paced.missing;
      report(`paced ${rate}/s: reports accepted per second (${paced.reports})`, `${Math.round((paced.reports / paced.elapsed) * 1000)}/s`);
      report(`paced ${rate}/s: report -> Front p50 / p99 / max (ms)`, `${percentile(paced.latencies, 50).toFixed(1)} / ${percentile(paced.latencies, 99).toFixed(1)} / ${paced.latencies.at(-1).toFixed(1)}`);
    }
    if (missing > 0) report('reports whose Front request was not seen', missing);
  } finally {
    agent.destroy();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await standin.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A server child process (SQLite in a temp dir) and a keep-alive client for it. */
async function serverChild(standinUrl, extraEnv) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-company-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      FRONT_APP_UID: APP_UID,
      FRONT_APP_SECRET: APP_SECRET,
      ADMIN_TOKEN,
      FRONT_API_BASE_URL: standinUrl,
      DATABASE_PATH: join(dir, 'calls.sqlite'),
      PORT: '0',
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolveUrl, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.length > 100_000) out = out.slice(-50_000);
      const match = /"msg":"server listening","url":"([^"]+)"/.exec(out);
      if (match) resolveUrl(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const call = (method, path, json, token) =>
    new Promise((resolveCall, reject) => {
      const body = json === undefined ? '' : JSON.stringify(json);
      const req = http.request(
        `${url}${path}`,
        {
          method,
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            if (res.statusCode >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
            else resolveCall(text ? JSON.parse(text) : null);
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    url,
    post: (path, json, token) => call('POST', path, json, token),
    get: (path) => call('GET', path, undefined, ADMIN_TOKEN),
    async close() {
      agent.destroy();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A seeded PRNG (mulberry32), so a run's company is the same every time. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function companyBench() {
  const TEAMMATES = Number(process.env.BENCH_TEAMMATES ?? 200);
  const PER_HOUR = Number(process.env.BENCH_CALLS_PER_HOUR ?? 12);
  const BUDGET = Number(process.env.BENCH_BUDGET ?? 100);
  const HOUR_SECONDS = Number(process.env.BENCH_COMPANY_SECONDS ?? 240);
  const COMPRESSION = 3600 / HOUR_SECONDS;
  const WINDOW_MS = 60_000 / COMPRESSION;
  const random = prng(20_261_202);
  const FINAL = new Set(['hangup', 'missed', 'abandoned', 'transferred']);

  // The company's hour, in real seconds: each teammate's calls, one after the other.
  const calls = [];
  for (let t = 0; t < TEAMMATES; t++) {
    for (let c = 0; c < PER_HOUR; c++) {
      const start = random() * 3600;
      const callId = `co-${t}-${c}`;
      const direction = random() < 0.5 ? 'inbound' : 'outbound';
      const participant = `+1415${String(1_000_000 + t * 100 + c).padStart(7, '0')}`;
      const ring = 3 + random() * 17;
      const events = [{ at: start, type: 'CALL_STARTED', detail: { callId, callType: direction, participant } }];
      if (random() < 0.2) {
        events.push({ at: start + ring, type: 'CALL_ENDED', detail: { callId, reason: direction === 'inbound' ? 'missed' : 'noAnswer' } });
      } else {
        const talk = 60 + random() * 340;
        events.push({ at: start + ring, type: 'CALL_CONNECTED', detail: { callId } });
        if (random() < 0.25) {
          const hold = start + ring + talk * 0.3;
          events.push({ at: hold, type: 'HOLD', detail: { callId } }, { at: hold + 20 + random() * 40, type: 'RESUME', detail: { callId } });
        }
        events.push({ at: start + ring + talk, type: 'CALL_ENDED', detail: { callId, reason: random() < 0.5 ? 'localHangup' : 'remoteHangup' } });
      }
      calls.push({ teammate: t, callId, events, summary: random() < 0.3 });
    }
  }

  const applied = []; // receivedAt of every request Front applied
  const finalAt = new Map();
  const standin = await startStandin({
    appUid: APP_UID,
    appSecret: APP_SECRET,
    maxLoggedRequests: 10,
    budget: { perWindow: BUDGET, burstPerSecond: 5, windowMs: WINDOW_MS },
    onApplied: (e) => {
      applied.push(e.receivedAt);
      const callId = pluginIdOf(e.callId);
      if (e.operation === 'status' && FINAL.has(e.status) && !finalAt.has(callId)) finalAt.set(callId, e.receivedAt);
    },
  });
  const server = await serverChild(standin.url, {
    FRONT_RATE_LIMIT_PER_MINUTE: String(BUDGET),
    FRONT_BURST_PER_SECOND: '5',
    FRONT_RATE_WINDOW_MS: String(WINDOW_MS),
    OUTBOX_MAX_RETRY_AFTER_MS: String(WINDOW_MS),
  });
  try {
    await standin.authorize(server.url, 'cha_company');
    const tokens = [];
    for (let t = 0; t < TEAMMATES; t++) tokens.push((await server.post('/admin/tokens', { email: `agent${t}@example.com` }, ADMIN_TOKEN)).token);

    const endedAt = new Map();
    const samples = [];
    let failures = 0;
    const t0 = now();
    const sampler = setInterval(() => {
      const at = now();
      server.get('/admin/outbox').then(
        (s) => samples.push({ at, behind: s.behind, backlog: s.backlog, expectedDelayMs: s.expectedDelayMs }),
        () => {},
      );
    }, WINDOW_MS / 4);
    // Each call's reports at their (compressed) times, in order.
    await Promise.all(
      calls.map(async (call) => {
        let seq = 0;
        const token = tokens[call.teammate];
        for (const e of call.events) {
          const due = t0 + (e.at / COMPRESSION) * 1000;
          const wait = due - now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          try {
            if (e.type === 'CALL_ENDED') endedAt.set(call.callId, now());
            await server.post('/v1/calls/events', { seq: ++seq, at: Math.round(Date.now()), type: e.type, detail: e.detail }, token);
          } catch {
            failures++;
          }
        }
        if (call.summary) {
          await server.post('/v1/calls/summary', { callId: call.callId, outcome: call.events.at(-1).detail.reason }, token).catch(() => failures++);
        }
      }),
    );
    const reportedAt = now();
    // The backlog drains at the budget's pace; bounded.
    for (const deadline = now() + 4 * HOUR_SECONDS * 1000; now() < deadline; ) {
      const s = await server.get('/admin/outbox');
      if (s.pending === 0 && s.inflight === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    clearInterval(sampler);
    const drainedAt = now();
    const outbox = await server.get('/admin/outbox');

    // Front requests per (compressed) minute: whole windows from the first request to the last.
    applied.sort((a, b) => a - b);
    const windowOf = (t) => Math.floor(t / WINDOW_MS);
    const perWindow = new Map();
    for (const t of applied) perWindow.set(windowOf(t), (perWindow.get(windowOf(t)) ?? 0) + 1);
    const first = windowOf(applied[0]) + 1;
    const last = windowOf(applied.at(-1)) - 1;
    const counts = [];
    for (let w = first; w <= last; w++) counts.push(perWindow.get(w) ?? 0);
    // Behind: windows the admin endpoint said "behind" through (every sample in them).
    const behindWindows = new Map();
    for (const s of samples) {
      const w = windowOf(s.at);
      behindWindows.set(w, (behindWindows.get(w) ?? true) && s.behind);
    }
    const behindCounts = [];
    for (let w = first; w <= last; w++) if (behindWindows.get(w)) behindCounts.push(perWindow.get(w) ?? 0);
    const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
    const delays = [];
    for (const [callId, at] of endedAt) {
      const got = finalAt.get(callId);
      if (got !== undefined) delays.push(((got - at) * COMPRESSION) / 1000);
    }
    delays.sort((a, b) => a - b);
    const answers = standin.answers();
    const queued = calls.reduce((n, c) => n + c.events.length + (c.summary ? 1 : 0), 0);
    const maxBacklog = samples.reduce((m, s) => Math.max(m, s.backlog), 0);
    const maxExpected = samples.reduce((m, s) => Math.max(m, s.expectedDelayMs), 0);

    console.log(`\ncompany bench (${new Date().toISOString()}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    report('company', `${TEAMMATES} teammates x ${PER_HOUR} calls/h = ${calls.length} calls, ${queued} reports; 1 h in ${HOUR_SECONDS} s`);
    report("Front's budget (stand-in)", `${BUDGET}/min, burst 5/s`);
    report('Front requests a minute: mean / max', `${mean(counts).toFixed(1)} / ${Math.max(...counts)}`);
    report('429s received (target 0)', answers[429] ?? 0);
    report('budget used while behind (target >= 90%)', behindCounts.length ? `${((mean(behindCounts) / BUDGET) * 100).toFixed(1)}% over ${behindCounts.length} minutes` : 'never behind');
    report('stale states skipped', outbox.skipped);
    report('calls whose final state reached Front', `${finalAt.size} of ${calls.length}`);
    report('call end -> final state in Front p50 / p99 (real s)', `${percentile(delays, 50).toFixed(1)} / ${percentile(delays, 99).toFixed(1)}`);
    report('largest backlog / its expected delay (real min)', `${maxBacklog} / ${((maxExpected * COMPRESSION) / 60_000).toFixed(1)}`);
    report('all reported / all in Front after (real min)', `${(((reportedAt - t0) * COMPRESSION) / 60_000).toFixed(0)} / ${(((drainedAt - t0) * COMPRESSION) / 60_000).toFixed(0)}`);
    if (failures > 0) report('reports the server refused', failures);
  } finally {
    await server.close();
    await standin.close();
  }
}
