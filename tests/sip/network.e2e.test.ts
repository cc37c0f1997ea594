// @vitest-environment node
/**
 * Networks that change, end to end in the SIP lab (Kamailio, Chromium, a private network
 * namespace; see tests/sip/lab): the WebSocket to the phone server drops during a call (Kamailio
 * killed and restarted), and the media path fails (UDP dropped inside the lab's namespace with
 * iptables, then let through again). Also measures how soon the line is registered again once
 * Kamailio accepts connections (printed; asserted only against a generous bound).
 *
 * Needs what the other SIP e2e tests need, plus iptables and nsenter (util-linux) for the media
 * failure. SIP_E2E=0 skips it.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Lab, labPrerequisites } from './lab/lab';
import { RemoteLine } from './lab/remoteLine';
import { expectTalking, partyState, sleep, statusTrail, syncsOf, until, waitForPartyCall, waitForStatus, expectSilence } from './lab/scenario';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const AGENT = '1000';
const CUSTOMER = '2000';
const DOMAIN = '127.0.0.1';
const PASSWORD = 'lab-secret-Pa55word';

const skipped = process.env.SIP_E2E === '0';
const missing = skipped ? [] : labPrerequisites();
if (!skipped && spawnSync('sh', ['-c', 'command -v iptables && command -v nsenter']).status !== 0) missing.push('iptables and nsenter');

let lab: Lab;
let wsUrl: string;

function account(user: string) {
  return { websocketUrl: wsUrl, sipUri: `sip:${user}@${DOMAIN}`, password: PASSWORD, displayName: `Agent ${user}` };
}

/** Runs a command in the lab's network namespace (as root); throws with its output when it fails. */
function inLab(command: string, ...args: string[]): string {
  const result = spawnSync('nsenter', ['-t', String(lab.pid), '-n', command, ...args], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

const DROP_UDP = ['INPUT', '-p', 'udp', '-j', 'DROP'];
let udpBlocked = false;
function blockUdp(): void {
  inLab('iptables', '-I', ...DROP_UDP);
  udpBlocked = true;
}
function unblockUdp(): void {
  if (!udpBlocked) return;
  inLab('iptables', '-D', ...DROP_UDP);
  udpBlocked = false;
}

function heldStates(line: RemoteLine, callId: string): boolean[] {
  return syncsOf(line, callId).filter((s) => s.onHold !== undefined).map((s) => s.onHold as boolean);
}

async function agentLog(): Promise<string[]> {
  return (await lab.call<{ message: string }[]>('agent', 'log')).map((e) => e.message);
}

describe.skipIf(skipped)('networks that change, in the SIP lab', () => {
  if (missing.length > 0) {
    it('has what the SIP lab needs', () => {
      throw new Error(`The SIP end-to-end tests need: ${missing.join('; ')}. Set SIP_E2E=0 to skip them.`);
    });
    return;
  }

  let line: RemoteLine;

  beforeAll(async () => {
    ({ lab, wsUrl } = await Lab.start());
    await Promise.all([lab.openPage('agent', 'tests/sip/pages/agent.html'), lab.openPage('customer', 'tests/sip/pages/party.html')]);
    await lab.call('customer', 'start', { wsUrl, uri: `sip:${CUSTOMER}@${DOMAIN}`, displayName: 'Maria Garcia' });
  });

  afterAll(async () => {
    if (lab) unblockUdp();
    await lab?.stop();
  });

  beforeEach(async () => {
    await lab.call('customer', 'reset');
    await lab.call('customer', 'configure', { answerAfterMs: 200 });
  });

  afterEach(async () => {
    unblockUdp();
    line?.dispose();
    await line?.settled();
  });

  async function connectedCall(callId: string, options: object = {}): Promise<void> {
    line = await RemoteLine.create(lab, 'agent', account(AGENT), options);
    await line.dial(callId, CUSTOMER);
    await waitForStatus(line, callId, 'connected');
    await expectTalking(lab, 'agent', 'customer');
  }

  it('the WebSocket drops during a call: the audio carries on, the line is registered again within a second of Kamailio being back, and hold, resume and hang up work', async () => {
    const callId = 'net-ws-1';
    await connectedCall(callId);

    await lab.killKamailio();
    await line.waitForRegistration('offline', 10_000);
    await expectTalking(lab, 'agent', 'customer');

    const before = line.registrations.length;
    await lab.startKamailio();
    // startKamailio resolves once the port accepts connections (polled every 50 ms): the time
    // measured from here is at most 50 ms shorter than from the true moment.
    const acceptingAt = Date.now();
    await line.waitForRegistration('registered', 15_000);
    const registered = line.registrations.slice(before).find((r) => r.state.status === 'registered');
    const backMs = (registered?.at ?? Date.now()) - acceptingAt;
    console.log(`[faster back] the SIP line was registered again ${Math.round(backMs)} ms after Kamailio accepted connections`);
    // Not a timing assertion (noisy machine): a bound far above the 1 s aimed for, far below
    // JsSIP's own 2 s minimum backoff doubling (what it took before).
    expect(backMs).toBeLessThan(5000);

    await until('the customer to register again', async () => (await partyState(lab, 'customer')).registered, 30_000);
    expect(statusTrail(line, callId)).toEqual(['connecting/regular', 'ringing/regular', 'connected/regular']);

    // In-dialog requests after the reconnection: Kamailio routes them by Record-Route and the
    // GRUU each side refreshed on its new connection.
    const heldBefore = heldStates(line, callId).length;
    await line.hold(callId);
    await until('onHold: true', () => heldStates(line, callId).slice(heldBefore).includes(true));
    await expectSilence(lab, 'customer');
    await line.resume(callId);
    await until('onHold: false', () => heldStates(line, callId).slice(heldBefore).at(-1) === false);
    await expectTalking(lab, 'agent', 'customer');
    await line.hangUp(callId);
    await waitForStatus(line, callId, 'ended');
    const ended = await waitForPartyCall(lab, 'customer', 'the BYE to arrive', (c) => c.status === 'ended', 10_000);
    expect(ended).toMatchObject({ originator: 'remote', cause: 'Terminated' });
  });

  it('the media path fails: the line restarts ICE with a re-INVITE, and the call and its audio come back', async () => {
    const callId = 'net-ice-1';
    await connectedCall(callId, { iceRestartGraceMs: 1000, iceRestartTimeoutMs: 20_000 });
    type Ufrags = { pc: number; local: string | null; remote: string | null }[];
    const [before] = (await lab.call<Ufrags>('agent', 'iceUfrags')).slice(-1);
    blockUdp();
    await until('the ICE restart', async () => (await agentLog()).some((m) => m.includes('restarting ICE')), 45_000);
    unblockUdp();
    await until('the media path to come back', async () => (await agentLog()).some((m) => m.includes('media path is back')), 25_000);
    // Each side's peer connection says so in its own time.
    for (const page of ['agent', 'customer']) {
      await until(`${page}'s peer connection to be connected again`, async () => (await lab.call<{ state: string }[]>(page, 'audio')).some((r) => r.state === 'connected'), 15_000);
    }
    await expectTalking(lab, 'agent', 'customer');
    // The same peer connection, with new ICE credentials on both sides: the re-INVITE restarted ICE.
    const [after] = (await lab.call<Ufrags>('agent', 'iceUfrags')).slice(-1);
    expect(after?.pc).toBe(before?.pc);
    expect(after?.local).not.toBe(before?.local);
    expect(after?.remote).not.toBe(before?.remote);
    expect(statusTrail(line, callId)).toEqual(['connecting/regular', 'ringing/regular', 'connected/regular']);
    await line.hangUp(callId);
    await waitForStatus(line, callId, 'ended');
  });

  it('the media path fails for good: after the ICE restart the line gives up and reports connection lost', async () => {
    const callId = 'net-ice-2';
    await connectedCall(callId, { iceRestartGraceMs: 1000, iceRestartTimeoutMs: 5000 });
    blockUdp();
    await waitForStatus(line, callId, 'ended', 'regular', 60_000);
    expect(statusTrail(line, callId).at(-1)).toBe('ended/regular:connectionLost');
    const log = await agentLog();
    expect(log.some((m) => m.includes('restarting ICE'))).toBe(true);
    expect(log.some((m) => m.includes('did not come back after an ICE restart'))).toBe(true);
    unblockUdp();
    await waitForPartyCall(lab, 'customer', 'the BYE to arrive', (c) => c.status === 'ended', 10_000);
    await sleep(100);
  });
});
