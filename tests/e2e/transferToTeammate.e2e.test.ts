/**
 * Transfer to a teammate, end to end: the local workspace answers listTeammates, the plugin joins
 * them with the demo directory in public/softphone.config.json, and the teammate picked by name
 * (keyboard only) receives the call on the simulated line.
 */
import type { Frame } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostCallRecord } from '../../workspace/host';
import { startE2E, type E2E, type WorkspaceSession } from './support/harness';
import { recordStatus, statusHistory, waitForStatus, waitForStatusSeen } from './support/pluginStatus';

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
  if (context.task.result?.state === 'fail' && ws) {
    console.error('plugin status history:', frame ? await statusHistory(frame).catch(() => []) : []);
    console.error('console errors:', ws.consoleErrors);
  }
  const errors = ws?.pageErrors ?? [];
  await ws?.close();
  expect(errors).toEqual([]);
});

const pluginButton = (name: string) => ws.plugin.getByRole('button', { name, exact: true });
const calls = (name: string) => ws.hook((w, n) => w.calls.filter((c) => c.name === n), name) as Promise<HostCallRecord[]>;

describe('transfer to a teammate in the Front workspace', () => {
  it('a teammate found by name with the keyboard gets the call: Transfer now on the simulated line', { timeout: 60_000 }, async () => {
    ws = await e2e.openWorkspace();
    await ws.waitForHandshake();
    frame = await ws.pluginFrame();
    await recordStatus(frame);
    await waitForStatus(frame, /^Ready$/);

    await ws.hook((w) => w.ring());
    await waitForStatus(frame, /^Incoming call from/);
    await pluginButton('Answer').click();
    await waitForStatus(frame, /^Connected$/);

    await pluginButton('Transfer').click();
    const field = ws.plugin.getByRole('combobox', { name: 'Transfer to' });
    await field.pressSequentially('priya');
    await ws.plugin.getByRole('option', { name: /Priya Shah/ }).waitFor();
    // The workspace's own teammates (Front's listTeammates), not a list inside the plugin.
    expect((await calls('listTeammates')).map((c) => c.status)).toContain('result');
    expect(await ws.plugin.getByRole('listbox', { name: 'Teammates' }).getByRole('option').allInnerTexts()).toEqual([expect.stringContaining('Priya Shah')]);
    await field.press('ArrowDown');
    await field.press('Enter');
    expect(await field.inputValue()).toBe('+1 415 555 0142');
    expect(await field.getAttribute('aria-expanded')).toBe('false');

    await pluginButton('Transfer now').click();
    await waitForStatusSeen(frame, /^Transferring to Priya Shah/);
    await waitForStatus(frame, /^Call ended: Call transferred/, 15_000);
  });
});
