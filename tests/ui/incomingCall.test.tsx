import { describe, expect, it, vi } from 'vitest';
import { ev } from '../support/fakeLine';
import { renderDialer, screen, statusText } from '../support/render';

const CALLER = '+14155550123';

function ringing(settings: { callWaiting?: boolean } = {}) {
  const ui = renderDialer({ settings });
  ui.emit(ev.incoming('in-1', CALLER, 'Maria Garcia'));
  ui.emit(ev.status('in-1', 'ringing'));
  return ui;
}

describe('an incoming call', () => {
  it('rings with the caller name and number; focus in the plugin moves to the caller, never onto Answer', () => {
    ringing();
    expect(statusText()).toBe(`Incoming call from Maria Garcia (${CALLER})`);
    expect(screen.getByRole('heading', { name: 'Maria Garcia' })).toBeTruthy();
    expect(screen.getByText('(415) 555-0123')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Maria Garcia' }));
  });

  // Proved: with data-autofocus back on Answer (src/ui/IncomingCall.tsx) the Space answers and this fails.
  it('a Space typed in the plugin as the call rings in answers nothing', async () => {
    const { user, line, emit } = renderDialer();
    await user.click(screen.getByLabelText('Phone number'));
    await user.keyboard('415');
    emit(ev.incoming('in-1', CALLER, 'Maria Garcia'));
    emit(ev.status('in-1', 'ringing'));
    await user.keyboard(' 555');
    expect(line.commandsOf('answer')).toEqual([]);
    expect(statusText()).toBe(`Incoming call from Maria Garcia (${CALLER})`);
  });

  // Proved: removing the document.hasFocus() check in src/ui/Dialer.tsx makes this fail (2026-12-02).
  it('rings without taking the focus when the teammate is in Front (the plugin has no focus)', () => {
    const hasFocus = vi.spyOn(document, 'hasFocus').mockReturnValue(false);
    const before = document.activeElement;
    ringing();
    expect(statusText()).toBe(`Incoming call from Maria Garcia (${CALLER})`);
    expect(document.activeElement).toBe(before);
    hasFocus.mockRestore();
  });

  it('Answer connects the call once the line says so', async () => {
    const { user, line, emit } = ringing();
    await user.click(screen.getByRole('button', { name: 'Answer' }));
    expect(line.commands).toEqual([{ type: 'answer', callId: 'in-1' }]);
    emit(ev.status('in-1', 'accepting'));
    expect(statusText()).toBe('Answering');
    emit(ev.status('in-1', 'connected'));
    expect(statusText()).toBe('Connected');
    expect(screen.getByRole('heading', { name: 'Maria Garcia' })).toBeTruthy();
    expect(screen.getByRole('timer', { name: 'Call duration' }).textContent).toBe('0:00');
    expect(screen.getByRole('button', { name: 'Hang up' })).toBeTruthy();
  });

  it('Decline ends it as declined', async () => {
    const { user, line, emit } = ringing();
    await user.click(screen.getByRole('button', { name: 'Decline' }));
    expect(line.commands).toEqual([{ type: 'decline', callId: 'in-1' }]);
    emit(ev.status('in-1', 'ended', 'regular', 'declined'));
    expect(screen.getByRole('heading', { name: 'Call declined' })).toBeTruthy();
    expect(screen.getByText(`Maria Garcia (${CALLER})`)).toBeTruthy();
  });

  it('a caller who gives up leaves a missed call', () => {
    const { emit } = ringing();
    emit(ev.status('in-1', 'ended', 'regular', 'missed'));
    expect(screen.getByRole('heading', { name: 'Missed call' })).toBeTruthy();
    expect(statusText()).toBe('Call ended: Missed call');
    expect(screen.queryByRole('button', { name: 'Answer' })).toBeNull();
  });

  it('can be answered from the keyboard alone: Tab to Answer and press Enter', async () => {
    const { user, line, emit } = renderDialer();
    // The agent is somewhere else in the sidebar when the call arrives.
    screen.getByRole('button', { name: 'Settings' }).focus();
    emit(ev.incoming('in-1', CALLER));
    emit(ev.status('in-1', 'ringing'));
    (document.activeElement as HTMLElement).blur();

    for (let i = 0; i < 10 && document.activeElement !== screen.getByRole('button', { name: 'Answer' }); i++) {
      await user.tab();
    }
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Answer' }));
    await user.keyboard('{Enter}');
    expect(line.commands).toEqual([{ type: 'answer', callId: 'in-1' }]);
  });

  it('Answer is the next Tab stop after the caller, and Space on it answers', async () => {
    const { user, line } = ringing();
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Answer' }));
    await user.keyboard(' ');
    expect(line.commands).toEqual([{ type: 'answer', callId: 'in-1' }]);
  });

  it('with call waiting off, declines a second caller as busy while the agent is on a call, and the first call stays on screen', async () => {
    const { emit, line } = ringing({ callWaiting: false });
    emit(ev.status('in-1', 'accepting'));
    emit(ev.status('in-1', 'connected'));
    emit(ev.incoming('in-2', '+12125550199'));
    expect(line.commands).toEqual([{ type: 'decline', callId: 'in-2' }]);
    expect(screen.getByRole('heading', { name: 'Maria Garcia' })).toBeTruthy();
    expect(statusText()).toBe('Connected');
  });
});
