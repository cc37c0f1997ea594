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
// Options: BENCH_CALLS (2000), BENCH_RATES (500,1000), BENCH_SECONDS (5), DATABASE_SYNCHRONOUS
// (normal), BENCH_NODE_ARGS (extra node flags for the server, e.g. --cpu-prof).
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

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Where each Front request of a call/status arrived at the stand-in. */
const arrivals = new Map();
const standin = await startStandin({
  appUid: APP_UID,
  appSecret: APP_SECRET,
  maxLoggedRequests: 10,
  // Front ids are the teammate's tag, a dash, the plugin's id (server/calls/ownership.ts): keyed by the plugin's id.
  onApplied: (e) => arrivals.set(`${e.callId.replace(/^t[0-9a-f]{16}-/, '')}|${e.status}`, e.receivedAt),
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
