// @vitest-environment node
/**
 * One teammate can never change another's call: every report about a call another teammate owns
 * is refused with 403 and changes nothing; call ids are namespaced per teammate, so none can be
 * claimed in advance; and the cases a phone system really produces (a call answered elsewhere, a
 * transfer to a teammate) follow the rules of server/calls/ownership.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server';
import type { Standin } from '../../server/standin/standin';
import {
  ADMIN_TOKEN,
  CHANNEL_ID,
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
const dir = tempDir();
const ADA = 'ada@example.com';
const BOB = 'bob@example.com';
const CAL = 'cal@example.com';
const COMPANY = '+14155559999';
const tokens: Record<string, string> = {};
let customerSeq = 300;
const newCustomer = () => `+1415555${String(++customerSeq).padStart(4, '0')}`;
let n = 0;
const newCallId = () => `own-${++n}-${Date.now()}`;

beforeAll(async () => {
  standin = await startTestStandin();
  server = await startInProcess(dir.path, standin.url);
  await standin.authorize(server.url, CHANNEL_ID);
  tokens[ADA] = await createTeammate(server.url, ADA, '201');
  tokens[BOB] = await createTeammate(server.url, BOB, '305');
  tokens[CAL] = await createTeammate(server.url, CAL);
});
afterAll(async () => {
  await server.close();
  await standin.close();
  dir.remove();
});

const post = (who: string, path: string, json: unknown) => request(`${server.url}/v1/calls/${path}`, { method: 'POST', json, token: tokens[who]! });
const report = (who: string, json: unknown) => post(who, 'events', json);
const pbx = (body: Record<string, unknown>) => {
  const raw = JSON.stringify(body);
  return request(`${server.url}/pbx/events`, { method: 'POST', body: raw, headers: signedPbxHeaders(raw) });
};
const started = (callId: string, customer: string, detail: Record<string, unknown> = {}) =>
  event(1, 'CALL_STARTED', { callId, callType: 'inbound', participant: customer, ...detail });
const frontCall = (who: string, callId: string) => standin.call(frontIdOf(who, callId));
const statuses = (who: string, callId: string) => frontCall(who, callId)?.timeline.map((e) => e.status);
const adminCall = async (frontId: string) => (await request(`${server.url}/admin/calls/${encodeURIComponent(frontId)}`, { token: ADMIN_TOKEN })).body;

describe("another teammate's reports", () => {
  // Proved: removing the `foreign` checks in server/calls/service.ts (reportEvent's notYours and addToCall's) makes this fail (2026-12-02).
  it("are refused with 403 for events, summary, recording and transcript, and change nothing", async () => {
    const id = newCallId();
    const customer = newCustomer();
    expect((await report(ADA, started(id, customer))).status).toBe(202);
    expect((await report(ADA, event(2, 'CALL_CONNECTED', { callId: id }))).status).toBe(202);
    await drained(server.url);
    const before = await outboxState(server.url);
    const frontBefore = structuredClone(frontCall(ADA, id));

    const attempts = [
      report(BOB, event(1, 'HOLD', { callId: id })),
      report(BOB, event(1, 'CALL_CONNECTED', { callId: id })),
      report(BOB, event(1, 'CALL_ENDED', { callId: id, reason: 'localHangup' })),
      post(BOB, 'summary', { callId: id, outcome: 'localHangup', notes: 'not mine' }),
      post(BOB, 'recording', { callId: id, url: `${standin.url}/_standin/recordings/r-${id}.mp3` }),
      post(BOB, 'transcript', { callId: id, lines: [{ speakerName: 'Bob', content: 'hi', startTimeSeconds: 0, speakerType: 'internal' }] }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('not_your_call');
    }
    expect(await outboxState(server.url)).toEqual(before);
    expect(frontCall(ADA, id)).toEqual(frontBefore);
    // Ada's own call goes on as if nothing happened, from her next seq.
    expect((await report(ADA, event(3, 'CALL_ENDED', { callId: id, reason: 'remoteHangup' }))).status).toBe(202);
    await drained(server.url);
    expect(statuses(ADA, id)).toEqual(['ringing', 'connected', 'hangup']);
  });

  it('a report about an id nobody used is still a 404 or 409, not a 403', async () => {
    const id = newCallId();
    expect((await post(BOB, 'summary', { callId: id, outcome: 'localHangup' })).status).toBe(404);
    expect((await report(BOB, event(1, 'HOLD', { callId: id }))).body.error.code).toBe('call_not_started');
  });
});

describe('call ids are namespaced per teammate', () => {
  // Proved: keying calls by the client id alone (frontCallId returning clientRef in server/calls/ownership.ts,
  // callOf ignoring the owner) makes this fail (2026-12-02).
  it('an id claimed in advance by another teammate takes nothing from its real owner', async () => {
    const id = newCallId();
    const customer = newCustomer();
    // Bob squats the id first, then Ada's real call arrives with it.
    expect((await report(BOB, started(id, '+14155550999'))).status).toBe(202);
    const ada = await report(ADA, started(id, customer));
    expect(ada.status).toBe(202);
    expect(ada.body.callId).toBe(frontIdOf(ADA, id));
    // Bob's further reports change only his own call.
    expect((await report(BOB, event(2, 'CALL_ENDED', { callId: id, reason: 'noAnswer' }))).status).toBe(202);
    expect((await report(ADA, event(2, 'CALL_CONNECTED', { callId: id }))).status).toBe(202);
    await drained(server.url);
    expect(frontIdOf(ADA, id)).not.toBe(frontIdOf(BOB, id));
    expect(frontCall(ADA, id)).toMatchObject({ party: { handle: customer }, agentEmail: ADA });
    expect(statuses(ADA, id)).toEqual(['ringing', 'connected']);
    expect(statuses(BOB, id)).toEqual(['ringing', 'missed']);
  });

  it("naming another teammate's Front id makes a call of one's own, never theirs", async () => {
    const id = newCallId();
    const customer = newCustomer();
    await report(ADA, started(id, customer));
    const adaFrontId = frontIdOf(ADA, id);
    const res = await report(BOB, started(adaFrontId, customer));
    expect(res.status).toBe(202);
    expect(res.body.callId).toBe(frontIdOf(BOB, adaFrontId));
    expect(res.body.callId).not.toBe(adaFrontId);
    await report(BOB, event(2, 'CALL_ENDED', { callId: adaFrontId, reason: 'noAnswer' }));
    await drained(server.url);
    expect(statuses(ADA, id)).toEqual(['ringing']);
  });
});

describe('a call answered elsewhere (the PBX says who answered)', () => {
  // Proved: removing the hand-over in pbxEvent (server/calls/service.ts, "Answered elsewhere") makes this fail (2026-12-02).
  it('is handed over to the teammate who answered: their reports count, the first teammate is refused', async () => {
    const customer = newCustomer();
    const pbxId = `pbx-shared-${customer}`;
    const t0 = Date.now();
    const side = { direction: 'inbound', srcPhone: customer, dstPhone: COMPANY };
    // Ada's phone rings (the PBX names her extension), her plugin reports the same line id.
    await pbx({ event: 'start', callId: pbxId, ...side, srcPhoneExt: '201', occurredAt: t0 });
    expect((await report(ADA, started(pbxId, customer, {}))).status).toBe(202);
    // Bob answers on his phone.
    await pbx({ event: 'answer', callId: pbxId, ...side, srcPhoneExt: '305', occurredAt: t0 + 2_000 });
    const frontId = (await adminCall(`pbx-${pbxId}`)).call.id as string;
    expect((await adminCall(frontId)).call.owner).toBe(BOB);

    await drained(server.url);
    const before = await outboxState(server.url);
    expect((await report(ADA, event(2, 'HOLD', { callId: pbxId }))).status).toBe(403);
    expect((await post(ADA, 'summary', { callId: pbxId, outcome: 'answeredElsewhere' })).status).toBe(403);
    expect(await outboxState(server.url)).toEqual(before);

    // Bob's plugin reports the call by the line's id: it joins the same Front call.
    const bob = await report(BOB, started(pbxId, customer));
    expect(bob.body.callId).toBe(frontId);
    expect((await report(BOB, event(2, 'HOLD', { callId: pbxId }))).status).toBe(202);
    expect((await post(BOB, 'summary', { callId: pbxId, outcome: 'remoteHangup', notes: 'Bob took it' })).status).toBe(202);
    await pbx({ event: 'end', callId: pbxId, ...side, srcPhoneExt: '305', disposition: 'answered', occurredAt: t0 + 30_000 });
    await drained(server.url);
    const call = standin.call(frontId)!;
    expect(call.timeline.map((e) => e.status)).toEqual(['ringing', 'connected', 'hold', 'hangup']);
    expect(call.timeline[1]!.agentEmail).toBe(BOB);
    expect(call.summaries).toHaveLength(1);
  });

  // Proved: removing claimIfUnowned in server/calls/service.ts makes this fail (2026-12-02).
  it('a PBX call no teammate owned becomes the call of the first teammate who reports about it', async () => {
    const customer = newCustomer();
    const pbxId = `pbx-nobody-${customer}`;
    // The PBX names an extension no token has.
    await pbx({ event: 'start', callId: pbxId, direction: 'inbound', srcPhone: customer, dstPhone: COMPANY, srcPhoneExt: '999' });
    expect((await report(ADA, started(pbxId, customer))).status).toBe(202);
    expect((await adminCall(`pbx-${pbxId}`)).call.owner).toBe(ADA);
    expect((await report(BOB, event(1, 'CALL_CONNECTED', { callId: pbxId }))).status).toBe(403);
    expect((await post(BOB, 'summary', { callId: pbxId, outcome: 'remoteHangup' })).status).toBe(403);
  });

  it("a teammate cannot join a PBX call of another teammate's extension by its parties", async () => {
    const customer = newCustomer();
    const t0 = Date.now();
    await pbx({ event: 'start', direction: 'inbound', srcPhone: customer, dstPhone: COMPANY, srcPhoneExt: '305', occurredAt: t0 });
    // Cal has no extension: his side matches any; the call is Bob's, so Cal's report is a call of his own.
    const cal = await report(CAL, started(newCallId(), customer, { localNumber: COMPANY }));
    expect(cal.status).toBe(202);
    expect(cal.body.note).toBeUndefined();
    expect(cal.body.callId.startsWith('pbx-')).toBe(false);
  });
});

describe('a transfer to a teammate: the target reports its own leg', () => {
  // Proved: letting parentOf in server/calls/service.ts accept any foreign call (no transferred/customer/claim
  // checks) makes this fail (2026-12-02).
  it("threads the target's leg under the transferred leg, once, and only a transferred leg with the same customer", async () => {
    const customer = newCustomer();
    const first = newCallId();
    await report(ADA, started(first, customer));
    await report(ADA, event(2, 'CALL_CONNECTED', { callId: first }));

    // Not transferred yet: Bob may not name it.
    const early = await report(BOB, started(newCallId(), customer, { parentCallId: first }));
    expect(early.status).toBe(403);

    await report(ADA, event(3, 'CALL_ENDED', { callId: first, reason: 'transferred' }));
    // Another customer's leg may not claim it.
    expect((await report(CAL, started(newCallId(), newCustomer(), { parentCallId: first }))).status).toBe(403);

    const second = newCallId();
    const leg = await report(BOB, started(second, customer, { parentCallId: first }));
    expect(leg.status).toBe(202);
    expect(leg.body.callId).toBe(frontIdOf(BOB, second));
    // Claimed: a third teammate cannot thread another leg under it.
    expect((await report(CAL, started(newCallId(), customer, { parentCallId: first }))).status).toBe(403);
    await report(BOB, event(2, 'CALL_CONNECTED', { callId: second }));
    await drained(server.url);
    expect(statuses(ADA, first)).toEqual(['ringing', 'connected', 'transferred']);
    expect(frontCall(BOB, second)).toMatchObject({ parentExternalCallId: frontIdOf(ADA, first), agentEmail: BOB });
    // Bob's leg is Bob's; Ada's transferred leg stays Ada's (and final).
    expect((await report(ADA, event(1, 'CALL_CONNECTED', { callId: second }))).status).toBe(403);
    expect((await post(ADA, 'summary', { callId: second, outcome: 'transferred' })).status).toBe(403);
  });

  it("a chain of transfers threads every leg under the conversation's first leg", async () => {
    const customer = newCustomer();
    const [a, b, c] = [newCallId(), newCallId(), newCallId()];
    await report(ADA, started(a, customer));
    await report(ADA, event(2, 'CALL_CONNECTED', { callId: a }));
    await report(ADA, event(3, 'CALL_ENDED', { callId: a, reason: 'transferred' }));
    await report(BOB, started(b, customer, { parentCallId: a }));
    await report(BOB, event(2, 'CALL_CONNECTED', { callId: b }));
    await report(BOB, event(3, 'CALL_ENDED', { callId: b, reason: 'transferred' }));
    expect((await report(CAL, started(c, customer, { parentCallId: b }))).status).toBe(202);
    await drained(server.url);
    expect(frontCall(BOB, b)!.parentExternalCallId).toBe(frontIdOf(ADA, a));
    expect(frontCall(CAL, c)!.parentExternalCallId).toBe(frontIdOf(ADA, a));
  });
});
