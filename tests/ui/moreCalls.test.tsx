import { describe, expect, it } from 'vitest';
import { ev } from '../support/fakeLine';
import { openSettings, renderDialer, screen, statusText, within } from '../support/render';

/* The controls of issue 12 by their names: call waiting, two calls, blind transfer, conference. */

const CUSTOMER = { number: '+14155550123', name: 'Maria Garcia' };
const SECOND = { number: '+81312345678', name: 'Kenji Tanaka' };
const TEAMMATE = '+14155550142';

/** Talking to Maria (inbound, answered). */
function talkingToMaria(settings: { mandatoryTagging?: boolean; callWaiting?: boolean } = {}) {
  const ui = renderDialer({ settings });
  ui.emit(ev.incoming('c1', CUSTOMER.number, CUSTOMER.name));
  ui.emit(ev.status('c1', 'ringing'));
  ui.emit(ev.status('c1', 'accepting'));
  ui.emit(ev.status('c1', 'connected'));
  ui.emit(ev.sync('c1', { activeParticipant: CUSTOMER, inactiveParticipant: null, onHold: false }));
  return ui;
}

function kenjiCalls(emit: (event: unknown) => void) {
  emit(ev.incoming('c2', SECOND.number, SECOND.name));
  emit(ev.status('c2', 'ringing'));
}

function waitingPanel() {
  return within(screen.getByRole('region', { name: 'Call waiting' }));
}

describe('call waiting', () => {
  it('announces the second caller in the status region and offers Answer and hold and Decline waiting call', () => {
    const { emit } = talkingToMaria();
    kenjiCalls(emit);
    expect(statusText()).toBe(`Connected. Call waiting from Kenji Tanaka (${SECOND.number})`);
    expect(waitingPanel().getByText(`Kenji Tanaka (${SECOND.number})`)).toBeTruthy();
    expect(waitingPanel().getByRole('button', { name: 'Answer and hold' })).toBeTruthy();
    expect(waitingPanel().getByRole('button', { name: 'Decline waiting call' })).toBeTruthy();
    // The call on screen is still Maria's.
    expect(screen.getByRole('heading', { name: 'Maria Garcia' })).toBeTruthy();
  });

  it('Answer and hold: Kenji comes on screen, Maria is on hold with Swap calls; Swap calls brings her back', async () => {
    const { emit, line, user } = talkingToMaria();
    kenjiCalls(emit);
    await user.click(screen.getByRole('button', { name: 'Answer and hold' }));
    expect(line.commands.at(-1)).toEqual({ type: 'answer', callId: 'c2' });
    emit(ev.sync('c1', { onHold: true }));
    emit(ev.status('c2', 'accepting'));
    emit(ev.status('c2', 'connected'));
    expect(screen.getByRole('heading', { name: 'Kenji Tanaka' })).toBeTruthy();
    const held = within(screen.getByRole('region', { name: 'Call on hold' }));
    expect(held.getByText(`Maria Garcia (${CUSTOMER.number})`)).toBeTruthy();
    await user.click(held.getByRole('button', { name: 'Swap calls' }));
    expect(line.commands.at(-1)).toEqual({ type: 'resume', callId: 'c1' });
    emit(ev.sync('c2', { onHold: true }));
    emit(ev.sync('c1', { onHold: false }));
    expect(screen.getByRole('heading', { name: 'Maria Garcia' })).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'Call on hold' })).getByText(`Kenji Tanaka (${SECOND.number})`)).toBeTruthy();
  });

  it('hanging up the call on screen leaves the other one on hold, with Resume', async () => {
    const { emit, line, user } = talkingToMaria();
    kenjiCalls(emit);
    await user.click(screen.getByRole('button', { name: 'Answer and hold' }));
    emit(ev.sync('c1', { onHold: true }));
    emit(ev.status('c2', 'accepting'));
    emit(ev.status('c2', 'connected'));
    await user.click(screen.getByRole('button', { name: 'Hang up' }));
    expect(line.commands.at(-1)).toEqual({ type: 'hangUp', callId: 'c2' });
    emit(ev.status('c2', 'ended', 'regular', 'localHangup'));
    expect(screen.getByRole('heading', { name: 'Maria Garcia' })).toBeTruthy();
    // Resume is the Hold toggle, pressed (issue 10: one name for a toggle; its title says Resume).
    const hold = screen.getByRole('button', { name: 'Hold', pressed: true });
    expect(hold.title).toMatch(/^Resume/);
    await user.click(hold);
    expect(line.commands.at(-1)).toEqual({ type: 'resume', callId: 'c1' });
  });

  it('Decline waiting call declines it at the line; the panel goes once the line ended it', async () => {
    const { emit, line, user } = talkingToMaria();
    kenjiCalls(emit);
    await user.click(screen.getByRole('button', { name: 'Decline waiting call' }));
    expect(line.commands.at(-1)).toEqual({ type: 'decline', callId: 'c2' });
    emit(ev.status('c2', 'ended', 'regular', 'declined'));
    expect(screen.queryByRole('region', { name: 'Call waiting' })).toBeNull();
    expect(statusText()).toBe('Connected');
  });

  it('during wrap-up: declinable, not answerable, and says why', () => {
    const { emit } = talkingToMaria({ mandatoryTagging: true });
    emit(ev.status('c1', 'ended', 'regular', 'remoteHangup'));
    kenjiCalls(emit);
    expect(waitingPanel().queryByRole('button', { name: 'Answer and hold' })).toBeNull();
    expect(waitingPanel().getByRole('button', { name: 'Decline waiting call' })).toBeTruthy();
    expect(waitingPanel().getByText(/Tag the call that ended to answer it/)).toBeTruthy();
  });

  it('the Call waiting setting turns it off: then a second caller is declined as busy', async () => {
    const { emit, line, user } = talkingToMaria();
    const settings = await openSettings(user);
    const box = within(settings).getByRole('checkbox', { name: /Call waiting/ }) as HTMLInputElement;
    expect(box.checked).toBe(true);
    await user.click(box);
    kenjiCalls(emit);
    expect(line.commands.at(-1)).toEqual({ type: 'decline', callId: 'c2' });
    expect(screen.queryByRole('region', { name: 'Call waiting' })).toBeNull();
  });
});

describe('transfer now and conference', () => {
  it('Transfer now sits next to Start transfer and hands the call over without consultation', async () => {
    const { emit, line, user } = talkingToMaria();
    await user.click(screen.getByRole('button', { name: 'Transfer' }));
    expect(screen.getByRole('button', { name: 'Start transfer' })).toBeTruthy();
    await user.type(screen.getByLabelText('Transfer to'), TEAMMATE);
    await user.click(screen.getByRole('button', { name: 'Transfer now' }));
    expect(line.commands.at(-1)).toEqual({ type: 'blindTransfer', callId: 'c1', target: { number: TEAMMATE } });
    emit(ev.sync('c1', { onHold: true }));
    emit(ev.status('c1', 'blindTransferring'));
    expect(statusText()).toBe(`Transferring to ${TEAMMATE}`);
    emit(ev.status('c1', 'ended', 'regular', 'transferred'));
    expect(statusText()).toBe('Call ended: Call transferred');
  });

  it('Conference joins a connected consultation; Leave conference hands the parties over', async () => {
    const { emit, line, user } = talkingToMaria();
    await user.click(screen.getByRole('button', { name: 'Transfer' }));
    await user.type(screen.getByLabelText('Transfer to'), `${TEAMMATE}{Enter}`);
    emit(ev.status('c1', 'startingWarmTransfer'));
    emit(ev.sync('c1', { onHold: true }));
    emit(ev.status('c1', 'ringing', 'warmTransfer'));
    emit(ev.sync('c1', { activeParticipant: { number: TEAMMATE }, inactiveParticipant: CUSTOMER }));
    emit(ev.status('c1', 'connected', 'warmTransfer'));
    await user.click(screen.getByRole('button', { name: 'Conference' }));
    expect(line.commands.at(-1)).toEqual({ type: 'conference', callId: 'c1' });
    emit(ev.status('c1', 'connected', 'conference'));
    emit(ev.sync('c1', { activeParticipant: CUSTOMER, inactiveParticipant: null, participants: [CUSTOMER, { number: TEAMMATE }], onHold: false }));
    const conference = within(screen.getByRole('region', { name: 'Conference' }));
    expect(conference.getByRole('heading', { name: 'Maria Garcia' })).toBeTruthy();
    expect(conference.getByRole('heading', { name: '(415) 555-0142' })).toBeTruthy();
    expect(statusText()).toBe(`In a conference with Maria Garcia and ${TEAMMATE}`);
    expect(conference.getByRole('button', { name: 'Hang up' })).toBeTruthy();
    await user.click(conference.getByRole('button', { name: 'Leave conference' }));
    expect(line.commands.at(-1)).toEqual({ type: 'merge', callId: 'c1' });
  });
});
