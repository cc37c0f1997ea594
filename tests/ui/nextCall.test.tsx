import { act } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ev } from '../support/fakeLine';
import { renderDialer, screen, statusText, within } from '../support/render';

/** A connected call, then Front's Call button for another number (as the host adapter delivers it). */
async function frontAsksDuringACall() {
  const ui = renderDialer();
  await ui.user.type(screen.getByLabelText('Phone number'), '+14155550199{Enter}');
  const callId = ui.line.commands[0]!.callId;
  ui.emit(ev.status(callId, 'connected'));
  act(() => ui.actor.send({ type: 'FRONT.DIAL_REQUEST', number: '+14155550177' }));
  // The "Next call" notice loads on first use (not on the first screen).
  await screen.findByRole('region', { name: 'Next call' });
  return { ...ui, callId };
}

const nextCall = () => within(screen.getByRole('region', { name: 'Next call' }));

describe('a number Front asks to call during a call', () => {
  it('is kept as "Call next" and offered once the call ends', async () => {
    const { user, line, emit, callId } = await frontAsksDuringACall();
    expect(nextCall().getByText('(415) 555-0177')).toBeTruthy();
    expect(nextCall().queryByRole('button', { name: 'Call next' })).toBeNull();
    expect(statusText()).toBe('Connected');

    emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    await user.click(nextCall().getByRole('button', { name: 'Call next' }));
    expect(line.commandsOf('dial').map((c) => c.to)).toEqual(['+14155550199', '+14155550177']);
    expect(statusText()).toBe('Calling +14155550177');
    expect(screen.queryByRole('region', { name: 'Next call' })).toBeNull();
  });

  it('Dismiss forgets it', async () => {
    const { user, line, emit, callId } = await frontAsksDuringACall();
    await user.click(nextCall().getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('region', { name: 'Next call' })).toBeNull();
    emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    expect(screen.queryByRole('button', { name: 'Call next' })).toBeNull();
    expect(line.commandsOf('dial')).toHaveLength(1);
  });
});

describe('a number Front could not hand over', () => {
  it('is explained in an alert whatever the screen', async () => {
    const { emit, actor } = renderDialer();
    emit(ev.incoming('in-1', '+14155550123'));
    emit(ev.status('in-1', 'ringing'));
    act(() => actor.send({ type: 'FRONT.DIAL_REFUSED', message: 'That contact has no phone number.' }));
    expect(screen.getByRole('alert').textContent).toBe('That contact has no phone number.');
    expect(screen.getByRole('button', { name: 'Answer' })).toBeTruthy();
  });
});
