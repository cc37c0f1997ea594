import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeLine, ev } from '../support/fakeLine';
import { advance, renderDialer, screen, statusText, keyName } from '../support/render';

const TO = '+14155550199';

/** Dials TO from the number field and plays the line up to "connected". */
async function connectedCall() {
  const ui = renderDialer({ fakeTimers: true });
  await ui.user.type(screen.getByLabelText('Phone number'), '+1 (415) 555-0199{Enter}');
  const callId = ui.line.commands[0]!.callId;
  ui.emit(ev.dialing(callId, TO));
  ui.emit(ev.status(callId, 'connecting'));
  ui.emit(ev.status(callId, 'ringing'));
  ui.emit(ev.status(callId, 'connected'));
  ui.emit(ev.sync(callId, { activeParticipant: { number: TO }, inactiveParticipant: null, onHold: false, muted: false }));
  return { ...ui, callId };
}

describe('placing a call', () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('typing a number and pressing Enter calls it and says so', async () => {
    const { user, line } = renderDialer({ fakeTimers: true });
    await user.type(screen.getByLabelText('Phone number'), '+1 (415) 555-0199{Enter}');

    expect(line.commands).toEqual([{ type: 'dial', callId: expect.any(String), to: TO }]);
    expect(statusText()).toBe(`Calling ${TO}`);
    // Shown in the national format of the default region (US).
    expect(screen.getByRole('heading', { name: '(415) 555-0199' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Hang up' })).toBeTruthy();
    expect(screen.queryByLabelText('Phone number')).toBeNull();
  });

  it('clicking Call dials what the keypad typed', async () => {
    const { user, line } = renderDialer({ fakeTimers: true });
    await user.click(screen.getByRole('button', { name: 'Keypad' }));
    for (const digit of ['4', '1', '5', '5', '5', '5', '0', '1', '9', '9']) {
      await user.click(screen.getByRole('button', { name: keyName(digit) }));
    }
    expect((screen.getByLabelText('Phone number') as HTMLInputElement).value).toBe('4155550199');
    await user.click(screen.getByRole('button', { name: 'Call' }));
    expect(line.commands).toEqual([{ type: 'dial', callId: expect.any(String), to: '+14155550199' }]);
  });

  it('shows Ringing, then Connected with a timer that ticks each second', async () => {
    const { user, line, emit } = renderDialer({ fakeTimers: true });
    await user.type(screen.getByLabelText('Phone number'), `${TO}{Enter}`);
    const callId = line.commands[0]!.callId;
    emit(ev.dialing(callId, TO));
    emit(ev.status(callId, 'connecting'));
    emit(ev.status(callId, 'ringing'));
    expect(statusText()).toBe('Ringing');
    expect(screen.queryByRole('timer')).toBeNull();

    emit(ev.status(callId, 'connected'));
    expect(statusText()).toBe('Connected');
    expect(screen.getByRole('timer', { name: 'Call duration' }).textContent).toBe('0:00');
    await advance(3000);
    expect(screen.getByRole('timer', { name: 'Call duration' }).textContent).toBe('0:03');
    await advance(62_000);
    expect(screen.getByRole('timer', { name: 'Call duration' }).textContent).toBe('1:05');
  });

  it('Hold asks the line, and the call shows On hold only once the line confirms; Resume brings it back', async () => {
    const { user, line, emit, callId } = await connectedCall();
    await user.click(screen.getByRole('button', { name: 'Hold' }));
    expect(line.commandsOf('hold')).toEqual([{ type: 'hold', callId }]);
    expect(statusText()).toBe('Connected');

    emit(ev.sync(callId, { onHold: true }));
    expect(statusText()).toBe('On hold');
    // The same button, now pressed: pressing it again resumes.
    expect(screen.getByRole('button', { name: 'Hold', pressed: true })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Hold' }));
    expect(line.commandsOf('resume')).toEqual([{ type: 'resume', callId }]);
    emit(ev.sync(callId, { onHold: false }));
    expect(statusText()).toBe('Connected');
    expect(screen.getByRole('button', { name: 'Hold', pressed: false })).toBeTruthy();
  });

  it('Mute and Unmute follow what the line applied', async () => {
    const { user, line, emit, callId } = await connectedCall();
    await user.click(screen.getByRole('button', { name: 'Mute' }));
    expect(line.commandsOf('mute')).toHaveLength(1);
    emit(ev.sync(callId, { muted: true }));
    expect(screen.getByRole('button', { name: 'Mute', pressed: true })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Mute' }));
    expect(line.commandsOf('unmute')).toHaveLength(1);
    emit(ev.sync(callId, { muted: false }));
    expect(screen.getByRole('button', { name: 'Mute', pressed: false })).toBeTruthy();
  });

  it('the keypad sends each digit to the call as a tone', async () => {
    const { user, line, callId } = await connectedCall();
    await user.click(screen.getByRole('button', { name: 'Keypad' }));
    await user.click(screen.getByRole('button', { name: '1' }));
    await user.click(screen.getByRole('button', { name: '#' }));
    await user.click(screen.getByRole('button', { name: '*' }));
    expect(line.commandsOf('sendDigits')).toEqual([
      { type: 'sendDigits', callId, digits: '1' },
      { type: 'sendDigits', callId, digits: '#' },
      { type: 'sendDigits', callId, digits: '*' },
    ]);
    expect(screen.getByText('Tones sent:', { exact: false }).closest('p')?.textContent).toBe('Tones sent: 1#*');
  });

  it('hanging up shows why the call ended, once, and how long it lasted, with the number field ready for the next call', async () => {
    const { user, line, emit, callId } = await connectedCall();
    await advance(7000);
    await user.click(screen.getByRole('button', { name: 'Hang up' }));
    expect(line.commandsOf('hangUp')).toEqual([{ type: 'hangUp', callId }]);
    emit(ev.status(callId, 'hanging', 'regular', 'localHangup'));
    expect(statusText()).toBe('Hanging up');
    emit(ev.status(callId, 'ended', 'regular', 'localHangup'));
    emit(ev.sync(callId, { duration: 7, participants: [{ number: TO }] }));

    expect(statusText()).toBe('Call ended: You hung up');
    expect(screen.getByRole('heading', { name: 'You hung up' })).toBeTruthy();
    expect(screen.getByText('0:07')).toBeTruthy();
    // Said once: the status region announces it (visually hidden), the heading shows it.
    expect(screen.getByRole('status').className).toContain('sp-visually-hidden');
    expect(screen.queryByRole('button', { name: 'New call' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByLabelText('Phone number'));
    await user.type(screen.getByLabelText('Phone number'), `+14155550100{Enter}`);
    expect(line.commandsOf('dial')[1]!.to).toBe('+14155550100');
  });

  it('Call again dials the same person from the summary', async () => {
    const { user, line, emit, callId } = await connectedCall();
    emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    expect(screen.getByRole('heading', { name: 'The other party hung up' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Call again' }));
    const dials = line.commandsOf('dial');
    expect(dials).toHaveLength(2);
    expect(dials[1]!.to).toBe(TO);
    expect(dials[1]!.callId).not.toBe(callId);
    expect(statusText()).toBe(`Calling ${TO}`);
  });

  it('hanging up before the callee answers cancels the call', async () => {
    const { user, line, emit } = renderDialer({ fakeTimers: true });
    await user.type(screen.getByLabelText('Phone number'), `${TO}{Enter}`);
    const callId = line.commands[0]!.callId;
    emit(ev.dialing(callId, TO));
    emit(ev.status(callId, 'ringing'));
    await user.click(screen.getByRole('button', { name: 'Hang up' }));
    expect(line.commandsOf('hangUp')).toHaveLength(1);
    emit(ev.status(callId, 'ended', 'regular', 'cancelled'));
    expect(screen.getByRole('heading', { name: 'Call cancelled' })).toBeTruthy();
    // Never connected: no duration to show.
    expect(screen.queryByText('Duration')).toBeNull();
  });

  it('a busy callee and an unanswered call say so', async () => {
    const { user, line, emit } = renderDialer({ fakeTimers: true });
    await user.type(screen.getByLabelText('Phone number'), `${TO}{Enter}`);
    const first = line.commands[0]!.callId;
    emit(ev.status(first, 'ended', 'regular', 'busy'));
    expect(screen.getByRole('heading', { name: 'The line was busy' })).toBeTruthy();

    await user.type(screen.getByLabelText('Phone number'), `${TO}{Enter}`);
    const second = line.commands[1]!.callId;
    emit(ev.status(second, 'ringing'));
    emit(ev.status(second, 'ended', 'regular', 'noAnswer'));
    expect(screen.getByRole('heading', { name: 'No answer' })).toBeTruthy();
  });

  it('a dial the line refuses ends the call with a notice', async () => {
    const line = new FakeLine();
    line.failNext('dial');
    const { user } = renderDialer({ line, fakeTimers: true });
    await user.type(screen.getByLabelText('Phone number'), `${TO}{Enter}`);
    expect(await screen.findByRole('heading', { name: 'The call could not be placed' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('The call could not be placed');
  });
});
