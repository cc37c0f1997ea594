import { describe, expect, it } from 'vitest';
import { ev } from '../support/fakeLine';
import { startDialer, type DialerHarness } from '../support/machineHarness';

/*
 * More than one call (issue 12): call waiting, two calls with one held, the three-way conference
 * and the blind transfer. The seed's DIALER.CALL_STATUS sequences are in dialerMachine.test.ts and
 * stay exactly as they were; here each new path is played with the line's events as the line
 * contract (src/telephony/line.ts) states them.
 */

const CUSTOMER = '+14155550199';
const SECOND = '+14155550124';
const TEAMMATE = '+14155550777';

function tags(d: DialerHarness): string[] {
  return [...d.actor.getSnapshot().tags].sort();
}

function can(d: DialerHarness, type: 'AGENT.ANSWER_WAITING' | 'AGENT.DECLINE_WAITING' | 'AGENT.SWAP_CALLS' | 'AGENT.RESUME' | 'AGENT.CONFERENCE' | 'AGENT.MERGE'): boolean {
  return d.actor.getSnapshot().can({ type });
}

function about(d: DialerHarness, callId: string): string[] {
  return d.emitted.flatMap((e) => (e.type !== 'DIAGNOSTIC' && e.detail.callId === callId ? [e.type] : []));
}

/** A connected call, then a second caller rings. */
function withWaitingCall(d: DialerHarness): string {
  const first = d.connectOutbound(CUSTOMER);
  d.line.emit(ev.incoming('in-2', SECOND, 'Kenji Tanaka'));
  d.line.emit(ev.status('in-2', 'ringing'));
  return first;
}

/** "Answer and hold", as the line plays it: the first call held, the second accepted and connected. */
function answerAndHold(d: DialerHarness, first: string): void {
  d.send({ type: 'AGENT.ANSWER_WAITING' });
  d.line.emit(ev.sync(first, { onHold: true }));
  d.line.emit(ev.status('in-2', 'accepting'));
  d.line.emit(ev.status('in-2', 'connected'));
}

describe('call waiting', () => {
  it('announces a second caller during a call without touching the call on screen', () => {
    const d = startDialer();
    const first = withWaitingCall(d);
    expect(d.status()).toEqual({ status: 'connected', flow: 'regular' });
    expect(d.context().call?.callId).toBe(first);
    expect(d.context().waiting).toMatchObject({ callId: 'in-2', remote: { number: SECOND, name: 'Kenji Tanaka' } });
    expect(tags(d)).toEqual(['busy', 'callWaiting', 'inCall']);
    expect(d.line.commandsOf('decline')).toEqual([]);
    // Front (notification) and the call log hear of it at once.
    expect(about(d, 'in-2')).toEqual(['CALL_STARTED']);
    expect(d.diagnostics()).toEqual([]);
  });

  it('answered: the call on screen is held, the waiting call connects on screen; the first call never changes status', () => {
    const d = startDialer();
    const first = withWaitingCall(d);
    d.send({ type: 'AGENT.ANSWER_WAITING' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'answer', callId: 'in-2' });
    d.line.emit(ev.sync(first, { onHold: true }));
    d.line.emit(ev.status('in-2', 'accepting'));
    expect(d.status()).toEqual({ status: 'accepting', flow: 'regular' });
    expect(d.context().call?.callId).toBe('in-2');
    expect(d.context().held).toMatchObject({ call: { callId: first } });
    d.line.emit(ev.status('in-2', 'connected'));
    expect(d.status()).toEqual({ status: 'connected', flow: 'regular' });
    expect(tags(d)).toEqual(['busy', 'inCall', 'twoCalls']);
    expect(about(d, first)).toEqual(['CALL_STARTED', 'CALL_CONNECTED', 'HOLD']);
    expect(about(d, 'in-2')).toEqual(['CALL_STARTED', 'RINGING_STOPPED', 'CALL_CONNECTED']);
  });

  it('declined: the line ends it (declined), Front and the call log get a declined inbound call, the first call goes on', () => {
    const d = startDialer();
    const first = withWaitingCall(d);
    d.send({ type: 'AGENT.DECLINE_WAITING' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'decline', callId: 'in-2' });
    d.line.emit(ev.status('in-2', 'ended', 'regular', 'declined'));
    expect(d.context().waiting).toBeNull();
    expect(tags(d)).toEqual(['busy', 'inCall']);
    expect(about(d, 'in-2')).toEqual(['CALL_STARTED', 'CALL_ENDED', 'RINGING_STOPPED', 'CALL_SETTLED']);
    expect(d.emitted.find((e) => e.type === 'CALL_SETTLED' && e.detail.callId === 'in-2')).toMatchObject({ detail: { reason: 'declined' } });
    expect(d.context().call?.callId).toBe(first);
  });

  it('rung out: the caller gives up (missed), Front says so, the first call goes on', () => {
    const d = startDialer();
    withWaitingCall(d);
    d.line.emit(ev.status('in-2', 'ended', 'regular', 'missed'));
    expect(d.context().waiting).toBeNull();
    expect(d.emitted.find((e) => e.type === 'RINGING_STOPPED' && e.detail.callId === 'in-2')).toMatchObject({ detail: { reason: 'missed' } });
    expect(d.status()).toEqual({ status: 'connected', flow: 'regular' });
  });

  it('during hold: the held call stays held and the waiting call can be answered', () => {
    const d = startDialer();
    const first = d.connectOutbound(CUSTOMER);
    d.send({ type: 'AGENT.HOLD' });
    d.line.emit(ev.sync(first, { onHold: true }));
    d.line.emit(ev.incoming('in-2', SECOND));
    expect(can(d, 'AGENT.ANSWER_WAITING')).toBe(true);
    answerAndHold(d, first);
    expect(d.context().call?.callId).toBe('in-2');
    expect(d.context().onHold).toBe(false);
  });

  it('while dialling or during a warm transfer: announced and declinable, not answerable until the call is back in the regular flow', () => {
    const d = startDialer();
    d.send({ type: 'AGENT.DIAL', number: CUSTOMER });
    const first = d.lastCallId();
    d.line.emit(ev.incoming('in-2', SECOND));
    expect(can(d, 'AGENT.ANSWER_WAITING')).toBe(false);
    expect(can(d, 'AGENT.DECLINE_WAITING')).toBe(true);
    d.line.emit(ev.dialing(first, CUSTOMER));
    d.line.emit(ev.status(first, 'connecting'));
    d.line.emit(ev.status(first, 'ringing'));
    d.line.emit(ev.status(first, 'connected'));
    expect(can(d, 'AGENT.ANSWER_WAITING')).toBe(true);
    d.consult(first, TEAMMATE, CUSTOMER);
    expect(d.status()).toEqual({ status: 'connected', flow: 'warmTransfer' });
    expect(can(d, 'AGENT.ANSWER_WAITING')).toBe(false);
    d.send({ type: 'AGENT.ANSWER_WAITING' });
    expect(d.line.commandsOf('answer')).toEqual([]);
    d.send({ type: 'AGENT.CANCEL_TRANSFER' });
    d.line.emit(ev.status(first, 'connected', 'regular', 'transferCancelled'));
    expect(can(d, 'AGENT.ANSWER_WAITING')).toBe(true);
  });

  it('during mandatory tagging: announced and declinable; answering waits for the tags, then it rings as the call on screen', () => {
    const d = startDialer({ settings: { mandatoryTagging: true } });
    const first = d.connectOutbound(CUSTOMER);
    d.line.emit(ev.status(first, 'ended', 'regular', 'remoteHangup'));
    expect(d.status().status).toBe('mandatoryTagging');
    d.line.emit(ev.incoming('in-2', SECOND));
    d.line.emit(ev.status('in-2', 'ringing'));
    expect(tags(d)).toEqual(['busy', 'callWaiting', 'wrapUp']);
    expect(can(d, 'AGENT.ANSWER_WAITING')).toBe(false);
    expect(can(d, 'AGENT.DECLINE_WAITING')).toBe(true);
    expect(d.line.commandsOf('decline')).toEqual([]);
    d.send({ type: 'AGENT.SAVE_TAGS', tags: ['Sales'] });
    expect(d.status()).toEqual({ status: 'ringing', flow: 'regular' });
    expect(d.context().call?.callId).toBe('in-2');
    expect(tags(d)).toEqual(['busy', 'inCall', 'ringing']);
    expect(d.emitted.find((e) => e.type === 'CALL_SETTLED' && e.detail.callId === first)).toMatchObject({ detail: { tags: ['Sales'] } });
    d.send({ type: 'AGENT.ANSWER' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'answer', callId: 'in-2' });
  });

  it('when the call on screen ends with no wrap-up owed, the waiting call rings on as the call on screen', () => {
    const d = startDialer();
    const first = withWaitingCall(d);
    d.line.emit(ev.status(first, 'ended', 'regular', 'remoteHangup'));
    expect(d.status()).toEqual({ status: 'ringing', flow: 'regular' });
    expect(d.context().call?.callId).toBe('in-2');
    expect(about(d, first).slice(-2)).toEqual(['CALL_ENDED', 'CALL_SETTLED']);
  });

  it('a third caller while two calls are up is declined as busy and logged as missed', () => {
    const d = startDialer();
    const first = withWaitingCall(d);
    answerAndHold(d, first);
    d.line.emit(ev.incoming('in-3', '+14155550155'));
    expect(d.line.commands.at(-1)).toEqual({ type: 'decline', callId: 'in-3' });
    expect(about(d, 'in-3')).toEqual(['CALL_STARTED', 'CALL_ENDED', 'RINGING_STOPPED', 'CALL_SETTLED']);
    expect(d.context().call?.callId).toBe('in-2');
  });
});

describe('two calls, one held', () => {
  it('swap calls: the line holds the call on screen, then resumes the held one, which comes on screen', () => {
    const d = startDialer();
    const first = withWaitingCall(d);
    answerAndHold(d, first);
    expect(can(d, 'AGENT.SWAP_CALLS')).toBe(true);
    d.send({ type: 'AGENT.SWAP_CALLS' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'resume', callId: first });
    d.line.emit(ev.sync('in-2', { onHold: true }));
    d.line.emit(ev.sync(first, { onHold: false }));
    expect(d.context().call?.callId).toBe(first);
    expect(d.context().onHold).toBe(false);
    expect(d.context().held).toMatchObject({ call: { callId: 'in-2' } });
    expect(d.context().activeParticipant).toEqual({ number: CUSTOMER });
    expect(about(d, 'in-2').slice(-1)).toEqual(['HOLD']);
    expect(about(d, first).slice(-1)).toEqual(['RESUME']);
  });

  it('the held call\'s party hangs up: that call ends and settles, the agent stays on the other one', () => {
    const d = startDialer();
    const first = withWaitingCall(d);
    answerAndHold(d, first);
    d.line.emit(ev.status(first, 'hanging', 'regular', 'remoteHangup'));
    d.line.emit(ev.status(first, 'ended', 'regular', 'remoteHangup'));
    expect(d.context().held).toBeNull();
    expect(d.context().lastHeldEnd).toEqual({ party: { number: CUSTOMER }, reason: 'remoteHangup' });
    expect(d.status()).toEqual({ status: 'connected', flow: 'regular' });
    expect(d.context().call?.callId).toBe('in-2');
    expect(about(d, first).slice(-2)).toEqual(['CALL_ENDED', 'CALL_SETTLED']);
    expect(tags(d)).toEqual(['busy', 'inCall']);
  });

  it('hanging up the call on screen leaves the other on hold with Resume', () => {
    const d = startDialer();
    const first = withWaitingCall(d);
    answerAndHold(d, first);
    d.send({ type: 'AGENT.HANG_UP' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'hangUp', callId: 'in-2' });
    d.line.emit(ev.status('in-2', 'hanging', 'regular', 'localHangup'));
    d.line.emit(ev.status('in-2', 'ended', 'regular', 'localHangup'));
    expect(d.status()).toEqual({ status: 'connected', flow: 'regular' });
    expect(d.context().call?.callId).toBe(first);
    expect(d.context().onHold).toBe(true);
    expect(can(d, 'AGENT.RESUME')).toBe(true);
    expect(about(d, 'in-2').slice(-2)).toEqual(['CALL_ENDED', 'CALL_SETTLED']);
    d.send({ type: 'AGENT.RESUME' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'resume', callId: first });
  });

  it('no warm transfer while a call is held (blind transfer is still offered)', () => {
    const d = startDialer();
    const first = withWaitingCall(d);
    answerAndHold(d, first);
    expect(d.actor.getSnapshot().can({ type: 'AGENT.START_TRANSFER', target: TEAMMATE })).toBe(false);
    expect(d.actor.getSnapshot().can({ type: 'AGENT.BLIND_TRANSFER', target: TEAMMATE })).toBe(true);
  });
});

describe('three-way conference', () => {
  function inConference(d: DialerHarness): string {
    const callId = d.connectOutbound(CUSTOMER);
    d.consult(callId, TEAMMATE, CUSTOMER);
    expect(can(d, 'AGENT.CONFERENCE')).toBe(true);
    d.send({ type: 'AGENT.CONFERENCE' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'conference', callId });
    d.line.emit(ev.status(callId, 'connected', 'conference'));
    d.line.emit(ev.sync(callId, { activeParticipant: { number: CUSTOMER }, inactiveParticipant: null, participants: [{ number: CUSTOMER }, { number: TEAMMATE }], onHold: false }));
    return callId;
  }

  it('brings everyone together (CONFERENCE), then leaving hands the two parties to each other', () => {
    const d = startDialer();
    const callId = inConference(d);
    expect(d.status()).toEqual({ status: 'connected', flow: 'conference' });
    expect(tags(d)).toEqual(['busy', 'conference', 'inCall', 'transfer']);
    expect(d.emitted.filter((e) => e.type === 'CONFERENCE')).toEqual([{ type: 'CONFERENCE', detail: { callId, participants: [CUSTOMER, TEAMMATE] } }]);
    expect(d.telephony()).toContain('PARTICIPANT_ADDED');
    d.send({ type: 'AGENT.MERGE' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'merge', callId });
    d.line.emit(ev.status(callId, 'merging', 'conference'));
    expect(d.status()).toEqual({ status: 'merging', flow: 'conference' });
    d.line.emit(ev.status(callId, 'ended', 'regular', 'transferred'));
    expect(d.status().status).toBe('ended');
    expect(d.context().endReason).toBe('transferred');
    expect(d.emitted.filter((e) => e.type === 'CONFERENCE')).toHaveLength(1);
  });

  it('one party leaves: the agent stays with the other in a regular call (PARTICIPANT_REMOVED)', () => {
    const d = startDialer();
    const callId = inConference(d);
    d.line.emit(ev.status(callId, 'connected', 'regular', 'transferTargetLeft'));
    expect(d.status()).toEqual({ status: 'connected', flow: 'regular' });
    expect(d.emitted.at(-1)).toEqual({ type: 'PARTICIPANT_REMOVED', detail: { callId, participant: TEAMMATE, reason: 'transferTargetLeft' } });
    expect(d.context().activeParticipant).toEqual({ number: CUSTOMER });
  });

  it('hang up ends everything; hold and swap are not offered in a conference', () => {
    const d = startDialer();
    const callId = inConference(d);
    expect(d.actor.getSnapshot().can({ type: 'AGENT.HOLD' })).toBe(false);
    expect(d.actor.getSnapshot().can({ type: 'AGENT.SWAP' })).toBe(false);
    d.send({ type: 'AGENT.HANG_UP' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'hangUp', callId });
    d.line.emit(ev.status(callId, 'hanging', 'regular', 'localHangup'));
    d.line.emit(ev.status(callId, 'ended', 'regular', 'localHangup'));
    expect(d.status().status).toBe('ended');
  });

  it('is not offered on a line without three-way calls', () => {
    const d = startDialer({ capabilities: { hold: true, mute: true, dtmf: true, warmTransfer: true, recording: false, conference: true, audioStats: false } });
    const callId = d.connectOutbound(CUSTOMER);
    d.consult(callId, TEAMMATE, CUSTOMER);
    expect(can(d, 'AGENT.CONFERENCE')).toBe(false);
  });
});

describe('blind transfer ("Transfer now")', () => {
  function transferNow(d: DialerHarness, target = TEAMMATE): string {
    const callId = d.connectOutbound(CUSTOMER);
    d.send({ type: 'AGENT.BLIND_TRANSFER', target, name: 'Sam' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'blindTransfer', callId, target: { number: target, name: 'Sam' } });
    d.line.emit(ev.sync(callId, { onHold: true }));
    d.line.emit(ev.status(callId, 'blindTransferring'));
    expect(d.status()).toEqual({ status: 'blindTransferring', flow: 'regular' });
    return callId;
  }

  it('lands at the target: the agent\'s leg ends as transferred', () => {
    const d = startDialer();
    const callId = transferNow(d);
    d.line.emit(ev.status(callId, 'ended', 'regular', 'transferred'));
    expect(d.status().status).toBe('ended');
    expect(d.context().endReason).toBe('transferred');
    expect(d.emitted.find((e) => e.type === 'CALL_ENDED')).toMatchObject({ detail: { reason: 'transferred' } });
  });

  it('declined or not answered: back with the party, off hold, with the outcome shown', () => {
    const d = startDialer();
    const callId = transferNow(d);
    d.line.emit(ev.status(callId, 'connected', 'regular', 'transferNoAnswer'));
    d.line.emit(ev.sync(callId, { onHold: false }));
    expect(d.status()).toEqual({ status: 'connected', flow: 'regular' });
    expect(d.context().transferOutcome).toBe('transferNoAnswer');
    expect(d.context().onHold).toBe(false);
  });

  it('refuses a target that is not a number, and is not offered without the capability', () => {
    const d = startDialer();
    d.connectOutbound(CUSTOMER);
    d.send({ type: 'AGENT.BLIND_TRANSFER', target: 'sip:evil@example.com' });
    expect(d.line.commandsOf('blindTransfer')).toEqual([]);
    expect(d.context().inputError).toEqual(expect.any(String));
    const limited = startDialer({ capabilities: { hold: true, mute: true, dtmf: true, warmTransfer: true, recording: false, conference: false, audioStats: false } });
    limited.connectOutbound(CUSTOMER);
    expect(limited.actor.getSnapshot().can({ type: 'AGENT.BLIND_TRANSFER', target: TEAMMATE })).toBe(false);
  });
});
