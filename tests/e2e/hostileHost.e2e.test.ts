/**
 * A broken or hostile Front: the workspace sends context updates the SDK protocol does not allow
 * (no context object; a context without functionArities) to the unmodified plugin, and the
 * plugin must keep working: the Call button dials, incoming calls raise their notification, and
 * each bad message is in the plugin's diagnostics.
 *
 * Both tests fail without the guard in src/front/sdk/contextGuard.ts (checked by disabling it):
 * the Call click never reaches the plugin (the SDK had ended its context subscription), and the
 * notification call never leaves the SDK (it runs on the bad context, whose proxy throws).
 */
import type { Frame } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnosticsLog } from '../../src/app/diagnostics';
import type { HostCallRecord } from '../../workspace/host';
import { evaluateWith, startE2E, type E2E, type WorkspaceSession } from './support/harness';
import { dialCount, recordStatus, statusHistory, waitForStatus, waitForStatusSeen } from './support/pluginStatus';

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
    console.error('function calls:', JSON.stringify(await ws.hook((w) => w.calls).catch(() => [])));
    console.error('console errors:', ws.consoleErrors);
  }
  const errors = ws?.pageErrors ?? [];
  await ws?.close();
  expect(errors).toEqual([]);
});

async function openSoftphone() {
  ws = await e2e.openWorkspace();
  await ws.waitForHandshake();
  frame = await ws.pluginFrame();
  await recordStatus(frame);
  await waitForStatus(frame, /^Ready$/);
}

const button = (name: string) => ws.page.getByRole('button', { name, exact: true });

/** The plugin's diagnostics from the Front integration (dev builds expose the log). */
const frontDiagnostics = () =>
  evaluateWith(frame, '__softphoneDiagnostics', (log: DiagnosticsLog) => log.entries().filter((e) => e.source === 'front').map((e) => e.detail));

const calls = (name: string) => ws.hook((w, n) => w.calls.filter((c) => c.name === n), name) as Promise<HostCallRecord[]>;

describe('the softphone under a broken Front', () => {
  it('after a context update without a context and one without functionArities, the Call button still dials once, and both are reported', async () => {
    await openSoftphone();
    await button('Send context update without context').click();
    await button('Send context without functionArities').click();
    await expect.poll(frontDiagnostics).toEqual([
      { code: 'malformed_context', message: expect.stringContaining('without a context object') },
      { code: 'malformed_context', message: expect.stringContaining('without functionArities') },
    ]);

    await button('Call (415) 555-0100').click();
    await waitForStatusSeen(frame, /^Calling \+14155550100$/);
    await waitForStatus(frame, /^Connected$/, 10_000);
    await ws.plugin.getByRole('button', { name: 'Hang up', exact: true }).click();
    await waitForStatus(frame, /^Call ended/);
    expect(await dialCount(frame)).toBe(1);
  });

  it('an incoming call right after a context without functionArities still raises its notification on the last good context', async () => {
    await openSoftphone();
    await ws.page.getByRole('switch', { name: 'Plugin sidebar open' }).uncheck();
    await expect.poll(() => ws.hook((w) => w.deliveries.at(-1)?.type)).toBe('background_mode');
    await button('Send context without functionArities').click();
    await expect.poll(frontDiagnostics).toHaveLength(1);

    await button('Ring the agent').click();
    await expect.poll(() => calls('displayNotification').then((list) => list.map((c) => c.status)), { timeout: 10_000 }).toEqual(['result']);
    const [shown] = await calls('displayNotification');
    expect(shown).toMatchObject({ contextType: 'background_mode', args: [{ type: 'INCOMING_CALL' }] });
    await ws.page.getByRole('switch', { name: 'Plugin sidebar open' }).check();
    await ws.plugin.getByRole('button', { name: 'Decline', exact: true }).click();
  });
});
