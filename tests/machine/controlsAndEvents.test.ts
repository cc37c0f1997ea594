import { describe, expect, it, vi } from 'vitest';
import { dialerMachine, selectBusy, selectControls, selectScreen, selectStatus, SETTLE_AFTER_MS, type DialerEmitted } from '../../src/machine';
import { ev } from '../support/fakeLine';
import { startDialer, type DialerHarness } from '../support/machineHarness';

const offered = (d: DialerHarness) =>
  Object.entries(selectControls(d.actor.getSnapshot()))
    .filter(([, on]) => on)
    .map(([name]) => name)
    .sort();

const lifecycle = (d: DialerHarness, type: DialerEmitted['type']) => d.emitted.filter((e) => e.type === type).map((e) => e.detail);

describe('the controls offered are what the machine accepts', () => {
  it('a connected call offers hold, mute, keypad, transfer (warm and blind) and hang-up; on hold, resume instead of hold and transfer', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    expect(offered(d)).toEqual(['blindTransfer', 'hangUp', 'hold', 'keypad', 'mute', 'transfer']);
    d.line.emit(ev.sync(callId, { onHold: true }));
    expect(offered(d)).toEqual(['hangUp', 'keypad', 'mute', 'resume']);
  });

  // Proved: with `!context.onHold` taken out of the canTransfer guard this fails (the line gets
  // startWarmTransfer while the UI shows no Transfer).
  it('a transfer asked while on hold is not sent to the line (the UI does not offer it either)', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.line.emit(ev.sync(callId, { onHold: true }));
    d.send({ type: 'AGENT.START_TRANSFER', target: '+14155550777' });
    expect(d.line.commandsOf('startWarmTransfer')).toEqual([]);
    expect(d.diagnostics().at(-1)).toMatchObject({ code: 'ignored_event', eventType: 'AGENT.START_TRANSFER' });
  });

  // Proved: without the empty AGENT.CANCEL_TRANSFER transition in `merging` this fails (the
  // machine sent cancelTransfer, which the SIP line refuses while merging).
  it('while the transfer completes, cancelling is neither offered nor sent', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.consult(callId);
    expect(offered(d)).toEqual(['cancelTransfer', 'completeTransfer', 'conference', 'hangUp', 'keypad', 'mute', 'swap']);
    d.send({ type: 'AGENT.MERGE' });
    d.line.emit(ev.status(callId, 'merging', 'warmTransfer'));
    expect(offered(d)).toEqual(['hangUp', 'mute']);
    d.send({ type: 'AGENT.CANCEL_TRANSFER' });
    expect(d.line.commandsOf('cancelTransfer')).toEqual([]);
  });

  it('tones go only where a leg is connected: not while the transfer target rings', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.send({ type: 'AGENT.START_TRANSFER', target: '+14155550777' });
    d.line.emit(ev.status(callId, 'startingWarmTransfer'));
    d.line.emit(ev.status(callId, 'ringing', 'warmTransfer'));
    expect(selectControls(d.actor.getSnapshot()).keypad).toBe(false);
    d.send({ type: 'AGENT.SEND_DIGITS', digits: '1' });
    expect(d.line.commandsOf('sendDigits')).toEqual([]);
    d.line.emit(ev.status(callId, 'connected', 'warmTransfer'));
    expect(selectControls(d.actor.getSnapshot()).keypad).toBe(true);
  });

  // Proved: with the refusal transition unguarded (as before) `can` is true and Keypad shows.
  it('a line without tones offers no keypad, whatever digits are asked about', () => {
    const d = startDialer({ capabilities: { hold: true, mute: true, dtmf: false, warmTransfer: true, recording: false, conference: false, audioStats: false } });
    d.connectOutbound();
    const snapshot = d.actor.getSnapshot();
    expect(snapshot.can({ type: 'AGENT.SEND_DIGITS', digits: '1' })).toBe(false);
    expect(snapshot.can({ type: 'AGENT.SEND_DIGITS', digits: 'x' })).toBe(false);
    expect(selectControls(snapshot).keypad).toBe(false);
  });

  it('an idle dialer and a ringing incoming call offer no call controls', () => {
    const d = startDialer();
    expect(offered(d)).toEqual([]);
    d.line.emit(ev.incoming('in-1', '+14155550123'));
    d.line.emit(ev.status('in-1', 'ringing'));
    expect(offered(d)).toEqual([]);
    d.send({ type: 'AGENT.HANG_UP' });
    expect(d.line.commands).toEqual([]);
  });
});

describe('state tags', () => {
  it('busy, in call, ringing, transfer and wrap-up follow the call', () => {
    const d = startDialer({ settings: { mandatoryTagging: true } });
    const tags = () => [...d.actor.getSnapshot().tags].sort();
    expect(tags()).toEqual([]);
    d.line.emit(ev.incoming('in-1', '+14155550123'));
    d.line.emit(ev.status('in-1', 'ringing'));
    expect(tags()).toEqual(['busy', 'inCall', 'ringing']);
    d.send({ type: 'AGENT.ANSWER' });
    d.line.emit(ev.status('in-1', 'connected'));
    expect(tags()).toEqual(['busy', 'inCall']);
    d.consult('in-1', '+14155550777', '+14155550123');
    expect(tags()).toEqual(['busy', 'inCall', 'transfer']);
    expect(selectScreen(d.actor.getSnapshot())).toBe('transfer');
    d.line.emit(ev.status('in-1', 'ended', 'regular', 'localHangup'));
    expect(tags()).toEqual(['busy', 'wrapUp']);
    expect(selectBusy(d.actor.getSnapshot())).toBe(true);
    d.send({ type: 'AGENT.SAVE_TAGS', tags: ['Sales'] });
    expect(tags()).toEqual([]);
    expect(selectBusy(d.actor.getSnapshot())).toBe(false);
  });
});

describe('what the machine says happened to a call', () => {
  it.each([
    ['answered', null],
    ['missed', 'missed'],
    ['declined', 'declined'],
  ])('an incoming call that stops ringing (%s) says so once, with the caller', (how, reason) => {
    const d = startDialer();
    d.line.emit(ev.incoming('in-1', '+14155550123', 'Maria Garcia'));
    d.line.emit(ev.status('in-1', 'ringing'));
    expect(lifecycle(d, 'RINGING_STOPPED')).toEqual([]);
    if (how === 'answered') {
      d.send({ type: 'AGENT.ANSWER' });
      d.line.emit(ev.status('in-1', 'accepting'));
      d.line.emit(ev.status('in-1', 'connected'));
    } else d.line.emit(ev.status('in-1', 'ended', 'regular', reason!));
    expect(lifecycle(d, 'RINGING_STOPPED')).toEqual([{ callId: 'in-1', caller: { number: '+14155550123', name: 'Maria Garcia' }, reason }]);
  });

  it('a call settles once, when the agent moves on, with what the summary needs', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.send({ type: 'AGENT.SAVE_TAGS', tags: ['Support'] });
    d.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    d.line.emit(ev.sync(callId, { duration: 12, recording: { state: 'recording', url: 'https://recordings.example/1.mp3' } }));
    expect(lifecycle(d, 'CALL_SETTLED')).toEqual([]);
    d.send({ type: 'AGENT.RESET' });
    d.connectOutbound('+14155550111');
    expect(lifecycle(d, 'CALL_SETTLED')).toEqual([
      {
        callId,
        callType: 'outbound',
        participant: '+14155550199',
        reason: 'remoteHangup',
        connectedAt: expect.any(Number),
        endedAt: expect.any(Number),
        duration: 12,
        tags: ['Support'],
        recordingUrl: 'https://recordings.example/1.mp3',
      },
    ]);
    expect(lifecycle(d, 'RECORDING_AVAILABLE')).toEqual([{ callId, url: 'https://recordings.example/1.mp3' }]);
    expect(lifecycle(d, 'TAGS_SAVED')).toEqual([{ callId, tags: ['Support'] }]);
  });

  it('a call settles when wrap-up ends, or after a while on the ended screen, never twice', () => {
    vi.useFakeTimers();
    try {
      const d = startDialer({ settings: { mandatoryTagging: true } });
      const first = d.connectOutbound();
      d.line.emit(ev.status(first, 'ended', 'regular', 'remoteHangup'));
      expect(lifecycle(d, 'WRAP_UP_STARTED')).toEqual([{ callId: first }]);
      vi.advanceTimersByTime(SETTLE_AFTER_MS * 2);
      expect(lifecycle(d, 'CALL_SETTLED')).toEqual([]); // held by wrap-up
      d.send({ type: 'AGENT.SAVE_TAGS', tags: ['Sales'] });
      expect(lifecycle(d, 'CALL_SETTLED').map((c) => c.callId)).toEqual([first]);
      d.send({ type: 'AGENT.RESET' });

      d.send({ type: 'SETTINGS.UPDATE', settings: { mandatoryTagging: false } });
      const second = d.connectOutbound('+14155550111');
      d.line.emit(ev.status(second, 'ended', 'regular', 'remoteHangup'));
      vi.advanceTimersByTime(SETTLE_AFTER_MS - 1);
      expect(lifecycle(d, 'CALL_SETTLED').map((c) => c.callId)).toEqual([first]);
      vi.advanceTimersByTime(1);
      d.send({ type: 'AGENT.RESET' });
      expect(lifecycle(d, 'CALL_SETTLED').map((c) => c.callId)).toEqual([first, second]);
      expect(selectStatus(d.actor.getSnapshot()).status).toBe('idle');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a snapshot rebuilt from plain data', () => {
  it('{ value, context } through JSON gives back the same status, screen and controls', () => {
    const d = startDialer();
    const callId = d.connectOutbound();
    d.consult(callId);
    const snapshot = d.actor.getSnapshot();
    const copy = JSON.parse(JSON.stringify({ value: snapshot.value, context: snapshot.context }));
    const rebuilt = dialerMachine.resolveState(copy);
    expect(selectStatus(rebuilt)).toEqual(selectStatus(snapshot));
    expect(selectScreen(rebuilt)).toBe(selectScreen(snapshot));
    expect(selectControls(rebuilt)).toEqual(selectControls(snapshot));
    expect(rebuilt.context).toEqual(snapshot.context);
  });
});
