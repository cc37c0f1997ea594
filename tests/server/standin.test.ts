// @vitest-environment node
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { channelTokenSigner } from '../../server/front/jwt';
import type { Standin } from '../../server/standin/standin';
import { APP_SECRET, APP_UID, request, startTestStandin } from './support';

let standin: Standin;
beforeAll(async () => {
  standin = await startTestStandin();
});
afterAll(() => standin.close());
beforeEach(() => standin.reset());

const signer = channelTokenSigner(APP_UID, APP_SECRET);
const T = 1_800_000_000_000;
const create = (id: string, over: Record<string, unknown> = {}) => ({
  external_call_id: id,
  initial_status: 'ringing',
  direction: 'inbound',
  from: { handle: '+14155550100' },
  started_at: T,
  parent_external_call_id: id,
  ...over,
});

async function call(method: string, path: string, json: unknown, token?: string) {
  return request(`${standin.url}${path}`, { method, json, token: token ?? (await signer.sign('cha_1')) });
}
const createCall = (id: string, over: Record<string, unknown> = {}, token?: string) => call('POST', '/channels/cha_1/calls', create(id, over), token);
const setStatus = (id: string, status: string) => call('PATCH', `/channels/cha_1/calls/${id}`, { call_status: status, occurred_at: T + 1 });

function handmadeToken(claims: Record<string, unknown>, secret = APP_SECRET): string {
  const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
}

describe('the Front stand-in checks requests against the reference', () => {
  it('records a valid call and its timeline, answering 202', async () => {
    expect((await createCall('c1')).status).toBe(202);
    expect((await setStatus('c1', 'connected')).status).toBe(202);
    expect((await setStatus('c1', 'hangup')).status).toBe(202);
    const listed = await request(`${standin.url}/_standin/calls`);
    expect(listed.body.calls).toHaveLength(1);
    expect(listed.body.calls[0].timeline.map((e: { status: string }) => e.status)).toEqual(['ringing', 'connected', 'hangup']);
  });

  it('refuses an invalid transition with the reason, and keeps the timeline', async () => {
    await createCall('c1');
    const res = await setStatus('c1', 'hold');
    expect(res.status).toBe(400);
    expect(res.body._error.message).toBe('invalid transition: ringing → hold');
    expect(standin.call('c1')!.timeline).toHaveLength(1);
  });

  it('refuses a repeated create and a repeated status (what makes a resend detectable)', async () => {
    await createCall('c1');
    expect((await createCall('c1')).body._error.message).toMatch(/already exists/);
    await setStatus('c1', 'connected');
    expect((await setStatus('c1', 'connected')).body._error.message).toBe('invalid transition: connected → connected');
  });

  it('refuses unknown fields, bad enums, missing parties and a missing parent_external_call_id key', async () => {
    expect((await createCall('c1', { colour: 'blue' })).status).toBe(400);
    expect((await createCall('c1', { initial_status: 'connected' })).status).toBe(400);
    expect((await createCall('c1', { from: undefined })).body._error.message).toMatch(/inbound calls need `from`/);
    const { parent_external_call_id: _, ...noParent } = create('c1');
    expect((await call('POST', '/channels/cha_1/calls', noParent)).body._error.message).toMatch(/parent_external_call_id/);
    expect((await createCall('c2', { parent_external_call_id: 'nope' })).body._error.message).toMatch(/not a call of this channel/);
    expect(standin.calls()).toHaveLength(0);
  });

  // Proved: making an optional field nullable (agent_email_address: v.nullish) in server/standin/schemas.ts
  // makes this fail (2026-12-02).
  it('refuses null where the reference wants a string, in every optional or required field', async () => {
    for (const field of ['parent_external_call_id', 'agent_email_address', 'started_at', 'to']) {
      const res = await createCall('c1', { [field]: null });
      expect(res.status, field).toBe(400);
      expect(res.body._error.message, field).toMatch(new RegExp(field));
    }
    expect((await createCall('c1', { from: { handle: '+14155550100', name: null } })).status).toBe(400);
    expect((await call('PATCH', '/channels/cha_1/calls/c1', { call_status: 'connected', agent_email_address: null })).status).toBe(400);
    expect(standin.calls()).toHaveLength(0);
  });

  it('a first leg names itself as parent (the reference); a Front that wants it omitted refuses that, naming the field', async () => {
    expect((await createCall('c1')).status).toBe(202);
    expect(standin.call('c1')!.parentExternalCallId).toBe('c1');
    expect((await createCall('c2', { parent_external_call_id: 'c1' })).status).toBe(202);
    standin.setFirstLegParent('omit');
    try {
      const refused = await createCall('c3');
      expect(refused.status).toBe(400);
      expect(refused.body._error.message).toMatch(/parent_external_call_id/);
      const { parent_external_call_id: _, ...noParent } = create('c3');
      expect((await call('POST', '/channels/cha_1/calls', noParent)).status).toBe(202);
    } finally {
      standin.setFirstLegParent('self');
    }
  });

  it('refuses tokens that are not right: secret, sub, iss, jti, exp, replay', async () => {
    const exp = Math.floor(Date.now() / 1000) + 10;
    const good = { iss: APP_UID, sub: 'cha_1', jti: 'j1', exp };
    const reasons = [
      (await createCall('c1', {}, handmadeToken(good, 'not-the-app-secret'))).body._error.message,
      (await createCall('c1', {}, handmadeToken({ ...good, sub: 'cha_2' }))).body._error.message,
      (await createCall('c1', {}, handmadeToken({ ...good, iss: 'someone' }))).body._error.message,
      (await createCall('c1', {}, handmadeToken({ iss: APP_UID, sub: 'cha_1', exp }))).body._error.message,
      (await createCall('c1', {}, handmadeToken({ iss: APP_UID, sub: 'cha_1', jti: 'j2' }))).body._error.message,
      (await createCall('c1', {}, handmadeToken({ ...good, exp: exp - 3600 }))).body._error.message,
    ];
    expect(reasons.every((r: string) => r.startsWith('authorization:'))).toBe(true);
    expect(reasons[1]).toMatch(/sub/);
    expect(reasons[2]).toMatch(/iss/);
    expect(reasons[3]).toMatch(/jti/);
    expect(reasons[4]).toMatch(/exp/);
    const once = handmadeToken({ ...good, jti: 'unique' });
    expect((await createCall('c1', {}, once)).status).toBe(202);
    expect((await setStatus('c1', 'connected')).status).toBe(202);
    expect((await call('PATCH', '/channels/cha_1/calls/c1', { call_status: 'hangup' }, once)).body._error.message).toMatch(/replayed/);
  });

  it('takes a recording only as one audio file in `attachments` with a recording_type', async () => {
    await createCall('c1');
    const send = async (form: FormData) =>
      request(`${standin.url}/channels/cha_1/calls/c1/recording`, { method: 'POST', body: form, token: await signer.sign('cha_1') });
    const audio = () => new Blob([new Uint8Array([1, 2, 3])], { type: 'audio/mpeg' });
    const ok = new FormData();
    ok.append('attachments', audio(), 'a.mp3');
    ok.append('recording_type', 'call');
    expect((await send(ok)).status).toBe(202);
    const two = new FormData();
    two.append('attachments', audio(), 'a.mp3');
    two.append('attachments', audio(), 'b.mp3');
    two.append('recording_type', 'call');
    expect((await send(two)).body._error.message).toMatch(/exactly one file/);
    const text = new FormData();
    text.append('attachments', new Blob(['hi'], { type: 'text/plain' }), 'a.txt');
    text.append('recording_type', 'voicemail');
    expect((await send(text)).body._error.message).toMatch(/audio/);
    const badType = new FormData();
    badType.append('attachments', audio(), 'a.mp3');
    badType.append('recording_type', 'podcast');
    expect((await send(badType)).status).toBe(400);
    expect(standin.call('c1')!.recordings).toHaveLength(1);
  });
});

describe('the Front stand-in injects faults', () => {
  it('over HTTP: 503 for everything, then back to normal', async () => {
    const set = await request(`${standin.url}/_standin/faults`, { method: 'POST', json: { rate: 1, kinds: ['503'] } });
    expect(set.body).toMatchObject({ rate: 1, kinds: ['503'] });
    expect((await createCall('c1')).status).toBe(503);
    expect(standin.calls()).toHaveLength(0);
    await request(`${standin.url}/_standin/faults`, { method: 'POST', json: { rate: 0 } });
    expect((await createCall('c1')).status).toBe(202);
  });

  it('429 with Retry-After', async () => {
    standin.setFaults({ rate: 1, kinds: ['429'], retryAfterSeconds: 3 });
    const res = await createCall('c1');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
  });

  it('fails about the configured share of requests, reproducibly with a seed', async () => {
    standin.setFaults({ rate: 1 / 3, kinds: ['500'], seed: 42 });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await createCall(`c${i}`)).status);
    const failed = statuses.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(30);
    standin.reset();
    standin.setFaults({ rate: 1 / 3, kinds: ['500'], seed: 42 });
    const again: number[] = [];
    for (let i = 0; i < 60; i++) again.push((await createCall(`c${i}`)).status);
    expect(again).toEqual(statuses);
  });

  it('a hang never answers and applies nothing; a lost response applies and cuts the connection', async () => {
    standin.setFaults({ rate: 1, kinds: ['hang'] });
    await expect(request(`${standin.url}/channels/cha_1/calls`, { method: 'POST', json: create('c1'), token: await signer.sign('cha_1'), signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(standin.calls()).toHaveLength(0);
    standin.setFaults({ rate: 1, kinds: ['lostResponse'] });
    await expect(createCall('c2')).rejects.toThrow();
    expect(standin.call('c2')!.timeline[0]).toMatchObject({ status: 'ringing', responseLost: true });
  });

  it('only for chosen operations', async () => {
    standin.setFaults({ rate: 1, kinds: ['503'], operations: ['status'] });
    expect((await createCall('c1')).status).toBe(202);
    expect((await setStatus('c1', 'connected')).status).toBe(503);
  });

  it('hold parks requests until released', async () => {
    standin.setFaults({ hold: true });
    const pending = createCall('c1');
    await new Promise((r) => setTimeout(r, 100));
    expect(standin.calls()).toHaveLength(0);
    standin.setFaults({ hold: false });
    expect((await pending).status).toBe(202);
  });
});
