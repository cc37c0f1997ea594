// @vitest-environment node
/**
 * The real plugin as the agent, on a real SIP line: the local Front workspace (workspace/) embeds
 * the unmodified plugin from another origin, the agent connects a SIP account through the plugin's
 * Settings form, and calls go through Kamailio (kamailio/kamailio.cfg) to and from a scripted
 * customer on bare JsSIP (tests/sip/pages/party.html), and a second agent (the same page) as the
 * target of warm transfers. Everything runs in the SIP lab's private
 * network namespace with only loopback (tests/sip/lab/). The plugin is driven only through its UI,
 * as a teammate would; audio is proved with getStats on both ends.
 *
 * - The workspace is served by a second Vite server inside the namespace (the repo's own
 *   vite.config.ts, `app.start` in runner.mjs) and opened at http://127.0.0.1:5198/workspace/; it
 *   embeds the plugin from http://localhost:5198/ (both secure contexts; the fake microphone is
 *   granted by Chromium's flags, the iframe has allow="microphone; autoplay").
 * - An init script (every frame of the workspace's browser context) keeps every RTCPeerConnection
 *   the plugin frame creates, so the test can call getStats in the plugin, and records what the
 *   plugin's status region and line status said, in order.
 *
 * The tests run in order against one workspace page: the first connects the account the others use,
 * and each leaves the plugin back on its dial screen (after a failure too, as far as it can).
 *
 * Needs root (for `unshare -n`), `kamailio` + `kamailio-websocket-modules` and /usr/bin/chromium;
 * fails with the list of what is missing otherwise. SIP_E2E=0 skips it explicitly.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Lab, labPrerequisites } from './lab/lab';
import { expectSilence, expectTalking as expectPagesTalking, partyState, sleep, waitForPartyCall, type AudioReading } from './lab/scenario';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const AGENT = '1001';
const CUSTOMER = '2000';
const SECOND_AGENT = '4000'; // bare JsSIP (tests/sip/pages/party.html) that answers by itself: the warm transfers' target
const DOMAIN = '127.0.0.1';
const PASSWORD = 'plugin-lab-Pa55word';
const PLUGIN_FRAME = 'iframe[title="Softphone plugin"]';

const skipped = process.env.SIP_E2E === '0';
const missing = skipped ? [] : labPrerequisites();

let lab: Lab;
let wsUrl: string;

// ---- what runs in the browser -------------------------------------------------------------------

interface Said {
  /** ms since the plugin frame's time origin. */
  readonly at: number;
  readonly text: string;
}

interface PluginHistory {
  /** The role="status" region (call status), each change. */
  readonly status: Said[];
  /** The line status in the header ("Registering...", "Registered", "Offline - retrying" + reason). */
  readonly line: Said[];
}

/**
 * Runs first in every frame of the workspace's browser context (as source text: it can use nothing
 * from this module). In the plugin frame only (the workspace's iframe), it keeps the peer
 * connections and records the status region and the line status.
 */
function pluginProbe(): void {
  if (window.top === window) return;
  const w = window as any;
  const Native = window.RTCPeerConnection;
  const tracked: RTCPeerConnection[] = [];
  if (Native) {
    class TrackedPeerConnection extends Native {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        tracked.push(this);
      }
    }
    window.RTCPeerConnection = TrackedPeerConnection as typeof RTCPeerConnection;
  }
  /** Per open peer connection: RTP bytes and audio energy, from getStats (as tests/sip/pages/media.ts). */
  w.__labAudio = async () => {
    const readings = [];
    for (const [index, pc] of tracked.entries()) {
      if (pc.connectionState === 'closed') continue;
      let bytesReceived = 0;
      let bytesSent = 0;
      let packetsReceived = 0;
      let energyReceived = 0;
      let energySent = 0;
      const report = await pc.getStats();
      report.forEach((stat: any) => {
        if (stat.kind !== 'audio' && stat.type !== 'media-source') return;
        if (stat.type === 'inbound-rtp') {
          bytesReceived += stat.bytesReceived ?? 0;
          packetsReceived += stat.packetsReceived ?? 0;
          energyReceived += stat.totalAudioEnergy ?? 0;
        } else if (stat.type === 'outbound-rtp') {
          bytesSent += stat.bytesSent ?? 0;
        } else if (stat.type === 'media-source' && stat.kind === 'audio') {
          energySent += stat.totalAudioEnergy ?? 0;
        }
      });
      readings.push({ pc: index, state: pc.connectionState, bytesReceived, bytesSent, packetsReceived, energyReceived, energySent });
    }
    return readings;
  };
  const history: { status: { at: number; text: string }[]; line: { at: number; text: string }[] } = { status: [], line: [] };
  w.__labHistory = history;
  const note = (list: { at: number; text: string }[], text: string | null) => {
    if (text === null) return;
    if (list.at(-1)?.text !== text) list.push({ at: Math.round(performance.now()), text });
  };
  const read = () => {
    const status = document.querySelector('[role="status"]');
    note(history.status, status ? (status.textContent ?? '').trim() : null);
    const line = document.querySelector('.sp-line');
    if (line) {
      const parts = [...line.querySelectorAll('span')].map((s) => (s.textContent ?? '').trim()).filter(Boolean);
      note(history.line, parts.join(' | '));
    }
  };
  const start = () => {
    read();
    new MutationObserver(read).observe(document.body, { subtree: true, childList: true, characterData: true });
  };
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
}

// ---- driving the workspace from Node ------------------------------------------------------------

type Driven<A, T> = (page: { page: any; context: any }, arg: A) => Promise<T>;

/** Runs `fn` in the lab's runner with the workspace page's Playwright objects (source text: no closures). */
function drive<T, A = null>(fn: Driven<A, T>, arg?: A): Promise<T> {
  return lab.request('page.drive', 'workspace', fn.toString(), arg ?? null) as Promise<T>;
}

/** Evaluates `fn(arg)` inside the plugin frame (source text: no closures). */
function inPlugin<T, A = null>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T> {
  return drive(
    async ({ page }, { source, arg: value }: { source: string; arg: unknown }) => {
      const frame = page.frames().find((f: any) => f.parentFrame() === page.mainFrame() && f.url().startsWith('http://localhost:'));
      if (!frame) throw new Error(`No plugin frame; frames: ${page.frames().map((f: any) => f.url()).join(', ')}`);
      return frame.evaluate(`(${source})(${JSON.stringify(value)})`);
    },
    { source: fn.toString(), arg: arg ?? null },
  );
}

/** Clicks the plugin's button named exactly `name`. */
function click(name: string): Promise<void> {
  return drive(
    async ({ page }, { frame, name: label }: { frame: string; name: string }) => {
      await page.frameLocator(frame).getByRole('button', { name: label, exact: true }).click({ timeout: 10_000 });
    },
    { frame: PLUGIN_FRAME, name },
  );
}

const history = () => inPlugin(() => (window as any).__labHistory as PluginHistory);
const pluginAudio = () => inPlugin(() => (window as any).__labAudio() as Promise<AudioReading[]>);

async function poll<T>(what: () => string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what()}.`);
    await sleep(100);
  }
}

/** How far the histories are now, to wait for what comes after. */
async function mark(): Promise<{ status: number; line: number }> {
  const h = await history();
  return { status: h.status.length, line: h.line.length };
}

const texts = (said: readonly Said[]) => said.map((s) => s.text);

/** Waits until the status region has said something matching `expected` since `since` (an index). */
async function waitForStatusSeen(expected: RegExp, since = 0, timeoutMs = 15_000): Promise<string> {
  let seen: Said[] = [];
  const said = await poll(
    () => `the plugin status ${expected}; it said: ${JSON.stringify(texts(seen))}`,
    async () => {
      seen = (await history()).status;
      return seen.slice(since).find((s) => expected.test(s.text));
    },
    timeoutMs,
  );
  return said.text;
}

/** Waits until the status region says something matching `expected` now. */
async function waitForStatus(expected: RegExp, timeoutMs = 15_000): Promise<string> {
  let seen: Said[] = [];
  return poll(
    () => `the plugin status to be ${expected}; it said: ${JSON.stringify(texts(seen))}`,
    async () => {
      seen = (await history()).status;
      const now = seen.at(-1)?.text ?? '';
      return expected.test(now) ? now : undefined;
    },
    timeoutMs,
  );
}

/** Waits until the header's line status says something matching `expected` now (after `since`). */
async function waitForLine(expected: RegExp, since = 0, timeoutMs = 15_000): Promise<string> {
  let seen: Said[] = [];
  return poll(
    () => `the line status ${expected}; it said: ${JSON.stringify(texts(seen))}`,
    async () => {
      seen = (await history()).line;
      const now = seen.at(-1);
      return now && seen.length > since && expected.test(now.text) ? now.text : undefined;
    },
    timeoutMs,
  );
}

/** What the status region said since `since`, leaving out the idle "Ready" between calls. */
async function statusTrail(since: number): Promise<string[]> {
  return texts((await history()).status.slice(since)).filter((t) => t !== 'Ready' && t !== '');
}

interface FunctionCall {
  readonly seq: number;
  readonly name: string;
  readonly args: readonly unknown[];
  readonly status: string;
  readonly value?: unknown;
}

/** The workspace's function log (what the plugin asked of Front). */
function functionLog(): Promise<FunctionCall[]> {
  return drive(async ({ page }) =>
    page.evaluate(() =>
      (window as any).__workspace.calls.map((c: any) => ({ seq: c.seq, name: c.name, args: c.args, status: c.status, value: c.value })),
    ),
  );
}

/** Ready for the next call: the number field, on the dial screen or under the call's summary. */
async function backToDialer(): Promise<void> {
  await drive(
    async ({ page }, frame: string) => {
      const plugin = page.frameLocator(frame);
      await plugin.getByLabel('Phone number', { exact: true }).waitFor({ state: 'visible', timeout: 10_000 });
    },
    PLUGIN_FRAME,
  );
}

// ---- audio ------------------------------------------------------------------------------------

interface Flow {
  readonly pc: number;
  readonly bytesReceived: number;
  readonly energyReceived: number;
  readonly bytesSent: number;
}

function newestConnected(readings: readonly AudioReading[]): AudioReading | undefined {
  return readings.filter((r) => r.state === 'connected').sort((a, b) => b.pc - a.pc)[0];
}

function flow(side: string, before: AudioReading | undefined, after: readonly AudioReading[]): Flow {
  if (!before) throw new Error(`${side} has no connected peer connection.`);
  const now = after.find((r) => r.pc === before.pc);
  if (!now) throw new Error(`${side}'s peer connection #${before.pc} closed while measuring.`);
  return {
    pc: before.pc,
    bytesReceived: now.bytesReceived - before.bytesReceived,
    energyReceived: now.energyReceived - before.energyReceived,
    bytesSent: now.bytesSent - before.bytesSent,
  };
}

/**
 * What the plugin and a party page (the customer by default) received and sent over the same `ms`,
 * on the plugin's newest connected peer connection or on `pluginPc`.
 */
async function measureBoth(ms = 1500, party = 'customer', pluginPc?: number): Promise<{ plugin: Flow; customer: Flow }> {
  const pick = (readings: AudioReading[]) => (pluginPc === undefined ? newestConnected(readings) : readings.find((r) => r.pc === pluginPc && r.state === 'connected'));
  const [p0, c0] = await Promise.all([pluginAudio(), lab.call<AudioReading[]>(party, 'audio')]);
  await sleep(ms);
  const [p1, c1] = await Promise.all([pluginAudio(), lab.call<AudioReading[]>(party, 'audio')]);
  return { plugin: flow('the plugin', pick(p0), p1), customer: flow(`the ${party}`, newestConnected(c0), c1) };
}

/** The plugin's connected peer connections, oldest first. */
async function pluginConnections(): Promise<number[]> {
  return (await pluginAudio())
    .filter((r) => r.state === 'connected')
    .map((r) => r.pc)
    .sort((a, b) => a - b);
}

/**
 * Audio flows both ways between the plugin and a party page (the customer by default): each side's
 * received bytes rise, and it hears sound (the fake mic's beeps). `windows` > 1 allows that many
 * 1.5 s windows for it to start: a party taken off hold after a long while may need a moment before
 * its jitter buffer plays the resumed stream out again (packets arrive, energy still 0).
 */
async function expectTalking(party = 'customer', pluginPc?: number, windows = 1): Promise<void> {
  let measured = await measureBoth(1500, party, pluginPc);
  const heard = (got: Flow) => got.bytesReceived > 2000 && got.energyReceived > 0.01;
  for (let i = 1; i < windows && !(heard(measured.plugin) && heard(measured.customer)); i++) measured = await measureBoth(1500, party, pluginPc);
  const { plugin, customer } = measured;
  for (const [side, got] of [['the plugin', plugin], [`the ${party}`, customer]] as const) {
    expect({ receivedBytes: got.bytesReceived > 2000, heard: got.energyReceived > 0.01 }, `${side} should hear the other side: ${JSON.stringify(got)}`).toEqual({
      receivedBytes: true,
      heard: true,
    });
  }
}

// ---- the calls ------------------------------------------------------------------------------------

/** The customer calls the agent's number; resolves once the plugin announces the call. */
async function customerCallsAgent(): Promise<string> {
  await lab.call('customer', 'configure', { answerAfterMs: null });
  const since = (await mark()).status;
  await lab.call('customer', 'call', `sip:${AGENT}@${DOMAIN}`);
  let seen: Said[] = [];
  const said = await poll(
    () => `the plugin to announce the call; it said: ${JSON.stringify(texts(seen))}`,
    async () => {
      seen = (await history()).status;
      const announced = seen.slice(since).find((s) => /^Incoming call from/.test(s.text));
      if (announced) return announced.text;
      // The call failed before it reached the plugin (not registered, say): no use waiting.
      const call = (await partyState(lab, 'customer')).calls.at(-1);
      if (call?.status === 'ended') throw new Error(`The customer's call to ${AGENT} ended before the plugin announced it: ${JSON.stringify(call)}`);
      return undefined;
    },
  );
  return said;
}

const INCOMING = `Incoming call from Maria Garcia (${CUSTOMER})`;

/** The agent types the customer's number and presses Enter; the customer answers; both talk. */
async function agentCallsCustomer(): Promise<void> {
  await lab.call('customer', 'configure', { answerAfterMs: 500 });
  const since = (await mark()).status;
  await drive(
    async ({ page }, { frame, number }: { frame: string; number: string }) => {
      const field = page.frameLocator(frame).getByLabel('Phone number', { exact: true });
      await field.fill(number, { timeout: 10_000 });
      await field.press('Enter');
    },
    { frame: PLUGIN_FRAME, number: CUSTOMER },
  );
  await waitForStatusSeen(/^Ringing$/, since);
  await waitForStatus(/^Connected$/);
  await waitForPartyCall(lab, 'customer', 'connected', (c) => c.status === 'connected' && c.direction === 'incoming');
  await expectTalking();
}

/** Waits until the plugin shows the button named exactly `name`. */
/** Waits for a button; with `pressed`, for a toggle (Mute, Hold) in that state. */
function buttonVisible(name: string, pressed?: boolean): Promise<void> {
  return drive(
    async ({ page }, { frame, name: label, pressed: state }: { frame: string; name: string; pressed: boolean | null }) => {
      const options = state === null ? { name: label, exact: true } : { name: label, exact: true, pressed: state };
      await page.frameLocator(frame).getByRole('button', options).waitFor({ state: 'visible', timeout: 10_000 });
    },
    { frame: PLUGIN_FRAME, name, pressed: pressed ?? null },
  );
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The customer calls the agent, who presses Answer; resolves once they hear each other. */
async function customerOnTheLine(): Promise<void> {
  expect(await customerCallsAgent()).toBe(INCOMING);
  await click('Answer');
  await waitForStatus(/^Connected$/);
  await waitForPartyCall(lab, 'customer', 'connected', (c) => c.status === 'connected' && c.direction === 'outgoing');
  await expectTalking();
}

/** "Transfer", the second agent's number in "Transfer to", "Start transfer". */
async function startTransfer(): Promise<void> {
  await click('Transfer');
  await drive(
    async ({ page }, { frame, number }: { frame: string; number: string }) => {
      await page.frameLocator(frame).getByLabel('Transfer to', { exact: true }).fill(number, { timeout: 10_000 });
    },
    { frame: PLUGIN_FRAME, number: SECOND_AGENT },
  );
  await click('Start transfer');
}

describe.skipIf(skipped)('the plugin in the Front workspace, on a SIP line through Kamailio', () => {
  if (missing.length > 0) {
    it('has what the SIP lab needs', () => {
      throw new Error(`The SIP end-to-end tests need: ${missing.join('; ')}. Set SIP_E2E=0 to skip them.`);
    });
    return;
  }

  let pageEventsSeen = 0;

  beforeAll(async () => {
    ({ lab, wsUrl } = await Lab.start());
    const { appPort } = (await lab.request('app.start')) as { appPort: number };
    await Promise.all([
      lab.openPage('customer', 'tests/sip/pages/party.html'),
      lab.openPage('agent2', 'tests/sip/pages/party.html'),
      lab.request('app.open', 'workspace', `http://127.0.0.1:${appPort}/workspace/?plugin=${encodeURIComponent(`http://localhost:${appPort}/`)}`, {
        initScript: `(${pluginProbe.toString()})();`,
        waitFor: 'window.__workspace !== undefined && window.__workspace.handshakes >= 1',
      }),
    ]);
    await Promise.all([
      lab.call('customer', 'start', { wsUrl, uri: `sip:${CUSTOMER}@${DOMAIN}`, displayName: 'Maria Garcia' }),
      lab.call('agent2', 'start', { wsUrl, uri: `sip:${SECOND_AGENT}@${DOMAIN}`, displayName: 'Sam Billing' }),
    ]);
  });

  afterAll(async () => {
    await lab?.stop();
  });

  afterEach(async (context) => {
    const events = lab.pageLog.slice(pageEventsSeen);
    pageEventsSeen = lab.pageLog.length;
    if (context.task.result?.state === 'fail') {
      // What the plugin said and did, to read next to the failure.
      const unavailable = (error: unknown) => `unavailable: ${String(error)}`;
      const said = await history().catch(() => null);
      const lines = (list: readonly Said[] | undefined) => (list ?? []).map((s) => `  ${String(s.at).padStart(7)} ms  ${s.text}`).join('\n');
      console.error(`plugin status region (ms since the frame loaded):\n${lines(said?.status)}\nplugin line status:\n${lines(said?.line)}`);
      const calls = await functionLog().catch(unavailable);
      const brief = typeof calls === 'string' ? calls : calls.map((c) => `  #${c.seq} ${c.name}(${c.name === 'listTags' ? '...' : JSON.stringify(c.args)}) ${c.status}${c.name === 'listTags' ? '' : ` ${JSON.stringify(c.value ?? null)}`}`).join('\n');
      console.error(`workspace function log:\n${brief}`);
      console.error('customer:', JSON.stringify(await partyState(lab, 'customer').catch(unavailable)));
      console.error('second agent:', JSON.stringify(await partyState(lab, 'agent2').catch(unavailable)));
      console.error(`page events:\n${events.map((e) => `  ${e.page}: ${JSON.stringify(e.data)}`).join('\n')}`);
      console.error('Kamailio (last 30 lines):\n' + (await lab.kamailioLog().catch(() => [])).slice(-30).join('\n'));
    }
    // Whatever happened, the next test starts with no call.
    await Promise.all([lab.call('customer', 'reset').catch(() => {}), lab.call('agent2', 'reset').catch(() => {})]);
    if (context.task.result?.state === 'fail') {
      await sleep(500);
      const now = (await history().catch(() => null))?.status.at(-1)?.text ?? '';
      if (!/^(Ready|Call ended)/.test(now)) await click('Hang up').catch(() => {});
      await backToDialer().catch(() => {});
    }
    const errors = events.filter((e) => e.page === 'workspace' && (e.data as { kind?: string })?.kind === 'pageerror');
    expect(errors, 'uncaught errors in the workspace or the plugin').toEqual([]);
  });

  it('connects the SIP account through the Settings form: Registering..., then Registered', async () => {
    await waitForStatus(/^Ready$/, 20_000);
    // Embedded as Front does: from another origin, which is a secure context (getUserMedia needs one).
    const where = await inPlugin(() => ({ origin: location.origin, secure: isSecureContext, top: window.top !== window }));
    const workspaceOrigin = await drive(async ({ page }) => new URL(page.url()).origin);
    expect(where).toEqual({ origin: expect.stringMatching(/^http:\/\/localhost:\d+$/), secure: true, top: true });
    expect(where.origin).not.toBe(workspaceOrigin);
    const since = (await mark()).line;
    await click('Settings');
    await drive(
      async ({ page }, { frame, values }: { frame: string; values: Record<string, string> }) => {
        const form = page.frameLocator(frame).getByRole('form', { name: 'Phone line' });
        for (const [label, value] of Object.entries(values)) await form.getByLabel(label).fill(value, { timeout: 10_000 });
        await form.getByRole('button', { name: 'Connect', exact: true }).click();
      },
      {
        frame: PLUGIN_FRAME,
        values: { 'WebSocket URL': wsUrl, 'SIP URI': `sip:${AGENT}@${DOMAIN}`, Password: PASSWORD, 'Display name': 'Agent Ada' },
      },
    );
    await waitForLine(/^Registered$/, since, 20_000);
    const trail = texts((await history()).line).slice(since);
    expect(trail.some((t) => t.startsWith('Registering...')), `Registering... before Registered: ${JSON.stringify(trail)}`).toBe(true);
    // The line the plugin now uses is the SIP line.
    expect(await inPlugin(() => (window as any).__softphone.line.current.kind)).toBe('sip');
    await click('Settings');
    await backToDialer();
  });

  it('inbound: the customer calls, Front shows the incoming call, the agent answers, both hear each other; the customer hangs up', async () => {
    const since = (await mark()).status;
    expect(await customerCallsAgent()).toBe(INCOMING);
    const notified = await poll(
      () => 'an INCOMING_CALL notification in the workspace',
      async () => (await functionLog()).find((c) => c.name === 'displayNotification' && (c.args[0] as { type?: string })?.type === 'INCOMING_CALL' && c.status === 'result'),
    );
    expect(notified.args[0]).toEqual({ type: 'INCOMING_CALL', contact: { name: 'Maria Garcia', handle: CUSTOMER } });

    await click('Answer');
    await waitForStatus(/^Connected$/);
    await waitForPartyCall(lab, 'customer', 'connected', (c) => c.status === 'connected' && c.direction === 'outgoing');
    // The ringing notification went away once answered.
    const dismissed = await poll(
      () => 'the INCOMING_CALL notification to be dismissed',
      async () => (await functionLog()).find((c) => c.name === 'dismissNotification' && c.status === 'result'),
    );
    expect(dismissed.args[0]).toBe(notified.value);
    await expectTalking();

    await lab.call('customer', 'hangUp');
    await waitForStatus(/^Call ended/);
    expect(await statusTrail(since)).toEqual([INCOMING, 'Answering', 'Connected', 'Call ended: The other party hung up']);
    await backToDialer();
  });

  it('outbound: the agent types the number and presses Enter, the customer answers, both hear each other; the agent hangs up', async () => {
    const since = (await mark()).status;
    await agentCallsCustomer();
    const incoming = await partyState(lab, 'customer');
    expect(incoming.calls.at(-1)).toMatchObject({ direction: 'incoming', remote: AGENT });
    await click('Hang up');
    await waitForStatus(/^Call ended/);
    expect(await statusTrail(since)).toEqual([`Calling ${CUSTOMER}`, 'Ringing', 'Connected', 'Call ended: You hung up']);
    // No INCOMING_CALL notification for a call the agent placed.
    expect((await functionLog()).filter((c) => c.name === 'displayNotification')).toHaveLength(1);
    const ended = await waitForPartyCall(lab, 'customer', 'the BYE', (c) => c.status === 'ended');
    expect(ended).toMatchObject({ originator: 'remote', cause: 'Terminated' });
    await backToDialer();
  });

  it('Hold stops the audio both ways and Resume brings it back', async () => {
    const since = (await mark()).status;
    await agentCallsCustomer();
    await click('Hold');
    await waitForStatus(/^On hold$/);
    await expectSilence(lab, 'customer');
    const held = await measureBoth(1000);
    expect(held.plugin.bytesReceived, `the plugin should receive next to nothing on hold: ${JSON.stringify(held)}`).toBeLessThan(500);
    // Hold is a toggle (aria-pressed): pressed again, it resumes.
    await click('Hold');
    await waitForStatus(/^Connected$/);
    await expectTalking();
    await click('Hang up');
    await waitForStatus(/^Call ended/);
    await waitForPartyCall(lab, 'customer', 'the BYE', (c) => c.status === 'ended');
    expect(await statusTrail(since)).toEqual([`Calling ${CUSTOMER}`, 'Ringing', 'Connected', 'On hold', 'Connected', 'Call ended: You hung up']);
    await backToDialer();
  });

  it('Decline refuses an incoming call: the customer gets 603', async () => {
    const since = (await mark()).status;
    expect(await customerCallsAgent()).toBe(INCOMING);
    await click('Decline');
    const call = await waitForPartyCall(lab, 'customer', 'the call refused', (c) => c.status === 'ended');
    expect(call).toMatchObject({ statusCode: 603 });
    await waitForStatus(/^Call ended/);
    expect(await statusTrail(since)).toEqual([INCOMING, 'Call ended: Call declined']);
    await backToDialer();
  });

  it('Mute: the customer hears silence while packets still flow, the agent still hears the customer; Unmute brings the voice back', async () => {
    const since = (await mark()).status;
    await agentCallsCustomer();
    await click('Mute');
    await buttonVisible('Mute', true);
    await expectSilence(lab, 'customer');
    // Packets keep coming (Opus encodes the silence in a few bytes each, about 50 a second), without sound.
    const before = newestConnected(await lab.call<AudioReading[]>('customer', 'audio'));
    await sleep(1000);
    const after = (await lab.call<AudioReading[]>('customer', 'audio')).find((r) => r.pc === before?.pc);
    const muted = { packets: (after?.packetsReceived ?? 0) - (before?.packetsReceived ?? 0), energy: (after?.energyReceived ?? 0) - (before?.energyReceived ?? 0) };
    expect({ packetsFlow: muted.packets > 25, silent: muted.energy < 0.001 }, `the customer while muted: ${JSON.stringify(muted)}`).toEqual({ packetsFlow: true, silent: true });
    const { plugin } = await measureBoth(1000);
    expect(plugin.energyReceived, `the agent should still hear the customer: ${JSON.stringify(plugin)}`).toBeGreaterThan(0.01);
    await click('Mute');
    await buttonVisible('Mute', false);
    await expectTalking();
    await click('Hang up');
    await waitForStatus(/^Call ended/);
    await waitForPartyCall(lab, 'customer', 'the BYE', (c) => c.status === 'ended');
    // The call stayed Connected; the status region says when the microphone is muted (issue 10).
    expect(await statusTrail(since)).toEqual([`Calling ${CUSTOMER}`, 'Ringing', 'Connected', 'Connected, muted', 'Connected', 'Call ended: You hung up']);
    await backToDialer();
  });

  it('Keypad: the digit buttons send tones, which the customer receives (SIP INFO: its SDP has no telephone-event)', async () => {
    await lab.call('customer', 'configure', { noTelephoneEvent: true });
    await agentCallsCustomer();
    await click('Keypad');
    const keys = await drive(
      async ({ page }, frame: string) => {
        const pad = page.frameLocator(frame).getByRole('group', { name: 'Keypad', exact: true });
        await pad.waitFor({ state: 'visible', timeout: 10_000 });
        return pad.getByRole('button').evaluateAll((buttons: HTMLElement[]) => buttons.map((b) => b.querySelector('.sp-key__digit')?.textContent));
      },
      PLUGIN_FRAME,
    );
    expect([...keys].sort()).toEqual(['#', '*', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const digits = '1234567890*#';
    // Each key is named by what it shows: "2 ABC".
    const LETTERS: Record<string, string> = { '2': 'ABC', '3': 'DEF', '4': 'GHI', '5': 'JKL', '6': 'MNO', '7': 'PQRS', '8': 'TUV', '9': 'WXYZ', '0': '+' };
    for (const digit of digits) await click(LETTERS[digit] ? `${digit} ${LETTERS[digit]}` : digit);
    await poll(
      () => `the customer to receive ${digits}`,
      async () => (await partyState(lab, 'customer')).dtmf === digits,
      20_000,
    );
    await click('Hang up');
    await waitForStatus(/^Call ended/);
    await waitForPartyCall(lab, 'customer', 'the BYE', (c) => c.status === 'ended');
    await backToDialer();
  });

  it('the caller gives up while the plugin rings: Call ended: Missed call, the notification is dismissed and a missed-call message shown', async () => {
    const since = (await mark()).status;
    const logBefore = (await functionLog()).length;
    expect(await customerCallsAgent()).toBe(INCOMING);
    await buttonVisible('Answer');
    const notified = await poll(
      () => 'an INCOMING_CALL notification in the workspace',
      async () =>
        (await functionLog())
          .slice(logBefore)
          .find((c) => c.name === 'displayNotification' && (c.args[0] as { type?: string })?.type === 'INCOMING_CALL' && c.status === 'result'),
    );
    expect(notified.args[0]).toEqual({ type: 'INCOMING_CALL', contact: { name: 'Maria Garcia', handle: CUSTOMER } });

    await lab.call('customer', 'hangUp');
    await waitForStatus(/^Call ended/);
    expect(await statusTrail(since)).toEqual([INCOMING, 'Call ended: Missed call']);
    const after = await poll(
      () => 'dismissNotification and the missed-call message in the function log',
      async () => {
        const calls = (await functionLog()).slice(logBefore);
        const dismissed = calls.find((c) => c.name === 'dismissNotification' && c.status === 'result');
        const message = calls.find((c) => c.name === 'displayNotification' && (c.args[0] as { type?: string })?.type === 'ERROR_MESSAGE');
        return dismissed && message ? { dismissed, message } : undefined;
      },
    );
    expect(after.dismissed.args[0]).toBe(notified.value);
    expect(after.message.args[0]).toEqual({ type: 'ERROR_MESSAGE', title: 'Missed call', message: `Missed call from Maria Garcia (${CUSTOMER})` });
    expect(after.message.seq).toBeGreaterThan(after.dismissed.seq);
    await backToDialer();
  });

  it('warm transfer: Transfer to the second agent, who answers; Swap to the customer and back; Complete transfer: the customer and the second agent hear each other', async () => {
    await customerOnTheLine();
    const since = (await mark()).status;
    await lab.call('agent2', 'configure', { answerAfterMs: 500 });
    await startTransfer();
    // The line knows the second agent by number only (no display name in the 200 OK).
    const consulting = `Talking to ${SECOND_AGENT}, Maria Garcia on hold`;
    const toCustomer = `Talking to Maria Garcia, ${SECOND_AGENT} on hold`;
    await waitForStatus(new RegExp(`^${escape(consulting)}$`), 20_000);
    await waitForPartyCall(lab, 'agent2', 'the consultation connected', (c) => c.status === 'connected' && c.direction === 'incoming' && c.remote === AGENT);
    const [customerPc, consultPc] = await pluginConnections();
    expect(consultPc, 'the plugin should have a second connected peer connection for the consultation').toBeDefined();
    // The agents talk; the customer, on hold, hears nothing.
    await expectTalking('agent2', consultPc);
    await expectSilence(lab, 'customer');

    // Swap: back to the customer, the second agent held.
    await click('Swap');
    await waitForStatus(new RegExp(`^${escape(toCustomer)}$`));
    await expectTalking('customer', customerPc, 3);
    await expectSilence(lab, 'agent2');

    // Swap again: the second agent is back.
    await click('Swap');
    await waitForStatus(new RegExp(`^${escape(consulting)}$`));
    await expectTalking('agent2', consultPc, 3);

    await click('Complete transfer');
    await waitForStatus(/^Call ended/, 20_000);
    expect(await statusTrail(since)).toEqual([
      `Starting transfer to ${SECOND_AGENT}`,
      `Ringing ${SECOND_AGENT}`,
      consulting,
      'Swapping',
      toCustomer,
      'Swapping',
      consulting,
      'Completing transfer',
      'Call ended: Call transferred',
    ]);
    // The customer called the second agent with Replaces; they hear each other, without the plugin.
    const replaced = await waitForPartyCall(lab, 'customer', 'the replacing call connected', (c) => c.replaces && c.status === 'connected');
    expect(replaced.remote).toBe(SECOND_AGENT);
    await waitForPartyCall(lab, 'agent2', 'the replacing call connected', (c) => c.replaces && c.status === 'connected');
    await expectPagesTalking(lab, 'customer', 'agent2');
    await poll(() => 'the plugin to close its peer connections', async () => (await pluginConnections()).length === 0);
    await lab.call('agent2', 'hangUp');
    await waitForPartyCall(lab, 'customer', 'the transferred call ended', (c) => c.status === 'ended');
    await backToDialer();
  });

  it('cancelled transfer: Cancel transfer while the second agent rings: back to the customer, audio both ways', async () => {
    await customerOnTheLine();
    const since = (await mark()).status;
    await lab.call('agent2', 'configure', { answerAfterMs: null });
    await startTransfer();
    await waitForStatus(new RegExp(`^Ringing ${SECOND_AGENT}$`), 20_000);
    await waitForPartyCall(lab, 'agent2', 'the consultation ringing', (c) => c.status === 'ringing' && c.direction === 'incoming');
    await expectSilence(lab, 'customer');
    await click('Cancel transfer');
    await waitForStatus(/^Transfer cancelled\. Connected$/);
    const cancelled = await waitForPartyCall(lab, 'agent2', 'the consultation cancelled', (c) => c.status === 'ended');
    expect(cancelled).toMatchObject({ originator: 'remote', cause: 'Canceled' });
    await expectTalking('customer', undefined, 3);
    await click('Hang up');
    await waitForStatus(/^Call ended/);
    await waitForPartyCall(lab, 'customer', 'the BYE', (c) => c.status === 'ended');
    expect(await statusTrail(since)).toEqual([`Starting transfer to ${SECOND_AGENT}`, `Ringing ${SECOND_AGENT}`, 'Transfer cancelled. Connected', 'Call ended: You hung up']);
    await backToDialer();
  });

  it('cancelled transfer after the second agent answered: Cancel transfer hangs the second agent up, back to the customer, audio both ways', async () => {
    await customerOnTheLine();
    const since = (await mark()).status;
    await lab.call('agent2', 'configure', { answerAfterMs: 300 });
    await startTransfer();
    await waitForStatus(new RegExp(`^Talking to ${SECOND_AGENT}, Maria Garcia on hold$`), 20_000);
    await waitForPartyCall(lab, 'agent2', 'the consultation connected', (c) => c.status === 'connected' && c.direction === 'incoming');
    await click('Cancel transfer');
    await waitForStatus(/^Transfer cancelled\. Connected$/);
    const hungUp = await waitForPartyCall(lab, 'agent2', 'the consultation hung up', (c) => c.status === 'ended');
    expect(hungUp).toMatchObject({ originator: 'remote', cause: 'Terminated' });
    await expectTalking('customer', undefined, 3);
    await click('Hang up');
    await waitForStatus(/^Call ended/);
    await waitForPartyCall(lab, 'customer', 'the BYE', (c) => c.status === 'ended');
    expect(await statusTrail(since)).toEqual([
      `Starting transfer to ${SECOND_AGENT}`,
      `Ringing ${SECOND_AGENT}`,
      `Talking to ${SECOND_AGENT}, Maria Garcia on hold`,
      'Transfer cancelled. Connected',
      'Call ended: You hung up',
    ]);
    await backToDialer();
  });

  it('Kamailio restarts mid-call: the header says Offline - retrying, then Registered; the call and its audio carry on, and Hang up still reaches the customer', async () => {
    await agentCallsCustomer();
    const { line: since, status: statusSince } = await mark();
    await lab.killKamailio();
    const offline = await waitForLine(/^Offline - retrying/, since, 10_000);
    expect(offline).toMatch(/connection to the phone server was lost/i);
    // Media goes peer to peer: the call carries on without its proxy.
    await expectTalking();

    await lab.startKamailio();
    await waitForLine(/^Registered$/, since + 1, 30_000);
    await poll(() => 'the customer to register again', async () => (await partyState(lab, 'customer')).registered, 30_000);
    // The call never left Connected, and the header went offline, signed in again, registered.
    expect(await statusTrail(statusSince)).toEqual([]);
    expect((await history()).status.at(-1)?.text).toBe('Connected');
    expect(texts((await history()).line.slice(since)).map((t) => t.split(' | ')[0])).toEqual(['Offline - retrying', 'Registering...', 'Registered']);
    // The SIP line's log reaches the plugin's diagnostics channel (main.tsx wires its logger).
    const diagnostics = await inPlugin(() => (window as any).__softphoneDiagnostics.entries() as { source: string; detail: { message: string } }[]);
    expect(diagnostics.filter((entry) => entry.source === 'line').map((entry) => entry.detail.message)).toContainEqual(expect.stringMatching(/^Registration: offline/));

    await click('Hang up');
    await waitForStatus(/^Call ended/);
    const ended = await waitForPartyCall(lab, 'customer', 'the BYE to arrive', (c) => c.status === 'ended', 10_000);
    expect(ended).toMatchObject({ originator: 'remote', cause: 'Terminated' });
    await backToDialer();
  });
});
