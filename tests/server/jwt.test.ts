// @vitest-environment node
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TOKEN_LIFETIME_SECONDS, channelTokenSigner, verifyChannelToken } from '../../server/front/jwt';

const UID = 'app_uid_1';
const SECRET = 'secret-0123456789abcdef';

function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(claims!, 'base64url').toString()) as Record<string, unknown>,
  };
}

/** A token signed by hand, to build the bad ones. */
function handmade(claims: Record<string, unknown>, secret = SECRET, alg = 'HS256'): string {
  const head = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

describe('Channel API tokens', () => {
  it('carry iss = app uid, sub = channel id, a random jti and a short exp, signed HS256', async () => {
    const now = Date.UTC(2026, 0, 1);
    const signer = channelTokenSigner(UID, SECRET);
    const token = await signer.sign('cha_1', now);
    const { header, claims } = decode(token);
    expect(header.alg).toBe('HS256');
    expect(claims.iss).toBe(UID);
    expect(claims.sub).toBe('cha_1');
    expect(typeof claims.jti).toBe('string');
    expect((claims.jti as string).length).toBeGreaterThanOrEqual(12);
    expect(claims.exp).toBe(Math.floor(now / 1000) + TOKEN_LIFETIME_SECONDS);
    expect(TOKEN_LIFETIME_SECONDS).toBeLessThanOrEqual(60);
    expect(await verifyChannelToken(token, { appUid: UID, appSecret: SECRET, channelId: 'cha_1', now })).toMatchObject({ ok: true });
  });

  it('a new jti for every token', async () => {
    const signer = channelTokenSigner(UID, SECRET);
    const jtis = new Set<unknown>();
    for (let i = 0; i < 20; i++) jtis.add(decode(await signer.sign('cha_1')).claims.jti);
    expect(jtis.size).toBe(20);
  });

  it('is refused for another channel, another app, another secret, or once expired', async () => {
    const now = Date.now();
    const token = await channelTokenSigner(UID, SECRET).sign('cha_1', now);
    expect(await verifyChannelToken(token, { appUid: UID, appSecret: SECRET, channelId: 'cha_2', now })).toMatchObject({ ok: false, reason: expect.stringContaining('sub') });
    expect(await verifyChannelToken(token, { appUid: 'other', appSecret: SECRET, channelId: 'cha_1', now })).toMatchObject({ ok: false, reason: expect.stringContaining('iss') });
    expect((await verifyChannelToken(token, { appUid: UID, appSecret: 'another-secret-xyz', channelId: 'cha_1', now })).ok).toBe(false);
    expect(await verifyChannelToken(token, { appUid: UID, appSecret: SECRET, channelId: 'cha_1', now: now + 120_000 })).toMatchObject({
      ok: false,
      reason: 'the token has expired',
    });
  });

  it('is refused without jti or exp, or with a far-away exp', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    const base = { iss: UID, sub: 'cha_1' };
    const expect400 = async (claims: Record<string, unknown>, reason: string) =>
      expect(await verifyChannelToken(handmade(claims), { appUid: UID, appSecret: SECRET, channelId: 'cha_1' })).toMatchObject({
        ok: false,
        reason: expect.stringContaining(reason),
      });
    await expect400({ ...base, exp: nowS + 10 }, 'jti');
    await expect400({ ...base, jti: 'abc' }, 'exp');
    await expect400({ ...base, jti: 'abc', exp: nowS + 24 * 3600 }, 'short-lived');
    expect(await verifyChannelToken(handmade({ ...base, jti: 'abc', exp: nowS + 10 }), { appUid: UID, appSecret: SECRET, channelId: 'cha_1' })).toMatchObject({ ok: true });
  });
});
