import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSimulatedLine, SIMULATED_CALLERS, TEST_NUMBERS, type SimulatedLine, type SimulatedLineOptions } from '../../src/telephony/simulated';
import { LineError, type LineErrorCode } from '../../src/telephony/line';
import { parseLineEvent, type LineEvent, type SyncPayload } from '../../src/telephony/protocol';

const CONNECT_MS = 300;
const RING_MS = 1500;
const NO_ANSWER_MS = 20000;
const TRANSFER_RING_MS = 1500;
const LOSS_AFTER_MS = 4000;
const GIVE_UP_MS = 30000;
const STATS_EVERY_MS = 5000;
const AGENT = '+14155550100';
const CUSTOMER = '+14155550142';
const TEAMMATE = '+14155550177';

const BUSY = TEST_NUMBERS.busy.number;
const NO_ANSWER = TEST_NUMBERS.noAnswer.number;
const REJECTS = TEST_NUMBERS.rejects.number;
const CONNECTION_LOST = TEST_NUMBERS.connectionLost.number;
const REMOTE_HANGUP = TEST_NUMBERS.remoteHangup.number;

let lines: SimulatedLine[] = [];
let logs: LineEvent[][] = [];

beforeEach(() => {
  vi.useFakeTimers();
  lines = [];
  logs = [];
});

afterEach(() => {
  for (const line of lines) line.dispose();
  vi.useRealTimers();
  for (const events of logs) {
    for (const event of events) expect(parseLineEvent(event)).toMatchObject({ ok: true });
  }
});

function setup(options: SimulatedLineOptions = {}) {
  const line = createSimulatedLine(options);
  const events: LineEvent[] = [];
  line.subscribe((event) => {
    events.push(event);
  });
  lines.push(line);
  logs.push(events);
  return { line, events };
}

async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

/** Delivers what is already due without moving the clock. */
function flush(): Promise<void> {
  return advance(0);
}

/** A compact, readable line per event: `connected regular`, `ended regular busy`, `SYNC onHold`... */
function trace(events: readonly LineEvent[]): string[] {
  return events.map((event) => {
    switch (event.type) {
      case 'DIALER.DIALING':
        return `DIALING ${event.payload.to}`;
      case 'DIALER.CALL_STATUS': {
        const { status, flow, reason } = event.payload;
        return [status, flow, reason].filter(Boolean).join(' ');
      }
      case 'DIALER.SYNC':
        return `SYNC ${Object.keys(event.payload).filter((key) => key !== 'callId').join(',')}`;
      case 'USER.AVAILABILITY_CHANGED':
        return `AVAILABILITY ${event.payload.status}`;
    }
  });
}

function syncs(events: readonly LineEvent[]): SyncPayload[] {
  return events.flatMap((event) => (event.type === 'DIALER.SYNC' ? [event.payload] : []));
}

function lastSync(events: readonly LineEvent[]): SyncPayload | undefined {
  return syncs(events).at(-1);
}

async function rejection(command: Promise<unknown>): Promise<LineErrorCode> {
  try {
    await command;
  } catch (error) {
    expect(error).toBeInstanceOf(LineError);
    return (error as LineError).code;
  }
  throw new Error('Expected the command to reject, but it resolved.');
}

function thrown(action: () => unknown): LineErrorCode {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(LineError);
    return (error as LineError).code;
  }
  throw new Error('Expected the control action to throw, but it did not.');
}

/** Dials `to` and lets it ring until connected (for numbers that answer). */
async function connectedCall(line: SimulatedLine, to = CUSTOMER, callId = 'call-1'): Promise<string> {
  await line.dial(callId, to);
  await advance(CONNECT_MS + RING_MS);
  expect(line.state()).toEqual({ callId, status: 'connected', flow: 'regular' });
  return callId;
}

async function inWarmTransfer(line: SimulatedLine, target = TEAMMATE): Promise<string> {
  const callId = await connectedCall(line);
  await line.startWarmTransfer(callId, { number: target, name: 'Sam Lee' });
  await advance(TRANSFER_RING_MS);
  expect(line.state()).toEqual({ callId, status: 'connected', flow: 'warmTransfer' });
  return callId;
}

describe('the simulated line', () => {
  it('is a simulated line that supports every capability', () => {
    const { line } = setup();
    expect(line.kind).toBe('simulated');
    expect(Object.values(line.capabilities).every(Boolean)).toBe(true);
    expect(Object.keys(line.capabilities).sort()).toEqual([
      'audioStats',
      'blindTransfer',
      'callWaiting',
      'conference',
      'dtmf',
      'hold',
      'mute',
      'recording',
      'threeWayCall',
      'warmTransfer',
    ]);
  });

  it('lists its scripted test numbers and simulated callers', () => {
    expect(Object.values(TEST_NUMBERS).map((entry) => entry.number)).toEqual([BUSY, NO_ANSWER, REJECTS, CONNECTION_LOST, REMOTE_HANGUP]);
    expect(SIMULATED_CALLERS.length).toBeGreaterThanOrEqual(3);
    expect(SIMULATED_CALLERS.some((caller) => caller.name === undefined)).toBe(true);
  });

  it('refuses an agent number that is not dialable', () => {
    expect(thrown(() => createSimulatedLine({ agentNumber: 'front desk' }))).toBe('invalid_argument');
  });
});

describe('an outbound call', () => {
  it('to an ordinary number announces the dial, rings for ringMs and connects', async () => {
    const { line, events } = setup();
    await line.dial('call-1', CUSTOMER);
    await flush();
    expect(events.slice(0, 2)).toEqual([
      { type: 'DIALER.DIALING', payload: { from: AGENT, to: CUSTOMER, callId: 'call-1' } },
      { type: 'DIALER.SYNC', payload: { callId: 'call-1', direction: 'outbound', from: AGENT, to: CUSTOMER } },
    ]);
    expect(trace(events)).toEqual([`DIALING ${CUSTOMER}`, 'SYNC direction,from,to', 'connecting regular']);

    await advance(CONNECT_MS - 1);
    expect(trace(events)).toHaveLength(3);
    await advance(1);
    expect(trace(events).at(-1)).toBe('ringing regular');
    await advance(RING_MS - 1);
    expect(trace(events).at(-1)).toBe('ringing regular');
    await advance(1);
    expect(events.slice(-2)).toEqual([
      { type: 'DIALER.CALL_STATUS', payload: { status: 'connected', flow: 'regular', callId: 'call-1' } },
      {
        type: 'DIALER.SYNC',
        payload: {
          callId: 'call-1',
          activeParticipant: { number: CUSTOMER },
          inactiveParticipant: null,
          onHold: false,
          muted: false,
          recording: { state: 'recording' },
        },
      },
    ]);
  });

  it('to a busy number ends with reason busy after connecting', async () => {
    const { line, events } = setup();
    await line.dial('call-1', BUSY);
    await advance(CONNECT_MS);
    expect(trace(events)).toEqual([`DIALING ${BUSY}`, 'SYNC direction,from,to', 'connecting regular', 'ended regular busy', 'SYNC duration,participants']);
    expect(lastSync(events)).toEqual({ callId: 'call-1', duration: 0, participants: [{ number: BUSY }] });
  });

  it('to a number nobody answers rings for noAnswerMs, then ends with reason noAnswer', async () => {
    const { line, events } = setup();
    await line.dial('call-1', NO_ANSWER);
    await advance(CONNECT_MS + NO_ANSWER_MS - 1);
    expect(line.state()?.status).toBe('ringing');
    await advance(1);
    expect(trace(events).slice(2)).toEqual(['connecting regular', 'ringing regular', 'ended regular noAnswer', 'SYNC duration,participants']);
  });

  it('to a rejecting number rings for ringMs, then ends with reason rejected', async () => {
    const { line, events } = setup();
    await line.dial('call-1', REJECTS);
    await advance(CONNECT_MS + RING_MS);
    expect(trace(events).slice(2)).toEqual(['connecting regular', 'ringing regular', 'ended regular rejected', 'SYNC duration,participants']);
  });

  it('to the connection-lost number connects, then ends with reason connectionLost lossAfterMs later', async () => {
    const { line, events } = setup();
    await connectedCall(line, CONNECTION_LOST);
    await advance(LOSS_AFTER_MS - 1);
    expect(line.state()?.status).toBe('connected');
    await advance(1);
    expect(trace(events).slice(-2)).toEqual(['ended regular connectionLost', 'SYNC duration,participants']);
    expect(lastSync(events)).toMatchObject({ duration: 4 });
  });

  it('to the remote-hangup number connects, then the callee hangs up lossAfterMs later', async () => {
    const { line, events } = setup();
    await connectedCall(line, REMOTE_HANGUP);
    await advance(LOSS_AFTER_MS);
    expect(trace(events).slice(-3)).toEqual(['hanging regular remoteHangup', 'ended regular remoteHangup', 'SYNC duration,participants']);
    expect(lastSync(events)).toMatchObject({ duration: 4 });
  });

  it('hung up while ringing is cancelled, and the callee never answers', async () => {
    const { line, events } = setup();
    await line.dial('call-1', CUSTOMER);
    await advance(CONNECT_MS);
    await line.hangUp('call-1');
    await advance(RING_MS * 10);
    expect(trace(events).slice(2)).toEqual([
      'connecting regular',
      'ringing regular',
      'hanging regular cancelled',
      'ended regular cancelled',
      'SYNC duration,participants',
    ]);
  });

  it('hung up while still connecting is cancelled', async () => {
    const { line, events } = setup();
    await line.dial('call-1', CUSTOMER);
    await line.hangUp('call-1');
    await advance(CONNECT_MS + RING_MS);
    expect(trace(events).slice(2)).toEqual(['connecting regular', 'hanging regular cancelled', 'ended regular cancelled', 'SYNC duration,participants']);
  });

  it('hung up once connected ends with reason localHangup and reports how long it lasted', async () => {
    const { line, events } = setup();
    await connectedCall(line);
    await advance(12_400);
    await line.hangUp('call-1');
    await flush();
    expect(trace(events).slice(-3)).toEqual(['hanging regular localHangup', 'ended regular localHangup', 'SYNC duration,participants']);
    expect(lastSync(events)).toEqual({ callId: 'call-1', duration: 12, participants: [{ number: CUSTOMER }] });
  });

  it('emits nothing more for a call once its final SYNC is out, and leaves no timer behind', async () => {
    const { line, events } = setup();
    await connectedCall(line);
    await line.hangUp('call-1');
    await flush();
    const count = events.length;
    expect(vi.getTimerCount()).toBe(0);
    await advance(60_000);
    expect(events).toHaveLength(count);
  });

  it('refuses a second dial while a call is in progress, and the call carries on', async () => {
    const { line, events } = setup();
    await line.dial('call-1', CUSTOMER);
    expect(await rejection(line.dial('call-2', TEAMMATE))).toBe('invalid_state');
    await advance(CONNECT_MS + RING_MS);
    expect(events.every((event) => event.type === 'USER.AVAILABILITY_CHANGED' || event.payload.callId === 'call-1')).toBe(true);
    expect(line.state()).toEqual({ callId: 'call-1', status: 'connected', flow: 'regular' });
  });

  it('can dial again once the previous call has ended', async () => {
    const { line, events } = setup();
    await line.dial('call-1', BUSY);
    await advance(CONNECT_MS);
    await line.dial('call-2', CUSTOMER);
    await flush();
    expect(events.at(-1)).toEqual({ type: 'DIALER.CALL_STATUS', payload: { status: 'connecting', flow: 'regular', callId: 'call-2' } });
  });

  it.each([
    ['letters', 'call-1', 'call me'],
    ['too few digits', 'call-1', '12'],
    ['too many digits', 'call-1', '+1234567890123456'],
    ['an empty callId', '', CUSTOMER],
  ])('refuses to dial %s with invalid_argument, and emits nothing', async (_case, callId, to) => {
    const { line, events } = setup();
    expect(await rejection(line.dial(callId, to))).toBe('invalid_argument');
    await advance(60_000);
    expect(events).toEqual([]);
    expect(line.state()).toBeNull();
  });

  it('refuses to reuse the callId of an earlier call', async () => {
    const { line } = setup();
    await line.dial('call-1', BUSY);
    await advance(CONNECT_MS);
    expect(await rejection(line.dial('call-1', CUSTOMER))).toBe('invalid_argument');
  });

  // Bounded memory over a working day: the line remembers the latest REMEMBERED_CALL_IDS ids, not
  // every id since the page loaded. Without the bound in src/telephony/session/core.ts the first
  // id stays refused and this test fails (checked by hand).
  it('refuses the ids of its latest 256 calls, and forgets older ones', async () => {
    const { line } = setup();
    for (let i = 1; i <= 257; i += 1) {
      await line.dial(`call-${i}`, BUSY);
      await advance(CONNECT_MS);
    }
    expect(await rejection(line.dial('call-2', CUSTOMER))).toBe('invalid_argument');
    expect(await rejection(line.dial('call-257', CUSTOMER))).toBe('invalid_argument');
    await line.dial('call-1', BUSY);
  });
});

describe('an incoming call', () => {
  it('is announced with the caller, then rings', async () => {
    const { line, events } = setup();
    const callId = line.ringAgent({ from: '+14155550123' });
    await flush();
    expect(events).toEqual([
      { type: 'DIALER.SYNC', payload: { callId, direction: 'inbound', from: '+14155550123', to: AGENT, callerName: 'Maria Garcia' } },
      { type: 'DIALER.CALL_STATUS', payload: { status: 'ringing', flow: 'regular', callId } },
    ]);
  });

  it('comes from the simulated callers in turn, with a fresh callId each time', async () => {
    const { line, events } = setup();
    const callIds: string[] = [];
    for (const _caller of SIMULATED_CALLERS) {
      callIds.push(line.ringAgent());
      line.callerGivesUp();
    }
    await flush();
    const announced = syncs(events).filter((payload) => payload.direction === 'inbound');
    expect(announced.map((payload) => ({ number: payload.from, name: payload.callerName }))).toEqual(
      SIMULATED_CALLERS.map((caller) => ({ number: caller.number, name: caller.name })),
    );
    expect(new Set(callIds).size).toBe(SIMULATED_CALLERS.length);
  });

  // Proved to fail with the former `simulated-inbound-${count}` ids (issue 9: the second tab's
  // first call reused the first tab's id and the call log refused it).
  it('has an id no other tab or page load makes: two lines (two tabs) never share an incoming callId', async () => {
    const first = setup();
    const second = setup();
    const ids = [first.line.ringAgent(), second.line.ringAgent()];
    expect(ids[0]).not.toBe(ids[1]);
    for (const id of ids) expect(id).toMatch(/^simulated-[0-9a-f-]{32,36}$/);
  });

  it('from an unknown number carries no caller name', async () => {
    const { line, events } = setup();
    line.ringAgent({ from: '+33612345678' });
    await flush();
    expect(syncs(events)[0]).not.toHaveProperty('callerName');
  });

  it('can carry a caller name given by the test', async () => {
    const { line, events } = setup();
    line.ringAgent({ from: '+33612345678', name: 'Camille Martin' });
    await flush();
    expect(syncs(events)[0]).toMatchObject({ callerName: 'Camille Martin' });
  });

  it('answered goes through accepting, then connects after connectMs with the caller as active participant', async () => {
    const { line, events } = setup();
    const callId = line.ringAgent({ from: '+81312345678' });
    await line.answer(callId);
    await advance(CONNECT_MS - 1);
    expect(trace(events).slice(1)).toEqual(['ringing regular', 'accepting regular']);
    await advance(1);
    expect(trace(events).slice(3)).toEqual(['connected regular', 'SYNC activeParticipant,inactiveParticipant,onHold,muted,recording']);
    expect(lastSync(events)?.activeParticipant).toEqual({ number: '+81312345678', name: 'Kenji Tanaka' });
  });

  it('answered is no longer given up by the caller', async () => {
    const { line, events } = setup();
    const callId = line.ringAgent({ giveUpAfterMs: 1000 });
    await line.answer(callId);
    await advance(5000);
    expect(trace(events)).not.toContain('ended regular missed');
    expect(line.state()?.status).toBe('connected');
  });

  it('declined ends with reason declined and no duration', async () => {
    const { line, events } = setup();
    const callId = line.ringAgent();
    await line.decline(callId);
    await flush();
    expect(trace(events).slice(1)).toEqual(['ringing regular', 'ended regular declined', 'SYNC duration,participants']);
    expect(lastSync(events)).toMatchObject({ duration: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('left ringing ends with reason missed when the caller gives up after incomingGiveUpMs', async () => {
    const { line, events } = setup();
    line.ringAgent();
    await advance(GIVE_UP_MS - 1);
    expect(line.state()?.status).toBe('ringing');
    await advance(1);
    expect(trace(events).slice(-2)).toEqual(['ended regular missed', 'SYNC duration,participants']);
  });

  it('gives up after the time given to ringAgent', async () => {
    const { line, events } = setup();
    line.ringAgent({ giveUpAfterMs: 2000 });
    await advance(2000);
    expect(trace(events)).toContain('ended regular missed');
  });

  it('ends with reason missed when the caller gives up at once', async () => {
    const { line, events } = setup();
    line.ringAgent();
    line.callerGivesUp();
    await flush();
    expect(trace(events).slice(1)).toEqual(['ringing regular', 'ended regular missed', 'SYNC duration,participants']);
  });

  it('ends with reason answeredElsewhere when another device answers it', async () => {
    const { line, events } = setup();
    line.ringAgent();
    line.answerElsewhere();
    await flush();
    expect(trace(events).slice(1)).toEqual(['ringing regular', 'ended regular answeredElsewhere', 'SYNC duration,participants']);
  });

  it('hung up by the caller once connected ends with hanging then ended, reason remoteHangup', async () => {
    const { line, events } = setup();
    const callId = line.ringAgent();
    await line.answer(callId);
    await advance(CONNECT_MS);
    line.remoteHangsUp();
    await flush();
    expect(trace(events).slice(-3)).toEqual(['hanging regular remoteHangup', 'ended regular remoteHangup', 'SYNC duration,participants']);
  });

  it('hung up by the agent while accepting ends with reason localHangup', async () => {
    const { line, events } = setup();
    const callId = line.ringAgent();
    await line.answer(callId);
    await line.hangUp(callId);
    await advance(CONNECT_MS);
    expect(trace(events).slice(1)).toEqual([
      'ringing regular',
      'accepting regular',
      'hanging regular localHangup',
      'ended regular localHangup',
      'SYNC duration,participants',
    ]);
  });

  it('from the remote-hangup number is hung up by the caller lossAfterMs after connecting', async () => {
    const { line, events } = setup();
    const callId = line.ringAgent({ from: REMOTE_HANGUP });
    await line.answer(callId);
    await advance(CONNECT_MS + LOSS_AFTER_MS);
    expect(trace(events).slice(-3)).toEqual(['hanging regular remoteHangup', 'ended regular remoteHangup', 'SYNC duration,participants']);
  });

  it('ends with reason connectionLost when the connection drops', async () => {
    const { line, events } = setup();
    line.ringAgent();
    line.dropConnection();
    await flush();
    expect(trace(events).slice(-2)).toEqual(['ended regular connectionLost', 'SYNC duration,participants']);
  });

  it('cannot be hung up, only declined, while ringing', async () => {
    const { line, events } = setup();
    const callId = line.ringAgent();
    await flush();
    const count = events.length;
    expect(await rejection(line.hangUp(callId))).toBe('invalid_state');
    await flush();
    expect(events).toHaveLength(count);
  });

  it('rings the agent during a call (a waiting call), but never with two calls in progress', async () => {
    const { line } = setup();
    await line.dial('call-1', CUSTOMER);
    const waiting = line.ringAgent();
    expect(waiting).not.toBe('call-1');
    expect(thrown(() => line.ringAgent())).toBe('invalid_state');
    expect(line.state()?.callId).toBe('call-1');
  });

  it('refuses a caller number that is not a number', () => {
    const { line } = setup();
    expect(thrown(() => line.ringAgent({ from: 'anonymous' }))).toBe('invalid_argument');
    expect(line.state()).toBeNull();
  });

  it('cannot be answered or declined once it is outbound or connected', async () => {
    const { line } = setup();
    const callId = await connectedCall(line);
    expect(await rejection(line.answer(callId))).toBe('invalid_state');
    expect(await rejection(line.decline(callId))).toBe('invalid_state');
  });
});

describe('the far-end controls', () => {
  it.each([
    ['callerGivesUp', (line: SimulatedLine) => line.callerGivesUp()],
    ['answerElsewhere', (line: SimulatedLine) => line.answerElsewhere()],
    ['remoteHangsUp', (line: SimulatedLine) => line.remoteHangsUp()],
    ['dropConnection', (line: SimulatedLine) => line.dropConnection()],
    ['heldPartyHangsUp', (line: SimulatedLine) => line.heldPartyHangsUp()],
    ['transferTargetHangsUp', (line: SimulatedLine) => line.transferTargetHangsUp()],
  ])('%s throws invalid_state when there is no call', (_name, control) => {
    const { line } = setup();
    expect(thrown(() => control(line))).toBe('invalid_state');
  });

  it('refuse what the call state does not allow, and emit nothing', async () => {
    const { line, events } = setup();
    await connectedCall(line);
    const count = events.length;
    expect(thrown(() => line.callerGivesUp())).toBe('invalid_state');
    expect(thrown(() => line.answerElsewhere())).toBe('invalid_state');
    expect(thrown(() => line.heldPartyHangsUp())).toBe('invalid_state');
    expect(thrown(() => line.transferTargetHangsUp())).toBe('invalid_state');
    await flush();
    expect(events).toHaveLength(count);
  });
});

describe('during a call', () => {
  it('reports hold and resume with SYNC, and holding twice is harmless', async () => {
    const { line, events } = setup();
    const callId = await connectedCall(line);
    await line.hold(callId);
    await line.hold(callId);
    await line.resume(callId);
    await flush();
    expect(syncs(events).slice(-3)).toEqual([
      { callId, onHold: true },
      { callId, onHold: true },
      { callId, onHold: false },
    ]);
  });

  it('reports mute and unmute with SYNC', async () => {
    const { line, events } = setup();
    const callId = await connectedCall(line);
    await line.mute(callId);
    await line.unmute(callId);
    await flush();
    expect(syncs(events).slice(-2)).toEqual([
      { callId, muted: true },
      { callId, muted: false },
    ]);
  });

  it('refuses hold, mute and digits before the call is connected, and emits nothing', async () => {
    const { line, events } = setup();
    await line.dial('call-1', CUSTOMER);
    await flush();
    const count = events.length;
    expect(await rejection(line.hold('call-1'))).toBe('invalid_state');
    expect(await rejection(line.resume('call-1'))).toBe('invalid_state');
    expect(await rejection(line.mute('call-1'))).toBe('invalid_state');
    expect(await rejection(line.unmute('call-1'))).toBe('invalid_state');
    expect(await rejection(line.sendDigits('call-1', '1'))).toBe('invalid_state');
    expect(await rejection(line.pauseRecording('call-1'))).toBe('invalid_state');
    await flush();
    expect(events).toHaveLength(count);
  });

  it('rejects a command naming another call with no_such_call', async () => {
    const { line } = setup();
    await connectedCall(line);
    expect(await rejection(line.hold('call-2'))).toBe('no_such_call');
    expect(await rejection(line.hangUp('call-2'))).toBe('no_such_call');
    expect(line.state()?.status).toBe('connected');
  });

  it('sends DTMF digits silently and remembers them', async () => {
    const { line, events } = setup();
    const callId = await connectedCall(line);
    const count = events.length;
    await line.sendDigits(callId, '12');
    await line.sendDigits(callId, '#*9');
    await flush();
    expect(events).toHaveLength(count);
    expect(line.sentDigits()).toBe('12#*9');
  });

  it.each(['', 'A', '12 3', '1'.repeat(33)])('refuses the digits "%s" with invalid_argument', async (digits) => {
    const { line } = setup();
    const callId = await connectedCall(line);
    expect(await rejection(line.sendDigits(callId, digits))).toBe('invalid_argument');
    expect(line.sentDigits()).toBe('');
  });

  it('pauses and resumes the recording, reported with SYNC', async () => {
    const { line, events } = setup();
    const callId = await connectedCall(line);
    await line.pauseRecording(callId);
    await line.resumeRecording(callId);
    await flush();
    expect(syncs(events).slice(-2)).toEqual([
      { callId, recording: { state: 'paused' } },
      { callId, recording: { state: 'recording' } },
    ]);
  });

  it('reports plausible audio quality every statsEveryMs while connected, and stops when the call ends', async () => {
    const { line, events } = setup();
    const callId = await connectedCall(line);
    await advance(STATS_EVERY_MS * 3);
    const stats = syncs(events).flatMap((payload) => (payload.audioStats ? [payload.audioStats] : []));
    expect(stats).toHaveLength(3);
    for (const sample of stats) {
      expect(sample.jitter).toBeGreaterThanOrEqual(0);
      expect(sample.packetLoss).toBeLessThan(0.05);
      expect(sample.rtt).toBeGreaterThan(0);
      expect(sample.mos).toBeGreaterThanOrEqual(3.5);
      expect(sample.mos).toBeLessThanOrEqual(5);
    }
    await line.hangUp(callId);
    await advance(STATS_EVERY_MS * 3);
    expect(syncs(events).filter((payload) => payload.audioStats)).toHaveLength(3);
  });

  it('sends no audio quality before the call is connected, nor when statsEveryMs is 0', async () => {
    const first = setup();
    await first.line.dial('call-1', NO_ANSWER);
    await advance(STATS_EVERY_MS * 2);
    expect(syncs(first.events).some((payload) => payload.audioStats)).toBe(false);

    const second = setup({ statsEveryMs: 0 });
    await connectedCall(second.line);
    await advance(STATS_EVERY_MS * 2);
    expect(syncs(second.events).some((payload) => payload.audioStats)).toBe(false);
  });

  it('emits USER.AVAILABILITY_CHANGED when the agent availability changes', async () => {
    const { line, events } = setup();
    line.availability('after_call_work');
    await flush();
    expect(events).toEqual([{ type: 'USER.AVAILABILITY_CHANGED', payload: { status: 'after_call_work', updatedAt: Date.now() } }]);
  });
});

describe('a warm transfer', () => {
  it('holds the customer, rings the target, and connects to the target after transferRingMs', async () => {
    const { line, events } = setup();
    const callId = await connectedCall(line);
    const before = events.length;
    await line.startWarmTransfer(callId, { number: TEAMMATE, name: 'Sam Lee' });
    await advance(TRANSFER_RING_MS - 1);
    expect(events.slice(before)).toEqual([
      { type: 'DIALER.CALL_STATUS', payload: { status: 'startingWarmTransfer', flow: 'regular', callId } },
      { type: 'DIALER.SYNC', payload: { callId, onHold: true } },
      { type: 'DIALER.CALL_STATUS', payload: { status: 'ringing', flow: 'warmTransfer', callId } },
      {
        type: 'DIALER.SYNC',
        payload: { callId, activeParticipant: { number: TEAMMATE, name: 'Sam Lee' }, inactiveParticipant: { number: CUSTOMER } },
      },
    ]);
    await advance(1);
    expect(events.at(-1)).toEqual({ type: 'DIALER.CALL_STATUS', payload: { status: 'connected', flow: 'warmTransfer', callId } });
  });

  it('swaps the active and held parties, and swaps back', async () => {
    const { line, events } = setup();
    const callId = await inWarmTransfer(line);
    const before = events.length;
    await line.swap(callId);
    await flush();
    expect(trace(events.slice(before))).toEqual(['swapping warmTransfer', 'SYNC activeParticipant,inactiveParticipant', 'connected warmTransfer']);
    expect(lastSync(events)).toMatchObject({ activeParticipant: { number: CUSTOMER }, inactiveParticipant: { number: TEAMMATE } });
    await line.swap(callId);
    await flush();
    expect(lastSync(events)).toMatchObject({ activeParticipant: { number: TEAMMATE }, inactiveParticipant: { number: CUSTOMER } });
  });

  it('merged, ends the agent call with reason transferred and lists both parties', async () => {
    const { line, events } = setup();
    const callId = await inWarmTransfer(line);
    const before = events.length;
    await line.merge(callId);
    await flush();
    expect(trace(events.slice(before))).toEqual(['merging warmTransfer', 'ended regular transferred', 'SYNC duration,participants']);
    expect(lastSync(events)?.participants).toEqual([{ number: CUSTOMER }, { number: TEAMMATE, name: 'Sam Lee' }]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancelled while the target rings returns to the customer, and the target never connects', async () => {
    const { line, events } = setup();
    const callId = await connectedCall(line);
    await line.startWarmTransfer(callId, { number: TEAMMATE });
    await advance(TRANSFER_RING_MS / 2);
    await line.cancelTransfer(callId);
    await advance(TRANSFER_RING_MS * 2);
    expect(trace(events).filter((entry) => !entry.startsWith('SYNC audioStats')).slice(-2)).toEqual([
      'connected regular transferCancelled',
      'SYNC activeParticipant,inactiveParticipant,onHold',
    ]);
    expect(lastSync(events.filter((e) => e.type !== 'DIALER.SYNC' || !e.payload.audioStats))).toEqual({
      callId,
      activeParticipant: { number: CUSTOMER },
      inactiveParticipant: null,
      onHold: false,
    });
    expect(line.state()).toEqual({ callId, status: 'connected', flow: 'regular' });
  });

  it('cancelled once the target answered returns to the customer', async () => {
    const { line, events } = setup();
    const callId = await inWarmTransfer(line);
    await line.cancelTransfer(callId);
    await flush();
    expect(trace(events).slice(-2)).toEqual(['connected regular transferCancelled', 'SYNC activeParticipant,inactiveParticipant,onHold']);
  });

  it('to a target that declines returns to the customer with reason transferDeclined', async () => {
    const { line, events } = setup();
    const callId = await connectedCall(line);
    await line.startWarmTransfer(callId, { number: REJECTS });
    await advance(TRANSFER_RING_MS);
    expect(trace(events).slice(-2)).toEqual(['connected regular transferDeclined', 'SYNC activeParticipant,inactiveParticipant,onHold']);
    expect(lastSync(events)?.activeParticipant).toEqual({ number: CUSTOMER });
  });

  it('to a busy target returns to the customer with reason transferDeclined', async () => {
    const { line, events } = setup();
    const callId = await connectedCall(line);
    await line.startWarmTransfer(callId, { number: BUSY });
    await advance(CONNECT_MS);
    expect(trace(events).slice(-2)).toEqual(['connected regular transferDeclined', 'SYNC activeParticipant,inactiveParticipant,onHold']);
  });

  it('to a target that does not answer returns to the customer with reason transferNoAnswer after noAnswerMs', async () => {
    const { line, events } = setup({ statsEveryMs: 0 });
    const callId = await connectedCall(line);
    await line.startWarmTransfer(callId, { number: NO_ANSWER });
    await advance(NO_ANSWER_MS - 1);
    expect(line.state()).toMatchObject({ status: 'ringing', flow: 'warmTransfer' });
    await advance(1);
    expect(trace(events).slice(-2)).toEqual(['connected regular transferNoAnswer', 'SYNC activeParticipant,inactiveParticipant,onHold']);
  });

  it('leaves the agent with the target when the held customer hangs up', async () => {
    const { line, events } = setup();
    const callId = await inWarmTransfer(line);
    line.heldPartyHangsUp();
    await flush();
    expect(trace(events).slice(-2)).toEqual(['connected regular heldPartyLeft', 'SYNC activeParticipant,inactiveParticipant,onHold']);
    expect(lastSync(events)).toMatchObject({ activeParticipant: { number: TEAMMATE, name: 'Sam Lee' }, inactiveParticipant: null });
    await line.hangUp(callId);
    await flush();
    expect(trace(events).slice(-3)).toEqual(['hanging regular localHangup', 'ended regular localHangup', 'SYNC duration,participants']);
  });

  it('returns to the customer with reason transferTargetLeft when the target hangs up', async () => {
    const { line, events } = setup();
    await inWarmTransfer(line);
    line.transferTargetHangsUp();
    await flush();
    expect(trace(events).slice(-2)).toEqual(['connected regular transferTargetLeft', 'SYNC activeParticipant,inactiveParticipant,onHold']);
    expect(lastSync(events)).toMatchObject({ activeParticipant: { number: CUSTOMER }, inactiveParticipant: null });
  });

  it('to the remote-hangup number returns to the customer when the target leaves lossAfterMs later', async () => {
    const { line, events } = setup({ statsEveryMs: 0 });
    await inWarmTransfer(line, REMOTE_HANGUP);
    await advance(LOSS_AFTER_MS);
    expect(trace(events).slice(-2)).toEqual(['connected regular transferTargetLeft', 'SYNC activeParticipant,inactiveParticipant,onHold']);
  });

  it('hung up by the agent ends both legs with reason localHangup, and nothing follows', async () => {
    const { line, events } = setup();
    const callId = await inWarmTransfer(line);
    await line.hangUp(callId);
    await flush();
    const count = events.length;
    expect(trace(events).slice(-3)).toEqual(['hanging regular localHangup', 'ended regular localHangup', 'SYNC duration,participants']);
    expect(vi.getTimerCount()).toBe(0);
    await advance(60_000);
    expect(events).toHaveLength(count);
  });

  it('ends with reason connectionLost, both legs at once, when the connection drops', async () => {
    const { line, events } = setup();
    await inWarmTransfer(line);
    line.dropConnection();
    await flush();
    expect(trace(events).slice(-2)).toEqual(['ended regular connectionLost', 'SYNC duration,participants']);
  });

  it('refuses swap, merge and cancel outside a warm transfer, and emits nothing', async () => {
    const { line, events } = setup();
    const callId = await connectedCall(line);
    const count = events.length;
    expect(await rejection(line.swap(callId))).toBe('invalid_state');
    expect(await rejection(line.merge(callId))).toBe('invalid_state');
    expect(await rejection(line.cancelTransfer(callId))).toBe('invalid_state');
    await flush();
    expect(events).toHaveLength(count);
  });

  it('refuses swap and merge while the target is still ringing', async () => {
    const { line } = setup();
    const callId = await connectedCall(line);
    await line.startWarmTransfer(callId, { number: TEAMMATE });
    expect(await rejection(line.swap(callId))).toBe('invalid_state');
    expect(await rejection(line.merge(callId))).toBe('invalid_state');
  });

  it('refuses a second transfer, and hold, while one is in progress', async () => {
    const { line } = setup();
    const callId = await inWarmTransfer(line);
    expect(await rejection(line.startWarmTransfer(callId, { number: '+14155550199' }))).toBe('invalid_state');
    expect(await rejection(line.hold(callId))).toBe('invalid_state');
  });

  it('refuses a target that is not a number with invalid_argument', async () => {
    const { line, events } = setup();
    const callId = await connectedCall(line);
    const count = events.length;
    expect(await rejection(line.startWarmTransfer(callId, { number: 'sam' }))).toBe('invalid_argument');
    await flush();
    expect(events).toHaveLength(count);
    expect(line.state()).toMatchObject({ status: 'connected', flow: 'regular' });
  });
});

describe('event delivery', () => {
  it('delivers every event, in order, to every listener', async () => {
    const { line, events } = setup();
    const second: LineEvent[] = [];
    line.subscribe((event) => second.push(event));
    await connectedCall(line);
    expect(second).toEqual(events);
  });

  it('keeps delivering to the other listeners when one throws, and reports the error', async () => {
    const reported: unknown[] = [];
    const { line, events } = setup({ onListenerError: (error) => reported.push(error) });
    const boom = new Error('listener bug');
    line.subscribe(() => {
      throw boom;
    });
    const after: LineEvent[] = [];
    line.subscribe((event) => after.push(event));
    await connectedCall(line);
    expect(after).toEqual(events);
    expect(reported).toHaveLength(events.length);
    expect(reported[0]).toBe(boom);
  });

  it('delivers the events of a command issued from a listener after the current ones', async () => {
    const { line, events } = setup();
    line.subscribe((event) => {
      if (event.type === 'DIALER.CALL_STATUS' && event.payload.status === 'ringing') void line.hangUp('call-1');
    });
    await line.dial('call-1', CUSTOMER);
    await advance(CONNECT_MS);
    expect(trace(events).slice(2)).toEqual([
      'connecting regular',
      'ringing regular',
      'hanging regular cancelled',
      'ended regular cancelled',
      'SYNC duration,participants',
    ]);
  });

  it('never delivers from inside a command or control call', async () => {
    const { line, events } = setup();
    line.ringAgent();
    expect(events).toEqual([]);
    await flush();
    expect(events).toHaveLength(2);
  });
});

describe('a disposed line', () => {
  it('clears its timers, delivers nothing more and refuses everything', async () => {
    const { line, events } = setup();
    const callId = await connectedCall(line);
    await line.hold(callId);
    line.dispose();
    expect(vi.getTimerCount()).toBe(0);
    const count = events.length;
    await advance(60_000);
    expect(events).toHaveLength(count);
    expect(await rejection(line.hangUp(callId))).toBe('not_ready');
    expect(await rejection(line.dial('call-2', CUSTOMER))).toBe('not_ready');
    expect(thrown(() => line.ringAgent())).toBe('not_ready');
    expect(thrown(() => line.availability('available'))).toBe('not_ready');
  });
});

/** The events about one call, as `trace` words. */
function traceOf(events: readonly LineEvent[], callId: string): string[] {
  return trace(events.filter((event) => event.type !== 'USER.AVAILABILITY_CHANGED' && event.payload.callId === callId));
}

describe('call waiting', () => {
  it('announces a second caller during a call like any incoming call, and the first call carries on', async () => {
    const { line, events } = setup({ statsEveryMs: 0 });
    await connectedCall(line);
    const before = traceOf(events, 'call-1').length;
    const waiting = line.ringAgent({ from: '+14155550123', name: 'Maria Garcia' });
    await flush();
    expect(traceOf(events, waiting)).toEqual(['SYNC direction,from,to,callerName', 'ringing regular']);
    expect(traceOf(events, 'call-1')).toHaveLength(before);
  });

  it('answer and hold: holds the first call before the waiting call is accepted, then connects it', async () => {
    const { line, events } = setup({ statsEveryMs: 0 });
    await connectedCall(line);
    const waiting = line.ringAgent();
    await flush();
    const from = events.length;
    await line.answer(waiting);
    await advance(CONNECT_MS);
    const after = events.slice(from);
    const heldAt = after.findIndex((e) => e.type === 'DIALER.SYNC' && e.payload.callId === 'call-1' && e.payload.onHold === true);
    const acceptingAt = after.findIndex((e) => e.type === 'DIALER.CALL_STATUS' && e.payload.callId === waiting && e.payload.status === 'accepting');
    expect(heldAt).toBeGreaterThanOrEqual(0);
    expect(heldAt).toBeLessThan(acceptingAt);
    expect(traceOf(events, waiting)).toContain('connected regular');
  });

  it('swap calls: resuming the held call holds the other one first', async () => {
    const { line, events } = setup({ statsEveryMs: 0 });
    await connectedCall(line);
    const waiting = line.ringAgent();
    await flush();
    await line.answer(waiting);
    await advance(CONNECT_MS);
    const from = events.length;
    await line.resume('call-1');
    await flush();
    const holds = events
      .slice(from)
      .flatMap((e) => (e.type === 'DIALER.SYNC' && e.payload.onHold !== undefined ? [`${e.payload.callId === waiting ? 'second' : 'first'} ${e.payload.onHold}`] : []));
    expect(holds).toEqual(['second true', 'first false']);
  });

  it('refuses to answer a waiting call while the first call is dialling or in a warm transfer, and emits nothing', async () => {
    const { line, events } = setup({ statsEveryMs: 0 });
    await line.dial('call-1', CUSTOMER);
    const waiting = line.ringAgent({ giveUpAfterMs: 600_000 });
    await flush();
    const aboutWaiting = () => traceOf(events, waiting).length;
    const announced = aboutWaiting();
    expect(await rejection(line.answer(waiting))).toBe('invalid_state');
    await advance(CONNECT_MS + RING_MS);
    await line.startWarmTransfer('call-1', { number: TEAMMATE });
    await flush();
    expect(await rejection(line.answer(waiting))).toBe('invalid_state');
    await advance(TRANSFER_RING_MS);
    expect(await rejection(line.answer(waiting))).toBe('invalid_state');
    expect(aboutWaiting()).toBe(announced);
    // Back in the regular flow it can be answered.
    await line.cancelTransfer('call-1');
    await line.answer(waiting);
    await advance(CONNECT_MS);
    expect(traceOf(events, waiting)).toContain('connected regular');
  });

  it('declines a waiting call (ended declined) and lets one ring out (ended missed); the first call is untouched', async () => {
    const { line, events } = setup({ statsEveryMs: 0 });
    await connectedCall(line);
    const declined = line.ringAgent();
    await flush();
    await line.decline(declined);
    await flush();
    expect(traceOf(events, declined)).toContain('ended regular declined');
    const ringsOut = line.ringAgent({ giveUpAfterMs: 5000 });
    await advance(5000);
    expect(traceOf(events, ringsOut)).toContain('ended regular missed');
    expect(line.state()).toMatchObject({ callId: 'call-1', status: 'connected' });
  });

  it('the held call\'s party hangs up: that call ends, the other goes on', async () => {
    const { line, events } = setup({ statsEveryMs: 0 });
    await connectedCall(line);
    const waiting = line.ringAgent();
    await flush();
    await line.answer(waiting);
    await advance(CONNECT_MS);
    line.remoteHangsUp('call-1');
    await flush();
    expect(traceOf(events, 'call-1').slice(-3)).toEqual(['hanging regular remoteHangup', 'ended regular remoteHangup', 'SYNC duration,participants']);
    expect(traceOf(events, waiting).at(-1)).toBe('SYNC activeParticipant,inactiveParticipant,onHold,muted,recording');
    await line.hangUp(waiting);
    await flush();
    expect(traceOf(events, waiting)).toContain('ended regular localHangup');
  });
});

describe('a blind transfer', () => {
  it('holds the party, reports blindTransferring, and ends the agent\'s leg as transferred once the target takes it', async () => {
    const { line, events } = setup({ statsEveryMs: 0 });
    await connectedCall(line);
    const from = events.length;
    await line.blindTransfer('call-1', { number: TEAMMATE, name: 'Sam' });
    await advance(TRANSFER_RING_MS);
    expect(trace(events.slice(from))).toEqual(['SYNC onHold', 'blindTransferring regular', 'ended regular transferred', 'SYNC duration,participants']);
    expect(lastSync(events)?.participants).toEqual([{ number: CUSTOMER }, { number: TEAMMATE, name: 'Sam' }]);
  });

  it.each([
    [BUSY, CONNECT_MS, 'transferDeclined'],
    [REJECTS, TRANSFER_RING_MS, 'transferDeclined'],
    [NO_ANSWER, NO_ANSWER_MS, 'transferNoAnswer'],
  ])('to %s comes back to the party, off hold, with %s ms -> %s', async (target, after, outcome) => {
    const { line, events } = setup({ statsEveryMs: 0 });
    await connectedCall(line);
    const from = events.length;
    await line.blindTransfer('call-1', { number: target });
    await advance(after);
    expect(trace(events.slice(from))).toEqual([
      'SYNC onHold',
      'blindTransferring regular',
      `connected regular ${outcome}`,
      'SYNC activeParticipant,inactiveParticipant,onHold',
    ]);
    expect(lastSync(events)?.onHold).toBe(false);
    await line.hangUp('call-1');
  });

  it('refuses a bad target and a call that is not connected, and emits nothing', async () => {
    const { line, events } = setup({ statsEveryMs: 0 });
    await line.dial('call-1', CUSTOMER);
    await flush();
    const count = events.length;
    expect(await rejection(line.blindTransfer('call-1', { number: TEAMMATE }))).toBe('invalid_state');
    await advance(CONNECT_MS + RING_MS);
    const connected = events.length;
    expect(await rejection(line.blindTransfer('call-1', { number: 'sip:evil' }))).toBe('invalid_argument');
    await flush();
    expect(events.length).toBe(connected);
    expect(count).toBeLessThan(connected);
  });
});

describe('a three-way conference', () => {
  async function consulting(line: SimulatedLine): Promise<void> {
    await connectedCall(line);
    await line.startWarmTransfer('call-1', { number: TEAMMATE });
    await advance(TRANSFER_RING_MS);
  }

  it('joins the consulting transfer into a conference with both parties, then leaving hands them to each other', async () => {
    const { line, events } = setup({ statsEveryMs: 0 });
    await consulting(line);
    const from = events.length;
    await line.conference('call-1');
    await flush();
    expect(trace(events.slice(from))).toEqual(['connected conference', 'SYNC activeParticipant,inactiveParticipant,participants,onHold']);
    expect(lastSync(events)?.participants).toEqual([{ number: CUSTOMER }, { number: TEAMMATE }]);
    await line.merge('call-1');
    await flush();
    expect(traceOf(events, 'call-1').slice(-3)).toEqual(['merging conference', 'ended regular transferred', 'SYNC duration,participants']);
  });

  it('one party leaves: back to a regular call with the other, with who left as the reason', async () => {
    const { line, events } = setup({ statsEveryMs: 0 });
    await consulting(line);
    await line.conference('call-1');
    line.transferTargetHangsUp();
    await flush();
    expect(traceOf(events, 'call-1').slice(-2)).toEqual(['connected regular transferTargetLeft', 'SYNC activeParticipant,inactiveParticipant,onHold']);
    expect(lastSync(events)?.activeParticipant).toEqual({ number: CUSTOMER });

    const second = setup({ statsEveryMs: 0 });
    await consulting(second.line);
    await second.line.conference('call-1');
    second.line.heldPartyHangsUp();
    await flush();
    expect(traceOf(second.events, 'call-1').at(-2)).toBe('connected regular heldPartyLeft');
    expect(lastSync(second.events)?.activeParticipant).toEqual({ number: TEAMMATE });
  });

  it('hang up ends every leg; a conference refuses hold, swap and cancel, and emits nothing for them', async () => {
    const { line, events } = setup({ statsEveryMs: 0 });
    await consulting(line);
    await line.conference('call-1');
    await flush();
    const count = events.length;
    for (const command of [line.hold('call-1'), line.swap('call-1'), line.cancelTransfer('call-1'), line.conference('call-1')]) {
      expect(await rejection(command)).toBe('invalid_state');
    }
    await flush();
    expect(events.length).toBe(count);
    await line.hangUp('call-1');
    await flush();
    expect(traceOf(events, 'call-1').slice(-3)).toEqual(['hanging regular localHangup', 'ended regular localHangup', 'SYNC duration,participants']);
  });
});
