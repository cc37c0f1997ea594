import { describe, expect, it } from 'vitest';
import { FakeLine, ev } from '../support/fakeLine';
import { renderDialer, screen, statusText, openSettings } from '../support/render';

const TO = '+14155550199';
const TEAMMATE = '+14155550142';

function everyButtonIsNamed() {
  const buttons = screen.getAllByRole('button');
  const named = screen.getAllByRole('button', { name: /\S/ });
  expect(buttons.length).toBeGreaterThan(0);
  expect(named).toEqual(buttons);
}

describe('accessibility', () => {
  it('the status region announces each change of a call, in words', async () => {
    const { user, line, emit } = renderDialer();
    const region = screen.getByRole('status');
    expect(region.getAttribute('aria-live')).toBe('polite');
    const heard: string[] = [statusText()];
    const note = () => {
      const text = statusText();
      if (heard[heard.length - 1] !== text) heard.push(text);
    };

    await user.type(screen.getByLabelText('Phone number'), `${TO}{Enter}`);
    note();
    const callId = line.commands[0]!.callId;
    emit(ev.dialing(callId, TO));
    emit(ev.status(callId, 'connecting'));
    note();
    emit(ev.status(callId, 'ringing'));
    note();
    emit(ev.status(callId, 'connected'));
    note();
    emit(ev.sync(callId, { onHold: true }));
    note();
    emit(ev.sync(callId, { onHold: false }));
    note();
    emit(ev.status(callId, 'hanging', 'regular', 'localHangup'));
    note();
    emit(ev.status(callId, 'ended', 'regular', 'localHangup'));
    note();

    expect(heard).toEqual([
      'Ready',
      `Calling ${TO}`,
      'Ringing',
      'Connected',
      'On hold',
      'Connected',
      'Hanging up',
      'Call ended: You hung up',
    ]);
    // The same region, never replaced, so screen readers keep listening to it.
    expect(screen.getByRole('status')).toBe(region);
  });

  it('every button on every screen has an accessible name', async () => {
    const { user, line, emit } = renderDialer();
    await user.click(screen.getByRole('button', { name: 'Keypad' }));
    await openSettings(user);
    everyButtonIsNamed();

    emit(ev.incoming('in-1', '+14155550123', 'Maria Garcia'));
    emit(ev.status('in-1', 'ringing'));
    everyButtonIsNamed();

    await user.click(screen.getByRole('button', { name: 'Answer' }));
    emit(ev.status('in-1', 'accepting'));
    emit(ev.status('in-1', 'connected'));
    emit(ev.sync('in-1', { recording: { state: 'recording' } }));
    await user.click(screen.getByRole('button', { name: 'Keypad' }));
    everyButtonIsNamed();
    await user.click(screen.getByRole('button', { name: 'Transfer' }));
    everyButtonIsNamed();

    await user.type(screen.getByLabelText('Transfer to'), `${TEAMMATE}{Enter}`);
    emit(ev.status('in-1', 'startingWarmTransfer'));
    emit(ev.status('in-1', 'ringing', 'warmTransfer'));
    emit(ev.status('in-1', 'connected', 'warmTransfer'));
    everyButtonIsNamed();

    emit(ev.status('in-1', 'ended', 'regular', 'transferred'));
    everyButtonIsNamed();
    expect(line.commandsOf('answer')).toHaveLength(1);
  });

  it('only shows the controls the line supports', () => {
    // A line that can only place and end calls.
    const line = new FakeLine({ hold: false, mute: false, dtmf: false, warmTransfer: false, recording: false, conference: false, audioStats: false });
    const { emit } = renderDialer({ line });
    emit(ev.incoming('in-1', '+14155550123'));
    emit(ev.status('in-1', 'ringing'));
    emit(ev.status('in-1', 'connected'));
    emit(ev.sync('in-1', { recording: { state: 'recording' } }));
    expect(screen.getByRole('button', { name: 'Hang up' })).toBeTruthy();
    for (const name of ['Hold', 'Mute', 'Keypad', 'Transfer', 'Pause recording']) {
      expect(screen.queryByRole('button', { name })).toBeNull();
    }
  });
});

