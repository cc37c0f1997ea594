import { act } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { LineError } from '../../src/telephony/line';
import { createLineManager } from '../../src/app/lineManager';
import { createSwitchableLine } from '../../src/telephony/switchableLine';
import { FakeLine } from '../support/fakeLine';
import { FakeSipLine } from '../support/fakeSipLine';
import { renderDialer, screen, openSettings } from '../support/render';

function renderWithLines() {
  const line = createSwitchableLine(new FakeLine());
  const sipLines: FakeSipLine[] = [];
  const ui = renderDialer({
    line,
    simulator: { callers: [], testNumbers: [], ringAgent: () => {} },
    lines: (dialer) =>
      createLineManager({
        line,
        dialer,
        simulated: () => new FakeLine(),
        createSip: async () => {
          const sip = new FakeSipLine();
          sipLines.push(sip);
          return sip;
        },
      }),
  });
  return { ...ui, sipLines };
}

async function fillAccount(user: ReturnType<typeof renderWithLines>['user']) {
  await openSettings(user);
  await user.type(screen.getByLabelText('WebSocket URL'), 'wss://sip.example.com/ws');
  await user.type(screen.getByLabelText('SIP URI'), 'sip:1001@example.com');
  await user.type(screen.getByLabelText('Password'), 'hunter2-secret');
}

describe('the SIP account settings', () => {
  // Proved: not clearing the password field after Connect in src/ui/SipSettings.tsx makes this fail (2026-12-02).
  it('has the labelled fields, and Connect switches to the SIP line with its registration always visible', async () => {
    const ui = renderWithLines();
    expect(screen.getByText('On the simulated line')).toBeTruthy();
    expect(await screen.findByRole('region', { name: 'Simulated line' })).toBeTruthy();
    await fillAccount(ui.user);
    expect(screen.getByLabelText(/Authorization user/)).toBeTruthy();
    expect(screen.getByLabelText(/Display name/)).toBeTruthy();
    await ui.user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByText('Registering...')).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Simulated line' })).toBeNull();
    act(() => ui.sipLines[0]!.setRegistration({ status: 'offline', reason: 'The phone server cannot be reached; incoming calls cannot arrive. Retrying...' }));
    expect(screen.getByText('Offline - retrying')).toBeTruthy();
    expect(screen.getByText(/incoming calls cannot arrive/)).toBeTruthy();
    act(() => ui.sipLines[0]!.setRegistration({ status: 'registered' }));
    expect(screen.getByText('Registered')).toBeTruthy();
    expect(screen.queryByText(/incoming calls cannot arrive/)).toBeNull();
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('');
    expect(document.body.textContent).not.toContain('hunter2-secret');
    expect(screen.getByLabelText('Microphone')).toBeTruthy();
    expect(screen.getByLabelText('Speaker')).toBeTruthy();
    expect(screen.getByLabelText('Ringtone output')).toBeTruthy();
  });

  it('says only that the phone server refused the password (nothing about retrying), and Connect tries again with a new line', async () => {
    const ui = renderWithLines();
    await fillAccount(ui.user);
    await ui.user.click(screen.getByRole('button', { name: 'Connect' }));
    await screen.findByText('Registering...');
    act(() => ui.sipLines[0]!.setRegistration({ status: 'refused', reason: 'The phone server refused the password' }));
    expect(screen.getByText('The phone server refused the password')).toBeTruthy();
    expect(document.querySelector('.sp-line')?.textContent).toBe('The phone server refused the password');
    await ui.user.type(screen.getByLabelText('Password'), 'the-right-one');
    await ui.user.click(screen.getByRole('button', { name: 'Connect' }));
    await screen.findByText('Registering...');
    expect(ui.sipLines).toHaveLength(2);
  });

  it('has an ICE servers field for STUN URLs, and says next to it that TURN comes from the server or the deployment', async () => {
    const ui = renderWithLines();
    await fillAccount(ui.user);
    const field = screen.getByLabelText(/ICE servers/);
    await ui.user.type(field, 'turn:turn.example.com:3478');
    await ui.user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByText(/TURN needs credentials, so it comes from the call-logging server or softphone.config.json/)).toBeTruthy();
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(ui.sipLines).toHaveLength(0);
    await ui.user.clear(field);
    await ui.user.type(field, 'stun:stun.example.com:3478{Enter}stun:stun2.example.com');
    await ui.user.type(screen.getByLabelText('Password'), 'hunter2-secret');
    await ui.user.click(screen.getByRole('button', { name: 'Connect' }));
    await screen.findByText('Registering...');
    expect(ui.sipLines).toHaveLength(1);
  });

  it('refuses an invalid account next to each field and stays on the simulated line', async () => {
    const ui = renderWithLines();
    await openSettings(ui.user);
    await ui.user.type(screen.getByLabelText('WebSocket URL'), 'http://example.com');
    await ui.user.click(screen.getByRole('button', { name: 'Connect' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Check the highlighted fields.');
    expect(screen.getByLabelText('WebSocket URL').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('On the simulated line')).toBeTruthy();
    expect(ui.sipLines).toHaveLength(0);
  });

  it('Disconnect goes back to the simulated line', async () => {
    const ui = renderWithLines();
    await fillAccount(ui.user);
    await ui.user.click(screen.getByRole('button', { name: 'Connect' }));
    await screen.findByText('Registering...');
    await ui.user.click(screen.getByRole('button', { name: 'Disconnect' }));
    expect(screen.getByText('On the simulated line')).toBeTruthy();
    expect(ui.sipLines[0]!.disposed).toBe(true);
  });

  describe('choosing audio devices', () => {
    const original = Object.getOwnPropertyDescriptor(navigator, 'mediaDevices');
    afterEach(() => {
      if (original) Object.defineProperty(navigator, 'mediaDevices', original);
      else delete (navigator as { mediaDevices?: unknown }).mediaDevices;
    });

    // Proved to fail when SipSettings drops the rejection again (`.catch(() => undefined)`).
    it('tells the agent when the chosen speaker cannot be used', async () => {
      Object.defineProperty(navigator, 'mediaDevices', {
        configurable: true,
        value: { enumerateDevices: async () => [{ kind: 'audiooutput', deviceId: 'usb-headset', label: 'USB headset', groupId: 'g1' }] },
      });
      const ui = renderWithLines();
      await fillAccount(ui.user);
      await ui.user.click(screen.getByRole('button', { name: 'Connect' }));
      await screen.findByText('Registering...');
      const message = 'This browser could not play audio on the chosen output; the choice is kept for later calls.';
      ui.sipLines[0]!.devicesError = new LineError('unsupported', message);
      await screen.findAllByRole('option', { name: 'USB headset' });
      await ui.user.selectOptions(screen.getByLabelText('Speaker'), 'USB headset');
      expect((await screen.findByRole('alert')).textContent).toBe(message);
      expect(ui.sipLines[0]!.devices.speakerId).toBe('usb-headset');

      ui.sipLines[0]!.devicesError = null;
      await ui.user.selectOptions(screen.getByLabelText('Speaker'), 'System default');
      expect(screen.queryByRole('alert')).toBeNull();
    });
  });
});
