// @vitest-environment node
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server';
import type { Standin } from '../../server/standin/standin';
import {
  ADMIN_TOKEN,
  CHANNEL_ID,
  PBX_SECRET,
  createTeammate,
  drained,
  event,
  frontIdOf,
  outboxState,
  request,
  signedPbxHeaders,
  startInProcess,
  startTestStandin,
  tempDir,
} from './support';

let standin: Standin;
let server: RunningServer;
let token: string;
const dir = tempDir();
const COMPANY = '+14155559999';
let customerSeq = 100;
/** A customer number no other test uses, so matching by parties stays per test. */
const newCustomer = () => `+1415555${String(++customerSeq).padStart(4, '0')}`;

beforeAll(async () => {
  standin = await startTestStandin();
  server = await startInProcess(dir.path, standin.url);
  await standin.authorize(server.url, CHANNEL_ID);
  token = await createTeammate(server.url, 'ada@example.com', '201');
});
afterAll(async () => {
  await server.close();
  await standin.close();
  dir.remove();
});

async function pbx(body: Record<string, unknown>, headers?: Record<string, string>) {
  const raw = JSON.stringify(body);
  return request(`${server.url}/pbx/events`, { method: 'POST', body: raw, headers: headers ?? signedPbxHeaders(raw) });
}
const plugin = (json: unknown) => request(`${server.url}/v1/calls/events`, { method: 'POST', json, token });
const inbound = (customer: string, extra: Record<string, unknown> = {}) => ({ direction: 'inbound', srcPhone: customer, dstPhone: COMPANY, ...extra });
const frontCalls = (customer: string) => standin.calls().filter((c) => c.party.handle === customer);
const statuses = (customer: string) => frontCalls(customer).map((c) => c.timeline.map((e) => e.status));

describe('the PBX webhook', () => {
  // Proved: removing the signature check in server/pbx/routes.ts, the timestamp window or the HMAC comparison in
  // server/http/signature.ts makes this fail (2026-12-02).
  it('refuses an unsigned, badly signed or stale event, and writes nothing', async () => {
    const customer = newCustomer();
    const body = { event: 'start', ...inbound(customer) };
    const raw = JSON.stringify(body);
    const before = await outboxState(server.url);
    expect((await pbx(body, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await pbx(body, signedPbxHeaders(raw, 'not-the-pbx-secret-123'))).body.error.code).toBe('bad_signature');
    expect((await pbx(body, signedPbxHeaders(raw, PBX_SECRET, Date.now() - 3_600_000))).body.error.code).toBe('stale_timestamp');
    expect((await pbx(body, signedPbxHeaders(raw.replace(customer, newCustomer())))).status).toBe(401);
    expect(await outboxState(server.url)).toEqual(before);
  });

  // Proved: removing `json: true` from the PBX route in server/pbx/routes.ts makes this fail (2026-12-02).
  it('refuses a signed event sent as another content type with a 415, and writes nothing', async () => {
    const raw = JSON.stringify({ event: 'start', ...inbound(newCustomer()) });
    const before = await outboxState(server.url);
    const res = await request(`${server.url}/pbx/events`, { method: 'POST', body: raw, headers: { ...signedPbxHeaders(raw), 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect(await outboxState(server.url)).toEqual(before);
  });

  it('refuses bad events with a 400', async () => {
    expect((await pbx({ event: 'ring', ...inbound(newCustomer()) })).status).toBe(400);
    expect((await pbx({ event: 'start', direction: 'inbound', srcPhone: '4155550100', dstPhone: COMPANY })).body.error.message).toMatch(/E\.164/);
    expect((await pbx({ event: 'start', ...inbound(newCustomer()), extra: 1 })).status).toBe(400);
  });

  it('logs a call answered on a desk phone, as the teammate of the extension', async () => {
    const customer = newCustomer();
    const t0 = Date.now();
    expect((await pbx({ event: 'start', ...inbound(customer, { srcPhoneExt: '201' }), occurredAt: t0 })).status).toBe(202);
    expect((await pbx({ event: 'answer', ...inbound(customer, { srcPhoneExt: '201' }), occurredAt: t0 + 5_000 })).status).toBe(202);
    expect((await pbx({ event: 'end', ...inbound(customer, { srcPhoneExt: '201' }), disposition: 'answered', occurredAt: t0 + 65_000 })).status).toBe(202);
    await drained(server.url);
    expect(statuses(customer)).toEqual([['ringing', 'connected', 'hangup']]);
    expect(frontCalls(customer)[0]).toMatchObject({ agentEmail: 'ada@example.com', direction: 'inbound' });
  });

  it('a delivery repeated by the PBX is a duplicate', async () => {
    const customer = newCustomer();
    const body = { event: 'start', ...inbound(customer), occurredAt: Date.now() };
    expect((await pbx(body)).status).toBe(202);
    const again = await pbx(body);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('duplicate');
    const withId = { event: 'start', callId: 'pbx-77', ...inbound(newCustomer()) };
    expect((await pbx(withId)).status).toBe(202);
    expect((await pbx({ ...withId, occurredAt: Date.now() + 10 })).status).toBe(200);
    await drained(server.url);
    expect(frontCalls(customer)).toHaveLength(1);
  });

  it('maps dispositions: an unanswered inbound call is missed, a caller who hangs up first abandoned', async () => {
    const missed = newCustomer();
    await pbx({ event: 'start', ...inbound(missed) });
    await pbx({ event: 'end', ...inbound(missed), disposition: 'noAnswer' });
    const gaveUp = newCustomer();
    await pbx({ event: 'start', ...inbound(gaveUp) });
    await pbx({ event: 'end', ...inbound(gaveUp), disposition: 'cancelled' });
    const lateAnswer = newCustomer();
    await pbx({ event: 'start', callId: 'pbx-late', ...inbound(lateAnswer) });
    await pbx({ event: 'end', callId: 'pbx-late', ...inbound(lateAnswer), disposition: 'answered' });
    await drained(server.url);
    expect(statuses(missed)).toEqual([['ringing', 'missed']]);
    expect(statuses(gaveUp)).toEqual([['ringing', 'abandoned']]);
    expect(statuses(lateAnswer)).toEqual([['ringing', 'connected', 'hangup']]);
  });
});

describe('plugin and PBX reports about the same call become one Front call', () => {
  it('matched by parties and time when they share no id', async () => {
    const customer = newCustomer();
    const id = `plugin-${customer}`;
    const t0 = Date.now();
    await pbx({ event: 'start', ...inbound(customer, { srcPhoneExt: '201' }), occurredAt: t0 });
    const started = await plugin(event(1, 'CALL_STARTED', { callId: id, callType: 'inbound', participant: customer }, t0 + 300));
    expect(started.body).toMatchObject({ status: 'accepted', queued: [], note: expect.stringMatching(/already started/) });
    await pbx({ event: 'answer', ...inbound(customer, { srcPhoneExt: '201' }), occurredAt: t0 + 2_000 });
    await plugin(event(2, 'CALL_CONNECTED', { callId: id }, t0 + 2_100));
    await plugin(event(3, 'HOLD', { callId: id }, t0 + 10_000));
    await plugin(event(4, 'RESUME', { callId: id }, t0 + 20_000));
    await plugin(event(5, 'CALL_ENDED', { callId: id, reason: 'localHangup' }, t0 + 30_000));
    await pbx({ event: 'end', ...inbound(customer, { srcPhoneExt: '201' }), disposition: 'answered', occurredAt: t0 + 30_050 });
    expect((await request(`${server.url}/v1/calls/summary`, { method: 'POST', token, json: { callId: id, outcome: 'localHangup' } })).status).toBe(202);
    await drained(server.url);
    expect(statuses(customer)).toEqual([['ringing', 'connected', 'hold', 'connected', 'hangup']]);
    expect(frontCalls(customer)[0]!.summaries).toHaveLength(1);
  });

  it('the plugin first, then the PBX without a call id', async () => {
    const customer = newCustomer();
    const id = `plugin-${customer}`;
    const t0 = Date.now();
    await plugin(event(1, 'CALL_STARTED', { callId: id, callType: 'outbound', participant: customer }, t0));
    const start = await pbx({ event: 'start', direction: 'outbound', srcPhone: COMPANY, dstPhone: customer, dstPhoneExt: '201', occurredAt: t0 + 200 });
    expect(start.body.callId).toBe(frontIdOf('ada@example.com', id));
    await pbx({ event: 'answer', direction: 'outbound', srcPhone: COMPANY, dstPhone: customer, dstPhoneExt: '201', occurredAt: t0 + 4_000 });
    await plugin(event(2, 'CALL_CONNECTED', { callId: id }, t0 + 4_010));
    await plugin(event(3, 'CALL_ENDED', { callId: id, reason: 'remoteHangup' }, t0 + 9_000));
    await drained(server.url);
    expect(statuses(customer)).toEqual([['ringing', 'connected', 'hangup']]);
    const call = await request(`${server.url}/admin/calls/${frontIdOf('ada@example.com', id)}`, { token: ADMIN_TOKEN });
    expect(call.body.call).toMatchObject({ pbxLinked: true, localNumber: COMPANY });
  });

  it('matched by call id when the PBX and the line share it', async () => {
    const customer = newCustomer();
    const id = `shared-${customer}`;
    await plugin(event(1, 'CALL_STARTED', { callId: id, callType: 'inbound', participant: customer }));
    await pbx({ event: 'start', callId: id, ...inbound(customer) });
    await pbx({ event: 'end', callId: id, ...inbound(customer), disposition: 'cancelled' });
    await plugin(event(2, 'CALL_ENDED', { callId: id, reason: 'missed' }));
    await drained(server.url);
    expect(statuses(customer)).toEqual([['ringing', 'abandoned']]);
  });

  it('a call the plugin saw answered elsewhere is ended by what the PBX reports', async () => {
    const customer = newCustomer();
    const id = `ring-${customer}`;
    const t0 = Date.now();
    await pbx({ event: 'start', ...inbound(customer), occurredAt: t0 });
    await plugin(event(1, 'CALL_STARTED', { callId: id, callType: 'inbound', participant: customer }, t0 + 100));
    await plugin(event(2, 'CALL_ENDED', { callId: id, reason: 'answeredElsewhere' }, t0 + 3_000));
    await pbx({ event: 'answer', ...inbound(customer, { srcPhoneExt: '305' }), occurredAt: t0 + 3_000 });
    await pbx({ event: 'end', ...inbound(customer, { srcPhoneExt: '305' }), disposition: 'answered', occurredAt: t0 + 60_000 });
    await drained(server.url);
    expect(statuses(customer)).toEqual([['ringing', 'connected', 'hangup']]);
  });

  it('two calls from the same customer far apart stay two calls', async () => {
    const customer = newCustomer();
    const t0 = Date.now() - 3_600_000;
    await pbx({ event: 'start', ...inbound(customer), occurredAt: t0 });
    await pbx({ event: 'end', ...inbound(customer), disposition: 'noAnswer', occurredAt: t0 + 20_000 });
    await pbx({ event: 'start', ...inbound(customer), occurredAt: t0 + 600_000 });
    await drained(server.url);
    expect(statuses(customer)).toEqual([['ringing', 'missed'], ['ringing']]);
  });
});

describe('without PBX_WEBHOOK_SECRET', () => {
  // Proved: removing the `pbx_disabled` check in server/pbx/routes.ts makes this fail (2026-12-02).
  it('the PBX webhook is off: 404, and nothing is written', async () => {
    const offDir = tempDir();
    const off = await startInProcess(offDir.path, standin.url, { PBX_WEBHOOK_SECRET: '' });
    try {
      const raw = JSON.stringify({ event: 'start', ...inbound(newCustomer()) });
      const before = await outboxState(off.url);
      const res = await request(`${off.url}/pbx/events`, { method: 'POST', body: raw, headers: signedPbxHeaders(raw) });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('pbx_disabled');
      expect(await outboxState(off.url)).toEqual(before);
    } finally {
      await off.close();
      offDir.remove();
    }
  });
});
