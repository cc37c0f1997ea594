#!/usr/bin/env node
// npm run bench: prints the figures the README quotes. Numbers only, no pass/fail: this machine is
// shared and noisy, so targets are read by people, not asserted by tests.
//
//   initial JS   gzip size of what index.html loads before first render (entry + static imports)
//   machine      cost per event of the call machine (µs), median of several rounds
//   browser      (when Chromium is present) Call-button-to-dial and incoming-to-notification
//                latencies through the local Front workspace; see scripts/bench-browser.mjs
//   server       reports accepted per second and report-to-Front latency (bench-server.mjs)
//   sip          dial-to-INVITE and INVITE-to-ringing against Kamailio (bench-sip.mjs), then in the
//                company-like lab: authenticated dial-to-INVITE, server back to registered
//   memory       heap growth over 1,000 simulated calls through the real composition root, in
//                Node (bench-tabs.mjs)
//   tabs         (when Chromium is present) takeover time after the owner tab closes, two
//                workspace tabs in one browser profile (bench-tabs.mjs)
//
// `npm run bench -- machine bundle` runs only the sections named.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const wants = (name) => only.length === 0 || only.includes(name);

function report(label, value) {
  console.log(`${label.padEnd(44)} ${value}`);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function initialJs() {
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: root, stdio: 'inherit' });
  const dist = join(root, 'dist');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  // The entry script and every chunk it preloads are on the critical path; lazy chunks are not.
  const files = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="([^"]+\.js)"/g)].map((m) => m[1]);
  let raw = 0;
  let gzip = 0;
  for (const file of new Set(files)) {
    const bytes = readFileSync(join(dist, file.replace(/^\//, '')));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  const { readdirSync } = await import('node:fs');
  const all = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js'));
  let lazy = 0;
  for (const file of all) {
    if (files.some((f) => f.endsWith(file))) continue;
    lazy += gzipSync(readFileSync(join(dist, 'assets', file)), { level: 9 }).length;
  }
  report('initial JS (gzip -9, target <= 100 KB)', `${(gzip / 1024).toFixed(1)} KB (${(raw / 1024).toFixed(1)} KB raw, ${files.length} file(s))`);
  report('lazy JS chunks (gzip -9, not on first render)', `${(lazy / 1024).toFixed(1)} KB`);
}

async function machineCost() {
  const { createServer } = await import('vite');
  const server = await createServer({ root, logLevel: 'error', server: { middlewareMode: true, hmr: false }, appType: 'custom' });
  try {
    const { createDialerActor, dialerMachine } = await server.ssrLoadModule('/src/machine/index.ts');
    const { lineBridge } = await server.ssrLoadModule('/src/telephony/bridge.ts');
    let emit = () => {};
    const commands = [];
    const line = {
      kind: 'simulated',
      capabilities: { hold: true, mute: true, dtmf: true, warmTransfer: true, recording: true, conference: true, audioStats: true },
      subscribe(listener) {
        emit = listener;
        return () => {};
      },
      dispose() {},
    };
    for (const name of ['dial', 'answer', 'decline', 'hangUp', 'hold', 'resume', 'mute', 'unmute', 'sendDigits', 'startWarmTransfer', 'swap', 'merge', 'cancelTransfer']) {
      line[name] = (callId) => {
        commands.push(callId);
        return Promise.resolve();
      };
    }
    const actor = createDialerActor(dialerMachine.provide({ actors: { line: lineBridge(line) } }), { input: { capabilities: line.capabilities } });
    actor.start();

    // One realistic call: dial, ring, connect, hold/resume, mute/unmute, warm transfer with a swap
    // and a completed merge, final sync, reset. Every line event goes through validation.
    const oneCall = () => {
      let events = 0;
      const send = (e) => {
        events += 1;
        actor.send(e);
      };
      const fromLine = (e) => {
        events += 1;
        emit(e);
      };
      send({ type: 'AGENT.DIAL', number: '+14155550199' });
      const callId = actor.getSnapshot().context.call.callId;
      const status = (s, flow = 'regular', reason) => fromLine({ type: 'DIALER.CALL_STATUS', payload: { status: s, flow, callId, ...(reason ? { reason } : {}) } });
      const sync = (p) => fromLine({ type: 'DIALER.SYNC', payload: { callId, ...p } });
      fromLine({ type: 'DIALER.DIALING', payload: { from: '+14155550100', to: '+14155550199', callId } });
      status('connecting');
      status('ringing');
      status('connected');
      sync({ activeParticipant: { number: '+14155550199' }, inactiveParticipant: null, onHold: false, muted: false });
      send({ type: 'AGENT.HOLD' });
      sync({ onHold: true });
      send({ type: 'AGENT.RESUME' });
      sync({ onHold: false });
      send({ type: 'AGENT.MUTE' });
      sync({ muted: true });
      send({ type: 'AGENT.UNMUTE' });
      sync({ muted: false });
      sync({ audioStats: { jitter: 3, packetLoss: 0, rtt: 30, mos: 4.4 } });
      send({ type: 'AGENT.START_TRANSFER', target: '+14155550777' });
      status('startingWarmTransfer');
      status('ringing', 'warmTransfer');
      sync({ activeParticipant: { number: '+14155550777' }, inactiveParticipant: { number: '+14155550199' } });
      status('connected', 'warmTransfer');
      send({ type: 'AGENT.SWAP' });
      status('swapping', 'warmTransfer');
      sync({ activeParticipant: { number: '+14155550199' }, inactiveParticipant: { number: '+14155550777' } });
      status('connected', 'warmTransfer');
      send({ type: 'AGENT.MERGE' });
      status('merging', 'warmTransfer');
      status('ended', 'regular', 'transferred');
      sync({ duration: 61, participants: [{ number: '+14155550199' }, { number: '+14155550777' }] });
      send({ type: 'AGENT.RESET' });
      commands.length = 0;
      return events;
    };

    for (let i = 0; i < 300; i += 1) oneCall(); // warm-up (JIT)
    const rounds = [];
    let eventsPerRound = 0;
    for (let round = 0; round < 7; round += 1) {
      let events = 0;
      const start = performance.now();
      for (let i = 0; i < 300; i += 1) events += oneCall();
      rounds.push(((performance.now() - start) * 1000) / events);
      eventsPerRound = events;
    }
    actor.stop();
    report('machine cost per event (target <= 20 µs)', `${median(rounds).toFixed(2)} µs median (min ${Math.min(...rounds).toFixed(2)}, max ${Math.max(...rounds).toFixed(2)}; 7 rounds x ${eventsPerRound} events)`);
  } finally {
    await server.close();
  }
}

if (wants('bundle')) await initialJs();
if (wants('machine')) await machineCost();
/** Runs another bench script when what it needs is here; says why not otherwise. */
function runScript(name, script, args, needs) {
  const missing = needs.filter(([check]) => !check()).map(([, what]) => what);
  if (missing.length > 0) {
    report(name, `skipped: needs ${missing.join(', ')}`);
    return;
  }
  execFileSync(process.execPath, [join(root, 'scripts', script), ...args], { cwd: root, stdio: 'inherit' });
}

const hasChromium = [() => existsSync('/usr/bin/chromium'), '/usr/bin/chromium (apt-get install chromium)'];
const isRoot = [() => process.getuid?.() === 0, 'root (a private network namespace)'];
const hasKamailio = [() => existsSync('/usr/sbin/kamailio'), 'kamailio + kamailio-websocket-modules'];

if (wants('browser')) runScript('browser latencies', 'bench-browser.mjs', [], [hasChromium]);
if (wants('server')) runScript('call-logging server', 'bench-server.mjs', [], []);
if (wants('memory')) runScript('heap growth over 1,000 calls', 'bench-tabs.mjs', ['memory'], []);
if (wants('tabs')) runScript('takeover after the owner tab closes', 'bench-tabs.mjs', ['tabs'], [hasChromium]);
if (wants('sip')) runScript('SIP signalling latencies', 'bench-sip.mjs', ['30'], [hasChromium, isRoot, hasKamailio]);
const hasCompanyLab = [() => ['/usr/bin/rtpengine', '/usr/bin/baresip', '/usr/bin/turnserver', '/usr/bin/sox'].every((path) => existsSync(path)), 'rtpengine-daemon, baresip-core, coturn, sox'];
if (wants('sip')) runScript('SIP in the company-like lab', 'bench-sip.mjs', ['30', '--company'], [hasChromium, isRoot, hasKamailio, hasCompanyLab]);
