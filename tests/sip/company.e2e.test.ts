// @vitest-environment node
/**
 * The SIP line against a company-like phone system (tests/sip/lab/company.mjs): Kamailio with
 * digest authentication on REGISTER and INVITE and wss:// with a certificate made at test time,
 * rtpengine (user space) bridging the browser's ICE + DTLS-SRTP to plain RTP, a baresip desk phone
 * registered with its password, and coturn for TURN. Audio is checked by content: the browser's
 * fake microphone plays a 600 Hz tone, the desk phone a 1000 Hz one, and each side must hear the
 * other's tone (the page analyses what it receives; the desk phone records what it hears).
 *
 * Needs root (for `unshare -n`) and the Debian packages of scripts/system-deps.sh; fails with the
 * list of what is missing otherwise. SIP_E2E=0 skips it explicitly.
 */
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { companyLabPrerequisites, Lab } from './lab/lab';
import { RemoteLine } from './lab/remoteLine';
import { nextInboundCall, sleep, statusTrail, syncsOf, until, waitForPartyCall, waitForStatus } from './lab/scenario';
import { rms, toneStrength } from './lab/tone';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const AGENT = '1000';
const PLUGIN_AGENT = '1001'; // the real plugin in the Front workspace
const DESK = '2000';
const CUSTOMER = '4000'; // a bare JsSIP browser party, for the warm transfer
const DOMAIN = '127.0.0.1';
const BROWSER_TONE = 600;
const DESK_TONE = 1000;

const skipped = process.env.SIP_E2E === '0';
const missing = skipped ? [] : companyLabPrerequisites();

let lab: Lab;
let wsUrl: string;
let passwords: Record<string, string>;
let turnSecret: string;

function account(user: string, password = passwords[user]!) {
  return { websocketUrl: wsUrl, sipUri: `sip:${user}@${DOMAIN}`, password, displayName: `Agent ${user}` };
}

interface DeskEvent {
  readonly type: string;
  readonly param?: string;
  readonly peeruri?: string;
  readonly at: number;
}

const desk = {
  command: (command: string, params = '') => lab.request('desk.command', command, params) as Promise<{ ok: boolean; data: string }>,
  events: () => lab.request('desk.events') as Promise<DeskEvent[]>,
  clearRecordings: () => lab.request('desk.clearRecordings'),
  heard: (fromSample: number, seconds: number) =>
    lab.request('desk.heard', { fromSample, seconds }) as Promise<{ sampleRate: number; samples: number[]; total: number } | null>,
  async waitForEvent(type: string, after: number, timeoutMs = 15_000): Promise<DeskEvent> {
    return until(`the desk phone's ${type}`, async () => (await desk.events()).slice(after).find((e) => e.type === type), timeoutMs).catch(async (error) => {
      throw new Error(`${(error as Error).message} Its events: ${JSON.stringify((await desk.events()).slice(after).map((e) => [e.type, e.param]))}`);
    });
  },
  async eventCount(): Promise<number> {
    return (await desk.events()).length;
  },
};

async function kamailioLines(pattern: RegExp): Promise<string[]> {
  return (await lab.kamailioLog()).filter((line) => pattern.test(line));
}

/**
 * Runs first in every frame of the workspace (as source text: it can use nothing from this module).
 * In the plugin frame it keeps the peer connections and adds `__labHearing(frequencies, ms)`: what
 * the newest connected one receives, by content, as tests/sip/pages/media.ts `hearing` does.
 */
function hearingProbe(): void {
  if (window.top === window) return;
  const Native = window.RTCPeerConnection;
  const tracked: RTCPeerConnection[] = [];
  window.RTCPeerConnection = class extends Native {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      tracked.push(this);
    }
  } as typeof RTCPeerConnection;
  (window as any).__labHearing = async (frequencies: number[], ms: number) => {
    const pc = tracked.filter((p) => p.connectionState === 'connected').at(-1);
    const track = pc?.getReceivers().find((r) => r.track.kind === 'audio')?.track;
    if (!track) return null;
    const context = new AudioContext();
    const stream = new MediaStream([track]);
    const source = context.createMediaStreamSource(stream);
    const recorder = context.createScriptProcessor(4096, 1, 1);
    const samples: number[] = [];
    recorder.onaudioprocess = (event) => samples.push(...event.inputBuffer.getChannelData(0));
    source.connect(recorder);
    recorder.connect(context.destination);
    await context.resume();
    await new Promise((done) => setTimeout(done, ms));
    source.disconnect();
    recorder.disconnect();
    await context.close();
    const strength = (f: number) => {
      let re = 0;
      let im = 0;
      let energy = 0;
      const step = (2 * Math.PI * f) / context.sampleRate;
      samples.forEach((x, i) => {
        re += x * Math.cos(step * i);
        im -= x * Math.sin(step * i);
        energy += x * x;
      });
      return energy === 0 ? 0 : ((2 / samples.length) * Math.hypot(re, im)) / (Math.sqrt(energy / samples.length) * Math.SQRT2);
    };
    let energy = 0;
    for (const x of samples) energy += x * x;
    return { rms: samples.length ? Math.sqrt(energy / samples.length) : 0, strengths: frequencies.map(strength) };
  };
}

/** The page hears the desk phone's tone (and not its own). */
async function expectPageHears(page: string, tone: number, other: number): Promise<void> {
  // The first moments of a call may still be silence or a jitter-buffer fill: a few tries.
  let last: unknown;
  for (let i = 0; i < 6; i++) {
    const heard = await lab.call<{ rms: number; strengths: number[] } | null>(page, 'hearing', [tone, other], 600);
    last = heard;
    if (heard && heard.rms > 0.02 && heard.strengths[0]! > 0.6 && heard.strengths[1]! < 0.2) return;
    await sleep(200);
  }
  const readings = await lab.call(page, 'audio');
  const rtpengine = ((await lab.request('company.log', 'rtpengine')) as string[]).filter((l) => /ERR|WARN|NOTICE/.test(l)).slice(-10);
  throw new Error(`${page} should hear ${tone} Hz: ${JSON.stringify(last)}; peer connections: ${JSON.stringify(readings)}\nrtpengine:\n${rtpengine.join('\n')}`);
}

/** The desk phone heard the browser's tone in the audio it received after `fromSample`. */
async function expectDeskHears(fromSample: number, tone: number, other: number): Promise<number> {
  let last: unknown;
  for (let i = 0; i < 10; i++) {
    const heard = await desk.heard(fromSample, 0.5);
    if (heard && heard.samples.length >= heard.sampleRate * 0.5) {
      const level = rms(heard.samples);
      const strengths = [toneStrength(heard.samples, heard.sampleRate, tone), toneStrength(heard.samples, heard.sampleRate, other)];
      last = { level, strengths, total: heard.total };
      if (level > 0.02 && strengths[0]! > 0.6 && strengths[1]! < 0.2) return heard.total;
    } else last = heard && { file: (heard as { file?: string }).file, total: heard.total };
    await sleep(250);
  }
  throw new Error(`The desk phone should hear ${tone} Hz: ${JSON.stringify(last)}`);
}

describe.skipIf(skipped)('the SIP line in a company-like lab (auth, wss, rtpengine, a desk phone, TURN)', () => {
  if (missing.length > 0) {
    it('has what the company lab needs', () => {
      throw new Error(`The company lab tests need: ${missing.join('; ')}. Set SIP_E2E=0 to skip them.`);
    });
    return;
  }

  beforeAll(async () => {
    ({ lab, wsUrl, passwords, turnSecret } = await Lab.startCompany({ users: [AGENT, PLUGIN_AGENT, DESK, CUSTOMER], desk: DESK }));
    await Promise.all([lab.openPage('agent', 'tests/sip/pages/agent.html'), lab.openPage('customer', 'tests/sip/pages/party.html')]);
  });

  afterAll(async () => {
    if (process.env.SIP_LAB_DEBUG) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(`${process.env.SIP_LAB_DEBUG}/kamailio.txt`, (await lab.kamailioLog()).join('\n'));
      for (const name of ['rtpengine', 'coturn', 'desk']) writeFileSync(`${process.env.SIP_LAB_DEBUG}/${name}.txt`, ((await lab.request('company.log', name)) as string[]).join('\n'));
    }
    await lab?.stop();
  });

  describe('registration', () => {
    let line: RemoteLine | undefined;
    afterEach(async () => {
      line?.dispose();
      await line?.settled();
      line = undefined;
    });

    it('registers over wss:// with the right password, after a 401 challenge', async () => {
      const before = (await kamailioLines(/AUTH-/)).length;
      line = await RemoteLine.create(lab, 'agent', account(AGENT));
      const auth = (await kamailioLines(/AUTH-/)).slice(before);
      expect(wsUrl).toMatch(/^wss:\/\//);
      expect(auth.some((l) => /AUTH-CHALLENGE REGISTER from=sip:1000@/.test(l))).toBe(true);
      expect(auth.some((l) => /AUTH-OK REGISTER au=1000/.test(l))).toBe(true);
      expect(await lab.registrarContacts(`${AGENT}@${DOMAIN}`)).toHaveLength(1);
    });

    // Proved: without route(AUTH) in the template, both of these fail.
    it('is never registered with a wrong password, and sends it only once', async () => {
      // The previous test's line has signed out (an authenticated REGISTER too) before counting.
      await until('no registration left', async () => (await lab.registrarContacts(`${AGENT}@${DOMAIN}`)).length === 0);
      await sleep(300);
      const mine = /AUTH-(CHALLENGE|OK) REGISTER (from=sip:1000@\S+ )?au=/;
      const before = (await kamailioLines(mine)).length;
      await lab.call('agent', 'create', account(AGENT, `${passwords[AGENT]}-wrong`));
      line = new RemoteLine(lab, 'agent', await lab.call('agent', 'capabilities'));
      // Challenged without credentials, then challenged again with the wrong ones.
      await until('the wrong password challenged', async () => (await kamailioLines(/AUTH-CHALLENGE REGISTER from=sip:1000@\S+ au=1000/)).length > 0);
      await line.waitForRegistration('refused');
      await sleep(1500);
      const attempts = (await kamailioLines(mine)).slice(before);
      expect(attempts.filter((l) => /AUTH-CHALLENGE REGISTER from=sip:1000@\S+ au=1000/.test(l))).toHaveLength(1);
      expect(attempts.some((l) => /AUTH-OK/.test(l))).toBe(false);
      expect(await lab.registrarContacts(`${AGENT}@${DOMAIN}`)).toHaveLength(0);
    });

    it("refuses one user's valid credentials for another user's address", async () => {
      await until('no registration left', async () => (await lab.registrarContacts(`${AGENT}@${DOMAIN}`)).length === 0);
      await sleep(300);
      const checked = /AUTH-(OK|MISMATCH) REGISTER au=2000/;
      const before = (await kamailioLines(checked)).length;
      // The desk phone's user and password, to register the agent's address.
      await lab.call('agent', 'create', { ...account(AGENT, passwords[DESK]), authorizationUser: DESK });
      line = new RemoteLine(lab, 'agent', await lab.call('agent', 'capabilities'));
      await until('the credentials checked', async () => (await kamailioLines(checked)).length > before);
      await sleep(1000);
      // Proved: without the "authentication user must be the address" check in the template, the
      // agent's address registers with the desk phone's password and this fails.
      expect((await line.registration()).status).not.toBe('registered');
      expect(await lab.registrarContacts(`${AGENT}@${DOMAIN}`)).toHaveLength(0);
    });
  });

  describe('calls with the desk phone', () => {
    let line: RemoteLine;

    beforeAll(async () => {
      line = await RemoteLine.create(lab, 'agent', account(AGENT));
    });

    afterAll(async () => {
      line?.dispose();
      await line?.settled();
    });

    afterEach(async () => {
      // Whatever the test left: the desk phone hangs up its calls.
      await desk.command('hangup').catch(() => {});
      await sleep(300);
    });

    it('calls the desk phone through a 407 challenge; each side hears the other’s tone', async () => {
      const challenges = (await kamailioLines(/AUTH-CHALLENGE INVITE from=sip:1000@/)).length;
      const events = await desk.eventCount();
      await line.dial('c-out', DESK);
      const incoming = await desk.waitForEvent('CALL_INCOMING', events);
      expect(incoming.peeruri).toContain(`sip:${AGENT}@`);
      await waitForStatus(line, 'c-out', 'ringing');
      await desk.command('accept');
      await waitForStatus(line, 'c-out', 'connected');
      expect((await kamailioLines(/AUTH-CHALLENGE INVITE from=sip:1000@/)).length).toBeGreaterThan(challenges);
      await expectPageHears('agent', DESK_TONE, BROWSER_TONE);
      await expectDeskHears(0, BROWSER_TONE, DESK_TONE);
      await line.hangUp('c-out');
      await desk.waitForEvent('CALL_CLOSED', events);
      expect(statusTrail(line, 'c-out').at(-1)).toMatch(/^ended/);
    });

    /** The desk phone calls the line, which rings, announces the call and answers; resolves once both hear each other. */
    async function deskCallsLine(): Promise<{ callId: string; heard: number }> {
      const seen = line.timeline.length;
      const events = await desk.eventCount();
      await desk.command('dial', `sip:${AGENT}@${DOMAIN}`);
      const callId = await nextInboundCall(line, seen);
      await waitForStatus(line, callId, 'ringing');
      // What the plugin turns into Front's incoming-call notification: an inbound SYNC naming the caller.
      expect(syncsOf(line, callId)[0]).toMatchObject({ direction: 'inbound', from: DESK, to: AGENT });
      await desk.waitForEvent('CALL_RINGING', events);
      await line.answer(callId);
      await waitForStatus(line, callId, 'connected');
      await desk.waitForEvent('CALL_ESTABLISHED', events);
      await expectPageHears('agent', DESK_TONE, BROWSER_TONE);
      const heard = await expectDeskHears(0, BROWSER_TONE, DESK_TONE);
      return { callId, heard };
    }

    it('the desk phone calls the line: it rings, is announced, is answered, each side hears the other, and the desk phone hangs up', async () => {
      const challenges = (await kamailioLines(/AUTH-CHALLENGE INVITE from=sip:2000@/)).length;
      const { callId } = await deskCallsLine();
      // The desk phone's INVITE was challenged too (407) before it rang.
      expect((await kamailioLines(/AUTH-CHALLENGE INVITE from=sip:2000@/)).length).toBeGreaterThan(challenges);
      await desk.command('hangup');
      await waitForStatus(line, callId, 'ended');
      expect(statusTrail(line, callId)).toEqual(['ringing/regular', 'accepting/regular', 'connected/regular', 'hanging/regular:remoteHangup', 'ended/regular:remoteHangup']);
    });

    it('holds the desk phone (it stops sending, the agent hears nothing) and resumes (both tones again)', async () => {
      const { callId } = await deskCallsLine();
      const heldBefore = heldStates(callId).length;
      await line.hold(callId);
      await until('onHold: true', () => heldStates(callId).slice(heldBefore).includes(true));
      // The desk phone answered the hold (sendonly) with recvonly: the page hears nothing from it.
      await until('silence from the desk phone', async () => {
        const now = await lab.call<{ rms: number } | null>('agent', 'hearing', [DESK_TONE], 500);
        return now !== null && now.rms < 0.005;
      }, 10_000);
      const heldAt = Date.now();
      await sleep(1000);
      await line.resume(callId);
      await until('onHold: false', () => heldStates(callId).slice(heldBefore).includes(false));
      const resumedAt = Date.now();
      await expectPageHears('agent', DESK_TONE, BROWSER_TONE);
      await sleep(1000);
      await line.hangUp(callId);
      await waitForStatus(line, callId, 'ended');
      // What went to the desk phone after the resume carries the browser's tone. Read from
      // rtpengine's recording of the call: Debian 12's baresip 1.0 stops feeding its own recording
      // (the sndfile filter) after a re-INVITE, although it keeps receiving.
      const toward = await until('the call recording', async () => {
        const got = (await lab.request('rtpengine.towardDesk', resumedAt + 200, 0.5)) as { sampleRate: number; samples: number[]; packets: number };
        return got.samples.length >= 4000 ? got : undefined;
      }, 5000);
      expect(rms(toward.samples)).toBeGreaterThan(0.02);
      expect(toneStrength(toward.samples, toward.sampleRate, BROWSER_TONE)).toBeGreaterThan(0.6);
      expect(toneStrength(toward.samples, toward.sampleRate, DESK_TONE)).toBeLessThan(0.2);
      // While held, the line muted its microphone: whatever it sent toward the desk phone was silence.
      const held = (await lab.request('rtpengine.towardDesk', heldAt + 300, 0.5, heldAt + 1000)) as { samples: number[] };
      if (held.samples.length > 0) expect(rms(held.samples)).toBeLessThan(0.005);
    });

    it('sends RFC 4733 tones that the desk phone receives as DTMF', async () => {
      const { callId } = await deskCallsLine();
      const events = await desk.eventCount();
      await line.sendDigits(callId, '1#9');
      const digits = await until('three DTMF digits at the desk phone', async () => {
        const got = (await desk.events()).slice(events).filter((e) => e.type === 'CALL_DTMF_START').map((e) => e.param);
        return got.length >= 3 ? got.join('') : undefined;
      });
      expect(digits).toBe('1#9');
      // Out of band (RTP telephone-events), not SIP INFO: the page's DTMF sender played them.
      expect(await lab.call('agent', 'rtpTonesSent')).toContain('1#9');
      await line.hangUp(callId);
      await waitForStatus(line, callId, 'ended');
    });

    it('warm transfer: a customer on the line, the agent consults the desk phone, then joins them; the customer and the desk phone hear each other', async () => {
      await lab.call('customer', 'start', { wsUrl, uri: `sip:${CUSTOMER}@${DOMAIN}`, displayName: 'Maria Garcia', password: passwords[CUSTOMER] });
      await lab.call('customer', 'configure', { answerAfterMs: null });
      const seen = line.timeline.length;
      await lab.call('customer', 'call', `sip:${AGENT}@${DOMAIN}`);
      const callId = await nextInboundCall(line, seen);
      await waitForStatus(line, callId, 'ringing');
      await line.answer(callId);
      await waitForStatus(line, callId, 'connected');
      await expectPageHears('agent', BROWSER_TONE, DESK_TONE);

      const events = await desk.eventCount();
      await line.startWarmTransfer(callId, { number: DESK, name: 'Front desk' });
      await desk.waitForEvent('CALL_INCOMING', events);
      await desk.command('accept');
      await waitForStatus(line, callId, 'connected', 'warmTransfer');
      // The agent now talks to the desk phone (the newest connection), the customer waits on hold.
      await expectPageHears('agent', DESK_TONE, BROWSER_TONE);

      await desk.clearRecordings();
      const before = (await desk.events()).length;
      await line.merge(callId);
      // The customer's INVITE with Replaces reaches the desk phone. baresip 1.0 does not implement
      // Replaces (RFC 3891): it offers it as a second call, answered here as a person would; the
      // agent's consultation leg then ends (the line ends it after a grace period, as the target
      // did not).
      const replacing = await desk.waitForEvent('CALL_INCOMING', before);
      expect(replacing.peeruri).toContain(`sip:${CUSTOMER}@`);
      await desk.command('accept');
      await waitForStatus(line, callId, 'ended');
      expect(statusTrail(line, callId).slice(-2)).toEqual(['merging/warmTransfer', 'ended/regular:transferred']);
      // The customer called the desk phone (INVITE with Replaces) and they hear each other.
      await waitForPartyCall(lab, 'customer', 'the transferred call', (c) => c.status === 'connected' && c.replaces);
      await expectPageHears('customer', DESK_TONE, BROWSER_TONE);
      await expectDeskHears(0, BROWSER_TONE, DESK_TONE);
      // The agent's consultation call with the desk phone ends; the customer's stays up.
      const closed = await desk.waitForEvent('CALL_CLOSED', before);
      expect(closed.peeruri).toContain(`sip:${AGENT}@`);
      await expectPageHears('customer', DESK_TONE, BROWSER_TONE);
      await lab.call('customer', 'hangUp');
    });

    function heldStates(callId: string): boolean[] {
      return syncsOf(line, callId)
        .filter((sync) => sync.onHold !== undefined)
        .map((sync) => sync.onHold as boolean);
    }
  });

  describe('TURN (coturn, REST credentials)', () => {
    let line: RemoteLine | undefined;
    const turnUrl = `turn:127.0.0.1:${3478}?transport=udp`;

    afterEach(async () => {
      await desk.command('hangup').catch(() => {});
      line?.dispose();
      await line?.settled();
      line = undefined;
    });

    it('grants a relay only to credentials minted with the shared secret and not yet expired', async () => {
      const good = turnCredentials(turnSecret, AGENT, 600);
      expect(await lab.call<string[]>('agent', 'gatherRelay', [{ urls: turnUrl, ...good }])).toContain('relay');
      // Proved: a wrong secret, or an expiry in the past, gets no allocation (coturn answers 401).
      const forged = turnCredentials(`${turnSecret}-not`, AGENT, 600);
      expect(await lab.call<string[]>('agent', 'gatherRelay', [{ urls: turnUrl, ...forged }], 3000)).toEqual([]);
      const expired = turnCredentials(turnSecret, AGENT, -60);
      expect(await lab.call<string[]>('agent', 'gatherRelay', [{ urls: turnUrl, ...expired }], 3000)).toEqual([]);
    });

    it('forced to relay, a call to the desk phone carries both tones through the TURN server', async () => {
      const credentials = turnCredentials(turnSecret, AGENT, 600);
      line = await RemoteLine.create(lab, 'agent', account(AGENT), {
        iceServers: [{ urls: turnUrl, ...credentials }],
        iceTransportPolicy: 'relay',
      });
      const events = await desk.eventCount();
      await line.dial('c-turn', DESK);
      await desk.waitForEvent('CALL_INCOMING', events);
      await desk.command('accept');
      await waitForStatus(line, 'c-turn', 'connected');
      await expectPageHears('agent', DESK_TONE, BROWSER_TONE);
      await expectDeskHears(0, BROWSER_TONE, DESK_TONE);
      // The browser's only path is its relay candidate: what it sends and hears goes through coturn.
      // Proved: without iceTransportPolicy "relay" the selected pair is "host" and this fails.
      const pair = await lab.call<{ local: string; remote: string; localAddress: string } | null>('agent', 'selectedCandidates');
      expect(pair?.local).toBe('relay');
      const offer = (await lab.call<{ local: string }[]>('agent', 'descriptions')).at(-1)?.local ?? '';
      expect(offer.match(/a=candidate:\S+ 1 udp \d+ \S+ \d+ typ (\w+)/g)?.map((c) => c.split(' typ ')[1])).toEqual(['relay']);
      // And coturn saw this user allocate a relay and relay to a peer (rtpengine).
      const turnLog = (await lab.request('company.log', 'coturn')) as string[];
      const mine = turnLog.filter((l) => l.includes(`<${credentials.username}>`));
      expect(mine.some((l) => /ALLOCATE processed, success/.test(l))).toBe(true);
      expect(mine.some((l) => /(CREATE_PERMISSION|CHANNEL_BIND) processed, success/.test(l))).toBe(true);
      // The secret itself never appears in what coturn logs.
      expect(turnLog.some((l) => l.includes(turnSecret))).toBe(false);
      await line.hangUp('c-turn');
      await waitForStatus(line, 'c-turn', 'ended');
    });
  });

  describe('the plugin in the Front workspace', () => {
    const PLUGIN_FRAME = 'iframe[title="Softphone plugin"]';

    /** Runs `fn` with the workspace page's Playwright objects, in the lab's runner (source text: no closures). */
    function drive<T, A = null>(fn: (page: { page: any }, arg: A) => Promise<T>, arg?: A): Promise<T> {
      return lab.request('page.drive', 'workspace', fn.toString(), arg ?? null) as Promise<T>;
    }

    /** Evaluates `fn(arg)` inside the plugin frame (source text: no closures). */
    function inPlugin<T, A = null>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T> {
      return drive(
        async ({ page }, { source, arg: value }: { source: string; arg: unknown }) => {
          const frame = page.frames().find((f: any) => f.parentFrame() === page.mainFrame() && f.url().startsWith('http://localhost:'));
          if (!frame) throw new Error('No plugin frame.');
          return frame.evaluate(`(${source})(${JSON.stringify(value)})`);
        },
        { source: fn.toString(), arg: arg ?? null },
      );
    }

    function click(name: string): Promise<void> {
      return drive(
        async ({ page }, { frame, name: label }: { frame: string; name: string }) => {
          await page.frameLocator(frame).getByRole('button', { name: label, exact: true }).click({ timeout: 10_000 });
        },
        { frame: PLUGIN_FRAME, name },
      );
    }

    /** What the plugin asked of Front (the workspace's function log). */
    function functionLog(): Promise<{ name: string; args: unknown[]; status: string }[]> {
      return drive(async ({ page }) => page.evaluate(() => (window as any).__workspace.calls.map((c: any) => ({ name: c.name, args: c.args, status: c.status }))));
    }

    const pluginText = (selector: string) => inPlugin((sel: string) => (document.querySelector(sel)?.textContent ?? '').trim(), selector);

    beforeAll(async () => {
      const { appPort } = (await lab.request('app.start')) as { appPort: number };
      await lab.request('app.open', 'workspace', `http://127.0.0.1:${appPort}/workspace/?plugin=${encodeURIComponent(`http://localhost:${appPort}/`)}`, {
        initScript: `(${hearingProbe.toString()})();`,
        waitFor: 'window.__workspace !== undefined && window.__workspace.handshakes >= 1',
      });
    });

    it('connects with the password over wss://; the desk phone calls: Front shows the incoming call, the agent answers in the plugin, each hears the other’s tone', async () => {
      await click('Settings');
      await drive(
        async ({ page }, { frame, values }: { frame: string; values: Record<string, string> }) => {
          const form = page.frameLocator(frame).getByRole('form', { name: 'Phone line' });
          for (const [label, value] of Object.entries(values)) await form.getByLabel(label).fill(value, { timeout: 10_000 });
          await form.getByRole('button', { name: 'Connect', exact: true }).click();
        },
        { frame: PLUGIN_FRAME, values: { 'WebSocket URL': wsUrl, 'SIP URI': `sip:${PLUGIN_AGENT}@${DOMAIN}`, Password: passwords[PLUGIN_AGENT]!, 'Display name': 'Agent Ada' } },
      );
      await until('the plugin registered', async () => /Registered/.test(await pluginText('.sp-line')), 20_000);
      await click('Settings');

      const events = await desk.eventCount();
      await desk.command('dial', `sip:${PLUGIN_AGENT}@${DOMAIN}`);
      const notified = await until('an INCOMING_CALL notification in the workspace', async () =>
        (await functionLog()).find((c) => c.name === 'displayNotification' && (c.args[0] as { type?: string })?.type === 'INCOMING_CALL' && c.status === 'result'),
      );
      expect(notified.args[0]).toMatchObject({ type: 'INCOMING_CALL', contact: { handle: DESK } });
      await desk.waitForEvent('CALL_RINGING', events);
      await click('Answer');
      await until('Connected in the plugin', async () => (await pluginText('[role="status"]')) === 'Connected');
      await desk.waitForEvent('CALL_ESTABLISHED', events);
      let heard: { rms: number; strengths: number[] } | null = null;
      for (let i = 0; i < 6 && !(heard && heard.strengths[0]! > 0.6 && heard.strengths[1]! < 0.2); i++) {
        heard = await inPlugin((freqs: number[]) => (window as any).__labHearing(freqs, 600), [DESK_TONE, BROWSER_TONE]);
      }
      expect(heard?.rms).toBeGreaterThan(0.02);
      expect(heard?.strengths[0]).toBeGreaterThan(0.6);
      expect(heard?.strengths[1]).toBeLessThan(0.2);
      await expectDeskHears(0, BROWSER_TONE, DESK_TONE);
      await click('Hang up');
      await desk.waitForEvent('CALL_CLOSED', events);
    });
  });
});

/** TURN REST credentials (coturn's use-auth-secret): username "<expiry>:<user>", HMAC-SHA1 of it, base64. */
function turnCredentials(secret: string, user: string, ttlSeconds: number) {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${user}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}
