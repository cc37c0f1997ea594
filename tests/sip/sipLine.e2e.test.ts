// @vitest-environment node
/**
 * The SIP line end to end: the real adapter (src/telephony/sip, bundled by Vite) in Chromium,
 * registered to Kamailio (kamailio/kamailio.cfg), calling and called by scripted parties on bare
 * JsSIP in other pages. Kamailio, the web server and the browser run in a private network
 * namespace with only loopback (tests/sip/lab/). Audio is proved with getStats on both ends.
 *
 * Needs root (for `unshare -n`), `kamailio` + `kamailio-websocket-modules` and /usr/bin/chromium;
 * fails with the list of what is missing otherwise. SIP_E2E=0 skips it explicitly.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeLineContract } from '../support/lineContract';
import { Lab, labPrerequisites } from './lab/lab';
import { RemoteLine } from './lab/remoteLine';
import {
  expectSilence,
  expectTalking,
  lastPartyCall,
  measure,
  nextInboundCall,
  partyState,
  sleep,
  statusTrail,
  syncsOf,
  until,
  waitForPartyCall,
  waitForStatus,
} from './lab/scenario';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 180_000 });

const AGENT = '1000';
const CUSTOMER = '2000';
const COLLEAGUE = '3000'; // bare JsSIP: the contract suite's transfer target
const SECOND_AGENT = '4000'; // the SIP line again: the target of the flows' warm transfers
const DOMAIN = '127.0.0.1';
const PASSWORD = 'lab-secret-Pa55word';

const skipped = process.env.SIP_E2E === '0';
const missing = skipped ? [] : labPrerequisites();

let lab: Lab;
let wsUrl: string;

function account(user: string) {
  return { websocketUrl: wsUrl, sipUri: `sip:${user}@${DOMAIN}`, password: PASSWORD, displayName: `Agent ${user}` };
}

async function resetParties(): Promise<void> {
  await Promise.all([lab.call('customer', 'reset'), lab.call('colleague', 'reset')]);
  // Let BYE / CANCEL of the reset reach everybody before the next call.
  await sleep(150);
}

describe.skipIf(skipped)('the SIP line against Kamailio, in Chromium', () => {
  if (missing.length > 0) {
    it('has what the SIP lab needs', () => {
      throw new Error(`The SIP end-to-end tests need: ${missing.join('; ')}. Set SIP_E2E=0 to skip them.`);
    });
    return;
  }

  beforeAll(async () => {
    ({ lab, wsUrl } = await Lab.start());
    await Promise.all([
      lab.openPage('agent', 'tests/sip/pages/agent.html'),
      lab.openPage('agent2', 'tests/sip/pages/agent.html'),
      lab.openPage('customer', 'tests/sip/pages/party.html'),
      lab.openPage('colleague', 'tests/sip/pages/party.html'),
    ]);
    await lab.call('customer', 'start', { wsUrl, uri: `sip:${CUSTOMER}@${DOMAIN}`, displayName: 'Maria Garcia' });
    await lab.call('colleague', 'start', { wsUrl, uri: `sip:${COLLEAGUE}@${DOMAIN}` });
  });

  afterAll(async () => {
    await lab?.stop();
  });

  describeLineContract(
    'the SIP line',
    async () => {
      await resetParties();
      // The far end rings for a moment before answering, as a person would.
      await lab.call('customer', 'configure', { answerAfterMs: 800 });
      await lab.call('colleague', 'configure', { answerAfterMs: 500 });
      const line = await RemoteLine.create(lab, 'agent', account(AGENT));
      return {
        line,
        answeringNumber: CUSTOMER,
        transferTargetNumber: COLLEAGUE,
        async callAgent() {
          await lab.call('customer', 'configure', { answerAfterMs: null });
          await lab.call('customer', 'call', `sip:${AGENT}@${DOMAIN}`);
        },
        async remoteHangsUp() {
          await lab.call('customer', 'hangUp');
        },
        advance: (ms) => sleep(ms),
        async dispose() {
          line.dispose();
          await line.settled();
          await resetParties();
        },
      };
    },
    { stepMs: 25, timeoutMs: 20_000, quietMs: 1000 },
  );

  describe('calls with audio', () => {
    let line: RemoteLine;

    beforeEach(async () => {
      await resetParties();
      line = await RemoteLine.create(lab, 'agent', account(AGENT));
    });

    afterEach(async () => {
      line.dispose();
      await line.settled();
    });

    it('answers an incoming call and both sides hear each other, until the agent hangs up', async () => {
      await lab.call('customer', 'configure', { answerAfterMs: null });
      const seen = line.timeline.length;
      await lab.call('customer', 'call', `sip:${AGENT}@${DOMAIN}`);
      const callId = await nextInboundCall(line, seen);
      await waitForStatus(line, callId, 'ringing');
      expect(syncsOf(line, callId)[0]).toMatchObject({ direction: 'inbound', from: CUSTOMER, to: AGENT, callerName: 'Maria Garcia' });
      // Named after the SIP dialog's Call-ID, so every tab that receives this INVITE agrees.
      expect(callId).toBe(`sip-${(await lastPartyCall(lab, 'customer'))?.sipCallId}`);
      await line.answer(callId);
      await waitForStatus(line, callId, 'connected');
      await waitForPartyCall(lab, 'customer', 'connected', (c) => c.status === 'connected');
      await expectTalking(lab, 'agent', 'customer');
      await line.hangUp(callId);
      await waitForStatus(line, callId, 'ended');
      expect(statusTrail(line, callId)).toEqual(['ringing/regular', 'accepting/regular', 'connected/regular', 'hanging/regular:localHangup', 'ended/regular:localHangup']);
      const ended = await waitForPartyCall(lab, 'customer', 'the call ended', (c) => c.status === 'ended');
      expect(ended).toMatchObject({ originator: 'remote', cause: 'Terminated' });
    });

    it('places a call that rings, connects with audio both ways, and ends when the customer hangs up', async () => {
      await lab.call('customer', 'configure', { answerAfterMs: 500 });
      const callId = 'e2e-outbound-1';
      await line.dial(callId, CUSTOMER);
      await waitForStatus(line, callId, 'connected');
      await expectTalking(lab, 'agent', 'customer');
      await lab.call('customer', 'hangUp');
      await waitForStatus(line, callId, 'ended');
      expect(statusTrail(line, callId)).toEqual(['connecting/regular', 'ringing/regular', 'connected/regular', 'hanging/regular:remoteHangup', 'ended/regular:remoteHangup']);
      const final = syncsOf(line, callId).at(-1);
      expect(final?.duration).toEqual(expect.any(Number));
    });

    it('reports call quality from getStats while connected: jitter, loss, round trip and an estimated MOS', async () => {
      line.dispose();
      await line.settled();
      line = await RemoteLine.create(lab, 'agent', account(AGENT), { statsEveryMs: 1000 });
      await lab.call('customer', 'configure', { answerAfterMs: 200 });
      const callId = 'e2e-stats-1';
      await line.dial(callId, CUSTOMER);
      await waitForStatus(line, callId, 'connected');
      const reports = await until('two audioStats SYNCs', () => {
        const stats = syncsOf(line, callId).filter((s) => s.audioStats);
        return stats.length >= 2 ? stats.map((s) => s.audioStats) : undefined;
      });
      for (const stats of reports) {
        expect(stats).toEqual({ jitter: expect.any(Number), packetLoss: expect.any(Number), rtt: expect.any(Number), mos: expect.any(Number) });
        // Loopback: next to no jitter or loss, so the estimate is near the E-model's ceiling.
        expect(stats?.packetLoss).toBeLessThan(0.05);
        expect(stats?.mos).toBeGreaterThan(4);
      }
      await line.hangUp(callId);
      await waitForStatus(line, callId, 'ended');
    });

    /** The agent dials the customer, who answers; resolves once audio flows both ways. */
    async function connectedCall(callId: string): Promise<void> {
      await lab.call('customer', 'configure', { answerAfterMs: 200 });
      await line.dial(callId, CUSTOMER);
      await waitForStatus(line, callId, 'connected');
      await waitForPartyCall(lab, 'customer', 'connected', (c) => c.status === 'connected');
      await expectTalking(lab, 'agent', 'customer');
    }

    function heldStates(callId: string): boolean[] {
      return syncsOf(line, callId).filter((s) => s.onHold !== undefined).map((s) => s.onHold as boolean);
    }

    it('holds with a re-INVITE (the customer stops hearing the agent, and stops sending), then resumes', async () => {
      const callId = 'e2e-hold-1';
      await connectedCall(callId);
      const heldBefore = heldStates(callId).length;
      await line.hold(callId);
      await until('onHold: true', () => heldStates(callId).slice(heldBefore).includes(true));
      // The customer hears silence, and (answering sendonly with recvonly) sends the agent nothing.
      await expectSilence(lab, 'customer');
      const agentSide = await measure(lab, 'agent');
      expect(agentSide.bytesReceived).toBeLessThan(500);
      await line.resume(callId);
      await until('onHold: false', () => heldStates(callId).slice(heldBefore).at(-1) === false);
      await expectTalking(lab, 'agent', 'customer');
      await line.hangUp(callId);
      await waitForStatus(line, callId, 'ended');
    });

    it('mutes the microphone (the customer hears silence while packets still flow), then unmutes', async () => {
      const callId = 'e2e-mute-1';
      await connectedCall(callId);
      await line.mute(callId);
      await until('muted: true', () => syncsOf(line, callId).some((s) => s.muted === true));
      const muted = await expectSilence(lab, 'customer');
      expect(muted.bytesReceived).toBeGreaterThan(0);
      // The agent still hears the customer.
      const agentHears = await measure(lab, 'agent');
      expect(agentHears.energyReceived).toBeGreaterThan(0.01);
      await line.unmute(callId);
      await until('muted: false', () => syncsOf(line, callId).filter((s) => s.muted !== undefined).at(-1)?.muted === false);
      await expectTalking(lab, 'agent', 'customer');
      await line.hangUp(callId);
      await waitForStatus(line, callId, 'ended');
    });

    it('sends DTMF in the RTP stream (RFC 4733) when the customer negotiated telephone-event', async () => {
      const callId = 'e2e-dtmf-rtp';
      const before = await lab.call<string>('agent', 'rtpTonesSent');
      await connectedCall(callId);
      await line.sendDigits(callId, '12#');
      await until('the RTP DTMF sender to play 12#', async () => (await lab.call<string>('agent', 'rtpTonesSent')).slice(before.length).replace(/,/g, '') === '12#');
      // Not by INFO: the customer's SIP side saw no DTMF.
      expect((await partyState(lab, 'customer')).dtmf).toBe('');
      await line.hangUp(callId);
      await waitForStatus(line, callId, 'ended');
    });

    it('sends DTMF by SIP INFO when the customer did not negotiate telephone-event, and the customer receives the digits', async () => {
      await lab.call('customer', 'configure', { noTelephoneEvent: true });
      const callId = 'e2e-dtmf-info';
      await lab.call('customer', 'configure', { answerAfterMs: 200 });
      await line.dial(callId, CUSTOMER);
      await waitForStatus(line, callId, 'connected');
      await expectTalking(lab, 'agent', 'customer');
      await line.sendDigits(callId, '4*7');
      await until('the customer to receive 4*7', async () => (await partyState(lab, 'customer')).dtmf === '4*7');
      await line.hangUp(callId);
      await waitForStatus(line, callId, 'ended');
    });

    it('declines an incoming call with 603, and the caller sees it declined', async () => {
      await lab.call('customer', 'configure', { answerAfterMs: null });
      const seen = line.timeline.length;
      await lab.call('customer', 'call', `sip:${AGENT}@${DOMAIN}`);
      const callId = await nextInboundCall(line, seen);
      await waitForStatus(line, callId, 'ringing');
      await line.decline(callId);
      await waitForStatus(line, callId, 'ended');
      expect(statusTrail(line, callId)).toEqual(['ringing/regular', 'ended/regular:declined']);
      const call = await waitForPartyCall(lab, 'customer', 'the call failed', (c) => c.status === 'ended');
      expect(call).toMatchObject({ statusCode: 603 });
    });

    it('reports a call the caller gave up on (CANCEL) as missed', async () => {
      await lab.call('customer', 'configure', { answerAfterMs: null });
      const seen = line.timeline.length;
      await lab.call('customer', 'call', `sip:${AGENT}@${DOMAIN}`);
      const callId = await nextInboundCall(line, seen);
      await waitForStatus(line, callId, 'ringing');
      await lab.call('customer', 'hangUp');
      await waitForStatus(line, callId, 'ended');
      expect(statusTrail(line, callId)).toEqual(['ringing/regular', 'ended/regular:missed']);
    });

    it.each([
      [486, 'busy'],
      [603, 'rejected'],
      [480, 'noAnswer'],
      [408, 'noAnswer'],
    ])('ends an outbound call the callee answers with %i as %s', async (code, reason) => {
      await lab.call('customer', 'configure', { answerAfterMs: 200, rejectWith: code });
      const callId = `e2e-refused-${code}`;
      await line.dial(callId, CUSTOMER);
      await waitForStatus(line, callId, 'ended');
      expect(statusTrail(line, callId)).toEqual(['connecting/regular', 'ringing/regular', `ended/regular:${reason}`]);
    });

    it('cancels an outbound call the agent hangs up while it rings (CANCEL, 487)', async () => {
      await lab.call('customer', 'configure', { answerAfterMs: null });
      const callId = 'e2e-cancel-1';
      await line.dial(callId, CUSTOMER);
      await waitForStatus(line, callId, 'ringing');
      await line.hangUp(callId);
      await waitForStatus(line, callId, 'ended');
      expect(statusTrail(line, callId)).toEqual(['connecting/regular', 'ringing/regular', 'hanging/regular:cancelled', 'ended/regular:cancelled']);
      const call = await waitForPartyCall(lab, 'customer', 'the call cancelled', (c) => c.status === 'ended');
      expect(call).toMatchObject({ originator: 'remote', cause: 'Canceled' });
    });
  });

  describe('warm transfer to a second agent', () => {
    let line: RemoteLine;
    let second: RemoteLine;

    beforeEach(async () => {
      await resetParties();
      [line, second] = await Promise.all([RemoteLine.create(lab, 'agent', account(AGENT)), RemoteLine.create(lab, 'agent2', account(SECOND_AGENT))]);
    });

    afterEach(async () => {
      line.dispose();
      second.dispose();
      await Promise.all([line.settled(), second.settled()]);
    });

    /** The customer calls the agent, who answers; resolves with the callId once they talk. */
    async function customerOnTheLine(): Promise<string> {
      await lab.call('customer', 'configure', { answerAfterMs: null });
      const seen = line.timeline.length;
      await lab.call('customer', 'call', `sip:${AGENT}@${DOMAIN}`);
      const callId = await nextInboundCall(line, seen);
      await waitForStatus(line, callId, 'ringing');
      await line.answer(callId);
      await waitForStatus(line, callId, 'connected');
      await expectTalking(lab, 'agent', 'customer');
      return callId;
    }

    /** The agent consults the second agent, who answers. Returns the second agent's callId. */
    async function consultSecondAgent(callId: string): Promise<string> {
      const seen = second.timeline.length;
      await line.startWarmTransfer(callId, { number: SECOND_AGENT, name: 'Sam (billing)' });
      const secondCallId = await nextInboundCall(second, seen);
      await waitForStatus(second, secondCallId, 'ringing');
      expect(syncsOf(second, secondCallId)[0]).toMatchObject({ direction: 'inbound', from: AGENT });
      await second.answer(secondCallId);
      await waitForStatus(line, callId, 'connected', 'warmTransfer');
      await waitForStatus(second, secondCallId, 'connected');
      return secondCallId;
    }

    it('consults, swaps back and forth, and completes the transfer: the customer ends up talking to the second agent', async () => {
      const callId = await customerOnTheLine();
      const secondCallId = await consultSecondAgent(callId);
      // The customer is held (hears nothing) while the agents talk.
      await expectTalking(lab, 'agent', 'agent2');
      await expectSilence(lab, 'customer');
      expect(syncsOf(line, callId).filter((s) => s.activeParticipant).at(-1)).toMatchObject({
        activeParticipant: { number: SECOND_AGENT, name: 'Sam (billing)' },
        inactiveParticipant: { number: CUSTOMER },
      });

      // Swap: back to the customer, the second agent held.
      await line.swap(callId);
      await until('the swap to the customer', () => statusTrail(line, callId).at(-1) === 'connected/warmTransfer' && statusTrail(line, callId).includes('swapping/warmTransfer'));
      expect(syncsOf(line, callId).filter((s) => s.activeParticipant).at(-1)).toMatchObject({ activeParticipant: { number: CUSTOMER }, inactiveParticipant: { number: SECOND_AGENT } });
      const agentPcs = await lab.call<{ pc: number; state: string }[]>('agent', 'audio');
      const [customerPc, consultPc] = agentPcs.filter((r) => r.state === 'connected').map((r) => r.pc);
      await expectTalking(lab, 'agent', 'customer', { agent: customerPc as number });
      await expectSilence(lab, 'agent2');

      // Swap again: the second agent is back.
      const swapsBefore = statusTrail(line, callId).filter((s) => s === 'swapping/warmTransfer').length;
      await line.swap(callId);
      await until('the second swap', () => statusTrail(line, callId).filter((s) => s === 'swapping/warmTransfer').length > swapsBefore && statusTrail(line, callId).at(-1) === 'connected/warmTransfer');
      await expectTalking(lab, 'agent', 'agent2', { agent: consultPc as number });

      // Complete: REFER with Replaces; the customer calls the second agent, replacing the agent.
      await line.merge(callId);
      await waitForStatus(line, callId, 'ended');
      expect(statusTrail(line, callId).slice(-2)).toEqual(['merging/warmTransfer', 'ended/regular:transferred']);
      const replaced = await waitForPartyCall(lab, 'customer', 'the replacing call connected', (c) => c.replaces && c.status === 'connected');
      expect(replaced.remote).toBe(SECOND_AGENT);
      // The second agent keeps its call (same callId), now with the customer.
      await until('the second agent to report the customer', () => syncsOf(second, secondCallId).some((s) => s.activeParticipant?.number === CUSTOMER));
      expect(statusTrail(second, secondCallId)).toEqual(['ringing/regular', 'accepting/regular', 'connected/regular']);
      await expectTalking(lab, 'customer', 'agent2');
      // And the agent is out of it: no call left on the agent's page.
      await until('the agent page to close its calls', async () => (await lab.call<{ state: string }[]>('agent', 'audio')).every((r) => r.state !== 'connected'));

      await second.hangUp(secondCallId);
      await waitForStatus(second, secondCallId, 'ended');
      await waitForPartyCall(lab, 'customer', 'the transferred call ended', (c) => c.status === 'ended');
    });

    it('transfers now (blind: REFER without Replaces): the customer calls the second agent, they hear each other, the agent is out', async () => {
      const callId = await customerOnTheLine();
      const seen = second.timeline.length;
      await line.blindTransfer(callId, { number: SECOND_AGENT, name: 'Sam (billing)' });
      await waitForStatus(line, callId, 'blindTransferring');
      // The customer calls the second agent itself: the call the second agent sees comes from the customer.
      const secondCallId = await nextInboundCall(second, seen);
      await waitForStatus(second, secondCallId, 'ringing');
      expect(syncsOf(second, secondCallId)[0]).toMatchObject({ direction: 'inbound', from: CUSTOMER });
      await waitForPartyCall(lab, 'customer', 'the referred call', (c) => c.remote === SECOND_AGENT);
      await second.answer(secondCallId);
      await waitForStatus(line, callId, 'ended');
      expect(statusTrail(line, callId).slice(-2)).toEqual(['blindTransferring/regular', 'ended/regular:transferred']);
      await waitForStatus(second, secondCallId, 'connected');
      await expectTalking(lab, 'customer', 'agent2');
      await until('the agent page to close its calls', async () => (await lab.call<{ state: string }[]>('agent', 'audio')).every((r) => r.state !== 'connected'));

      await second.hangUp(secondCallId);
      await waitForStatus(second, secondCallId, 'ended');
      await waitForPartyCall(lab, 'customer', 'the transferred call ended', (c) => c.status === 'ended' && c.remote === SECOND_AGENT);
    });

    it('cancels a transfer while the second agent rings: back to the customer, who hears the agent again', async () => {
      const callId = await customerOnTheLine();
      const seen = second.timeline.length;
      await line.startWarmTransfer(callId, { number: SECOND_AGENT });
      const secondCallId = await nextInboundCall(second, seen);
      await waitForStatus(line, callId, 'ringing', 'warmTransfer');
      await expectSilence(lab, 'customer');
      await line.cancelTransfer(callId);
      await until('the return to the customer', () => statusTrail(line, callId).at(-1) === 'connected/regular:transferCancelled');
      // The status and the SYNC after it reach this process separately: wait for the SYNC too.
      const back = await until('the SYNC back to the customer', () => {
        const last = syncsOf(line, callId).filter((s) => s.activeParticipant).at(-1);
        return last?.activeParticipant?.number === CUSTOMER ? last : undefined;
      });
      expect(back).toMatchObject({ activeParticipant: { number: CUSTOMER }, inactiveParticipant: null, onHold: false });
      await waitForStatus(second, secondCallId, 'ended');
      expect(statusTrail(second, secondCallId)).toEqual(['ringing/regular', 'ended/regular:missed']);
      await expectTalking(lab, 'agent', 'customer');
      await line.hangUp(callId);
      await waitForStatus(line, callId, 'ended');
    });

    it('cancels a connected consultation: the second agent is hung up and the customer resumed', async () => {
      const callId = await customerOnTheLine();
      const secondCallId = await consultSecondAgent(callId);
      await line.cancelTransfer(callId);
      await until('the return to the customer', () => statusTrail(line, callId).at(-1) === 'connected/regular:transferCancelled');
      await waitForStatus(second, secondCallId, 'ended');
      expect(statusTrail(second, secondCallId).at(-1)).toBe('ended/regular:remoteHangup');
      await expectTalking(lab, 'agent', 'customer');
      await line.hangUp(callId);
      await waitForStatus(line, callId, 'ended');
    });
  });

  describe('when Kamailio is killed and restarted mid-call', () => {
    it('reports the line offline, keeps the call and its audio, registers again, and can still hang up', async () => {
      await resetParties();
      const line = await RemoteLine.create(lab, 'agent', account(AGENT));
      try {
        await lab.call('customer', 'configure', { answerAfterMs: 200 });
        const callId = 'e2e-restart-1';
        await line.dial(callId, CUSTOMER);
        await waitForStatus(line, callId, 'connected');
        await expectTalking(lab, 'agent', 'customer');

        await lab.killKamailio();
        const offline = await line.waitForRegistration('offline', 10_000);
        expect(offline.reason).toMatch(/connection to the phone server was lost/i);
        // Media goes peer to peer: the call carries on without its proxy.
        await expectTalking(lab, 'agent', 'customer');

        await lab.startKamailio();
        await line.waitForRegistration('registered', 30_000);
        await until('the customer to register again', async () => (await partyState(lab, 'customer')).registered, 30_000);
        expect(statusTrail(line, callId)).toEqual(['connecting/regular', 'ringing/regular', 'connected/regular']);

        // The BYE finds the customer on its new connection (GRUU through the location table).
        await line.hangUp(callId);
        await waitForStatus(line, callId, 'ended');
        const ended = await waitForPartyCall(lab, 'customer', 'the BYE to arrive', (c) => c.status === 'ended', 10_000);
        expect(ended).toMatchObject({ originator: 'remote', cause: 'Terminated' });
        expect(line.registrations.map((r) => r.state.status)).toEqual(expect.arrayContaining(['offline', 'registering', 'registered']));
        // The line's own log of all that never carries the password.
        const log = await lab.call<{ message: string }[]>('agent', 'log');
        expect(log.length).toBeGreaterThan(3);
        expect(JSON.stringify(log)).not.toContain(PASSWORD);
      } finally {
        line.dispose();
        await line.settled();
      }
    });
  });
});
