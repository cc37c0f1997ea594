#!/usr/bin/env node
// Figures for the SIP line's signalling latency, printed, never asserted:
//
//   dial -> INVITE at server    from the dial intent in the page (line.dial / ua.call) to Kamailio
//                               receiving the INVITE ($TV on receipt, logged by kamailio.cfg)
//   INVITE out -> ringing       from Kamailio relaying an INVITE to the page reporting it ringing
//                               (the SIP line's `ringing` status; bare JsSIP's newRTCSession)
//
// for the SIP line (src/telephony/sip) beside a bare JsSIP page with default settings. Runs the SIP
// lab (tests/sip/lab/runner.mjs: Kamailio, Vite, Chromium) in a private network namespace with only
// loopback, like the end-to-end tests. Needs root, kamailio + kamailio-websocket-modules and
// /usr/bin/chromium.
//
//   node scripts/bench-sip.mjs [calls per figure, default 30]
//   node scripts/bench-sip.mjs [calls] --company
//
// With --company it runs in the company-like lab instead (tests/sip/lab/company.mjs: Kamailio with
// digest authentication and wss://, rtpengine, coturn, a baresip desk phone) and prints:
//
//   dial -> INVITE at server    to the authenticated INVITE Kamailio accepts (the first INVITE is
//                               challenged with 407: the round trip is included), SIP line and
//                               bare JsSIP; the callee is an unregistered number (404), so no
//                               media is set up after the measured moment
//   server back -> registered   Kamailio is killed, started again 1 s (then 3 s) later; from its wss:// port
//                               accepting connections to the SIP line reporting `registered`
//
// The SIP line's dial time is also broken down (microphone, offer, first candidate, sending) from
// the lab page's instrumentation of getUserMedia, setLocalDescription and WebSocket.send.
//
// The page's high-resolution clock is corrected to the wall clock Kamailio uses (clockOffset()).
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runner = resolve(root, 'tests/sip/lab/runner.mjs');
const company = process.argv.includes('--company');
const rounds = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 30);
const RESTARTS = 3;
const WARM_UP = 3;
const DOMAIN = '127.0.0.1';

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// ---- the lab client (the plain-JavaScript twin of tests/sip/lab/lab.ts) -------------------------

const child = spawn('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec "${process.execPath}" "${runner}"`], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  serialization: 'json',
});
const pending = new Map();
const pageListeners = new Set();
let nextId = 1;
const ready = new Promise((done, fail) => {
  child.once('exit', (code) => fail(new Error(`The SIP lab exited (${code}); it needs root, kamailio and /usr/bin/chromium.`)));
  child.on('message', (message) => {
    if (message?.event === 'ready') return done();
    if (message?.event === 'page') {
      for (const listener of pageListeners) listener(message.page, message.data);
      return;
    }
    const waiting = pending.get(message?.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (message.ok) waiting.resolve(message.value);
    else waiting.reject(new Error(message.error));
  });
});

function request(op, ...args) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    child.send({ id, op, args });
  });
}
const call = (page, method, ...args) => request('page.call', page, method, args);

async function kamailioTimes(kind) {
  const lines = await request('kamailio.log');
  return lines
    .map((line) => new RegExp(`${kind} ci=(\\S+) (?:ru|du)=(\\S+) at=(\\d+\\.\\d+)`).exec(line))
    .filter(Boolean)
    .map(([, callId, uri, at]) => ({ callId, uri, at: Number(at) * 1000 }));
}

/** Waits for the next Kamailio log entry of `kind` whose URI contains `uriPart`, after `seen` of them. */
async function nextKamailio(kind, uriPart, seen) {
  for (let i = 0; i < 400; i++) {
    const entries = (await kamailioTimes(kind)).slice(seen).filter((e) => e.uri.includes(uriPart));
    if (entries.length > 0) return entries[0];
    await sleep(10);
  }
  throw new Error(`No ${kind} for ${uriPart} in Kamailio's log:\n${(await request('kamailio.log')).slice(-8).join('\n')}`);
}

// ---- statistics ----------------------------------------------------------------------------------

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];
}

function report(label, values) {
  const f = (v) => `${v.toFixed(1).padStart(6)} ms`;
  console.log(`${label.padEnd(46)} p50 ${f(percentile(values, 0.5))}  p90 ${f(percentile(values, 0.9))}  min ${f(Math.min(...values))}  max ${f(Math.max(...values))}  (n=${values.length})`);
}

// ---- the figures ---------------------------------------------------------------------------------

/** The company-like lab's figures: authenticated dial -> INVITE, and server back -> registered. */
async function companyMain() {
  await ready;
  const lab = await request('company.start', { users: ['1000', '2000', '5000'], desk: '2000' });
  const { wsUrl } = await request('web.start', { browserArgs: lab.browserArgs });
  await Promise.all(['agent', 'bare'].map((name) => request('page.open', name, `tests/sip/pages/${name === 'agent' ? 'agent' : 'party'}.html`)));
  const registrations = [];
  pageListeners.add((page, data) => {
    if (page === 'agent' && data?.kind === 'registration') registrations.push({ status: data.state.status, at: data.at });
  });
  const agentStatuses = [];
  pageListeners.add((page, data) => {
    if (page === 'agent' && data?.kind === 'line' && data.event.type === 'DIALER.CALL_STATUS') {
      agentStatuses.push({ callId: data.event.payload.callId, status: data.event.payload.status });
    }
  });
  await call('agent', 'create', { websocketUrl: wsUrl, sipUri: `sip:1000@${DOMAIN}`, password: lab.passwords['1000'] }, { statsEveryMs: 0 });
  await call('bare', 'start', { wsUrl, uri: `sip:5000@${DOMAIN}`, password: lab.passwords['5000'] });
  for (let i = 0; i < 200 && (await call('agent', 'registration')).status !== 'registered'; i++) await sleep(50);
  const offsets = { agent: await call('agent', 'clockOffset'), bare: await call('bare', 'clockOffset') };
  const wall = (page, hr) => hr - offsets[page];
  const waitFor = async (what, check) => {
    for (let i = 0; i < 1000; i++) {
      const value = await check();
      if (value) return value;
      await sleep(10);
    }
    throw new Error(`Timed out waiting for ${what}.`);
  };
  const challenges = async () => (await request('kamailio.log')).filter((l) => /AUTH-CHALLENGE INVITE/.test(l)).length;

  // 1. dial -> authenticated INVITE at the server, to a number nobody registered (404).
  const lineDial = [];
  const bareDial = [];
  let challenged = 0;
  let counted = 0;
  for (let i = 0; i < rounds + WARM_UP; i++) {
    let seen = (await kamailioTimes('INVITE-IN')).length;
    const before = await challenges();
    const callId = `bench-${i}`;
    const result = await call('agent', 'run', 'dial', [callId, '3999']);
    if (!result.ok) throw new Error(`dial failed: ${result.message}`);
    const atServer = await nextKamailio('INVITE-IN', 'sip:3999@', seen);
    await waitFor('the call to end', () => agentStatuses.some((s) => s.callId === callId && s.status === 'ended'));
    if (i >= WARM_UP) {
      lineDial.push(atServer.at - wall('agent', result.sentAt));
      counted += 1;
      if ((await challenges()) > before) challenged += 1;
    }
    seen = (await kamailioTimes('INVITE-IN')).length;
    const placed = await call('bare', 'call', `sip:3999@${DOMAIN}`);
    const bareAtServer = await nextKamailio('INVITE-IN', 'sip:3999@', seen);
    await waitFor('the bare call to end', async () => (await call('bare', 'state')).calls.at(-1)?.status === 'ended');
    if (i >= WARM_UP) bareDial.push(bareAtServer.at - wall('bare', placed.at));
    await sleep(50);
  }

  // 2. The server restarts, after a short and a longer outage: from its port accepting connections
  // again to the line registered (the line's reconnection backoff decides most of it).
  const restarts = [];
  for (const pauseMs of [1000, 3000]) {
    const back = [];
    const down = [];
    for (let i = 0; i < RESTARTS; i++) {
      const killedAt = Date.now();
      await request('kamailio.kill');
      await waitFor('the line to notice', async () => (await call('agent', 'registration')).status !== 'registered');
      await sleep(pauseMs);
      const seen = registrations.length;
      const started = await request('kamailio.start');
      const registered = await waitFor('registered again', () => registrations.slice(seen).find((r) => r.status === 'registered'));
      back.push(wall('agent', registered.at) - started.listeningAt);
      down.push(started.listeningAt - killedAt);
      await sleep(500);
    }
    restarts.push({ back, down });
  }

  console.log(`SIP in the company-like lab (Kamailio 5.6 with digest auth over wss://, rtpengine, Chromium; ${rounds} calls each, ${WARM_UP} warm-up calls not counted)`);
  report('dial -> authenticated INVITE at server: SIP line', lineDial);
  console.log(`  (${challenged} of ${counted} of the SIP line's calls were challenged with 407 first)`);
  report('dial -> authenticated INVITE at server: bare JsSIP', bareDial);
  for (const { back, down } of restarts) {
    report(`server back -> registered: SIP line, down ~${(percentile(down, 0.5) / 1000).toFixed(1)} s`, back);
  }
  console.log('targets (issue 13): Call -> INVITE p50 <= 20 ms; registered again <= 1 s after the server is back');
}

async function main() {
  await ready;
  await request('kamailio.start');
  const { wsUrl } = await request('web.start');
  await Promise.all(['agent', 'bare', 'callee', 'caller'].map((name) => request('page.open', name, `tests/sip/pages/${name === 'agent' ? 'agent' : 'party'}.html`)));
  await call('agent', 'create', { websocketUrl: wsUrl, sipUri: `sip:1000@${DOMAIN}`, password: 'bench' }, { statsEveryMs: 0 });
  await call('bare', 'start', { wsUrl, uri: `sip:5000@${DOMAIN}` });
  await call('callee', 'start', { wsUrl, uri: `sip:3000@${DOMAIN}` });
  await call('caller', 'start', { wsUrl, uri: `sip:2000@${DOMAIN}` });
  for (let i = 0; i < 100 && (await call('agent', 'registration')).status !== 'registered'; i++) await sleep(50);

  const offsets = {};
  for (const page of ['agent', 'bare', 'callee']) offsets[page] = await call(page, 'clockOffset');
  const wall = (page, hr) => hr - offsets[page];

  /** Line statuses the agent page reports, as { callId, status, at }. */
  const agentStatuses = [];
  pageListeners.add((page, data) => {
    if (page === 'agent' && data?.kind === 'line' && data.event.type === 'DIALER.CALL_STATUS') {
      agentStatuses.push({ callId: data.event.payload.callId, status: data.event.payload.status, at: data.at });
    }
  });
  const agentInbound = [];
  pageListeners.add((page, data) => {
    if (page === 'agent' && data?.kind === 'line' && data.event.type === 'DIALER.SYNC' && data.event.payload.direction === 'inbound') {
      agentInbound.push(data.event.payload.callId);
    }
  });
  const waitFor = async (what, check) => {
    for (let i = 0; i < 500; i++) {
      const value = await check();
      if (value) return value;
      await sleep(10);
    }
    throw new Error(`Timed out waiting for ${what}.`);
  };

  // 1. dial -> INVITE at the server. The callee refuses at once (486), so each call is short.
  await call('callee', 'configure', { answerAfterMs: 0, rejectWith: 486 });
  const lineDial = [];
  const bareDial = [];
  /** Where the SIP line's dial time goes, per step (page instrumentation in tests/sip/pages/media.ts). */
  const dialPhases = {};
  for (let i = 0; i < rounds + WARM_UP; i++) {
    // The SIP line
    let seen = (await kamailioTimes('INVITE-IN')).length;
    const callId = `bench-${i}`;
    const result = await call('agent', 'run', 'dial', [callId, '3000']);
    if (!result.ok) throw new Error(`dial failed: ${result.message}`);
    const atServer = await nextKamailio('INVITE-IN', 'sip:3000@', seen);
    await waitFor('the call to end', () => agentStatuses.some((s) => s.callId === callId && s.status === 'ended'));
    const phases = await call('agent', 'takePhases');
    if (i >= WARM_UP) {
      lineDial.push(atServer.at - wall('agent', result.sentAt));
      const at = (prefix) => phases.find((p) => p.name.startsWith(prefix))?.at;
      const steps = [result.sentAt, at('gotUserMedia'), at('setLocalDescription'), at('candidate'), at('INVITE sent')];
      if (steps.every((t) => t !== undefined)) {
        for (const [k, name] of ['microphone (getUserMedia)', 'offer (createOffer)', 'first ICE candidate', 'INVITE on the WebSocket'].entries()) {
          (dialPhases[name] ??= []).push(steps[k + 1] - steps[k]);
        }
        (dialPhases['INVITE sent -> at server'] ??= []).push(atServer.at - wall('agent', steps[4]));
      }
    }
    // Bare JsSIP
    seen = (await kamailioTimes('INVITE-IN')).length;
    const placed = await call('bare', 'call', `sip:3000@${DOMAIN}`);
    const bareAtServer = await nextKamailio('INVITE-IN', 'sip:3000@', seen);
    await waitFor('the bare call to end', async () => (await call('bare', 'state')).calls.at(-1)?.status === 'ended');
    if (i >= WARM_UP) bareDial.push(bareAtServer.at - wall('bare', placed.at));
    await sleep(50);
  }

  // 2. INVITE relayed by the server -> ringing in the page.
  await call('callee', 'configure', { answerAfterMs: null, rejectWith: null });
  const lineRing = [];
  const bareRing = [];
  const kamailioRelay = [];
  for (let i = 0; i < rounds + WARM_UP; i++) {
    // The SIP line: ringing status; the agent declines.
    let seenOut = (await kamailioTimes('INVITE-OUT')).length;
    const inboundBefore = agentInbound.length;
    await call('caller', 'call', `sip:1000@${DOMAIN}`);
    const relayed = await nextKamailio('INVITE-OUT', 'transport=ws', seenOut);
    const callId = await waitFor('the agent to ring', () => agentInbound[inboundBefore]);
    const ringing = await waitFor('ringing', () => agentStatuses.find((s) => s.callId === callId && s.status === 'ringing'));
    const received = (await kamailioTimes('INVITE-IN')).find((e) => e.callId === relayed.callId);
    await call('agent', 'run', 'decline', [callId]);
    await waitFor('the declined call to end', () => agentStatuses.some((s) => s.callId === callId && s.status === 'ended'));
    if (i >= WARM_UP) {
      lineRing.push(wall('agent', ringing.at) - relayed.at);
      if (received) kamailioRelay.push(relayed.at - received.at);
    }
    // Bare JsSIP: newRTCSession; it then rejects.
    seenOut = (await kamailioTimes('INVITE-OUT')).length;
    const callsBefore = (await call('callee', 'state')).calls.length;
    await call('caller', 'call', `sip:3000@${DOMAIN}`);
    const bareRelayed = await nextKamailio('INVITE-OUT', 'transport=ws', seenOut);
    const incoming = await waitFor('the bare page to ring', async () => (await call('callee', 'state')).calls[callsBefore]);
    await call('callee', 'reject', 486);
    await waitFor('the bare call to end', async () => (await call('caller', 'state')).calls.at(-1)?.status === 'ended');
    if (i >= WARM_UP) bareRing.push(wall('callee', incoming.invitedAt) - bareRelayed.at);
    await sleep(50);
  }

  console.log(`SIP signalling latency on loopback (Kamailio ${'5.6'}, Chromium, ${rounds} calls each, ${WARM_UP} warm-up calls not counted)`);
  report('dial -> INVITE at server: SIP line', lineDial);
  for (const [name, values] of Object.entries(dialPhases)) report(`  of which ${name}`, values);
  report('dial -> INVITE at server: bare JsSIP (defaults)', bareDial);
  report('INVITE relayed -> ringing: SIP line', lineRing);
  report('INVITE relayed -> newRTCSession: bare JsSIP', bareRing);
  report('Kamailio: INVITE received -> relayed', kamailioRelay);
  console.log('targets: SIP line dial -> INVITE p50 <= 30 ms; ringing within 10 ms of the INVITE');
}

try {
  await (company ? companyMain() : main());
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await request('lab.stop').catch(() => {});
  child.disconnect();
}
