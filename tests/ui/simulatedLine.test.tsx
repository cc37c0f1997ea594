import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { simulatorControls } from '../../src/app';
import { createSimulatedLine, TEST_NUMBERS } from '../../src/telephony/simulated';
import { advance, renderDialer, screen, statusText, within, keyName } from '../support/render';

const TO = '+14155550199';
const TO_SHOWN = '(415) 555-0199';
const TEAMMATE = '+14155550142';
/** How the dialer shows it: national format in the default region. */
const TEAMMATE_SHOWN = '(415) 555-0142';

/** The whole app over the simulated line, driven by fake time (ringing 1.5 s, set-up 0.3 s). */
function renderSimulated(settings?: { mandatoryTagging: boolean }) {
  const line = createSimulatedLine({ statsEveryMs: 5000 });
  return renderDialer({ line, simulator: simulatorControls(line), fakeTimers: true, ...(settings ? { settings } : {}) });
}

async function dial(user: ReturnType<typeof renderSimulated>['user'], number: string) {
  await user.type(screen.getByLabelText('Phone number'), `${number}{Enter}`);
  await advance(0);
}

async function answeredCall() {
  const ui = renderSimulated();
  await dial(ui.user, TO);
  await advance(300 + 1500);
  expect(statusText()).toBe('Connected');
  return ui;
}

describe('with the simulated line', () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a dialled number rings, connects with a ticking timer, and hanging up shows the summary', async () => {
    const { user } = renderSimulated();
    await dial(user, TO);
    expect(statusText()).toBe(`Calling ${TO}`);
    await advance(300);
    expect(statusText()).toBe('Ringing');
    await advance(1500);
    expect(statusText()).toBe('Connected');
    expect(screen.getByRole('timer', { name: 'Call duration' }).textContent).toBe('0:00');
    await advance(4000);
    expect(screen.getByRole('timer', { name: 'Call duration' }).textContent).toBe('0:04');

    await user.click(screen.getByRole('button', { name: 'Hang up' }));
    await advance(0);
    expect(screen.getByRole('heading', { name: 'You hung up' })).toBeTruthy();
    expect(screen.getByText('0:04')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText('Phone number'));
  });

  it('hold, mute, the keypad and the recording work on a connected call', async () => {
    const { user, line } = await answeredCall();
    await user.click(screen.getByRole('button', { name: 'Hold' }));
    await advance(0);
    expect(statusText()).toBe('On hold');
    await user.click(screen.getByRole('button', { name: 'Hold', pressed: true }));
    await advance(0);
    expect(statusText()).toBe('Connected');

    await user.click(screen.getByRole('button', { name: 'Mute' }));
    await advance(0);
    await user.click(screen.getByRole('button', { name: 'Mute', pressed: true }));
    await advance(0);
    expect(screen.getByRole('button', { name: 'Mute', pressed: false })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Keypad' }));
    for (const digit of ['1', '2', '#']) await user.click(screen.getByRole('button', { name: keyName(digit) }));
    await advance(0);
    expect(line.sentDigits()).toBe('12#');

    await user.click(screen.getByRole('button', { name: 'Pause recording' }));
    await advance(0);
    expect(screen.getByText('Recording paused')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Resume recording' }));
    await advance(0);
    expect(screen.getByText('Recording')).toBeTruthy();

    await advance(5000);
    expect(screen.getByText(/Call quality: Good/)).toBeTruthy();
  });

  it('the busy and no-answer test numbers say so', async () => {
    const { user } = renderSimulated();
    await dial(user, TEST_NUMBERS.busy.number);
    await advance(300);
    expect(screen.getByRole('heading', { name: 'The line was busy' })).toBeTruthy();

    await dial(user, TEST_NUMBERS.noAnswer.number);
    await advance(300);
    expect(statusText()).toBe('Ringing');
    await advance(20_000);
    expect(screen.getByRole('heading', { name: 'No answer' })).toBeTruthy();
  });

  it('a callee who hangs up after a while ends the call as hung up by the other party', async () => {
    const { user } = renderSimulated();
    await dial(user, TEST_NUMBERS.remoteHangup.number);
    await advance(300 + 1500);
    expect(statusText()).toBe('Connected');
    await advance(4000);
    expect(screen.getByRole('heading', { name: 'The other party hung up' })).toBeTruthy();
  });

  it('Simulate incoming call rings the agent from the chosen caller; Answer connects', async () => {
    const { user } = renderSimulated();
    await user.selectOptions(screen.getByLabelText('Caller'), 'Kenji Tanaka (+81312345678)');
    await user.click(screen.getByRole('button', { name: 'Simulate incoming call' }));
    await advance(0);
    expect(statusText()).toBe('Incoming call from Kenji Tanaka (+81312345678)');
    // The focus was in the plugin (the Simulate button): it moves to the caller, not onto Answer.
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Kenji Tanaka' }));

    await user.keyboard('{Alt>}a{/Alt}');
    await advance(0);
    expect(statusText()).toBe('Answering');
    await advance(300);
    expect(statusText()).toBe('Connected');
    expect(screen.getByRole('heading', { name: 'Kenji Tanaka' })).toBeTruthy();
  });

  // Proved: passing disabled={busy} to the panel again (as before) makes this fail.
  it('during a call the simulated line (it offers call waiting) can ring a waiting call from the plugin itself', async () => {
    const { user } = await answeredCall();
    const ring = screen.getByRole('button', { name: 'Simulate incoming call' });
    expect(ring.hasAttribute('disabled')).toBe(false);
    await user.selectOptions(screen.getByLabelText('Caller'), 'Kenji Tanaka (+81312345678)');
    await user.click(ring);
    await advance(0);
    expect(within(screen.getByRole('region', { name: 'Call waiting' })).getByRole('button', { name: 'Answer and hold' })).toBeTruthy();
  });

  it('a line without call waiting keeps Simulate incoming call disabled during a call', async () => {
    const line = createSimulatedLine({ statsEveryMs: 5000 });
    const noWaiting = Object.assign(Object.create(line) as typeof line, { capabilities: { ...line.capabilities, callWaiting: false } });
    const { user } = renderDialer({ line: noWaiting, simulator: simulatorControls(line), fakeTimers: true });
    await user.click(screen.getByRole('button', { name: 'Simulate incoming call' }));
    await advance(0);
    await user.click(screen.getByRole('button', { name: 'Answer' }));
    await advance(300);
    expect(statusText()).toBe('Connected');
    expect(screen.getByRole('button', { name: 'Simulate incoming call' }).hasAttribute('disabled')).toBe(true);
  });

  it('Decline ends a simulated incoming call as declined', async () => {
    const { user } = renderSimulated();
    await user.click(screen.getByRole('button', { name: 'Simulate incoming call' }));
    await advance(0);
    await user.click(screen.getByRole('button', { name: 'Decline' }));
    await advance(0);
    expect(screen.getByRole('heading', { name: 'Call declined' })).toBeTruthy();
  });

  it('a caller who gives up before the agent answers leaves a missed call', async () => {
    const { user } = renderSimulated();
    await user.click(screen.getByRole('button', { name: 'Simulate incoming call' }));
    await advance(0);
    expect(screen.getByRole('button', { name: 'Answer' })).toBeTruthy();
    await advance(30_000);
    expect(screen.getByRole('heading', { name: 'Missed call' })).toBeTruthy();
  });

  it('warm transfer: both parties shown, Swap, Complete transfer ends as transferred', async () => {
    const { user } = await answeredCall();
    await user.click(screen.getByRole('button', { name: 'Transfer' }));
    await user.type(screen.getByLabelText('Transfer to'), TEAMMATE);
    await user.click(screen.getByRole('button', { name: 'Start transfer' }));
    await advance(0);
    expect(statusText()).toBe(`Ringing ${TEAMMATE}`);
    await advance(1500);
    expect(statusText()).toBe(`Talking to ${TEAMMATE}, ${TO} on hold`);
    expect(within(screen.getByRole('group', { name: 'Talking to' })).getByRole('heading', { name: TEAMMATE_SHOWN })).toBeTruthy();
    expect(within(screen.getByRole('group', { name: 'On hold' })).getByRole('heading', { name: TO_SHOWN })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Swap' }));
    await advance(0);
    expect(within(screen.getByRole('group', { name: 'Talking to' })).getByRole('heading', { name: TO_SHOWN })).toBeTruthy();
    expect(within(screen.getByRole('group', { name: 'On hold' })).getByRole('heading', { name: TEAMMATE_SHOWN })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Complete transfer' }));
    await advance(0);
    expect(screen.getByRole('heading', { name: 'Call transferred' })).toBeTruthy();
  });

  it('Cancel transfer goes back to the original party', async () => {
    const { user } = await answeredCall();
    await user.click(screen.getByRole('button', { name: 'Transfer' }));
    await user.type(screen.getByLabelText('Transfer to'), `${TEAMMATE}{Enter}`);
    await advance(1500);
    await user.click(screen.getByRole('button', { name: 'Cancel transfer' }));
    await advance(0);
    expect(statusText()).toBe('Transfer cancelled. Connected');
    expect(screen.getByRole('heading', { name: TO_SHOWN })).toBeTruthy();
    expect(screen.queryByRole('group', { name: 'On hold' })).toBeNull();
  });

  it('with tags required, a new call waits until Save tags', async () => {
    const { user } = renderSimulated({ mandatoryTagging: true });
    await dial(user, TO);
    await advance(1800);
    await user.click(screen.getByRole('button', { name: 'Hang up' }));
    await advance(0);
    expect(screen.queryByLabelText('Phone number')).toBeNull();
    await user.click(screen.getByRole('checkbox', { name: 'Billing' }));
    await user.click(screen.getByRole('button', { name: 'Save tags' }));
    await dial(user, TO);
    expect(statusText()).toBe(`Calling ${TO}`);
  });

  it('lists the documented test numbers', () => {
    renderSimulated();
    const list = within(screen.getByRole('region', { name: 'Simulated line' }));
    for (const { number } of Object.values(TEST_NUMBERS)) expect(list.getByText(number)).toBeTruthy();
    expect(list.getByText('Busy')).toBeTruthy();
    expect(list.getByText('No answer')).toBeTruthy();
  });
});
