import { describe, expect, it } from 'vitest';
import { ev } from '../support/fakeLine';
import { renderDialer, screen, statusText, within } from '../support/render';

const CUSTOMER = { number: '+14155550123', name: 'Maria Garcia' };
const TEAMMATE = '+14155550142';
/** How the dialer shows it: national format in the default region. */
const TEAMMATE_SHOWN = '(415) 555-0142';

/** An answered incoming call from Maria, with the Transfer panel open. */
async function talkingToMaria() {
  const ui = renderDialer();
  ui.emit(ev.incoming('c1', CUSTOMER.number, CUSTOMER.name));
  ui.emit(ev.status('c1', 'ringing'));
  ui.emit(ev.status('c1', 'accepting'));
  ui.emit(ev.status('c1', 'connected'));
  ui.emit(ev.sync('c1', { activeParticipant: CUSTOMER, inactiveParticipant: null }));
  await ui.user.click(screen.getByRole('button', { name: 'Transfer' }));
  return ui;
}

/** Plays the line up to a connected consultation with the teammate. */
function consultationAnswered(emit: (event: unknown) => void) {
  emit(ev.status('c1', 'startingWarmTransfer'));
  emit(ev.sync('c1', { onHold: true }));
  emit(ev.status('c1', 'ringing', 'warmTransfer'));
  emit(ev.sync('c1', { activeParticipant: { number: TEAMMATE }, inactiveParticipant: CUSTOMER }));
  emit(ev.status('c1', 'connected', 'warmTransfer'));
}

/** One of the two parties on the transfer screen, by its caption. */
function party(caption: 'Calling' | 'Talking to' | 'On hold') {
  return within(screen.getByRole('group', { name: caption }));
}

describe('a warm transfer', () => {
  it('Transfer opens a "Transfer to" field; Start transfer asks the line to call the target', async () => {
    const { user, line } = await talkingToMaria();
    const field = screen.getByLabelText('Transfer to');
    expect(document.activeElement).toBe(field);
    await user.type(field, '+1 415 555 0142');
    await user.click(screen.getByRole('button', { name: 'Start transfer' }));
    expect(line.commandsOf('startWarmTransfer')).toEqual([
      { type: 'startWarmTransfer', callId: 'c1', target: { number: TEAMMATE } },
    ]);
  });

  it('shows who the agent is talking to and who is on hold, swaps them, and completes the transfer', async () => {
    const { user, line, emit } = await talkingToMaria();
    await user.type(screen.getByLabelText('Transfer to'), `${TEAMMATE}{Enter}`);
    emit(ev.status('c1', 'startingWarmTransfer'));
    expect(statusText()).toBe(`Starting transfer to ${TEAMMATE}`);
    emit(ev.sync('c1', { onHold: true }));
    emit(ev.status('c1', 'ringing', 'warmTransfer'));
    emit(ev.sync('c1', { activeParticipant: { number: TEAMMATE }, inactiveParticipant: CUSTOMER }));
    expect(statusText()).toBe(`Ringing ${TEAMMATE}`);
    expect(party('Calling').getByRole('heading', { name: TEAMMATE_SHOWN })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Complete transfer' })).toBeNull();

    emit(ev.status('c1', 'connected', 'warmTransfer'));
    expect(statusText()).toBe(`Talking to ${TEAMMATE}, Maria Garcia on hold`);
    expect(party('Talking to').getByRole('heading', { name: TEAMMATE_SHOWN })).toBeTruthy();
    expect(party('On hold').getByRole('heading', { name: 'Maria Garcia' })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Swap' }));
    expect(line.commandsOf('swap')).toEqual([{ type: 'swap', callId: 'c1' }]);
    emit(ev.status('c1', 'swapping', 'warmTransfer'));
    emit(ev.sync('c1', { activeParticipant: CUSTOMER, inactiveParticipant: { number: TEAMMATE } }));
    emit(ev.status('c1', 'connected', 'warmTransfer'));
    expect(party('Talking to').getByRole('heading', { name: 'Maria Garcia' })).toBeTruthy();
    expect(party('On hold').getByRole('heading', { name: TEAMMATE_SHOWN })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Complete transfer' }));
    expect(line.commandsOf('merge')).toEqual([{ type: 'merge', callId: 'c1' }]);
    emit(ev.status('c1', 'merging', 'warmTransfer'));
    expect(statusText()).toBe('Completing transfer');
    emit(ev.status('c1', 'ended', 'regular', 'transferred'));
    expect(screen.getByRole('heading', { name: 'Call transferred' })).toBeTruthy();
  });

  it('Cancel transfer returns to the original party', async () => {
    const { user, line, emit } = await talkingToMaria();
    await user.type(screen.getByLabelText('Transfer to'), `${TEAMMATE}{Enter}`);
    consultationAnswered(emit);
    await user.click(screen.getByRole('button', { name: 'Cancel transfer' }));
    expect(line.commandsOf('cancelTransfer')).toEqual([{ type: 'cancelTransfer', callId: 'c1' }]);
    emit(ev.status('c1', 'connected', 'regular', 'transferCancelled'));
    emit(ev.sync('c1', { activeParticipant: CUSTOMER, inactiveParticipant: null, onHold: false }));

    expect(screen.getByRole('heading', { name: 'Maria Garcia' })).toBeTruthy();
    expect(screen.queryByRole('group', { name: 'On hold' })).toBeNull();
    expect(screen.getByText('Transfer cancelled')).toBeTruthy();
    expect(statusText()).toBe('Transfer cancelled. Connected');
    expect(screen.getByRole('button', { name: 'Transfer' })).toBeTruthy();
  });

  it('a transfer target who does not answer brings the call back with a notice', async () => {
    const { user, emit } = await talkingToMaria();
    await user.type(screen.getByLabelText('Transfer to'), `${TEAMMATE}{Enter}`);
    emit(ev.status('c1', 'startingWarmTransfer'));
    emit(ev.status('c1', 'ringing', 'warmTransfer'));
    emit(ev.status('c1', 'connected', 'regular', 'transferNoAnswer'));
    expect(screen.getByText('The transfer was not answered')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Maria Garcia' })).toBeTruthy();
  });

  it('refuses a transfer target that is not a phone number, next to the field', async () => {
    const { user, line } = await talkingToMaria();
    await user.type(screen.getByLabelText('Transfer to'), 'sip:attacker@evil.com{Enter}');
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('Only phone numbers can be called, not “sip:” links.');
    expect(screen.getByLabelText('Transfer to').getAttribute('aria-describedby')).toBe(alert.id);
    expect(line.commandsOf('startWarmTransfer')).toEqual([]);
  });

  it('offers no Transfer while the call is on hold', async () => {
    const { emit } = await talkingToMaria();
    emit(ev.sync('c1', { onHold: true }));
    expect(screen.queryByRole('button', { name: 'Transfer' })).toBeNull();
    expect(screen.queryByLabelText('Transfer to')).toBeNull();
  });
});
