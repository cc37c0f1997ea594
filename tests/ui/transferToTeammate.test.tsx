import { describe, expect, it, vi } from 'vitest';
import { createFrontSession } from '../../src/front/session';
import type { TransferTeammate } from '../../src/ui';
import { ev } from '../support/fakeLine';
import { renderDialer, screen, within } from '../support/render';

/* Transfer to a teammate: the "Transfer to" field searches Front's teammates with a directory number. */

const CUSTOMER = { number: '+14155550123', name: 'Maria Garcia' };
const PRIYA: TransferTeammate = { id: 'tea_2', name: 'Priya Shah', email: 'priya@example.com', number: '+1 415 555 0142' };
const TOM: TransferTeammate = { id: 'tea_3', name: 'Tom Becker', email: 'tom@example.com', number: '(415) 555-0143' };
const PAULA: TransferTeammate = { id: 'tea_4', name: 'Paula Tomlin', email: 'paula@example.com', number: '+44 20 7946 0018' };

/** Talking to Maria with the Transfer panel open, the directory answering `teammates`. */
async function transferPanel(teammates: readonly TransferTeammate[] | Error = [PAULA, PRIYA, TOM]) {
  const transferTeammates = vi.fn(() => (teammates instanceof Error ? Promise.reject(teammates) : Promise.resolve(teammates)));
  const ui = renderDialer({ front: { session: createFrontSession(), call: () => {}, transferTeammates } });
  ui.emit(ev.incoming('c1', CUSTOMER.number, CUSTOMER.name));
  ui.emit(ev.status('c1', 'ringing'));
  ui.emit(ev.status('c1', 'accepting'));
  ui.emit(ev.status('c1', 'connected'));
  ui.emit(ev.sync('c1', { activeParticipant: CUSTOMER, inactiveParticipant: null, onHold: false }));
  await ui.user.click(screen.getByRole('button', { name: 'Transfer' }));
  return { ...ui, transferTeammates };
}

async function field() {
  return screen.findByRole('combobox', { name: 'Transfer to' });
}

function optionNames() {
  return within(screen.getByRole('listbox', { name: 'Teammates' }))
    .queryAllByRole('option')
    .map((option) => option.firstElementChild?.textContent);
}

describe('transfer to a teammate', () => {
  it('searches teammates by name as the agent types, each word starting a word of the name', async () => {
    const { user, transferTeammates } = await transferPanel();
    const input = await field();
    // Asked when the form opens (twice in StrictMode's development double effect, once in production).
    expect(transferTeammates).toHaveBeenCalled();
    expect(input.getAttribute('aria-expanded')).toBe('false');
    await user.type(input, 'to');
    expect(input.getAttribute('aria-expanded')).toBe('true');
    expect(optionNames()).toEqual(['Paula Tomlin', 'Tom Becker']);
    await user.type(input, 'm b');
    expect(optionNames()).toEqual(['Tom Becker']);
    expect(input.getAttribute('aria-controls')).toBe(screen.getByRole('listbox', { name: 'Teammates' }).id);
  });

  it('Up/Down move the active option (aria-activedescendant), Enter picks it and fills the number', async () => {
    const { user, line } = await transferPanel();
    const input = await field();
    await user.type(input, 'p');
    expect(optionNames()).toEqual(['Paula Tomlin', 'Priya Shah']);
    expect(input.getAttribute('aria-activedescendant')).toBeNull();
    await user.keyboard('{ArrowDown}{ArrowDown}');
    const active = document.getElementById(input.getAttribute('aria-activedescendant')!);
    expect(active?.getAttribute('aria-selected')).toBe('true');
    expect(active?.textContent).toContain('Priya Shah');
    await user.keyboard('{ArrowUp}{ArrowUp}');
    expect(document.getElementById(input.getAttribute('aria-activedescendant')!)?.textContent).toContain('Priya Shah');
    await user.keyboard('{Enter}');
    // Enter picked the teammate: nothing reached the line yet.
    expect((input as HTMLInputElement).value).toBe(PRIYA.number);
    expect(input.getAttribute('aria-expanded')).toBe('false');
    expect(line.commandsOf('startWarmTransfer')).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Start transfer' }));
    // The directory number goes through the number reader like a typed one.
    await vi.waitFor(() => expect(line.commandsOf('startWarmTransfer')).toEqual([
      { type: 'startWarmTransfer', callId: 'c1', target: { number: '+14155550142', name: 'Priya Shah' } },
    ]));
  });

  it('Transfer now hands the call to the teammate picked with the mouse, the number read in the default region', async () => {
    const { user, line } = await transferPanel();
    const input = await field();
    await user.type(input, 'tom');
    await user.click(screen.getByRole('option', { name: /Tom Becker/ }));
    expect((input as HTMLInputElement).value).toBe('(415) 555-0143');
    await user.click(screen.getByRole('button', { name: 'Transfer now' }));
    await vi.waitFor(() => expect(line.commands.at(-1)).toEqual({ type: 'blindTransfer', callId: 'c1', target: { number: '+14155550143', name: 'Tom Becker' } }));
  });

  it('Escape closes the list and keeps the panel; a second Escape closes the panel', async () => {
    const { user } = await transferPanel();
    const input = await field();
    await user.type(input, 'pri');
    expect(input.getAttribute('aria-expanded')).toBe('true');
    await user.keyboard('{Escape}');
    expect(input.getAttribute('aria-expanded')).toBe('false');
    expect(screen.getByRole('combobox', { name: 'Transfer to' })).toBe(input);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('combobox', { name: 'Transfer to' })).toBeNull();
  });

  it('a typed number still transfers, and editing a picked number drops the name', async () => {
    const { user, line } = await transferPanel();
    const input = await field();
    await user.type(input, 'priya');
    await user.keyboard('{ArrowDown}{Enter}');
    await user.type(input, '{Backspace}3');
    expect(input.getAttribute('aria-expanded')).toBe('false');
    await user.click(screen.getByRole('button', { name: 'Start transfer' }));
    await vi.waitFor(() => expect(line.commandsOf('startWarmTransfer')).toEqual([{ type: 'startWarmTransfer', callId: 'c1', target: { number: '+14155550143' } }]));
  });

  it('a name that is not a number is refused by the number reader, nothing reaches the line', async () => {
    const { user, line } = await transferPanel();
    const input = await field();
    await user.type(input, 'nobody{Enter}');
    expect(line.commandsOf('startWarmTransfer')).toEqual([]);
    expect(input.getAttribute('aria-invalid')).toBe('true');
  });

  it('without teammates in the directory the field stays a plain number field', async () => {
    const { transferTeammates } = await transferPanel([]);
    await vi.waitFor(() => expect(transferTeammates).toHaveBeenCalled());
    expect(screen.getByRole('textbox', { name: 'Transfer to' })).toBeTruthy();
    expect(screen.queryByRole('combobox')).toBeNull();
  });

  it('says when Front could not list the teammates, and numbers can still be typed', async () => {
    await transferPanel(new Error('rejected'));
    expect(await screen.findByText('Teammates could not be loaded from Front; type a number.')).toBeTruthy();
    expect(screen.getByRole('textbox', { name: 'Transfer to' })).toBeTruthy();
  });
});
