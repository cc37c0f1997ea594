/**
 * Issue 10's names, in a real Chromium through the local Front workspace, with the call-logging
 * server and the Front stand-in behind it: a caller the line names not (the simulator's last
 * caller) but Front's contacts know rings with the number at once, then the plugin shows the name.
 */
import type { Frame } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server';
import type { Standin } from '../../server/standin/standin';
import { CHANNEL_ID, createTeammate, startInProcess, startTestStandin, tempDir } from '../server/support';
import { startE2E, type E2E, type WorkspaceSession } from './support/harness';
import { recordStatus, statusHistory, waitForStatus, waitForStatusSeen } from './support/pluginStatus';

let e2e: E2E;
let standin: Standin;
let server: RunningServer;
let token: string;
const dir = tempDir('caller-name-');
let ws: WorkspaceSession | null = null;
let frame: Frame;

beforeAll(async () => {
  e2e = await startE2E();
  standin = await startTestStandin();
  server = await startInProcess(dir.path, standin.url, { CORS_ORIGINS: e2e.pluginOrigin, FRONT_API_TOKEN: 'front-core-api-token-e2e-0123' });
  await standin.authorize(server.url, CHANNEL_ID);
  token = await createTeammate(server.url, 'sam@acme-support.example');
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

const pluginButton = (session: WorkspaceSession, name: string) => session.plugin.getByRole('button', { name, exact: true });

describe("a known caller's name from Front's contacts", () => {
  it('rings with the number, then shows the name Front knows', async () => {
    const session = await e2e.openWorkspace();
    ws = session;
    await session.waitForHandshake();
    frame = await session.pluginFrame();
    await recordStatus(frame);
    await waitForStatus(frame, /^Ready$/);

    await pluginButton(session, 'Settings').click();
    const form = session.plugin.getByRole('form', { name: 'Call log' });
    await form.getByLabel('Server URL').fill(server.url);
    await form.getByLabel('Token').fill(token);
    await form.getByRole('button', { name: 'Save call log settings' }).click();
    await pluginButton(session, 'Settings').click();

    const before = standin.contactLookups();
    await session.page.getByLabel('Caller').selectOption({ label: '+12125550199' });
    await session.page.getByRole('button', { name: 'Ring the agent', exact: true }).click();
    // The line gives no name: the call rings with the number first.
    await waitForStatusSeen(frame, /^Incoming call from \+12125550199$/);
    await waitForStatus(frame, /^Incoming call from Priya Raman \(\+12125550199\)$/, 10_000);
    await session.plugin.getByRole('heading', { name: 'Priya Raman' }).first().waitFor();
    expect(standin.contactLookups() - before).toBe(1);

    await pluginButton(session, 'Decline').click();
    await waitForStatus(frame, /^Call (ended|declined)/);
  });
});
