import { afterEach, describe, expect, it, vi } from 'vitest';
import { ev } from '../support/fakeLine';
import { advance, openSettings, renderDialer, screen, statusText } from '../support/render';

const CALLER = { number: '+14155550123', name: 'Maria Garcia' };

/** Maria rings in; the teammate was in the plugin (the number field) when she did. */
async function ringing() {
  const ui = renderDialer();
  await ui.user.click(screen.getByLabelText('Phone number'));
  ui.emit(ev.incoming('c1', CALLER.number, CALLER.name));
  ui.emit(ev.status('c1', 'ringing'));
  return ui;
}

/** Maria's call, answered and connected. */
async function connected(options: { fakeTimers?: boolean } = {}) {
  const ui = renderDialer(options);
  await ui.user.click(screen.getByLabelText('Phone number'));
  ui.emit(ev.incoming('c1', CALLER.number, CALLER.name));
  ui.emit(ev.status('c1', 'ringing'));
  ui.emit(ev.status('c1', 'accepting'));
  ui.emit(ev.status('c1', 'connected'));
  ui.emit(ev.sync('c1', { activeParticipant: CALLER, inactiveParticipant: null, onHold: false, muted: false }));
  return ui;
}

const button = (name: string) => screen.getByRole('button', { name });
/** The visible "On hold 0:42" badge (the status region, a paragraph, may say "On hold" too). */
const holdBadge = () => screen.queryByText('On hold', { exact: false, selector: 'span' });

describe('keyboard shortcuts', () => {
  it('each call button shows its shortcut in its title and exposes it with aria-keyshortcuts', async () => {
    await ringing();
    expect([button('Answer'), button('Decline')].map((b) => [b.title, b.getAttribute('aria-keyshortcuts')])).toEqual([
      ['Answer (Alt+A)', 'Alt+A'],
      ['Decline (Alt+D)', 'Alt+D'],
    ]);
  });

  it('in a call: Hang up Alt+H, Mute Alt+M, Hold Alt+P; the titles say what pressing does now', async () => {
    const { emit } = await connected();
    expect([button('Hang up'), button('Mute'), button('Hold')].map((b) => [b.title, b.getAttribute('aria-keyshortcuts')])).toEqual([
      ['Hang up (Alt+H)', 'Alt+H'],
      ['Mute (Alt+M)', 'Alt+M'],
      ['Hold (Alt+P)', 'Alt+P'],
    ]);
    emit(ev.sync('c1', { muted: true, onHold: true }));
    expect([button('Mute').title, button('Hold').title]).toEqual(['Unmute (Alt+M)', 'Resume (Alt+P)']);
  });

  it('Alt+A answers a ringing call', async () => {
    const { user, line } = await ringing();
    await user.keyboard('{Alt>}a{/Alt}');
    expect(line.commands).toEqual([{ type: 'answer', callId: 'c1' }]);
  });

  it('Alt+D declines a ringing call', async () => {
    const { user, line } = await ringing();
    await user.keyboard('{Alt>}d{/Alt}');
    expect(line.commands).toEqual([{ type: 'decline', callId: 'c1' }]);
  });

  it('Alt+H hangs up, from wherever the focus is in the plugin (here a Keypad key)', async () => {
    const { user, line } = await connected();
    await user.click(button('Keypad'));
    await user.click(button('5 JKL'));
    await user.keyboard('{Alt>}h{/Alt}');
    expect(line.commandsOf('hangUp')).toEqual([{ type: 'hangUp', callId: 'c1' }]);
  });

  it('Alt+M mutes and, once muted, unmutes; Alt+P holds and, once held, resumes', async () => {
    const { user, line, emit } = await connected();
    await user.keyboard('{Alt>}m{/Alt}');
    expect(line.commandsOf('mute')).toHaveLength(1);
    emit(ev.sync('c1', { muted: true }));
    await user.keyboard('{Alt>}m{/Alt}');
    expect(line.commandsOf('unmute')).toHaveLength(1);

    await user.keyboard('{Alt>}p{/Alt}');
    expect(line.commandsOf('hold')).toHaveLength(1);
    emit(ev.sync('c1', { onHold: true }));
    await user.keyboard('{Alt>}p{/Alt}');
    expect(line.commandsOf('resume')).toHaveLength(1);
  });

  it('a shortcut for a control that is not offered does nothing: no Alt+H on the dial screen, no Alt+A in a call', async () => {
    const { user, line } = renderDialer();
    await user.click(screen.getByLabelText('Phone number'));
    await user.keyboard('{Alt>}h{/Alt}{Alt>}a{/Alt}{Alt>}m{/Alt}');
    expect(line.commands).toEqual([]);
    expect(statusText()).toBe('Ready');
  });

  it('letters without Alt, and Alt with Shift, are not shortcuts', async () => {
    const { user, line } = await ringing();
    screen.getByRole('heading', { name: 'Maria Garcia' }).focus();
    await user.keyboard('a{Shift>}{Alt>}a{/Alt}{/Shift}');
    expect(line.commands).toEqual([]);
  });
});

describe('tones typed on the keyboard', () => {
  // Proved: without the tone branch of intentForKey (src/ui/keyboard.ts) nothing is sent and this fails.
  it('digits, * and # typed during a connected call (outside a text field) are sent as tones, as the keypad sends them', async () => {
    const { user, line } = await connected();
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Maria Garcia' }));
    await user.keyboard('12*#');
    expect(line.commandsOf('sendDigits').map((c) => c.digits)).toEqual(['1', '2', '*', '#']);
  });

  it('digits typed in a text field stay in it (the transfer target), and none is sent before the call connects', async () => {
    const { user, line, emit } = await ringing();
    await user.keyboard('5');
    expect(line.commandsOf('sendDigits')).toEqual([]);
    emit(ev.status('c1', 'accepting'));
    emit(ev.status('c1', 'connected'));
    await user.click(button('Transfer'));
    await user.keyboard('+14155550142');
    expect((screen.getByLabelText('Transfer to') as HTMLInputElement).value).toBe('+14155550142');
    expect(line.commandsOf('sendDigits')).toEqual([]);
  });
});

describe('Escape', () => {
  // Proved: without onEscape on the call screen's section (src/ui/InCallControls.tsx) the keypad stays open and this fails.
  it('closes the in-call keypad and puts the focus back on Keypad', async () => {
    const { user } = await connected();
    await user.click(button('Keypad'));
    await user.click(button('2 ABC'));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('group', { name: 'Keypad' })).toBeNull();
    expect(document.activeElement).toBe(button('Keypad'));
    expect(button('Keypad').getAttribute('aria-expanded')).toBe('false');
  });

  it('closes the transfer form and puts the focus back on Transfer', async () => {
    const { user } = await connected();
    await user.click(button('Transfer'));
    expect(document.activeElement).toBe(screen.getByLabelText('Transfer to'));
    await user.keyboard('{Escape}');
    expect(screen.queryByLabelText('Transfer to')).toBeNull();
    expect(document.activeElement).toBe(button('Transfer'));
  });

  it('closes the dial pad on the dial screen', async () => {
    const { user } = renderDialer();
    await user.click(button('Keypad'));
    await user.click(button('4 GHI'));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('group', { name: 'Dial pad' })).toBeNull();
    expect(document.activeElement).toBe(button('Keypad'));
    expect((screen.getByLabelText('Phone number') as HTMLInputElement).value).toBe('4');
  });

  it('leaves Settings, as Back does, with the call screen as it was and the focus on Settings', async () => {
    const { user } = renderDialer();
    await user.type(screen.getByLabelText('Phone number'), '+1415');
    await openSettings(user);
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Settings' }));
    // Settings replaces the call screen: the number field is out of view (and out of reach).
    expect(screen.queryByRole('textbox', { name: 'Phone number' })).toBeNull();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('region', { name: 'Settings' })).toBeNull();
    expect((screen.getByLabelText('Phone number') as HTMLInputElement).value).toBe('+1415');
    expect(document.activeElement).toBe(button('Settings'));

    await openSettings(user);
    await user.click(button('Back'));
    expect(screen.queryByRole('region', { name: 'Settings' })).toBeNull();
    expect(document.activeElement).toBe(button('Settings'));

    // From anywhere in the plugin, the Settings button itself included.
    await openSettings(user);
    button('Settings').focus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('region', { name: 'Settings' })).toBeNull();
  });

  it('a call ringing in while Settings is open closes Settings, so Answer is in view', async () => {
    const { user, emit } = renderDialer();
    await openSettings(user);
    emit(ev.incoming('c1', CALLER.number, CALLER.name));
    emit(ev.status('c1', 'ringing'));
    expect(screen.queryByRole('region', { name: 'Settings' })).toBeNull();
    expect(button('Answer')).toBeTruthy();
  });
});

describe('Tab order and what a call shows', () => {
  it('Hang up is the first control after the caller’s name', async () => {
    const { user } = await connected();
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Maria Garcia' }));
    await user.tab();
    expect(document.activeElement).toBe(button('Hang up'));
  });

  it('Mute and Hold are toggles: aria-pressed, a visible badge, and the status region says so', async () => {
    const { emit } = await connected();
    expect(button('Mute').getAttribute('aria-pressed')).toBe('false');
    expect(screen.queryByText('Muted')).toBeNull();
    emit(ev.sync('c1', { muted: true }));
    expect(button('Mute').getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByText('Muted')).toBeTruthy();
    expect(statusText()).toBe('Connected, muted');

    emit(ev.sync('c1', { onHold: true }));
    expect(button('Hold').getAttribute('aria-pressed')).toBe('true');
    expect(holdBadge()?.textContent).toBe('On hold 0:00');
    expect(statusText()).toBe('On hold, muted');

    emit(ev.sync('c1', { onHold: false, muted: false }));
    expect(screen.queryByText('Muted')).toBeNull();
    expect(holdBadge()).toBeNull();
    expect(statusText()).toBe('Connected');
  });

  describe('with fake timers', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('the On hold badge counts how long the caller has waited', async () => {
      vi.useFakeTimers({ shouldAdvanceTime: true });
      const { emit } = await connected({ fakeTimers: true });
      await advance(10_000);
      emit(ev.sync('c1', { onHold: true }));
      expect(screen.getByRole('timer', { name: 'Time on hold' }).textContent).toBe('0:00');
      await advance(42_000);
      expect(screen.getByRole('timer', { name: 'Time on hold' }).textContent).toBe('0:42');
      // The call's own timer kept counting from the answer.
      expect(screen.getByRole('timer', { name: 'Call duration' }).textContent).toBe('0:52');
    });
  });
});
