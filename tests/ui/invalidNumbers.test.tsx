import { describe, expect, it } from 'vitest';
import { renderDialer, screen, statusText } from '../support/render';

describe('numbers the dialer refuses', () => {
  it.each([
    ['letters', 'abc', '“abc” is not a phone number.'],
    ['a SIP address', 'sip:attacker@evil.com', 'Only phone numbers can be called, not “sip:” links.'],
    ['sixty digits', '1'.repeat(60), 'That number is too long (read as a US number).'],
    ['too few digits', '12', 'That number is too short (read as a US number); no internal extensions are set up.'],
    // Issue 10: these were dialled as they were typed.
    ['a short number (no extensions on this deployment)', '123', 'That number is too short (read as a US number); no internal extensions are set up.'],
    ['country code 0', '+0 123', '“+0 123” does not start with a known country code.'],
    ['an unassigned country code', '+999999999999999', '“+999999999999999” does not start with a known country code.'],
  ])('%s: shows a clear alert next to the field and nothing reaches the line', async (_, typed, message) => {
    const { user, line } = renderDialer();
    const field = screen.getByLabelText('Phone number');
    await user.type(field, `${typed}{Enter}`);

    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe(message);
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('aria-describedby')).toBe(alert.id);
    expect(line.commands).toEqual([]);
    expect(statusText()).toBe('Ready');
  });

  it('an empty field: Call says to enter a number and nothing reaches the line', async () => {
    const { user, line } = renderDialer();
    await user.click(screen.getByRole('button', { name: 'Call' }));
    expect(screen.getByRole('alert').textContent).toBe('There is no phone number to call.');
    expect(line.commands).toEqual([]);
  });

  it('the alert goes away once the agent edits the number, and a fixed number dials', async () => {
    const { user, line } = renderDialer();
    const field = screen.getByLabelText('Phone number');
    await user.type(field, 'abc{Enter}');
    expect(screen.getByRole('alert')).toBeTruthy();
    await user.clear(field);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(field.getAttribute('aria-invalid')).toBeNull();
    await user.type(field, '+14155550199{Enter}');
    expect(line.commands).toEqual([{ type: 'dial', callId: expect.any(String), to: '+14155550199' }]);
  });
});
