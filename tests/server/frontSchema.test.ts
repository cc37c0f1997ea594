// @vitest-environment node
/**
 * Front's schema, exactly: what a first leg sends as `parent_external_call_id` (its own id, the
 * reference's required string; never null), the one switch to leaving it out when Front refuses
 * that form, remembered across restarts, and Front's refusals kept for the admin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server';
import type { Standin } from '../../server/standin/standin';
import { ADMIN_TOKEN, CHANNEL_ID, createTeammate, drained, event, frontIdOf, request, startInProcess, startTestStandin, tempDir } from './support';

const ADA = 'ada@example.com';
const CUSTOMER = '+14155550142';
let standin: Standin;

beforeAll(async () => {
  standin = await startTestStandin();
});
afterAll(async () => {
  await standin.close();
});

/** A server on its own database (kept across `restart`), authorized on the stand-in. */
async function serverOn(dir: string): Promise<{ server: RunningServer; token: string }> {
  const server = await startInProcess(dir, standin.url);
  await standin.authorize(server.url, CHANNEL_ID);
  const token = await createTeammate(server.url, ADA);
  return { server, token };
}

let n = 0;
async function oneCall(server: RunningServer, token: string, detail: Record<string, unknown> = {}) {
  const id = `schema-${++n}-${Date.now()}`;
  const send = (json: unknown) => request(`${server.url}/v1/calls/events`, { method: 'POST', json, token });
  expect((await send(event(1, 'CALL_STARTED', { callId: id, callType: 'inbound', participant: CUSTOMER, ...detail }))).status).toBe(202);
  expect((await send(event(2, 'CALL_CONNECTED', { callId: id }))).status).toBe(202);
  expect((await send(event(3, 'CALL_ENDED', { callId: id, reason: 'remoteHangup' }))).status).toBe(202);
  await drained(server.url);
  return id;
}
const creates = () => standin.requests().filter((r) => r.operation === 'create');
const deadLetters = async (server: RunningServer) => (await request(`${server.url}/admin/dead-letters`, { token: ADMIN_TOKEN })).body.deadLetters as Array<{ kind: string; reason: string }>;

describe("a first leg's parent_external_call_id", () => {
  it('is its own id by default (a string, never null), and the stand-in takes it as the reference says', async () => {
    const dir = tempDir();
    const { server, token } = await serverOn(dir.path);
    try {
      standin.reset();
      const id = await oneCall(server, token);
      const call = standin.call(frontIdOf(ADA, id))!;
      expect(call.parentExternalCallId).toBe(frontIdOf(ADA, id));
      expect(call.timeline.map((e) => e.status)).toEqual(['ringing', 'connected', 'hangup']);
      expect(creates().map((r) => r.status)).toEqual([202]);
      expect(await deadLetters(server)).toEqual([]);
    } finally {
      await server.close();
      dir.remove();
    }
  });

  // Proved: removing the switch in FrontConnector.send (server/front/connector.ts: returning the first 400) makes
  // this fail; not persisting it (firstLegParentSetting's learn without store.setSetting, server/app.ts) makes the
  // restart part fail (2026-12-02).
  it('switches once to leaving it out when Front refuses that form naming the field, and remembers it across a restart', async () => {
    const dir = tempDir();
    let { server, token } = await serverOn(dir.path);
    standin.setFirstLegParent('omit');
    try {
      standin.reset();
      const first = await oneCall(server, token);
      // One refused create naming the field, then the same create without it: the call is whole.
      expect(creates().map((r) => r.status)).toEqual([400, 202]);
      expect(creates()[0]!.reason).toMatch(/parent_external_call_id/);
      expect(standin.call(frontIdOf(ADA, first))!.timeline.map((e) => e.status)).toEqual(['ringing', 'connected', 'hangup']);
      expect(await deadLetters(server)).toEqual([]);

      // A transferred leg still names its parent (the form is only about first legs).
      const second = `${first}-leg2`;
      const send = (json: unknown) => request(`${server.url}/v1/calls/events`, { method: 'POST', json, token });
      await send(event(1, 'CALL_STARTED', { callId: second, callType: 'inbound', participant: CUSTOMER, parentCallId: first }));
      await drained(server.url);
      expect(standin.call(frontIdOf(ADA, second))!.parentExternalCallId).toBe(frontIdOf(ADA, first));

      await server.close();
      ({ server } = await restartOn(dir.path));
      standin.reset();
      await oneCall(server, token);
      // Remembered: no refused create after the restart.
      expect(creates().map((r) => r.status)).toEqual([202]);
    } finally {
      standin.setFirstLegParent('self');
      await server.close();
      dir.remove();
    }
  });

  it('once a form is learnt, Front refusing it is a dead letter with Front\'s message, never a switch back', async () => {
    const dir = tempDir();
    const { server, token } = await serverOn(dir.path);
    try {
      standin.reset();
      // An unknown parent is refused in any form: the 400 names the field, the switch is tried once, then dead.
      const send = (json: unknown) => request(`${server.url}/v1/calls/events`, { method: 'POST', json, token });
      standin.setFirstLegParent('omit');
      await oneCall(server, token);
      standin.setFirstLegParent('self');
      const id = `schema-dead-${Date.now()}`;
      await send(event(1, 'CALL_STARTED', { callId: id, callType: 'inbound', participant: CUSTOMER }));
      await drained(server.url);
      const dead = await deadLetters(server);
      expect(dead.map((d) => d.kind)).toEqual(['create']);
      expect(dead[0]!.reason).toMatch(/^400 from Front: .*parent_external_call_id/);
    } finally {
      standin.setFirstLegParent('self');
      await server.close();
      dir.remove();
    }
  });
});

async function restartOn(dir: string): Promise<{ server: RunningServer }> {
  return { server: await startInProcess(dir, standin.url) };
}
