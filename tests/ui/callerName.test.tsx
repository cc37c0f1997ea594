import { act } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { startContactNames } from '../../src/app/contactNames';
import { ev } from '../support/fakeLine';
import { renderDialer, screen, statusText } from '../support/render';

describe("a known caller's name from Front's contacts", () => {
  it('the call rings with the number first, then the name fills the screen and the status region', async () => {
    const ui = renderDialer();
    let answer: (name: string) => void = () => {};
    const stop = startContactNames({
      dialer: ui.actor,
      server: () => ({ url: 'https://calls.example.com', token: 'fst_token-123' }),
      fetch: () => new Promise((resolve) => (answer = (name) => resolve({ status: 200, ok: true, json: async () => ({ name }) }))),
    });
    ui.emit(ev.incoming('in-1', '+12125550199'));
    ui.emit(ev.status('in-1', 'ringing'));
    // Rung and shown before the lookup answers.
    expect(statusText()).toBe('Incoming call from +12125550199');
    expect(screen.getByRole('button', { name: 'Answer' })).toBeTruthy();

    await act(async () => answer('Priya Raman'));
    expect(statusText()).toBe('Incoming call from Priya Raman (+12125550199)');
    expect(screen.getByRole('heading', { name: 'Priya Raman' })).toBeTruthy();

    // Kept through the call and on the ended summary.
    await ui.user.click(screen.getByRole('button', { name: 'Answer' }));
    ui.emit(ev.status('in-1', 'accepting'));
    ui.emit(ev.status('in-1', 'connected'));
    expect(screen.getByRole('heading', { name: 'Priya Raman' })).toBeTruthy();
    ui.emit(ev.status('in-1', 'ended', 'regular', 'remoteHangup'));
    expect(await screen.findByText('Priya Raman (+12125550199)')).toBeTruthy();
    stop();
  });
});
