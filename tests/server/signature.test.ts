// @vitest-environment node
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server';
import { signBody, verifySignedBody } from '../../server/http/signature';
import { sendAsFront } from '../../server/standin/frontClient';
import type { Standin } from '../../server/standin/standin';
import { ADMIN_TOKEN, APP_SECRET, outboxState, request, startInProcess, startTestStandin, tempDir } from './support';

const SECRET = 'front-app-secret-abcdef';
const body = Buffer.from(JSON.stringify({ type: 'authorization', payload: { channel_id: 'cha_1' } }));

describe('verifying X-Front-Signature', () => {
  const now = 1_800_000_000_000;
  const ts = String(now);
  const verify = (overrides: Partial<Parameters<typeof verifySignedBody>[0]>) =>
    verifySignedBody({ secret: SECRET, timestamp: ts, signature: signBody(SECRET, ts, body), rawBody: body, now, maxAgeMs: 300_000, ...overrides });

  it('accepts base64(HMAC-SHA256(secret, "timestamp:raw body"))', () => {
    expect(verify({})).toEqual({ ok: true });
    expect(signBody(SECRET, ts, body)).toBe(createHmac('sha256', SECRET).update(`${ts}:${body.toString()}`).digest('base64'));
  });

  // Proved: removing the HMAC comparison in verifySignedBody (server/http/signature.ts) makes this fail (2026-12-02).
  it('refuses a signature made with another secret', () => {
    expect(verify({ signature: signBody('another-secret-123456', ts, body) })).toMatchObject({ ok: false, code: 'bad_signature' });
  });

  // Proved: removing the HMAC comparison in verifySignedBody (server/http/signature.ts) makes this fail (2026-12-02).
  it('refuses a tampered body', () => {
    const tampered = Buffer.from(body.toString().replace('cha_1', 'cha_2'));
    expect(verify({ rawBody: tampered })).toMatchObject({ ok: false, code: 'bad_signature' });
    // Re-serialising the same JSON differently is a different body too: the raw bytes are signed.
    expect(verify({ rawBody: Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2)) })).toMatchObject({ ok: false });
  });

  // Proved: removing the timestamp window, or making it one-sided (`now - at` without Math.abs), in
  // server/http/signature.ts makes this fail (2026-12-02).
  it('refuses a stale or future timestamp, even correctly signed', () => {
    const old = String(now - 301_000);
    expect(verify({ timestamp: old, signature: signBody(SECRET, old, body) })).toMatchObject({ ok: false, code: 'stale_timestamp' });
    const future = String(now + 301_000);
    expect(verify({ timestamp: future, signature: signBody(SECRET, future, body) })).toMatchObject({ ok: false, code: 'stale_timestamp' });
  });

  // Proved: removing the missing-signature check, the bad-timestamp check, or the equal-length check before
  // timingSafeEqual (it then throws) in server/http/signature.ts makes this fail (2026-12-02).
  it('refuses a missing signature or timestamp, and garbage', () => {
    expect(verify({ signature: undefined })).toMatchObject({ ok: false, code: 'missing_signature' });
    expect(verify({ timestamp: undefined })).toMatchObject({ ok: false, code: 'missing_signature' });
    expect(verify({ timestamp: 'yesterday' })).toMatchObject({ ok: false, code: 'bad_timestamp' });
    expect(verify({ signature: 'not base64 at all!' })).toMatchObject({ ok: false, code: 'bad_signature' });
    expect(verify({ signature: '' })).toMatchObject({ ok: false, code: 'missing_signature' });
  });

  // Proved: verifying a bodiless DELETE against its empty body (signedBase returning rawBody) in
  // server/http/signature.ts makes this fail (2026-12-02).
  it('a bodiless GET or DELETE is signed over "undefined", as Front\'s security page says; one with a body over its body', () => {
    const empty = Buffer.alloc(0);
    const overUndefined = signBody(SECRET, ts, 'undefined');
    expect(verify({ method: 'DELETE', rawBody: empty, signature: overUndefined })).toEqual({ ok: true });
    expect(verify({ method: 'GET', rawBody: empty, signature: overUndefined })).toEqual({ ok: true });
    expect(verify({ method: 'DELETE', rawBody: empty, signature: signBody(SECRET, ts, '') })).toMatchObject({ ok: false, code: 'bad_signature' });
    // A POST with no body is not a GET or DELETE: "undefined" does not sign it.
    expect(verify({ method: 'POST', rawBody: empty, signature: overUndefined })).toMatchObject({ ok: false, code: 'bad_signature' });
    // A DELETE that carries a body is covered by it: a signature over "undefined" would leave the body unsigned.
    expect(verify({ method: 'DELETE', rawBody: body })).toEqual({ ok: true });
    expect(verify({ method: 'DELETE', rawBody: body, signature: overUndefined })).toMatchObject({ ok: false, code: 'bad_signature' });
  });

  it('reads a timestamp in seconds too', () => {
    const seconds = String(now / 1000);
    expect(verify({ timestamp: seconds, signature: signBody(SECRET, seconds, body) })).toEqual({ ok: true });
  });
});

describe("Front's requests to the channel endpoints", () => {
  let standin: Standin;
  let server: RunningServer;
  const dir = tempDir();
  beforeAll(async () => {
    standin = await startTestStandin();
    server = await startInProcess(dir.path, standin.url);
  });
  afterAll(async () => {
    await server.close();
    await standin.close();
    dir.remove();
  });

  const activeChannel = async () => (await outboxState(server.url) as unknown as { channelId: string | null }).channelId;

  // Proved: ignoring a failed check in `verified` (server/front/channelRoutes.ts) or removing the HMAC comparison
  // makes this fail (2026-12-02).
  it('a bad signature gets 401 and stores no channel', async () => {
    const res = await sendAsFront(`${server.url}/front/channel`, { type: 'authorization', payload: { channel_id: 'cha_evil' } }, 'wrong-secret-0123456789');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 'bad_signature' } });
    expect(await activeChannel()).toBeNull();
  });

  // Proved: ignoring a failed check in `verified` (server/front/channelRoutes.ts) or removing the timestamp window
  // makes this fail (2026-12-02).
  it('a stale request gets 401 and stores no channel', async () => {
    const res = await sendAsFront(`${server.url}/front/channel`, { type: 'authorization', payload: { channel_id: 'cha_old' } }, APP_SECRET, {
      timestamp: Date.now() - 10 * 60_000,
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 'stale_timestamp' } });
    expect(await activeChannel()).toBeNull();
  });

  // Proved: ignoring a failed check in `verified` (server/front/channelRoutes.ts) or removing the HMAC comparison
  // makes this fail (2026-12-02).
  it('a tampered body gets 401 and stores no channel', async () => {
    const res = await sendAsFront(`${server.url}/front/channel`, { type: 'authorization', payload: { channel_id: 'cha_1' } }, APP_SECRET, {
      tamper: (raw) => raw.replace('cha_1', 'cha_x'),
    });
    expect(res.status).toBe(401);
    expect(await activeChannel()).toBeNull();
  });

  // Proved: ignoring a failed check in `verified` (server/front/channelRoutes.ts) or removing the missing-
  // signature check makes this fail (2026-12-02).
  it('an unsigned request gets 401', async () => {
    const res = await request(`${server.url}/front/channel`, { method: 'POST', json: { type: 'authorization', payload: { channel_id: 'cha_1' } } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('missing_signature');
  });

  it('authorization stores the channel and answers success with a webhook URL; list_addresses answers too', async () => {
    const res = await sendAsFront(`${server.url}/front/channel`, { type: 'authorization', payload: { channel_id: 'cha_good' } }, APP_SECRET);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ type: 'success', webhook_url: expect.stringMatching(new RegExp(`^${server.url}/front/webhooks/[\\w-]+$`)) });
    expect(await activeChannel()).toBe('cha_good');
    const again = await sendAsFront(`${server.url}/front/channel`, { type: 'authorization', payload: { channel_id: 'cha_good' } }, APP_SECRET);
    expect(again.body).toEqual(res.body);

    const list = await sendAsFront(`${server.url}/front/channel`, { type: 'list_addresses', payload: {} }, APP_SECRET);
    expect(list).toMatchObject({ status: 200, body: { type: 'success', addresses: [] } });
  });

  // Proved: ignoring a failed check in `verified`, or removing the channel_mismatch check, in
  // server/front/channelRoutes.ts makes this fail (2026-12-02).
  it('deletion at the webhook URL needs a good signature, then forgets the channel', async () => {
    const { webhookUrl } = await standin.authorize(server.url, 'cha_del');
    expect(await activeChannel()).toBe('cha_del');
    const forged = await sendAsFront(webhookUrl, { type: 'delete', payload: { channel_id: 'cha_del' } }, 'wrong-secret-0123456789');
    expect(forged.status).toBe(401);
    expect(await activeChannel()).toBe('cha_del');
    const mismatch = await sendAsFront(webhookUrl, { type: 'delete', payload: { channel_id: 'cha_good' } }, APP_SECRET);
    expect(mismatch.status).toBe(400);
    const res = await sendAsFront(webhookUrl, { type: 'delete', payload: { channel_id: 'cha_del' } }, APP_SECRET);
    expect(res).toMatchObject({ status: 200, body: { type: 'success' } });
    expect(await activeChannel()).toBe('cha_good');
  });

  // Proved: removing the `unknown_webhook` check in server/front/channelRoutes.ts makes this fail (2026-12-02).
  it('a signed request to a webhook URL no channel uses gets 404 and forgets no channel', async () => {
    const before = await activeChannel();
    const res = await sendAsFront(`${server.url}/front/webhooks/not-a-webhook`, { type: 'delete', payload: { channel_id: before ?? 'cha_good' } }, APP_SECRET);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'unknown_webhook' } });
    expect(await activeChannel()).toBe(before);
  });

  // Proved: removing the replay check (replays.firstSeen) in server/front/channelRoutes.ts makes this fail (2026-12-02).
  it('a signed request replayed within the window gets 401 and changes nothing', async () => {
    const timestamp = Date.now();
    const first = await sendAsFront(`${server.url}/front/channel`, { type: 'authorization', payload: { channel_id: 'cha_replayed' } }, APP_SECRET, { timestamp });
    expect(first.status).toBe(200);
    // Another channel takes over; the captured request, sent again, must not bring cha_replayed back.
    await sendAsFront(`${server.url}/front/channel`, { type: 'authorization', payload: { channel_id: 'cha_after' } }, APP_SECRET);
    const replay = await sendAsFront(`${server.url}/front/channel`, { type: 'authorization', payload: { channel_id: 'cha_replayed' } }, APP_SECRET, { timestamp });
    expect(replay).toMatchObject({ status: 401, body: { error: { code: 'replayed_request' } } });
    expect(await activeChannel()).toBe('cha_after');
    // The same request freshly signed (a new timestamp) is Front's, and welcome.
    expect((await sendAsFront(`${server.url}/front/channel`, { type: 'list_addresses', payload: {} }, APP_SECRET)).status).toBe(200);
  });

  // Proved: verifying against the empty body instead of "undefined" (signedBase) in server/http/signature.ts, or
  // removing the replay check in server/front/channelRoutes.ts, makes this fail (2026-12-02).
  it('a bodiless DELETE signed over "undefined" forgets the webhook\'s channel, once; its signature replayed elsewhere is refused', async () => {
    const a = await standin.authorize(server.url, 'cha_bodiless_a');
    const b = await standin.authorize(server.url, 'cha_bodiless_b');
    const timestamp = Date.now();
    const unsignedBody = await sendAsFront(a.webhookUrl, undefined, 'wrong-secret-0123456789', { method: 'DELETE' });
    expect(unsignedBody.status).toBe(401);
    expect(await activeChannel()).toBe('cha_bodiless_b');
    const res = await sendAsFront(b.webhookUrl, undefined, APP_SECRET, { method: 'DELETE', timestamp });
    expect(res).toMatchObject({ status: 200, body: { type: 'success' } });
    expect(await activeChannel()).toBe('cha_bodiless_a');
    // A bodiless DELETE's signature covers only its timestamp: sent to another webhook URL it is a replay.
    const replayed = await sendAsFront(a.webhookUrl, undefined, APP_SECRET, { method: 'DELETE', timestamp });
    expect(replayed).toMatchObject({ status: 401, body: { error: { code: 'replayed_request' } } });
    expect(await activeChannel()).toBe('cha_bodiless_a');
    // A DELETE with the JSON body, signed over it, works too.
    const withBody = await sendAsFront(a.webhookUrl, { type: 'delete', payload: { channel_id: 'cha_bodiless_a' } }, APP_SECRET, { method: 'DELETE' });
    expect(withBody).toMatchObject({ status: 200, body: { type: 'success' } });
    expect(await activeChannel()).not.toBe('cha_bodiless_a');
  });

  // Proved: ignoring a failed check in `verified` (server/front/channelRoutes.ts) makes this fail (2026-12-02).
  it('the admin token is not a Front signature', async () => {
    const res = await request(`${server.url}/front/channel`, { method: 'POST', token: ADMIN_TOKEN, json: { type: 'list_addresses' } });
    expect(res.status).toBe(401);
  });
});
