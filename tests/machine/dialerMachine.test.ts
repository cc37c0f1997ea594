import { describe, expect, it } from 'vitest';
import { selectAnnouncement, selectScreen } from '../../src/machine';
import { LineError } from '../../src/telephony/line';
import { ev } from '../support/fakeLine';
import { startDialer } from '../support/machineHarness';

const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('outgoing call (seed: DIALING, connecting, ringing, connected)', () => {
  it('dials the normalised number and follows the line to connected', () => {
    const d = startDialer();
    d.send({ type: 'AGENT.DIAL', number: '+1 (415) 555-0199' });
    expect(d.line.commands).toEqual([{ type: 'dial', callId: expect.any(String), to: '+14155550199' }]);
    expect(d.status()).toEqual({ status: 'connecting', flow: 'regular' });
    expect(selectAnnouncement(d.actor.getSnapshot())).toBe('Calling +14155550199');

    const callId = d.lastCallId();
    d.line.emit(ev.dialing(callId, '+14155550199'));
    expect(d.context().call).toMatchObject({ from: '+14155550100', to: '+14155550199', direction: 'outbound' });
    d.line.emit(ev.status(callId, 'connecting'));
    expect(d.status().status).toBe('connecting');
    d.line.emit(ev.status(callId, 'ringing'));
    expect(d.status()).toEqual({ status: 'ringing', flow: 'regular' });
    d.line.emit(ev.status(callId, 'connected'));
    expect(d.status()).toEqual({ status: 'connected', flow: 'regular' });
    expect(d.context().call?.connectedAt).toEqual(expect.any(Number));
    expect(d.telephony()).toEqual(['CALL_STARTED', 'CALL_CONNECTED']);
    expect(d.emitted[0]).toEqual({ type: 'CALL_STARTED', detail: { callId, callType: 'outbound', participant: '+14155550199' } });
  });

  it('hanging up a connected call goes through hanging to ended, saying the agent hung up', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.send({ type: 'AGENT.HANG_UP' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'hangUp', callId });
    expect(d.status().status).toBe('connected'); // the line decides
    d.line.emit(ev.status(callId, 'hanging', 'regular', 'localHangup'));
    expect(d.status().status).toBe('hanging');
    d.line.emit(ev.status(callId, 'ended'));
    expect(d.status().status).toBe('ended');
    expect(d.context().endReason).toBe('localHangup');
    expect(selectAnnouncement(d.actor.getSnapshot())).toBe('Call ended: You hung up');
    expect(d.emitted.at(-1)).toEqual({
      type: 'CALL_ENDED',
      detail: { callId, callType: 'outbound', participant: '+14155550199', reason: 'localHangup' },
    });
  });

  it('the other party hanging up ends the call with that reason', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    expect(d.status().status).toBe('ended');
    expect(selectAnnouncement(d.actor.getSnapshot())).toBe('Call ended: The other party hung up');
  });

  it.each([
    ['busy', 'The line was busy'],
    ['noAnswer', 'No answer'],
    ['rejected', 'The call was rejected'],
  ])('an outbound call that ends %s before answer says so', (reason, words) => {
    const d = startDialer();
    d.send({ type: 'AGENT.DIAL', number: '+15005550001' });
    const callId = d.lastCallId();
    d.line.emit(ev.dialing(callId, '+15005550001'));
    d.line.emit(ev.status(callId, 'connecting'));
    d.line.emit(ev.status(callId, 'ringing'));
    d.line.emit(ev.status(callId, 'ended', 'regular', reason));
    expect(d.status().status).toBe('ended');
    expect(d.context().call?.connectedAt).toBeNull();
    expect(selectAnnouncement(d.actor.getSnapshot())).toBe(`Call ended: ${words}`);
  });

  it('hanging up while it rings cancels the call', () => {
    const d = startDialer();
    d.send({ type: 'AGENT.DIAL', number: '4155550199' });
    const callId = d.lastCallId();
    d.line.emit(ev.dialing(callId, '4155550199'));
    d.line.emit(ev.status(callId, 'connecting'));
    d.line.emit(ev.status(callId, 'ringing'));
    d.send({ type: 'AGENT.HANG_UP' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'hangUp', callId });
    d.line.emit(ev.status(callId, 'hanging', 'regular', 'cancelled'));
    d.line.emit(ev.status(callId, 'ended', 'regular', 'cancelled'));
    expect(d.context().endReason).toBe('cancelled');
  });

  it('a dial the line refuses ends the call as failed and reports it', async () => {
    const d = startDialer();
    d.line.failNext('dial', new LineError('not_ready', 'The line is offline.'));
    d.send({ type: 'AGENT.DIAL', number: '+14155550199' });
    await flush();
    expect(d.status().status).toBe('ended');
    expect(d.context().endReason).toBe('failed');
    expect(d.context().lastError).toEqual({ command: 'dial', code: 'not_ready', message: 'The line is offline.' });
    expect(d.diagnostics()).toContainEqual(expect.objectContaining({ code: 'command_failed' }));
  });

  it('a connection lost mid-call ends it and says so', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.line.emit(ev.status(callId, 'ended', 'regular', 'connectionLost'));
    expect(selectAnnouncement(d.actor.getSnapshot())).toBe('Call ended: Connection lost');
  });
});

describe('incoming call (seed: ringing, accepting, connected)', () => {
  it('rings with the caller known, then answering goes accepting -> connected', () => {
    const d = startDialer();
    d.line.emit(ev.incoming('in-1', '+14155550123', 'Maria Garcia'));
    expect(d.status().status).toBe('idle');
    d.line.emit(ev.status('in-1', 'ringing'));
    expect(d.status()).toEqual({ status: 'ringing', flow: 'regular' });
    expect(selectScreen(d.actor.getSnapshot())).toBe('incoming');
    expect(selectAnnouncement(d.actor.getSnapshot())).toBe('Incoming call from Maria Garcia (+14155550123)');
    expect(d.emitted[0]).toEqual({
      type: 'CALL_STARTED',
      detail: { callId: 'in-1', callType: 'inbound', participant: '+14155550123', name: 'Maria Garcia' },
    });

    d.send({ type: 'AGENT.ANSWER' });
    expect(d.line.commands).toEqual([{ type: 'answer', callId: 'in-1' }]);
    d.line.emit(ev.status('in-1', 'accepting'));
    expect(d.status().status).toBe('accepting');
    d.line.emit(ev.status('in-1', 'connected'));
    expect(d.status().status).toBe('connected');
    expect(d.telephony()).toEqual(['CALL_STARTED', 'CALL_CONNECTED']);
  });

  it('declining a ringing call sends decline and ends it as declined', () => {
    const d = startDialer();
    d.line.emit(ev.incoming('in-1', '+14155550123'));
    d.line.emit(ev.status('in-1', 'ringing'));
    d.send({ type: 'AGENT.DECLINE' });
    expect(d.line.commands).toEqual([{ type: 'decline', callId: 'in-1' }]);
    d.line.emit(ev.status('in-1', 'ended', 'regular', 'declined'));
    expect(d.status().status).toBe('ended');
    expect(selectAnnouncement(d.actor.getSnapshot())).toBe('Call ended: Call declined');
  });

  it.each([
    ['missed', 'Missed call'],
    ['answeredElsewhere', 'Answered elsewhere'],
  ])('a ringing call that stops (%s) ends with that reason', (reason, words) => {
    const d = startDialer();
    d.line.emit(ev.incoming('in-1', '+14155550123'));
    d.line.emit(ev.status('in-1', 'ringing'));
    d.line.emit(ev.status('in-1', 'ended', 'regular', reason));
    expect(selectAnnouncement(d.actor.getSnapshot())).toBe(`Call ended: ${words}`);
  });

  it('ringing without an announcement of who calls is ignored and reported', () => {
    const d = startDialer();
    d.line.emit(ev.status('in-9', 'ringing'));
    expect(d.status().status).toBe('idle');
    expect(d.diagnostics()).toContainEqual(expect.objectContaining({ code: 'stale_event', eventType: 'DIALER.CALL_STATUS' }));
  });

  it('with call waiting off, a second incoming call during a call is declined as busy, logged as missed, and never replaces the call on screen', () => {
    const d = startDialer({ settings: { callWaiting: false } });
    const callId = d.connectOutbound();
    d.line.emit(ev.incoming('in-2', '+14155550124', 'Kenji'));
    d.line.emit(ev.status('in-2', 'ringing'));
    expect(d.line.commands.at(-1)).toEqual({ type: 'decline', callId: 'in-2' });
    expect(d.status().status).toBe('connected');
    expect(d.context().call?.callId).toBe(callId);
    expect(d.diagnostics().map((x) => x.code)).toEqual(['busy_declined', 'stale_event']);
    // The teammate still learns of it: a missed call for Front and the call log.
    const aboutSecond = d.emitted.filter((e) => e.type !== 'DIAGNOSTIC' && e.detail.callId === 'in-2');
    expect(aboutSecond.map((e) => e.type)).toEqual(['CALL_STARTED', 'CALL_ENDED', 'RINGING_STOPPED', 'CALL_SETTLED']);
    expect(aboutSecond[2]).toMatchObject({ detail: { reason: 'missed' } });
    expect(aboutSecond[3]).toMatchObject({ detail: { reason: 'busy', connectedAt: null } });
  });
});

describe('connected: hold, mute, digits, recording', () => {
  it('hold and resume follow what the line applied', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.send({ type: 'AGENT.HOLD' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'hold', callId });
    expect(d.context().onHold).toBe(false);
    d.line.emit(ev.sync(callId, { onHold: true }));
    expect(d.context().onHold).toBe(true);
    expect(selectAnnouncement(d.actor.getSnapshot())).toBe('On hold');
    d.send({ type: 'AGENT.HOLD' }); // already held: not sent again
    expect(d.line.commandsOf('hold')).toHaveLength(1);
    d.send({ type: 'AGENT.RESUME' });
    d.line.emit(ev.sync(callId, { onHold: false }));
    expect(d.telephony().slice(-2)).toEqual(['HOLD', 'RESUME']);
  });

  it('mute and unmute emit MUTE and UNMUTE once each', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.send({ type: 'AGENT.MUTE' });
    d.line.emit(ev.sync(callId, { muted: true }));
    d.line.emit(ev.sync(callId, { muted: true }));
    d.send({ type: 'AGENT.UNMUTE' });
    d.line.emit(ev.sync(callId, { muted: false }));
    expect(d.line.commands.slice(-2).map((c) => c.type)).toEqual(['mute', 'unmute']);
    expect(d.telephony().filter((t) => t === 'MUTE' || t === 'UNMUTE')).toEqual(['MUTE', 'UNMUTE']);
  });

  it('sends valid DTMF digits and refuses anything else', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.send({ type: 'AGENT.SEND_DIGITS', digits: '12#' });
    d.send({ type: 'AGENT.SEND_DIGITS', digits: 'A' });
    expect(d.line.commandsOf('sendDigits')).toEqual([{ type: 'sendDigits', callId, digits: '12#' }]);
    expect(d.context().inputError).toMatch(/0-9, \* and #/);
    expect(d.context().digitsSent).toBe('12#');
  });

  it('recording pause and resume are emitted when the line confirms them', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.line.emit(ev.sync(callId, { recording: { state: 'recording' } }));
    d.send({ type: 'AGENT.PAUSE_RECORDING' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'pauseRecording', callId });
    d.line.emit(ev.sync(callId, { recording: { state: 'paused' } }));
    d.send({ type: 'AGENT.RESUME_RECORDING' });
    d.line.emit(ev.sync(callId, { recording: { state: 'recording' } }));
    expect(d.telephony().slice(-2)).toEqual(['PAUSE_RECORDING', 'RESUME_RECORDING']);
  });

  it('audio quality reports become AUDIO_STATS events', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    const stats = { jitter: 4, packetLoss: 0.01, rtt: 40, mos: 4.3 };
    d.line.emit(ev.sync(callId, { audioStats: stats }));
    expect(d.emitted.at(-1)).toEqual({ type: 'AUDIO_STATS', detail: { callId, stats } });
    expect(d.context().audioStats).toEqual(stats);
  });

  it('a line without hold or transfer never receives those commands', () => {
    const d = startDialer({ capabilities: { hold: false, mute: true, dtmf: true, warmTransfer: false, recording: false, conference: false, audioStats: false } });
    d.connectOutbound();
    d.send({ type: 'AGENT.HOLD' });
    d.send({ type: 'AGENT.START_TRANSFER', target: '+14155550777' });
    expect(d.line.commands.map((c) => c.type)).toEqual(['dial']);
    expect(d.context().inputError).toBe('This line cannot transfer calls.');
  });

  it('a hold the line refuses is reported and leaves the call as it was', async () => {
    const d = startDialer();
    d.connectOutbound();
    d.line.failNext('hold');
    d.send({ type: 'AGENT.HOLD' });
    await flush();
    expect(d.status().status).toBe('connected');
    expect(d.context().onHold).toBe(false);
    expect(d.context().lastError?.command).toBe('hold');
  });
});

describe('warm transfer', () => {
  it('follows the seed: startingWarmTransfer -> ringing(wT) -> connected(wT), from/to stay on the first call', () => {
    const d = startDialer();
    const callId = d.connectOutbound('+14155550199');
    d.send({ type: 'AGENT.START_TRANSFER', target: '+1 415 555 0777' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'startWarmTransfer', callId, target: { number: '+14155550777' } });
    d.line.emit(ev.status(callId, 'startingWarmTransfer', 'regular'));
    expect(d.status()).toEqual({ status: 'startingWarmTransfer', flow: 'regular' });
    d.line.emit(ev.status(callId, 'ringing', 'warmTransfer'));
    expect(d.status()).toEqual({ status: 'ringing', flow: 'warmTransfer' });
    d.line.emit(ev.sync(callId, { activeParticipant: { number: '+14155550777' }, inactiveParticipant: { number: '+14155550199' } }));
    d.line.emit(ev.status(callId, 'connected', 'warmTransfer'));
    expect(d.status()).toEqual({ status: 'connected', flow: 'warmTransfer' });
    expect(d.context().call).toMatchObject({ to: '+14155550199' });
    expect(d.context().activeParticipant).toEqual({ number: '+14155550777' });
    expect(d.context().inactiveParticipant).toEqual({ number: '+14155550199' });
    expect(selectAnnouncement(d.actor.getSnapshot())).toBe('Talking to +14155550777, +14155550199 on hold');
    expect(d.emitted.at(-1)).toEqual({ type: 'PARTICIPANT_ADDED', detail: { callId, participant: '+14155550777' } });
  });

  it('swap goes swapping -> connected and SWAP reports the new active party', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.consult(callId);
    d.send({ type: 'AGENT.SWAP' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'swap', callId });
    d.line.emit(ev.status(callId, 'swapping', 'warmTransfer'));
    expect(d.status()).toEqual({ status: 'swapping', flow: 'warmTransfer' });
    d.line.emit(ev.sync(callId, { activeParticipant: { number: '+14155550199' }, inactiveParticipant: { number: '+14155550777' } }));
    d.line.emit(ev.status(callId, 'connected', 'warmTransfer'));
    expect(d.status()).toEqual({ status: 'connected', flow: 'warmTransfer' });
    expect(d.context().activeParticipant?.number).toBe('+14155550199');
    expect(d.emitted.filter((e) => e.type === 'SWAP')).toEqual([
      { type: 'SWAP', detail: { callId, activeParticipant: '+14155550199', inactiveParticipant: '+14155550777' } },
    ]);
  });

  it('a swap that did not happen (same active party) emits no SWAP', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.consult(callId);
    d.send({ type: 'AGENT.SWAP' });
    d.line.emit(ev.status(callId, 'swapping', 'warmTransfer'));
    d.line.emit(ev.sync(callId, { activeParticipant: { number: '+14155550777' }, inactiveParticipant: { number: '+14155550199' } }));
    d.line.emit(ev.status(callId, 'connected', 'warmTransfer'));
    expect(d.telephony()).not.toContain('SWAP');
  });

  it('merge goes merging -> ended with the regular flow, reason transferred, CONFERENCE then CALL_ENDED', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.consult(callId);
    d.send({ type: 'AGENT.MERGE' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'merge', callId });
    d.line.emit(ev.status(callId, 'merging', 'warmTransfer'));
    expect(d.status()).toEqual({ status: 'merging', flow: 'warmTransfer' });
    d.line.emit(ev.status(callId, 'ended', 'regular', 'transferred'));
    expect(d.status()).toEqual({ status: 'ended', flow: 'regular' });
    expect(d.context().endReason).toBe('transferred');
    expect(d.telephony().slice(-2)).toEqual(['CONFERENCE', 'CALL_ENDED']);
  });

  it('without conference support, completing a transfer emits no CONFERENCE', () => {
    const d = startDialer({ capabilities: { hold: true, mute: true, dtmf: true, warmTransfer: true, recording: false, conference: false, audioStats: false } });
    const callId = d.connectOutbound();
    d.consult(callId);
    d.send({ type: 'AGENT.MERGE' });
    d.line.emit(ev.status(callId, 'merging', 'warmTransfer'));
    d.line.emit(ev.status(callId, 'ended', 'regular', 'transferred'));
    expect(d.telephony()).not.toContain('CONFERENCE');
  });

  it('cancelling the transfer goes back to the original party', () => {
    const d = startDialer();
    const callId = d.connectOutbound('+14155550199');
    d.consult(callId);
    d.send({ type: 'AGENT.CANCEL_TRANSFER' });
    expect(d.line.commands.at(-1)).toEqual({ type: 'cancelTransfer', callId });
    d.line.emit(ev.status(callId, 'connected', 'regular', 'transferCancelled'));
    d.line.emit(ev.sync(callId, { activeParticipant: { number: '+14155550199' }, inactiveParticipant: null, onHold: false }));
    expect(d.status()).toEqual({ status: 'connected', flow: 'regular' });
    expect(d.context().activeParticipant?.number).toBe('+14155550199');
    expect(d.context().inactiveParticipant).toBeNull();
    expect(selectAnnouncement(d.actor.getSnapshot())).toBe('Transfer cancelled. Connected');
    expect(d.emitted.filter((e) => e.type === 'PARTICIPANT_REMOVED')).toEqual([
      { type: 'PARTICIPANT_REMOVED', detail: { callId, participant: '+14155550777', reason: 'transferCancelled' } },
    ]);
    expect(d.telephony().filter((t) => t === 'CALL_CONNECTED')).toHaveLength(1);
  });

  it.each([
    ['transferDeclined', 'The transfer was declined'],
    ['transferNoAnswer', 'The transfer was not answered'],
  ])('a target that does not take the call (%s) brings the agent back to the original party', (reason, words) => {
    const d = startDialer();
    const callId = d.connectOutbound('+14155550199');
    d.send({ type: 'AGENT.START_TRANSFER', target: '+14155550003' });
    d.line.emit(ev.status(callId, 'startingWarmTransfer', 'regular'));
    d.line.emit(ev.status(callId, 'ringing', 'warmTransfer'));
    d.line.emit(ev.status(callId, 'connected', 'regular', reason));
    expect(d.status()).toEqual({ status: 'connected', flow: 'regular' });
    expect(d.context().activeParticipant?.number).toBe('+14155550199');
    expect(selectAnnouncement(d.actor.getSnapshot())).toBe(`${words}. Connected`);
    expect(d.telephony()).not.toContain('PARTICIPANT_REMOVED'); // the target never joined
  });

  it('the held party hanging up leaves the agent talking to the target', () => {
    const d = startDialer();
    const callId = d.connectOutbound('+14155550199');
    d.consult(callId, '+14155550777');
    d.line.emit(ev.status(callId, 'connected', 'regular', 'heldPartyLeft'));
    expect(d.status()).toEqual({ status: 'connected', flow: 'regular' });
    expect(d.context().activeParticipant?.number).toBe('+14155550777');
    expect(d.context().call?.to).toBe('+14155550199');
    expect(d.emitted.at(-1)).toEqual({ type: 'PARTICIPANT_REMOVED', detail: { callId, participant: '+14155550199', reason: 'heldPartyLeft' } });
  });

  it('a transfer the line refuses to start keeps the call connected and reports it', async () => {
    const d = startDialer();
    d.connectOutbound();
    d.line.failNext('startWarmTransfer');
    d.send({ type: 'AGENT.START_TRANSFER', target: '+14155550777' });
    await flush();
    expect(d.status()).toEqual({ status: 'connected', flow: 'regular' });
    expect(d.context().transferTarget).toBeNull();
    expect(d.context().lastError?.command).toBe('startWarmTransfer');
  });

  it('refuses a transfer target that is not a number and sends nothing', () => {
    const d = startDialer();
    d.connectOutbound();
    d.send({ type: 'AGENT.START_TRANSFER', target: 'sip:evil@example.com' });
    expect(d.line.commandsOf('startWarmTransfer')).toEqual([]);
    expect(d.context().inputError).toMatch(/can only contain digits/);
  });

  it('hanging up during a consultation ends the whole call', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.consult(callId);
    d.send({ type: 'AGENT.HANG_UP' });
    d.line.emit(ev.status(callId, 'hanging', 'warmTransfer', 'localHangup'));
    d.line.emit(ev.status(callId, 'ended', 'regular', 'localHangup'));
    expect(d.status().status).toBe('ended');
    expect(d.context().inactiveParticipant).toBeNull();
  });
});

describe('mandatory tagging (seed: hanging -> mandatoryTagging -> ended)', () => {
  it('with the setting on, an untagged connected call must be tagged before the next one', () => {
    const d = startDialer({ settings: { mandatoryTagging: true } });
    const callId = d.connectOutbound();
    d.line.emit(ev.status(callId, 'hanging', 'regular', 'remoteHangup'));
    d.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    expect(d.status()).toEqual({ status: 'mandatoryTagging', flow: 'regular' });
    expect(d.context().availability).toBe('after_call_work');

    d.send({ type: 'AGENT.DIAL', number: '+14155550111' });
    expect(d.line.commandsOf('dial')).toHaveLength(1);
    expect(d.context().inputError).toBe('Tag the previous call before making a new one.');

    d.send({ type: 'AGENT.SAVE_TAGS', tags: [] });
    expect(d.status().status).toBe('mandatoryTagging');
    d.send({ type: 'AGENT.SAVE_TAGS', tags: ['Sales', 'Follow-up'] });
    expect(d.status().status).toBe('ended');
    expect(d.context().availability).toBe('available');
    expect(d.emitted.at(-1)).toEqual({ type: 'WRAP_UP_ENDED', detail: { callId, tags: ['Sales', 'Follow-up'] } });
  });

  it('a call tagged during the conversation ends without wrap-up', () => {
    const d = startDialer({ settings: { mandatoryTagging: true } });
    const callId = d.connectOutbound();
    d.send({ type: 'AGENT.SAVE_TAGS', tags: ['Support'] });
    d.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    expect(d.status().status).toBe('ended');
  });

  it('a call that never connected needs no tags', () => {
    const d = startDialer({ settings: { mandatoryTagging: true } });
    d.send({ type: 'AGENT.DIAL', number: '+15005550001' });
    d.line.emit(ev.status(d.lastCallId(), 'ended', 'regular', 'busy'));
    expect(d.status().status).toBe('ended');
  });

  it('follows a line that enters mandatoryTagging itself and the availability it reports', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.line.emit(ev.status(callId, 'hanging'));
    d.line.emit(ev.status(callId, 'mandatoryTagging'));
    expect(d.status().status).toBe('mandatoryTagging');
    d.line.emit(ev.availability('after_call_work'));
    expect(d.context().availability).toBe('after_call_work');
    d.line.emit(ev.status(callId, 'ended')); // not tagged yet: still wrapping up
    expect(d.status().status).toBe('mandatoryTagging');
    d.send({ type: 'AGENT.SAVE_TAGS', tags: ['Billing'] });
    expect(d.status().status).toBe('ended');
  });

  it('the setting can be switched on while idle', () => {
    const d = startDialer();
    d.send({ type: 'SETTINGS.UPDATE', settings: { mandatoryTagging: true } });
    const callId = d.connectOutbound();
    d.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    expect(d.status().status).toBe('mandatoryTagging');
  });
});

describe('ended', () => {
  it('shows the details of the final DIALER.SYNC', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    d.line.emit(
      ev.sync(callId, {
        duration: 42,
        participants: [{ number: '+14155550199' }],
        recording: { state: 'recording', url: 'https://recordings.example/1.mp3' },
      }),
    );
    expect(d.context()).toMatchObject({ duration: 42, participants: [{ number: '+14155550199' }], recordingUrl: 'https://recordings.example/1.mp3' });
  });

  it('can call again, receive a call, or reset to idle', () => {
    const d = startDialer();
    const first = d.connectOutbound();
    d.line.emit(ev.status(first, 'ended', 'regular', 'remoteHangup'));
    const second = d.connectOutbound('+14155550111');
    expect(second).not.toBe(first);
    expect(d.status().status).toBe('connected');
    expect(d.context().call?.to).toBe('+14155550111');
    d.line.emit(ev.status(second, 'ended', 'regular', 'remoteHangup'));
    d.connectInbound('in-3');
    expect(d.context().call?.callId).toBe('in-3');
    d.line.emit(ev.status('in-3', 'ended', 'regular', 'remoteHangup'));
    d.send({ type: 'AGENT.RESET' });
    expect(d.status().status).toBe('idle');
    expect(d.context().call).toBeNull();
  });

  it('events of the previous call after a new one started are stale and change nothing', () => {
    const d = startDialer();
    const first = d.connectOutbound();
    d.line.emit(ev.status(first, 'ended', 'regular', 'remoteHangup'));
    const second = d.connectOutbound('+14155550111');
    d.line.emit(ev.status(first, 'ended', 'regular', 'remoteHangup'));
    d.line.emit(ev.sync(first, { onHold: true }));
    expect(d.status().status).toBe('connected');
    expect(d.context().call?.callId).toBe(second);
    expect(d.context().onHold).toBe(false);
  });
});

describe('bad input and a misbehaving line', () => {
  it.each(['', '   ', 'abc', '+1 415 CALL NOW', 'sip:attacker@evil.com', '415;user=phone', '1'.repeat(60), '1'])(
    'refuses %j with a message and sends nothing to the line',
    (number) => {
      const d = startDialer();
      d.send({ type: 'AGENT.DIAL', number });
      expect(d.line.commands).toEqual([]);
      expect(d.status().status).toBe('idle');
      expect(d.context().inputError).toEqual(expect.any(String));
      expect(d.diagnostics()).toContainEqual(expect.objectContaining({ code: 'invalid_input' }));
    },
  );

  it('a valid dial clears the previous input error', () => {
    const d = startDialer();
    d.send({ type: 'AGENT.DIAL', number: 'abc' });
    d.send({ type: 'AGENT.DIAL', number: '4155550199' });
    expect(d.context().inputError).toBeNull();
  });

  // Proved: passing line events through unvalidated in src/telephony/bridge.ts makes every row fail (2026-12-02).
  it.each([
    ['null', null],
    ['a string', 'DIALER.CALL_STATUS'],
    ['an unknown type', { type: 'DIALER.EXPLODE', payload: {} }],
    ['an unknown status', { type: 'DIALER.CALL_STATUS', payload: { status: 'exploded', flow: 'regular' } }],
    ['a missing flow', { type: 'DIALER.CALL_STATUS', payload: { status: 'connected' } }],
    ['an extra field', { type: 'DIALER.CALL_STATUS', payload: { status: 'ended', flow: 'regular', evil: 1 } }],
    ['a SIP URI as a number', { type: 'DIALER.DIALING', payload: { from: 'sip:a@b', to: '+1415' } }],
  ])('a malformed line event (%s) is reported and changes nothing', (_name, raw) => {
    const d = startDialer();
    const callId = d.connectOutbound();
    const before = d.context();
    d.line.emit(raw);
    expect(d.context()).toBe(before);
    expect(d.status().status).toBe('connected');
    expect(d.context().call?.callId).toBe(callId);
    expect(d.diagnostics().at(-1)).toMatchObject({ code: 'malformed_event' });
  });

  it('an event the state does not accept is reported as ignored', () => {
    const d = startDialer();
    d.send({ type: 'AGENT.ANSWER' });
    d.send({ type: 'AGENT.SWAP' });
    expect(d.diagnostics().map((x) => [x.code, x.eventType])).toEqual([
      ['ignored_event', 'AGENT.ANSWER'],
      ['ignored_event', 'AGENT.SWAP'],
    ]);
  });

  it('stops listening to the line when the dialer stops', () => {
    const d = startDialer();
    expect(d.line.listenerCount).toBe(1);
    d.actor.stop();
    expect(d.line.listenerCount).toBe(0);
  });
});

describe('telephony event subscriptions', () => {
  it('a subscriber receives events until it unsubscribes', () => {
    const d = startDialer();
    const seen: string[] = [];
    const subscription = d.actor.on('CALL_CONNECTED', (e) => seen.push(e.detail.callId));
    const callId = d.connectOutbound();
    subscription.unsubscribe();
    d.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    d.connectOutbound('+14155550111');
    expect(seen).toEqual([callId]);
  });
});
