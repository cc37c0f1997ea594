import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXTENSION_DELAY_MS } from '../../src/machine/dialerMachine';
import { ev } from '../support/fakeLine';
import { startDialer } from '../support/machineHarness';

describe('numbers from the Call button in Front', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('dials at once when no call is in progress', () => {
    const d = startDialer();
    d.send({ type: 'FRONT.DIAL_REQUEST', number: '+14155550100' });
    expect(d.line.commands).toEqual([{ type: 'dial', callId: expect.any(String), to: '+14155550100' }]);
    expect(d.status().status).toBe('connecting');
  });

  it('never drops a call in progress: the number is kept to call next', () => {
    const d = startDialer();
    const callId = d.connectOutbound('+14155550199');
    d.send({ type: 'FRONT.DIAL_REQUEST', number: '+442079460958' });
    expect(d.line.commandsOf('dial')).toHaveLength(1);
    expect(d.context().call?.callId).toBe(callId);
    expect(d.context().nextCall).toEqual({ number: '+442079460958' });

    d.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    d.send({ type: 'AGENT.CALL_NEXT' });
    expect(d.line.commandsOf('dial').at(-1)?.to).toBe('+442079460958');
    expect(d.context().nextCall).toBeNull();
  });

  it('says the previous call must be tagged first, and keeps the number', () => {
    const d = startDialer({ settings: { mandatoryTagging: true } });
    const callId = d.connectOutbound();
    d.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    d.send({ type: 'FRONT.DIAL_REQUEST', number: '+14155550100' });
    expect(d.context().inputError).toBe('Tag the previous call before calling +14155550100.');
    expect(d.context().nextCall).toEqual({ number: '+14155550100' });
    d.send({ type: 'AGENT.CALL_NEXT' });
    expect(d.line.commandsOf('dial')).toHaveLength(1);
    d.send({ type: 'AGENT.SAVE_TAGS', tags: ['Sales'] });
    d.send({ type: 'AGENT.CALL_NEXT' });
    expect(d.line.commandsOf('dial').at(-1)?.to).toBe('+14155550100');
  });

  it('the kept number can be dismissed', () => {
    const d = startDialer();
    d.connectOutbound();
    d.send({ type: 'FRONT.DIAL_REQUEST', number: '+14155550100' });
    d.send({ type: 'AGENT.DISMISS_NEXT' });
    expect(d.context().nextCall).toBeNull();
  });

  it('a refused number shows its message and dials nothing', () => {
    const d = startDialer();
    d.send({ type: 'FRONT.DIAL_REFUSED', message: '“call me maybe” is not a phone number.' });
    expect(d.context().inputError).toBe('“call me maybe” is not a phone number.');
    expect(d.line.commands).toEqual([]);
    expect(d.status().status).toBe('idle');
  });

  it('a request that is not a plain number is refused even from Front', () => {
    const d = startDialer();
    d.send({ type: 'FRONT.DIAL_REQUEST', number: 'sip:evil@example.com' });
    d.send({ type: 'FRONT.DIAL_REQUEST', number: '+14155550100', extension: '12;x' });
    expect(d.line.commands).toEqual([]);
    expect(d.context().inputError).toEqual(expect.any(String));
  });

  it('sends the extension as tones a moment after the call connects, once', () => {
    vi.useFakeTimers();
    const d = startDialer();
    d.send({ type: 'FRONT.DIAL_REQUEST', number: '+14155550100', extension: '42' });
    const callId = d.lastCallId();
    d.line.emit(ev.dialing(callId, '+14155550100'));
    d.line.emit(ev.status(callId, 'connected'));
    vi.advanceTimersByTime(EXTENSION_DELAY_MS - 1);
    expect(d.line.commandsOf('sendDigits')).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(d.line.commandsOf('sendDigits')).toEqual([{ type: 'sendDigits', callId, digits: '42' }]);
    d.consult(callId);
    d.send({ type: 'AGENT.CANCEL_TRANSFER' });
    d.line.emit(ev.status(callId, 'connected', 'regular', 'transferCancelled'));
    vi.advanceTimersByTime(EXTENSION_DELAY_MS * 2);
    expect(d.line.commandsOf('sendDigits')).toHaveLength(1);
  });

  it('an extension is dropped when the call ends before it connects', () => {
    vi.useFakeTimers();
    const d = startDialer();
    d.send({ type: 'FRONT.DIAL_REQUEST', number: '+14155550100', extension: '42' });
    d.line.emit(ev.status(d.lastCallId(), 'ended', 'regular', 'busy'));
    vi.advanceTimersByTime(EXTENSION_DELAY_MS * 2);
    expect(d.line.commandsOf('sendDigits')).toEqual([]);
    expect(d.context().pendingExtension).toBeNull();
  });
});
