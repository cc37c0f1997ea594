/**
 * Issue 10 in a real Chromium, through the local Front workspace, with the call-logging server and
 * the Channel API stand-in behind it: a national number typed and dialled in E.164 and logged,
 * notes typed during the call reaching the stand-in's summary, and a missed call called back from
 * Recent calls.
 */
import type { Frame } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server';
import type { Standin } from '../../server/standin/standin';
import { CHANNEL_ID, createTeammate, frontIdOf, startInProcess, startTestStandin, tempDir } from '../server/support';
import { startE2E, type E2E, type WorkspaceSession } from './support/harness';
import { recordStatus, statusHistory, waitForStatus, waitForStatusSeen } from './support/pluginStatus';

let e2e: E2E;
let standin: Standin;
let server: RunningServer;
let token: string;
const dir = tempDir('agent-day-');
const TEAMMATE_EMAIL = 'alex@acme-support.example';
let ws: WorkspaceSession | null = null;
let frame: Frame;

beforeAll(async () => {
  e2e = await startE2E();
  standin = await startTestStandin();
  server = await startInProcess(dir.path, standin.url, { CORS_ORIGINS: e2e.pluginOrigin });
  await standin.authorize(server.url, CHANNEL_ID);
  token = await createTeammate(server.url, TEAMMATE_EMAIL);
}, 120_000);

afterAll(async () => {
  await e2e?.close();
  await server?.close();
  await standin?.close();
  dir.remove();
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && ws) {
    console.error('plugin status history:', frame ? await statusHistory(frame).catch(() => []) : []);
    console.error('console errors:', ws.consoleErrors);
  }
  const errors = ws?.pageErrors ?? [];
  await ws?.close();
  ws = null;
  expect(errors).toEqual([]);
});

async function openSoftphone(): Promise<WorkspaceSession> {
  const session = await e2e.openWorkspace();
  ws = session;
  await session.waitForHandshake();
  frame = await session.pluginFrame();
  await recordStatus(frame);
  await waitForStatus(frame, /^Ready$/);
  return session;
}

const pluginButton = (session: WorkspaceSession, name: string | RegExp) => session.plugin.getByRole('button', { name, exact: typeof name === 'string' });

async function configureCallLog(session: WorkspaceSession) {
  await pluginButton(session, 'Settings').click();
  const form = session.plugin.getByRole('form', { name: 'Call log' });
  await form.getByLabel('Server URL').fill(server.url);
  await form.getByLabel('Token').fill(token);
  await form.getByRole('button', { name: 'Save call log settings' }).click();
  await pluginButton(session, 'Settings').click();
}

const currentCallId = () =>
  frame.evaluate(
    () => (window as unknown as { __softphone: { actor: { getSnapshot(): { context: { call: { callId: string } | null } } } } }).__softphone.actor.getSnapshot().context.call?.callId ?? null,
  );

describe("an agent's day (issue 10)", () => {
  it('a typed national number is dialled in E.164, shown formatted, logged to Front, and its notes reach the summary', async () => {
    const session = await openSoftphone();
    await configureCallLog(session);
    await session.plugin.getByLabel('Phone number').fill('(415) 555-0100');
    await pluginButton(session, 'Call').click();
    await waitForStatusSeen(frame, /^Calling \+14155550100$/);
    await session.plugin.getByRole('heading', { name: '(415) 555-0100' }).first().waitFor();
    await waitForStatus(frame, /^Connected$/, 10_000);
    // The server names the call in Front after the teammate and the plugin's call id.
    const callId = frontIdOf(TEAMMATE_EMAIL, (await currentCallId())!);

    await session.plugin.getByLabel('Call notes').fill('Wants a refund for order 1234');
    await pluginButton(session, 'Hang up').click();
    await waitForStatus(frame, /^Call ended/);
    // The ended screen keeps the number field ready (no "New call" step): the call settles, and
    // its summary with the notes goes, after SETTLE_AFTER_MS (30 s) or with the next call.
    await expect.poll(() => standin.call(callId)?.party.handle ?? null, { timeout: 15_000 }).toBe('+14155550100');
    await expect
      .poll(() => standin.call(callId)?.summaries.map((s) => s.content).join('\n') ?? '', { timeout: 50_000, interval: 200 })
      .toContain('Wants a refund for order 1234');
  }, 120_000);

  it('a missed call is counted on Recent calls and called back from there', async () => {
    const session = await openSoftphone();
    await session.page.getByLabel('Caller').selectOption({ label: 'Maria Garcia (+14155550123)' });
    await session.page.getByRole('button', { name: 'Ring the agent', exact: true }).click();
    await waitForStatus(frame, /^Incoming call from Maria Garcia/);
    await session.page.getByRole('button', { name: 'Caller gives up', exact: true }).click();
    await waitForStatus(frame, /^Call ended/);

    const recents = pluginButton(session, /^Recent calls, \d+ missed calls?$/);
    await recents.waitFor({ timeout: 10_000 });
    await recents.click();
    const view = session.plugin.getByRole('region', { name: 'Recent calls' });
    await view.getByRole('button', { name: 'Call back Maria Garcia' }).first().click();
    await waitForStatusSeen(frame, /^Calling \+14155550123$/);
    await session.plugin.getByRole('heading', { name: 'Maria Garcia' }).first().waitFor();
    await waitForStatus(frame, /^(Ringing|Connected)$/, 10_000);
    await pluginButton(session, 'Hang up').click();
    await waitForStatus(frame, /^Call ended/);
    // Looked at: the count is gone.
    await pluginButton(session, 'Recent calls').waitFor();
  });
});
