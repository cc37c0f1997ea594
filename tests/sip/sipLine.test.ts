import { afterEach, describe, expect, it, vi } from 'vitest';
import { LineError } from '../../src/telephony/line';
import { parseLineEvent, type CallStatusEvent, type LineEvent, type SyncEvent } from '../../src/telephony/protocol';
import type { SipAccount, SipLineOptions, SipLogEntry } from '../../src/telephony/sip';
import { createSipLineWith } from '../../src/telephony/sip/sipLine';
import { CAUSES } from '../../src/telephony/sip/stack';
import { fakeMedia, FakeUserAgent, gathersByDefault, type FakeSession } from './fakeStack';

const PASSWORD = 'S3cret-Pa55word!';
const ACCOUNT: SipAccount = {
  websocketUrl: 'wss://pbx.example.com/ws',
  sipUri: 'sip:1001@pbx.example.com',
  password: PASSWORD,
  displayName: 'Alex Agent',
};

const settle = () => new Promise((done) => setTimeout(done, 0));

function setup(options: SipLineOptions = {}, account: Partial<SipAccount> = {}, now?: () => number) {
  let ua: FakeUserAgent | undefined;
  const media = fakeMedia();
  const logs: SipLogEntry[] = [];
  const line = createSipLineWith(
    { ...ACCOUNT, ...account },
    { statsEveryMs: 0, logger: (entry) => logs.push(entry), ...options },
    {
      createUserAgent: (config) => (ua = new FakeUserAgent(config)),
      media,
      ...(now ? { now } : {}),
    },
  );
  const events: LineEvent[] = [];
  line.subscribe((event) => events.push(event));
  const agent = ua as FakeUserAgent;
  return {
    line,
    ua: agent,
    media,
    events,
    logs,
    statuses(callId: string) {
      return events
        .filter((e): e is CallStatusEvent => e.type === 'DIALER.CALL_STATUS' && e.payload.callId === callId)
        .map((e) => `${e.payload.status}/${e.payload.flow}${e.payload.reason ? `:${e.payload.reason}` : ''}`);
    },
    syncs(callId: string) {
      return events.filter((e): e is SyncEvent => e.type === 'DIALER.SYNC' && e.payload.callId === callId).map((e) => e.payload);
    },
    lastSession(): FakeSession {
      const session = agent.calls.at(-1);
      if (!session) throw new Error('No session.');
      return session;
    },
  };
}

/** An online line with a connected outbound call to 2000; returns the session. */
async function connectedCall(t: ReturnType<typeof setup>, callId = 'call-1'): Promise<FakeSession> {
  t.ua.online();
  await t.line.dial(callId, '2000');
  const session = t.lastSession();
  session.ring();
  session.confirm();
  await settle();
  return session;
}

async function rejection(promise: Promise<unknown>): Promise<LineError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LineError);
    return error as LineError;
  }
  throw new Error('Expected a rejection.');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the SIP line: outbound calls', () => {
  it('announces a dialled call with DIALING, an outbound SYNC and connecting, then rings and connects', async () => {
    const t = setup();
    t.ua.online();
    const dialing = t.line.dial('call-1', '+14155550142');
    expect(t.events).toEqual([]);
    await dialing;
    await settle();
    expect(t.events.slice(0, 3)).toEqual([
      { type: 'DIALER.DIALING', payload: { from: '1001', to: '+14155550142', callId: 'call-1' } },
      { type: 'DIALER.SYNC', payload: { callId: 'call-1', direction: 'outbound', from: '1001', to: '+14155550142' } },
      { type: 'DIALER.CALL_STATUS', payload: { status: 'connecting', flow: 'regular', callId: 'call-1' } },
    ]);
    const session = t.lastSession();
    expect(session.target).toBe('sip:+14155550142@pbx.example.com');
    expect(session.options?.mediaConstraints).toEqual({ audio: true, video: false });
    session.ring();
    session.confirm();
    await settle();
    expect(t.statuses('call-1')).toEqual(['connecting/regular', 'ringing/regular', 'connected/regular']);
    expect(t.syncs('call-1').at(-1)).toEqual({ callId: 'call-1', activeParticipant: { number: '+14155550142' }, inactiveParticipant: null, onHold: false, muted: false });
    for (const event of t.events) expect(parseLineEvent(event).ok).toBe(true);
  });

  it('ends a connected call once with hanging and localHangup when the agent hangs up, then reports the duration', async () => {
    const clock = { now: 1_000_000 };
    const t = setup({}, {}, () => clock.now);
    const session = await connectedCall(t);
    clock.now += 42_400;
    await t.line.hangUp('call-1');
    await settle();
    expect(session.terminatedWith).toEqual({});
    expect(t.statuses('call-1').slice(-2)).toEqual(['hanging/regular:localHangup', 'ended/regular:localHangup']);
    expect(t.syncs('call-1').at(-1)).toEqual({ callId: 'call-1', duration: 42, participants: [{ number: '2000' }] });
  });

  it('cancels an outbound call hung up while it rings', async () => {
    const t = setup();
    t.ua.online();
    await t.line.dial('call-1', '2000');
    t.lastSession().ring();
    await t.line.hangUp('call-1');
    await settle();
    expect(t.statuses('call-1')).toEqual(['connecting/regular', 'ringing/regular', 'hanging/regular:cancelled', 'ended/regular:cancelled']);
  });

  it.each([
    [486, 'busy'],
    [600, 'busy'],
    [603, 'rejected'],
    [403, 'rejected'],
    [408, 'noAnswer'],
    [480, 'noAnswer'],
    [404, 'failed'],
    [488, 'failed'],
    [503, 'failed'],
  ])('ends an outbound call refused with %i as %s, without hanging', async (code, reason) => {
    const t = setup();
    t.ua.online();
    await t.line.dial('call-1', '2000');
    t.lastSession().ring();
    t.lastSession().reject(code);
    await settle();
    expect(t.statuses('call-1')).toEqual(['connecting/regular', 'ringing/regular', `ended/regular:${reason}`]);
  });

  it('ends the call as remoteHangup, with hanging, when the other party hangs up', async () => {
    const t = setup();
    const session = await connectedCall(t);
    session.hangUp();
    await settle();
    expect(t.statuses('call-1').slice(-2)).toEqual(['hanging/regular:remoteHangup', 'ended/regular:remoteHangup']);
  });

  it('refuses to dial while the server is not connected, and emits nothing', async () => {
    const t = setup();
    expect((await rejection(t.line.dial('call-1', '2000'))).code).toBe('not_ready');
    expect(t.ua.calls).toEqual([]);
    await settle();
    expect(t.events).toEqual([]);
  });

  it('refuses invalid numbers, reused call ids and a second call', async () => {
    const t = setup();
    t.ua.online();
    expect((await rejection(t.line.dial('call-1', 'sip:evil@elsewhere'))).code).toBe('invalid_argument');
    expect((await rejection(t.line.dial('', '2000'))).code).toBe('invalid_argument');
    await t.line.dial('call-1', '2000');
    expect((await rejection(t.line.dial('call-2', '2001'))).code).toBe('invalid_state');
    t.lastSession().reject(486);
    expect((await rejection(t.line.dial('call-1', '2000'))).code).toBe('invalid_argument');
  });

  it('reports a call the stack cannot place as a network error, and emits nothing', async () => {
    const t = setup();
    t.ua.online();
    t.ua.throwOnCall = new TypeError('Invalid target');
    expect((await rejection(t.line.dial('call-1', '2000'))).code).toBe('network');
    await settle();
    expect(t.events).toEqual([]);
  });

  it('ends a call whose peer connection failed as connectionLost, exactly once (JsSIP would keep it)', async () => {
    const t = setup();
    const session = await connectedCall(t);
    session.pc?.fail();
    await settle();
    expect(session.terminatedWith).not.toBeNull();
    expect(t.statuses('call-1').filter((s) => s.startsWith('ended'))).toEqual(['ended/regular:connectionLost']);
    expect(t.statuses('call-1').at(-1)).toBe('ended/regular:connectionLost');
  });

  it.each([CAUSES.RTP_TIMEOUT, CAUSES.REQUEST_TIMEOUT, CAUSES.DIALOG_ERROR])('ends a connected call that JsSIP ends with "%s" as connectionLost', async (cause) => {
    const t = setup();
    const session = await connectedCall(t);
    session.end({ originator: 'local', cause, message: null });
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('ended/regular:connectionLost');
  });

  it('plays the remote audio on the chosen speaker', async () => {
    const t = setup({ devices: { speakerId: 'headset-out', microphoneId: 'headset-mic' } });
    const session = await connectedCall(t);
    expect(session.options?.mediaConstraints).toEqual({ audio: { deviceId: { ideal: 'headset-mic' } }, video: false });
    session.pc?.remoteTrack();
    expect(t.media.outputs).toHaveLength(1);
    expect(t.media.outputs[0]).toMatchObject({ playing: { id: 'remote-stream' }, sink: 'headset-out' });
    await t.line.hangUp('call-1');
    expect(t.media.outputs[0]?.stopped).toBe(true);
  });
});

describe('the SIP line: incoming calls', () => {
  it('announces an incoming call with an inbound SYNC, then ringing, and rings the ringer', async () => {
    const t = setup();
    t.ua.online();
    t.ua.incoming('+14155550123', 'Maria Garcia');
    await settle();
    const [sync, ringing] = t.events;
    expect(sync).toMatchObject({ type: 'DIALER.SYNC', payload: { direction: 'inbound', from: '+14155550123', to: '1001', callerName: 'Maria Garcia' } });
    const callId = (sync as SyncEvent).payload.callId;
    expect(ringing).toEqual({ type: 'DIALER.CALL_STATUS', payload: { status: 'ringing', flow: 'regular', callId } });
    expect(t.media.ringer.ringing).toBe(true);
  });

  it('answers through accepting, then connected on the ACK, and stops ringing', async () => {
    const t = setup();
    t.ua.online();
    const session = t.ua.incoming('2000');
    await settle();
    const callId = (t.events[0] as SyncEvent).payload.callId;
    await t.line.answer(callId);
    expect(t.media.ringer.ringing).toBe(false);
    expect(session.answeredWith?.mediaConstraints).toEqual({ audio: true, video: false });
    session.confirm();
    await settle();
    expect(t.statuses(callId)).toEqual(['ringing/regular', 'accepting/regular', 'connected/regular']);
  });

  it('declines with 603 Decline, ending the call as declined', async () => {
    const t = setup();
    t.ua.online();
    const session = t.ua.incoming('2000');
    await settle();
    const callId = (t.events[0] as SyncEvent).payload.callId;
    await t.line.decline(callId);
    await settle();
    expect(session.terminatedWith).toEqual({ status_code: 603, reason_phrase: 'Decline' });
    expect(t.statuses(callId)).toEqual(['ringing/regular', 'ended/regular:declined']);
    expect(t.media.ringer.ringing).toBe(false);
  });

  it.each([
    [undefined, 'missed'],
    ['SIP;cause=487;text="Originator canceled"', 'missed'],
    ['SIP;cause=200;text="Call completed elsewhere"', 'answeredElsewhere'],
  ])('reports a caller who cancels (Reason %s) as %s', async (reason, expected) => {
    const t = setup();
    t.ua.online();
    const session = t.ua.incoming('2000');
    await settle();
    const callId = (t.events[0] as SyncEvent).payload.callId;
    session.cancel(reason);
    await settle();
    expect(t.statuses(callId)).toEqual(['ringing/regular', `ended/regular:${expected}`]);
    expect(t.media.ringer.ringing).toBe(false);
  });

  it('reports an incoming call nobody answered in time as missed', async () => {
    const t = setup();
    t.ua.online();
    const session = t.ua.incoming('2000');
    await settle();
    const callId = (t.events[0] as SyncEvent).payload.callId;
    session.end({ originator: 'local', cause: CAUSES.NO_ANSWER, message: null }, 'failed');
    await settle();
    expect(t.statuses(callId)).toEqual(['ringing/regular', 'ended/regular:missed']);
  });

  it('answers a third incoming call with 486 Busy Here while two calls are in progress, and says nothing about it', async () => {
    const t = setup();
    await connectedCall(t);
    t.ua.incoming('3000');
    await settle();
    const seen = t.events.length;
    const third = t.ua.incoming('4000');
    await settle();
    expect(third.terminatedWith).toEqual({ status_code: 486, reason_phrase: 'Busy Here' });
    expect(t.events.slice(seen)).toEqual([]);
  });

  it('names a caller without a number by its SIP user, with a placeholder number', async () => {
    const t = setup();
    t.ua.online();
    t.ua.incoming('alice');
    await settle();
    expect(t.events[0]).toMatchObject({ type: 'DIALER.SYNC', payload: { from: '0', callerName: 'alice' } });
    expect(parseLineEvent(t.events[0]).ok).toBe(true);
  });
});

// Proved to fail: with a random id instead of the Call-ID (callId.ts), the "agree" and "hashes"
// tests fail; without the suffix loop for a used id, "never reuses" (the same Call-ID) fails.
describe('the SIP line: incoming call ids', () => {
  async function inboundCallIdOf(t: ReturnType<typeof setup>, sipCallId: string): Promise<string> {
    const seen = t.events.length;
    t.ua.incoming('2000', null, sipCallId);
    await settle();
    const sync = t.events.slice(seen).find((e): e is SyncEvent => e.type === 'DIALER.SYNC' && e.payload.direction === 'inbound');
    if (!sync) throw new Error('The call was not announced.');
    return sync.payload.callId;
  }

  /** The same account registered in two tabs: two lines, both online. */
  function twoTabs() {
    const tabs = [setup(), setup()] as const;
    for (const tab of tabs) tab.ua.online();
    return tabs;
  }

  it('names the call after its SIP Call-ID, so two tabs that receive the same INVITE agree', async () => {
    const [first, second] = twoTabs();
    const sipCallId = 'a84b4c76e66710@pc33.atlanta.example.com';
    const ids = [await inboundCallIdOf(first, sipCallId), await inboundCallIdOf(second, sipCallId)];
    expect(ids).toEqual([`sip-${sipCallId}`, `sip-${sipCallId}`]);
    expect(parseLineEvent(first.events[0]).ok).toBe(true);
  });

  it('hashes a Call-ID too long or with spaces into a stable id that fits the protocol', async () => {
    const odd = `${'x'.repeat(200)} with spaces@pbx.example.com`;
    const [first, second] = twoTabs();
    const a = await inboundCallIdOf(first, odd);
    const b = await inboundCallIdOf(second, odd);
    expect(a).toBe(b);
    expect(a).toMatch(/^sip-h-[0-9a-f]{16}$/);
    expect(parseLineEvent(first.events[0]).ok).toBe(true);
  });

  it.each([
    ['a different Call-ID', 'one@pbx.example.com', 'two@pbx.example.com'],
    ['the same Call-ID again', 'again@pbx.example.com', 'again@pbx.example.com'],
  ])('never reuses an id: the next call with %s gets a new one', async (_case, firstSipCallId, nextSipCallId) => {
    const t = setup();
    t.ua.online();
    const first = await inboundCallIdOf(t, firstSipCallId);
    await t.line.decline(first);
    await settle();
    const next = await inboundCallIdOf(t, nextSipCallId);
    expect(next).not.toBe(first);
    expect(parseLineEvent(t.events.at(-1)).ok).toBe(true);
  });
});

describe('the SIP line: hold, mute, DTMF', () => {
  it('reports onHold only once the re-INVITE succeeded', async () => {
    const t = setup();
    const session = await connectedCall(t);
    const seen = t.events.length;
    await t.line.hold('call-1');
    await settle();
    expect(session.reInvites).toHaveLength(1);
    expect(t.events.slice(seen)).toEqual([]);
    session.completeReInvite();
    await settle();
    expect(t.events.slice(seen)).toEqual([{ type: 'DIALER.SYNC', payload: { callId: 'call-1', onHold: true } }]);
    await t.line.resume('call-1');
    await settle();
    session.completeReInvite();
    await settle();
    expect(t.syncs('call-1').at(-1)).toEqual({ callId: 'call-1', onHold: false });
  });

  it('refuses to hold while a re-INVITE is in progress, and changes nothing', async () => {
    const t = setup();
    const session = await connectedCall(t);
    session.readyToReOffer = false;
    expect((await rejection(t.line.hold('call-1'))).code).toBe('invalid_state');
    expect(session.reInvites).toEqual([]);
  });

  it('ends the call when the hold re-INVITE fails (JsSIP terminates it) and never reports it held', async () => {
    const t = setup();
    const session = await connectedCall(t);
    await t.line.hold('call-1');
    session.end({ originator: 'local', cause: CAUSES.WEBRTC_ERROR, message: null });
    await settle();
    expect(t.syncs('call-1').some((s) => s.onHold === true)).toBe(false);
    expect(t.statuses('call-1').at(-1)).toBe('ended/regular:failed');
  });

  it('mutes the local track and reports it at once', async () => {
    const t = setup();
    const session = await connectedCall(t);
    await t.line.mute('call-1');
    expect(session.muted).toBe(true);
    await settle();
    expect(t.syncs('call-1').at(-1)).toEqual({ callId: 'call-1', muted: true });
    await t.line.unmute('call-1');
    await settle();
    expect(session.muted).toBe(false);
    expect(t.syncs('call-1').at(-1)).toEqual({ callId: 'call-1', muted: false });
  });

  it('sends DTMF as RFC 4733 when the other side offered telephone-event, else by SIP INFO', async () => {
    const t = setup();
    const session = await connectedCall(t);
    await t.line.sendDigits('call-1', '12');
    session.remoteSdp('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 126\r\na=rtpmap:126 telephone-event/8000\r\n');
    await t.line.sendDigits('call-1', '3#');
    session.pc!.canInsertDTMF = false;
    await t.line.sendDigits('call-1', '*');
    expect(session.dtmf).toEqual([
      { tones: '12', transportType: 'INFO' },
      { tones: '3#', transportType: 'RFC2833' },
      { tones: '*', transportType: 'INFO' },
    ]);
    expect((await rejection(t.line.sendDigits('call-1', '12a'))).code).toBe('invalid_argument');
  });

  it('refuses hold, resume and DTMF by INFO while the server connection is down, keeping the call', async () => {
    const t = setup();
    const session = await connectedCall(t);
    t.ua.drop();
    for (const command of [t.line.hold('call-1'), t.line.resume('call-1'), t.line.sendDigits('call-1', '1')]) {
      expect((await rejection(command)).code).toBe('not_ready');
    }
    expect(session.reInvites).toEqual([]);
    expect(session.dtmf).toEqual([]);
    // Mute needs no signalling.
    await t.line.mute('call-1');
    expect(session.muted).toBe(true);
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('connected/regular');
  });

  it('refuses hold, mute and DTMF before the call is answered', async () => {
    const t = setup();
    t.ua.online();
    await t.line.dial('call-1', '2000');
    for (const command of [t.line.hold('call-1'), t.line.mute('call-1'), t.line.sendDigits('call-1', '1')]) {
      expect((await rejection(command)).code).toBe('invalid_state');
    }
  });
});

describe('the SIP line: warm transfer', () => {
  async function consulting(t: ReturnType<typeof setup>) {
    const main = await connectedCall(t);
    await t.line.startWarmTransfer('call-1', { number: '3000', name: 'Sam' });
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('startingWarmTransfer/regular');
    // No consultation call until the customer is held.
    expect(t.ua.calls).toHaveLength(1);
    main.completeReInvite();
    await settle();
    const consult = t.lastSession();
    expect(consult.target).toBe('sip:3000@pbx.example.com');
    return { main, consult };
  }

  it('holds the customer, calls the target, and reports the parties under the original callId', async () => {
    const t = setup();
    const { consult } = await consulting(t);
    expect(t.statuses('call-1').slice(-2)).toEqual(['startingWarmTransfer/regular', 'ringing/warmTransfer']);
    expect(t.syncs('call-1').slice(-2)).toEqual([
      { callId: 'call-1', onHold: true },
      { callId: 'call-1', activeParticipant: { number: '3000', name: 'Sam' }, inactiveParticipant: { number: '2000' } },
    ]);
    consult.ring();
    consult.confirm();
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('connected/warmTransfer');
  });

  // The one table of command preconditions (session/rules.ts) has a state for this gap; before it,
  // swap and merge were allowed there and threw a TypeError (no consultation leg any more).
  // Proved to fail when 'returning' is mapped to 'consulting' in sessionState.
  it('refuses swap, merge and a second cancel while it resumes the customer after a cancelled transfer', async () => {
    const t = setup();
    const { main, consult } = await consulting(t);
    consult.confirm();
    await settle();
    await t.line.cancelTransfer('call-1');
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('connected/warmTransfer');
    for (const command of [t.line.swap('call-1'), t.line.merge('call-1'), t.line.cancelTransfer('call-1'), t.line.hold('call-1')]) {
      expect((await rejection(command)).code).toBe('invalid_state');
    }
    main.completeReInvite();
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('connected/regular:transferCancelled');
    await t.line.hold('call-1');
  });

  it('swaps by holding the active leg, then resuming the held one', async () => {
    const t = setup();
    const { main, consult } = await consulting(t);
    consult.confirm();
    await settle();
    await t.line.swap('call-1');
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('swapping/warmTransfer');
    expect(consult.reInvites).toHaveLength(1);
    expect(main.reInvites).toHaveLength(0);
    consult.completeReInvite();
    await settle();
    expect(main.reInvites).toEqual([expect.objectContaining({ held: false })]);
    main.completeReInvite();
    await settle();
    expect(t.syncs('call-1').at(-1)).toEqual({ callId: 'call-1', activeParticipant: { number: '2000' }, inactiveParticipant: { number: '3000', name: 'Sam' } });
    expect(t.statuses('call-1').slice(-2)).toEqual(['swapping/warmTransfer', 'connected/warmTransfer']);
  });

  it('completes the transfer with REFER and Replaces, and ends as transferred once the customer reports success', async () => {
    vi.useFakeTimers();
    const t = setup();
    t.ua.online();
    const dial = t.line.dial('call-1', '2000');
    await dial;
    const main = t.lastSession();
    main.confirm();
    await vi.advanceTimersByTimeAsync(0);
    await t.line.startWarmTransfer('call-1', { number: '3000' });
    main.completeReInvite();
    await vi.advanceTimersByTimeAsync(0);
    const consult = t.lastSession();
    consult.confirm();
    await vi.advanceTimersByTimeAsync(0);
    await t.line.merge('call-1');
    expect(main.refers).toEqual([expect.objectContaining({ target: 'sip:3000@sip.example.com', replaces: consult })]);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.statuses('call-1').at(-1)).toBe('merging/warmTransfer');
    main.refers[0]?.handlers.accepted?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.statuses('call-1').slice(-2)).toEqual(['merging/warmTransfer', 'ended/regular:transferred']);
    expect(main.isEnded()).toBe(true);
    // The target ends the replaced call itself; the line only steps in if it does not.
    expect(consult.isEnded()).toBe(false);
    await vi.advanceTimersByTimeAsync(3000);
    expect(consult.isEnded()).toBe(true);
    expect(t.statuses('call-1').filter((s) => s.startsWith('ended'))).toHaveLength(1);
  });

  it('goes back to connected (warm transfer) when the customer refuses the REFER', async () => {
    const t = setup();
    const { main, consult } = await consulting(t);
    consult.confirm();
    await settle();
    await t.line.merge('call-1');
    main.refers[0]?.handlers.requestFailed?.();
    await settle();
    expect(t.statuses('call-1').slice(-2)).toEqual(['merging/warmTransfer', 'connected/warmTransfer']);
  });

  it.each([
    [486, 'transferDeclined'],
    [603, 'transferDeclined'],
    [480, 'transferNoAnswer'],
    [404, 'transferFailed'],
  ])('returns to the customer, resumed, when the target answers %i (%s)', async (code, outcome) => {
    const t = setup();
    const { main, consult } = await consulting(t);
    consult.reject(code);
    await settle();
    expect(main.reInvites).toEqual([expect.objectContaining({ held: false })]);
    expect(t.statuses('call-1').at(-1)).toBe('ringing/warmTransfer');
    main.completeReInvite();
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe(`connected/regular:${outcome}`);
    expect(t.syncs('call-1').at(-1)).toEqual({ callId: 'call-1', activeParticipant: { number: '2000' }, inactiveParticipant: null, onHold: false });
  });

  it('cancels the transfer: the target call is cancelled and the customer resumed', async () => {
    const t = setup();
    const { main, consult } = await consulting(t);
    consult.ring();
    await t.line.cancelTransfer('call-1');
    expect(consult.isEnded()).toBe(true);
    main.completeReInvite();
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('connected/regular:transferCancelled');
    expect(t.statuses('call-1').filter((s) => s.startsWith('ended'))).toEqual([]);
  });

  it('cancels a transfer before the customer was even held: no target call is placed', async () => {
    const t = setup();
    const main = await connectedCall(t);
    await t.line.startWarmTransfer('call-1', { number: '3000' });
    await t.line.cancelTransfer('call-1');
    main.completeReInvite();
    await settle();
    main.completeReInvite();
    await settle();
    expect(t.ua.calls).toHaveLength(1);
    expect(t.statuses('call-1').slice(-2)).toEqual(['startingWarmTransfer/regular', 'connected/regular:transferCancelled']);
  });

  it('keeps the agent with the target when the held customer hangs up (heldPartyLeft)', async () => {
    const t = setup();
    const { main, consult } = await consulting(t);
    consult.confirm();
    await settle();
    main.hangUp();
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('connected/regular:heldPartyLeft');
    expect(t.syncs('call-1').at(-1)).toEqual({ callId: 'call-1', activeParticipant: { number: '3000', name: 'Sam' }, inactiveParticipant: null, onHold: false });
    consult.hangUp();
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('ended/regular:remoteHangup');
  });

  it('returns to the customer when the target hangs up during the consultation (transferTargetLeft)', async () => {
    const t = setup();
    const { main, consult } = await consulting(t);
    consult.confirm();
    await settle();
    consult.hangUp();
    await settle();
    main.completeReInvite();
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('connected/regular:transferTargetLeft');
  });

  it('hangs up both legs when the agent hangs up during a transfer', async () => {
    const t = setup();
    const { main, consult } = await consulting(t);
    consult.confirm();
    await settle();
    await t.line.hangUp('call-1');
    await settle();
    expect(main.isEnded() && consult.isEnded()).toBe(true);
    expect(t.statuses('call-1').slice(-2)).toEqual(['hanging/regular:localHangup', 'ended/regular:localHangup']);
  });

  it('as the transfer target: an INVITE with Replaces takes over the call, same callId, new party', async () => {
    const t = setup();
    t.ua.online();
    const fromAgent = t.ua.incoming('1002', 'Alex');
    await settle();
    const callId = (t.events[0] as SyncEvent).payload.callId;
    await t.line.answer(callId);
    fromAgent.confirm();
    await settle();
    const { session: customer, rejected } = t.ua.replacing(fromAgent, '2000');
    expect(rejected).toBe(false);
    await settle();
    expect(customer?.answeredWith).not.toBeNull();
    customer?.confirm();
    await settle();
    // JsSIP ends the replaced session itself; the call carries on.
    expect(fromAgent.isEnded()).toBe(true);
    expect(t.statuses(callId)).toEqual(['ringing/regular', 'accepting/regular', 'connected/regular']);
    expect(t.syncs(callId).at(-1)).toEqual({ callId, activeParticipant: { number: '2000' }, inactiveParticipant: null });
    customer?.hangUp();
    await settle();
    expect(t.statuses(callId).slice(-2)).toEqual(['hanging/regular:remoteHangup', 'ended/regular:remoteHangup']);
    expect(t.syncs(callId).at(-1)).toMatchObject({ participants: [{ number: '1002', name: 'Alex' }, { number: '2000' }] });
  });
});

describe('the SIP line: registration', () => {
  it('goes from registering to registered, and offline with a reason when the connection drops', async () => {
    const t = setup();
    const seen: string[] = [];
    t.line.registration.subscribe((state) => seen.push(`${state.status}${state.reason ? `: ${state.reason}` : ''}`));
    expect(t.line.registration.getState().status).toBe('registering');
    expect(t.ua.started).toBe(true);
    t.ua.online();
    t.ua.drop();
    expect(seen).toEqual([
      'registering: Signing in to the phone server...',
      'registered',
      'offline: The connection to the phone server was lost; incoming calls cannot arrive until it is back. Retrying...',
    ]);
    t.ua.online();
    expect(t.line.registration.getState()).toEqual({ status: 'registered' });
  });

  it('says one thing when the password is refused (401 after credentials), and never sends it again by itself', async () => {
    vi.useFakeTimers();
    const t = setup();
    t.ua.connect();
    expect(t.ua.registerCalls).toHaveLength(1);
    t.ua.refuseRegistration(CAUSES.AUTHENTICATION_ERROR, 401);
    expect(t.line.registration.getState()).toEqual({ status: 'refused', reason: 'The phone server refused the password' });
    // Not on a timer, not after the connection drops and comes back (JsSIP would register again
    // on every reconnection).
    // Proved: scheduling a retry for refused passwords (or registering on reconnection) makes this fail.
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    t.ua.drop();
    t.ua.connect();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(t.ua.registerCalls).toHaveLength(1);
    expect(t.line.registration.getState()).toEqual({ status: 'refused', reason: 'The phone server refused the password' });
    expect(JSON.stringify(t.logs)).not.toContain('Retrying...');
    // The teammate presses Connect (a new line) or the line is asked to sign in again: one try.
    await t.line.register();
    expect(t.ua.registerCalls).toHaveLength(2);
    t.ua.acceptRegistration();
    expect(t.line.registration.getState()).toEqual({ status: 'registered' });
  });

  it.each([
    [403, CAUSES.REJECTED],
    [407, CAUSES.AUTHENTICATION_ERROR],
  ])('treats a %i to the REGISTER as a refused password too', async (code, cause) => {
    vi.useFakeTimers();
    const t = setup();
    t.ua.connect();
    t.ua.refuseRegistration(cause, code);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(t.ua.registerCalls).toHaveLength(1);
    expect(t.line.registration.getState().status).toBe('refused');
  });

  it('retries transient refusals with backoff (2, 4, 8 s ...), and never before the Retry-After of a 503', async () => {
    vi.useFakeTimers();
    const t = setup();
    t.ua.connect();
    t.ua.refuseRegistration(CAUSES.REQUEST_TIMEOUT);
    expect(t.line.registration.getState()).toEqual({ status: 'offline', reason: 'The phone server cannot be reached; incoming calls cannot arrive. Retrying...' });
    await vi.advanceTimersByTimeAsync(1999);
    expect(t.ua.registerCalls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.ua.registerCalls).toHaveLength(2);
    t.ua.refuseRegistration(CAUSES.SIP_FAILURE_CODE, 500);
    expect(t.line.registration.getState().reason).toContain('SIP 500');
    await vi.advanceTimersByTimeAsync(3999);
    expect(t.ua.registerCalls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.ua.registerCalls).toHaveLength(3);
    // 503 with Retry-After: 30 (longer than the next backoff step, 8 s).
    t.ua.refuseRegistration(CAUSES.SIP_FAILURE_CODE, 503, { 'Retry-After': '30 (maintenance)' });
    expect(t.line.registration.getState().reason).toBe('The phone server is unavailable (SIP 503); incoming calls cannot arrive. Retrying...');
    await vi.advanceTimersByTimeAsync(29_999);
    expect(t.ua.registerCalls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.ua.registerCalls).toHaveLength(4);
    t.ua.acceptRegistration();
    expect(t.line.registration.getState()).toEqual({ status: 'registered' });
  });

  it('after the connection drops, tries to reconnect within a quarter second, then every half second, then leaves it to the stack backoff', async () => {
    vi.useFakeTimers();
    const t = setup();
    t.ua.online();
    t.ua.serverUp = false;
    const droppedAt = Date.now();
    t.ua.drop();
    await vi.advanceTimersByTimeAsync(249);
    expect(t.ua.reconnectCalls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.ua.reconnectCalls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(20_000);
    const offsets = t.ua.reconnectCalls.map((at) => at - droppedAt);
    expect(offsets.slice(0, 3)).toEqual([250, 750, 1250]);
    // Bounded: none after the quick window of 10 s.
    expect(offsets.at(-1)).toBeLessThan(10_500);
    expect(offsets.length).toBeLessThanOrEqual(21);
  });

  it('registers again at the first quick attempt after the server is back', async () => {
    vi.useFakeTimers();
    const t = setup();
    t.ua.online();
    t.ua.serverUp = false;
    t.ua.drop();
    await vi.advanceTimersByTimeAsync(1200);
    expect(t.ua.isConnected()).toBe(false);
    t.ua.serverUp = true;
    await vi.advanceTimersByTimeAsync(50);
    expect(t.ua.isConnected()).toBe(true);
    expect(t.ua.registerCalls).toHaveLength(2);
    expect(t.line.registration.getState().status).toBe('registering');
    // Connected: no more quick attempts.
    const attempts = t.ua.reconnectCalls.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.ua.reconnectCalls).toHaveLength(attempts);
  });

  it('configures the stack with the account, reconnection backoff and registration expiry', () => {
    const t = setup({ reconnectMinSeconds: 1, reconnectMaxSeconds: 20 }, { authorizationUser: 'agent-1001' });
    expect(t.ua.config).toEqual({
      websocketUrl: 'wss://pbx.example.com/ws',
      sipUri: 'sip:1001@pbx.example.com',
      authorizationUser: 'agent-1001',
      password: PASSWORD,
      displayName: 'Alex Agent',
      userAgent: expect.any(String),
      registerExpires: 300,
      reconnectMinSeconds: 1,
      reconnectMaxSeconds: 20,
      noAnswerTimeoutSeconds: 60,
    });
  });

  it("registers as the device it is given (the profile's SIP instance id), so the registrar replaces its previous binding", () => {
    const t = setup({ instanceId: '8f2b6c1e-3d4a-4b5c-9e7f-0a1b2c3d4e5f' });
    expect(t.ua.config.instanceId).toBe('8f2b6c1e-3d4a-4b5c-9e7f-0a1b2c3d4e5f');
  });
});

describe('the SIP line: ICE', () => {
  it('sends the SDP on the first ICE candidate when there are no ICE servers', async () => {
    const t = setup();
    t.ua.online();
    await t.line.dial('call-1', '2000');
    expect(t.lastSession().iceCandidate('host').called()).toBe(true);
  });

  it('with ICE servers, sends on the first server-reflexive candidate, or after the gathering timeout', async () => {
    vi.useFakeTimers();
    const t = setup({ iceServers: [{ urls: 'stun:stun.example.com' }], iceGatheringTimeoutMs: 300 });
    t.ua.online();
    await t.line.dial('call-1', '2000');
    const host = t.lastSession().iceCandidate('host');
    expect(host.called()).toBe(false);
    await vi.advanceTimersByTimeAsync(300);
    expect(host.called()).toBe(true);
    t.lastSession().reject(486);
    await t.line.dial('call-2', '2000');
    expect(t.lastSession().iceCandidate('srflx').called()).toBe(true);
  });
});

describe('the SIP line: ICE servers', () => {
  it('passes the ICE servers to the peer connection as given, and the fresh ones to the next call', async () => {
    const first: RTCIceServer[] = [{ urls: ['turn:turn.example.com:3478'], username: '1000:ada', credential: 'c1' }];
    const t = setup({ iceServers: first });
    t.ua.online();
    await t.line.dial('call-1', '2000');
    expect(t.lastSession().options?.pcConfig).toEqual({ iceServers: first });
    t.lastSession().reject(486);
    const fresh: RTCIceServer[] = [{ urls: ['turn:turn.example.com:3478'], username: '2000:ada', credential: 'c2' }];
    t.line.setIceServers(fresh);
    await t.line.dial('call-2', '2000');
    expect(t.lastSession().options?.pcConfig).toEqual({ iceServers: fresh });
  });
});

describe('the SIP line: a media path that fails', () => {
  it('restarts ICE with a re-INVITE after the grace period, and the call carries on once the path is back', async () => {
    const t = setup();
    const session = await connectedCall(t);
    vi.useFakeTimers();
    const pc = session.pc!;
    pc.ice('connected');
    pc.ice('disconnected');
    await vi.advanceTimersByTimeAsync(1999);
    expect(session.iceRestarts).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(session.iceRestarts).toHaveLength(1);
    session.iceRestarts[0]!.done();
    pc.ice('connected');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(t.statuses('call-1')).toEqual(['connecting/regular', 'ringing/regular', 'connected/regular']);
    expect(t.logs.map((l) => l.message)).toEqual(expect.arrayContaining([expect.stringMatching(/restarting ICE/), expect.stringMatching(/media path is back/)]));
  });

  it('does not restart when the path comes back within the grace period', async () => {
    const t = setup();
    const session = await connectedCall(t);
    vi.useFakeTimers();
    session.pc!.ice('disconnected');
    await vi.advanceTimersByTimeAsync(1500);
    session.pc!.ice('connected');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(session.iceRestarts).toHaveLength(0);
  });

  it('waits for the phone server before the re-INVITE (sending it without would end the call), then gives up as connectionLost', async () => {
    const t = setup();
    const session = await connectedCall(t);
    vi.useFakeTimers();
    t.ua.serverUp = false;
    t.ua.drop();
    session.pc!.ice('disconnected');
    await vi.advanceTimersByTimeAsync(2000 + 5000);
    expect(session.iceRestarts).toHaveLength(0);
    t.ua.serverUp = true;
    t.ua.connect();
    await vi.advanceTimersByTimeAsync(250);
    expect(session.iceRestarts).toHaveLength(1);
    // The path never comes back: 10 s after the restart began, the call ends.
    await vi.advanceTimersByTimeAsync(4749);
    expect(t.statuses('call-1').at(-1)).toBe('connected/regular');
    await vi.advanceTimersByTimeAsync(1);
    expect(t.statuses('call-1').at(-1)).toBe('ended/regular:connectionLost');
  });
});

describe('the SIP line: a call whose ICE finds no candidate', () => {
  afterEach(() => {
    gathersByDefault.value = true;
  });

  it('ends an answered call within 5 s as connectionLost, instead of staying on Answering', async () => {
    vi.useFakeTimers();
    gathersByDefault.value = false;
    // A relay-only policy whose TURN server never answers: gathering never completes.
    const t = setup({ iceServers: [{ urls: 'turn:turn.example.com', username: 'u', credential: 'c' }] });
    t.ua.online();
    const session = t.ua.incoming('2000');
    await vi.advanceTimersByTimeAsync(0);
    const callId = (t.events[0] as SyncEvent).payload.callId;
    await t.line.answer(callId);
    await vi.advanceTimersByTimeAsync(4999);
    expect(t.statuses(callId).at(-1)).toBe('accepting/regular');
    await vi.advanceTimersByTimeAsync(1);
    expect(t.statuses(callId).at(-1)).toBe('ended/regular:connectionLost');
    expect(session.isEnded()).toBe(true);
    expect(t.logs.map((l) => l.message).join('\n')).toMatch(/no network path for the audio \(ICE found no candidate; check the ICE servers\)/);
  });

  it('ends a dialled call at once when gathering completes without any candidate', async () => {
    gathersByDefault.value = false;
    const t = setup();
    t.ua.online();
    await t.line.dial('call-1', '2000');
    t.lastSession().pc!.gatheringComplete();
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('ended/regular:connectionLost');
  });

  it('leaves a call alone once a candidate was found', async () => {
    vi.useFakeTimers();
    const t = setup();
    t.ua.online();
    await t.line.dial('call-1', '2000');
    await vi.advanceTimersByTimeAsync(0);
    t.lastSession().pc!.gatheringComplete();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.statuses('call-1')).toEqual(['connecting/regular']);
  });
});

describe('the SIP line: devices', () => {
  it('routes the ringtone and the call audio to the chosen outputs', async () => {
    const t = setup();
    await t.line.setDevices({ ringerId: 'desk-speaker' });
    expect(t.media.ringer.sink).toBe('desk-speaker');
    const session = await connectedCall(t);
    session.pc?.remoteTrack();
    await t.line.setDevices({ speakerId: 'headset' });
    expect(t.media.outputs[0]?.sink).toBe('headset');
  });

  it('switches the microphone of the call in progress, keeping it muted', async () => {
    const t = setup();
    const session = await connectedCall(t);
    const pc = session.pc!;
    pc.track.enabled = false;
    await t.line.setDevices({ microphoneId: 'usb-mic' });
    expect(pc.sender.track).not.toBe(pc.track);
    expect(pc.sender.track?.enabled).toBe(false);
  });

  it('rejects unsupported when the browser cannot choose the output, keeping the choice', async () => {
    const t = setup();
    t.media.sinkWorks = false;
    expect((await rejection(t.line.setDevices({ ringerId: 'x' }))).code).toBe('unsupported');
    expect(t.media.ringer.sink).toBe('x');
  });
});

describe('the SIP line: call quality', () => {
  it('emits audioStats from getStats every few seconds while connected', async () => {
    vi.useFakeTimers();
    const t = setup({ statsEveryMs: 5000 });
    t.ua.online();
    await t.line.dial('call-1', '2000');
    const session = t.lastSession();
    session.confirm();
    session.pc!.stats = [
      { type: 'inbound-rtp', kind: 'audio', jitter: 0.012, packetsReceived: 980, packetsLost: 20 },
      { type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.08 },
    ];
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.syncs('call-1').at(-1)).toEqual({ callId: 'call-1', audioStats: { jitter: 12, packetLoss: 0.02, rtt: 80, mos: expect.any(Number) } });
    const mos = t.syncs('call-1').at(-1)?.audioStats?.mos as number;
    expect(mos).toBeGreaterThan(3.5);
    expect(mos).toBeLessThan(4.3);
    await t.line.hangUp('call-1');
    const count = t.events.length;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(t.events.length).toBe(count);
  });
});

describe('the SIP line: the password', () => {
  it('never appears in a log, an event, a registration reason or an error message', async () => {
    const t = setup();
    const texts: string[] = [];
    t.line.registration.subscribe((state) => texts.push(JSON.stringify(state)));
    t.ua.connect();
    t.ua.refuseRegistration(CAUSES.AUTHENTICATION_ERROR, 401);
    t.ua.acceptRegistration();
    // An error from the stack that quotes its configuration is redacted too.
    t.ua.throwOnCall = new Error(`Invalid value "${PASSWORD}" for parameter "password"`);
    texts.push((await rejection(t.line.dial('call-1', '2000'))).message);
    t.ua.throwOnCall = null;
    const session = await connectedCall(t, 'call-2');
    session.pc?.fail();
    texts.push((await rejection(t.line.hold('call-2'))).message);
    t.ua.drop();
    await settle();
    texts.push(...t.logs.map((entry) => entry.message), ...t.events.map((event) => JSON.stringify(event)));
    expect(texts.length).toBeGreaterThan(5);
    expect(texts.join('\n')).toContain('***');
    for (const text of texts) expect(text).not.toContain(PASSWORD);
    // The server URL the stack connects to carries no credentials.
    expect(t.ua.config.websocketUrl).not.toContain(PASSWORD);
  });
});

describe('the SIP line: dispose', () => {
  it('hangs up, stops the stack, stops the ringer, refuses commands and delivers nothing more', async () => {
    const t = setup();
    const session = await connectedCall(t);
    const seen = t.events.length;
    t.line.dispose();
    expect(session.isEnded()).toBe(true);
    expect(t.ua.stopped).toBe(true);
    expect(t.media.ringer.disposed).toBe(true);
    expect(t.line.registration.getState()).toEqual({ status: 'offline', reason: 'The SIP line was closed.' });
    expect((await rejection(t.line.hangUp('call-1'))).code).toBe('not_ready');
    expect((await rejection(t.line.dial('call-2', '2000'))).code).toBe('not_ready');
    t.ua.incoming('3000');
    await settle();
    expect(t.events.length).toBe(seen);
  });
});

describe('the SIP line: blind transfer (issue 12)', () => {
  async function transferringNow(t: ReturnType<typeof setup>) {
    const main = await connectedCall(t);
    await t.line.blindTransfer('call-1', { number: '3000', name: 'Sam' });
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('blindTransferring/regular');
    // No REFER until the customer is held.
    expect(main.refers).toEqual([]);
    main.completeReInvite();
    await settle();
    expect(t.syncs('call-1').at(-1)).toEqual({ callId: 'call-1', onHold: true });
    return main;
  }

  it('holds the customer, then sends REFER without Replaces to the target; ends as transferred once the customer reports success', async () => {
    const t = setup();
    const main = await transferringNow(t);
    expect(main.refers).toHaveLength(1);
    expect(main.refers[0]?.target).toMatch(/^sip:3000@/);
    expect(main.refers[0]?.replaces).toBeUndefined();
    main.refers[0]?.handlers.accepted?.();
    await settle();
    expect(t.statuses('call-1').slice(-2)).toEqual(['blindTransferring/regular', 'ended/regular:transferred']);
    expect(main.isEnded()).toBe(true);
    expect(t.statuses('call-1').filter((s) => s.startsWith('ended'))).toHaveLength(1);
  });

  it.each([
    ['failed', 'transferDeclined'],
    ['requestFailed', 'transferFailed'],
  ] as const)('comes back to the customer, resumed, when the REFER %s (%s)', async (how, outcome) => {
    const t = setup();
    const main = await transferringNow(t);
    main.refers[0]?.handlers[how]?.();
    await settle();
    expect(main.reInvites).toEqual([expect.objectContaining({ held: false })]);
    main.completeReInvite();
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe(`connected/regular:${outcome}`);
    expect(t.syncs('call-1').at(-1)).toEqual({ callId: 'call-1', activeParticipant: { number: '2000' }, inactiveParticipant: null, onHold: false });
    expect(main.isEnded()).toBe(false);
  });

  it('says it can hold a waiting call and a three-way call', () => {
    expect(setup().line.capabilities).toMatchObject({ blindTransfer: true, callWaiting: true, threeWayCall: true });
  });
});

describe('the SIP line: call waiting (issue 12)', () => {
  /** A connected call-1 to 2000 and a second caller (3000) waiting; returns both sessions and the waiting callId. */
  async function waiting(t: ReturnType<typeof setup>) {
    const first = await connectedCall(t);
    const seen = t.events.length;
    const second = t.ua.incoming('3000', 'Sam Waiting');
    await settle();
    const announced = t.events.slice(seen);
    const callId = (announced[0] as SyncEvent).payload.callId;
    expect(announced).toEqual([
      { type: 'DIALER.SYNC', payload: { callId, direction: 'inbound', from: '3000', to: '1001', callerName: 'Sam Waiting' } },
      { type: 'DIALER.CALL_STATUS', payload: { status: 'ringing', flow: 'regular', callId } },
    ]);
    return { first, second, callId };
  }

  it('announces a second INVITE during a call as a waiting call, with the waiting tone and not the ringtone', async () => {
    const t = setup({ devices: { speakerId: 'headset' } });
    const { first, second } = await waiting(t);
    expect(second.terminatedWith).toBeNull();
    expect(t.media.waitingTone).toMatchObject({ playing: true, starts: 1, sink: 'headset' });
    expect(t.media.ringer.starts).toBe(0);
    // The call in progress carries on untouched.
    expect(first.reInvites).toEqual([]);
    expect(t.statuses('call-1')).toEqual(['connecting/regular', 'ringing/regular', 'connected/regular']);
  });

  it('answers and holds: the call in progress is held (re-INVITE) before the waiting call is answered', async () => {
    const t = setup();
    const { first, second, callId } = await waiting(t);
    await t.line.answer(callId);
    await settle();
    expect(first.reInvites).toEqual([expect.objectContaining({ held: true })]);
    expect(second.answeredWith).toBeNull();
    expect(t.media.waitingTone.playing).toBe(false);
    // Not answered twice while the hold is under way.
    expect((await rejection(t.line.answer(callId))).code).toBe('invalid_state');
    const before = t.events.length;
    first.completeReInvite();
    await settle();
    expect(second.answeredWith).not.toBeNull();
    expect(t.events.slice(before)).toEqual([
      { type: 'DIALER.SYNC', payload: { callId: 'call-1', onHold: true } },
      { type: 'DIALER.CALL_STATUS', payload: { status: 'accepting', flow: 'regular', callId } },
    ]);
    second.confirm();
    await settle();
    expect(t.statuses(callId)).toEqual(['ringing/regular', 'accepting/regular', 'connected/regular']);
    expect(t.statuses('call-1').at(-1)).toBe('connected/regular');
  });

  it('answers at once when the call in progress is already on hold (no second re-INVITE)', async () => {
    const t = setup();
    const first = await connectedCall(t);
    await t.line.hold('call-1');
    first.completeReInvite();
    await settle();
    const second = t.ua.incoming('3000');
    await settle();
    const callId = (t.events.at(-2) as SyncEvent).payload.callId;
    await t.line.answer(callId);
    expect(second.answeredWith).not.toBeNull();
    expect(first.reInvites).toEqual([]);
    expect(t.statuses(callId).at(-1)).toBe('accepting/regular');
  });

  it('keeps the waiting call ringing when the call in progress cannot be held', async () => {
    const t = setup();
    const { first, second, callId } = await waiting(t);
    first.readyToReOffer = false;
    expect((await rejection(t.line.answer(callId))).code).toBe('invalid_state');
    expect(second.answeredWith).toBeNull();
    expect(t.statuses(callId).at(-1)).toBe('ringing/regular');
    expect(t.media.waitingTone.playing).toBe(true);
  });

  async function twoCalls(t: ReturnType<typeof setup>) {
    const calls = await waiting(t);
    await t.line.answer(calls.callId);
    await settle();
    calls.first.completeReInvite();
    await settle();
    calls.second.confirm();
    await settle();
    return calls;
  }

  it('swaps: resuming the held call holds the other one first', async () => {
    const t = setup();
    const { first, second, callId } = await twoCalls(t);
    await t.line.resume('call-1');
    await settle();
    expect(second.reInvites).toEqual([expect.objectContaining({ held: true })]);
    expect(first.reInvites).toEqual([]);
    const before = t.events.length;
    second.completeReInvite();
    await settle();
    expect(first.reInvites).toEqual([expect.objectContaining({ held: false })]);
    first.completeReInvite();
    await settle();
    expect(t.events.slice(before)).toEqual([
      { type: 'DIALER.SYNC', payload: { callId, onHold: true } },
      { type: 'DIALER.SYNC', payload: { callId: 'call-1', onHold: false } },
    ]);
    // Hanging up the active call leaves the other one held, to resume.
    await t.line.hangUp('call-1');
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('ended/regular:localHangup');
    expect(t.statuses(callId).at(-1)).toBe('connected/regular');
    await t.line.resume(callId);
    await settle();
    expect(second.reInvites).toEqual([expect.objectContaining({ held: false })]);
  });

  it('declines a waiting call with 486 Busy Here (the caller hears busy), keeping the call in progress', async () => {
    const t = setup();
    const { first, second, callId } = await waiting(t);
    await t.line.decline(callId);
    await settle();
    expect(second.terminatedWith).toEqual({ status_code: 486, reason_phrase: 'Busy Here' });
    expect(t.statuses(callId).at(-1)).toBe('ended/regular:declined');
    expect(t.media.waitingTone.playing).toBe(false);
    expect(t.media.ringer.starts).toBe(0);
    expect(first.isEnded()).toBe(false);
    expect(t.statuses('call-1').at(-1)).toBe('connected/regular');
  });

  it('ends a waiting call whose caller gave up (CANCEL) as missed, and the tone stops', async () => {
    const t = setup();
    const { second, callId } = await waiting(t);
    second.cancel();
    await settle();
    expect(t.statuses(callId).at(-1)).toBe('ended/regular:missed');
    expect(t.media.waitingTone.playing).toBe(false);
    expect(t.statuses('call-1').at(-1)).toBe('connected/regular');
  });

  it('rings the ringtone for the waiting call once the call in progress ended', async () => {
    const t = setup();
    const { first, callId } = await waiting(t);
    first.hangUp();
    await settle();
    expect(t.media.waitingTone.playing).toBe(false);
    expect(t.media.ringer.ringing).toBe(true);
    await t.line.answer(callId);
    expect(t.media.ringer.ringing).toBe(false);
  });

  it('hangs up and disposes both calls', async () => {
    const t = setup();
    const { first, second } = await twoCalls(t);
    t.line.dispose();
    expect(first.isEnded()).toBe(true);
    expect(second.isEnded()).toBe(true);
    expect(t.media.waitingTone.disposed).toBe(true);
  });
});

describe('the SIP line: three-way call (issue 12)', () => {
  /** A connected warm transfer: customer 2000 held, target 3000 active, both with remote audio. */
  async function consultingConnected(t: ReturnType<typeof setup>) {
    const main = await connectedCall(t);
    await t.line.startWarmTransfer('call-1', { number: '3000', name: 'Sam' });
    await settle();
    main.completeReInvite();
    await settle();
    const consult = t.lastSession();
    consult.ring();
    consult.confirm();
    await settle();
    main.pc?.remoteTrack();
    consult.pc?.remoteTrack();
    expect(t.statuses('call-1').at(-1)).toBe('connected/warmTransfer');
    return { main, consult };
  }

  async function conference(t: ReturnType<typeof setup>) {
    const legs = await consultingConnected(t);
    await t.line.conference('call-1');
    await settle();
    // The held customer is resumed first; no conference before that.
    expect(legs.main.reInvites).toEqual([expect.objectContaining({ held: false })]);
    expect(t.media.mixes).toEqual([]);
    legs.main.completeReInvite();
    await settle();
    return legs;
  }

  it('resumes the held party, mixes the two legs locally, then reports the conference with both parties', async () => {
    const t = setup();
    const { main, consult } = await conference(t);
    expect(t.media.mixes).toHaveLength(1);
    expect(t.media.mixes[0]?.legs.map((leg) => leg.pc)).toEqual([main.pc, consult.pc]);
    expect(t.media.mixes[0]?.legs.every((leg) => leg.remote !== null)).toBe(true);
    expect(t.statuses('call-1').at(-1)).toBe('connected/conference');
    expect(t.syncs('call-1').at(-1)).toEqual({
      callId: 'call-1',
      activeParticipant: { number: '2000' },
      inactiveParticipant: null,
      participants: [{ number: '2000' }, { number: '3000', name: 'Sam' }],
      onHold: false,
    });
    expect((await rejection(t.line.swap('call-1'))).code).toBe('invalid_state');
    expect((await rejection(t.line.hold('call-1'))).code).toBe('invalid_state');
  });

  it('mutes only the microphone in the mix (the parties still hear each other)', async () => {
    const t = setup();
    await conference(t);
    await t.line.mute('call-1');
    expect(t.media.mixes[0]?.muted).toBe(true);
    await t.line.unmute('call-1');
    expect(t.media.mixes[0]?.muted).toBe(false);
  });

  it('leaves the conference with REFER and Replaces (the merge), ends as transferred and stops the mix', async () => {
    const t = setup();
    const { main, consult } = await conference(t);
    await t.line.merge('call-1');
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('merging/conference');
    expect(main.refers[0]?.replaces).toBe(consult);
    main.refers[0]?.handlers.accepted?.();
    await settle();
    expect(t.statuses('call-1').slice(-2)).toEqual(['merging/conference', 'ended/regular:transferred']);
    expect(t.media.mixes[0]?.stopped).toBe(true);
  });

  it('stays in the conference when the party refuses the REFER', async () => {
    const t = setup();
    const { main } = await conference(t);
    await t.line.merge('call-1');
    main.refers[0]?.handlers.failed?.();
    await settle();
    expect(t.statuses('call-1').slice(-2)).toEqual(['merging/conference', 'connected/conference']);
    expect(t.media.mixes[0]?.stopped).toBe(false);
  });

  it('hangs up every leg and stops the mix', async () => {
    const t = setup();
    const { main, consult } = await conference(t);
    await t.line.hangUp('call-1');
    await settle();
    expect(main.isEnded() && consult.isEnded()).toBe(true);
    expect(t.statuses('call-1').slice(-2)).toEqual(['hanging/regular:localHangup', 'ended/regular:localHangup']);
    expect(t.media.mixes[0]?.stopped).toBe(true);
  });

  it.each([
    ['the target', 'consult', 'transferTargetLeft', { number: '2000' }],
    ['the customer', 'main', 'heldPartyLeft', { number: '3000', name: 'Sam' }],
  ] as const)('goes back to a regular call when %s leaves, and stops the mix', async (_who, leaver, outcome, remaining) => {
    const t = setup();
    const legs = await conference(t);
    legs[leaver].hangUp();
    await settle();
    expect(t.media.mixes[0]?.stopped).toBe(true);
    expect(t.statuses('call-1').at(-1)).toBe(`connected/regular:${outcome}`);
    expect(t.syncs('call-1').at(-1)).toEqual({ callId: 'call-1', activeParticipant: remaining, inactiveParticipant: null, onHold: false });
  });

  it('stays in the warm transfer, the party held again, when the browser cannot mix', async () => {
    const t = setup();
    t.media.mixFails = true;
    const { main } = await conference(t);
    expect(t.statuses('call-1').at(-1)).toBe('connected/warmTransfer');
    expect(main.reInvites).toEqual([expect.objectContaining({ held: true })]);
    expect(t.logs.some((entry) => entry.message.includes('conference could not start'))).toBe(true);
    main.completeReInvite();
    await settle();
    await t.line.swap('call-1');
    await settle();
    expect(t.statuses('call-1').at(-1)).toBe('swapping/warmTransfer');
  });
});
