/**
 * axe-core on every screen of the plugin (issue 10), in the light and the dark colour scheme,
 * inside the local Front workspace in a real Chromium: idle, dialling, ringing out and in,
 * connected, muted, on hold, the in-call keypad, the transfer form, a warm transfer, mandatory
 * tagging, ended, and Settings. Every screen is checked, then the findings of all of them are
 * compared at once, so one failure lists every screen that has one.
 */
import type { Frame } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { axeFindings, type AxeFinding } from './support/axe';
import { startE2E, type E2E, type WorkspaceSession } from './support/harness';
import { recordStatus, statusHistory, waitForStatus } from './support/pluginStatus';

let e2e: E2E;
let ws: WorkspaceSession;
let frame: Frame;

beforeAll(async () => {
  e2e = await startE2E();
});

afterAll(async () => {
  await e2e?.close();
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && frame) console.error('plugin status history:', await statusHistory(frame).catch(() => []));
  const errors = ws?.pageErrors ?? [];
  await ws?.close();
  expect(errors).toEqual([]);
});

const pluginButton = (name: string) => ws.plugin.getByRole('button', { name, exact: true });

// Proved: Front's green (#2da44e) back on Call makes the light run fail, the old muted grey
// (#6a7787) in the dark palette makes the dark run fail, with color-contrast (2026-12-02).
describe.each(['light', 'dark'] as const)('accessibility in the %s colour scheme', (scheme) => {
  it('no critical or serious axe-core finding on any screen', { timeout: 120_000 }, async () => {
    ws = await e2e.openWorkspace();
    await ws.page.emulateMedia({ colorScheme: scheme });
    await ws.waitForHandshake();
    frame = await ws.pluginFrame();
    // The plugin frame (another origin) follows the emulated scheme too, or this test proves nothing.
    expect(await frame.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(scheme === 'dark');
    await recordStatus(frame);
    await waitForStatus(frame, /^Ready$/);

    const findings: Record<string, AxeFinding[]> = {};
    const check = async (name: string) => {
      findings[name] = await axeFindings(frame);
    };

    await check('idle');
    await ws.plugin.getByLabel('Phone number').fill('+1 415 555 01');
    await pluginButton('Keypad').click();
    await check('dialling (number and dial pad)');
    await pluginButton('Keypad').click();

    await pluginButton('Settings').click();
    await ws.plugin.getByRole('checkbox', { name: 'Require tags after each call' }).waitFor();
    await check('settings');
    await pluginButton('Back').click();

    // Nobody answers +15005550002 for 20 s: long enough to look at the ringing screen.
    await ws.plugin.getByLabel('Phone number').fill('+15005550002');
    await pluginButton('Call').click();
    await waitForStatus(frame, /^Ringing$/);
    await check('ringing out');
    await pluginButton('Hang up').click();
    await waitForStatus(frame, /^Call ended/);
    await check('ended');
    await ws.plugin.getByRole('button', { name: /^Recent calls/ }).click();
    await ws.plugin.getByRole('region', { name: 'Recent calls' }).waitFor();
    await check('recent calls');
    await ws.plugin.getByRole('button', { name: /^Recent calls/ }).click();

    await ws.hook((w) => w.ring());
    await waitForStatus(frame, /^Incoming call from/);
    await check('ringing in');
    await pluginButton('Answer').click();
    await waitForStatus(frame, /^Connected$/);
    await check('connected');
    // A second caller while connected (issue 12): the waiting call's panel.
    await ws.hook((w) => w.ring());
    await ws.plugin.getByRole('button', { name: 'Decline waiting call' }).waitFor();
    await check('call waiting');
    await pluginButton('Decline waiting call').click();
    await ws.plugin.getByRole('region', { name: 'Call waiting' }).waitFor({ state: 'detached' });
    await pluginButton('Mute').click();
    await expect.poll(() => pluginButton('Mute').getAttribute('aria-pressed')).toBe('true');
    await check('muted');
    await pluginButton('Mute').click();
    await pluginButton('Hold').click();
    await waitForStatus(frame, /On hold/);
    await check('on hold');
    await pluginButton('Hold').click();
    await waitForStatus(frame, /^Connected$/);
    await pluginButton('Keypad').click();
    await ws.plugin.getByRole('button', { name: '5 JKL' }).click();
    await check('keypad');
    await pluginButton('Keypad').click();
    await pluginButton('Transfer').click();
    // The demo directory (public/softphone.config.json) makes the field a teammate search.
    await ws.plugin.getByRole('combobox', { name: 'Transfer to' }).pressSequentially('pri');
    await ws.plugin.getByRole('option', { name: /Priya Shah/ }).waitFor();
    await ws.plugin.getByRole('combobox', { name: 'Transfer to' }).press('ArrowDown');
    await check('transfer form, teammate list open');
    await ws.plugin.getByLabel('Transfer to').fill('+14155550142');
    await check('transfer form');
    await pluginButton('Start transfer').click();
    await waitForStatus(frame, /^Talking to/);
    await check('warm transfer');
    await pluginButton('Cancel transfer').click();
    await waitForStatus(frame, /Connected$/);
    await pluginButton('Hang up').click();
    await waitForStatus(frame, /^Call ended/);

    await pluginButton('Settings').click();
    await ws.plugin.getByRole('checkbox', { name: 'Require tags after each call' }).check();
    await pluginButton('Back').click();
    await ws.plugin.getByLabel('Phone number').fill('+14155550100');
    await pluginButton('Call').click();
    await waitForStatus(frame, /^Connected$/);
    await pluginButton('Hang up').click();
    await waitForStatus(frame, /Tag the call/);
    await check('mandatory tagging');

    const screens = Object.keys(findings);
    expect(screens).toHaveLength(16);
    expect(Object.fromEntries(screens.map((s) => [s, findings[s]]))).toEqual(Object.fromEntries(screens.map((s) => [s, []])));
  });
});
