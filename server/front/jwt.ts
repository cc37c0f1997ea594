/**
 * Channel API tokens: the only file that imports `jose`, and the only one that makes tokens.
 *
 * Every request to Front's Channel API carries `Authorization: Bearer <JWT>`, HS256 signed with the
 * app secret, with `iss` = app uid, `sub` = channel id, `jti` = random, `exp` = a few seconds ahead.
 * A fresh token is made for each request (and each retry), so a token never outlives its request
 * (and a `jti` is never reused: a token cannot be cached).
 *
 * Signing is `node:crypto`'s HMAC, synchronously: a token is a fixed header, our own claims and an
 * HMAC-SHA256 over them (RFC 7515 compact form), nothing is parsed. `jose`'s WebCrypto signing
 * costs about 0.15 ms and a thread-pool round trip per request, a sixth of the server's CPU per
 * report at 1,000 reports a second (server/README.md, Figures); this costs a few microseconds.
 * Verifying (parsing untrusted tokens, in the stand-in and tests) stays with `jose`.
 */
import { createHmac, randomBytes, webcrypto } from 'node:crypto';
import { errors, jwtVerify } from 'jose';

/** How long a token is valid: long enough for a slow request, short enough to be useless later. */
export const TOKEN_LIFETIME_SECONDS = 30;

export interface ChannelTokenSigner {
  sign(channelId: string, now?: number): Promise<string>;
}

/**
 * The app secret as an HMAC CryptoKey, imported once: jose signs with WebCrypto, and converting a
 * raw key on every call costs more than the signature.
 */
function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('raw', Buffer.from(secret, 'utf8'), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]) as Promise<CryptoKey>;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export function channelTokenSigner(appUid: string, appSecret: string): ChannelTokenSigner {
  return {
    async sign(channelId, now = Date.now()) {
      const iat = Math.floor(now / 1000);
      const claims = { iss: appUid, sub: channelId, jti: randomBytes(12).toString('base64url'), iat, exp: iat + TOKEN_LIFETIME_SECONDS };
      const signingInput = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      return `${signingInput}.${createHmac('sha256', appSecret).update(signingInput).digest('base64url')}`;
    },
  };
}

export interface ChannelTokenClaims {
  iss: string;
  sub: string;
  jti: string;
  exp: number;
  iat?: number;
}

export type TokenCheck = { ok: true; claims: ChannelTokenClaims } | { ok: false; reason: string };

/**
 * Checks a Channel API token as Front would: HS256 with the app secret, `iss` = app uid,
 * `sub` = the channel of the request, `jti` present, `exp` present, in the future and no further
 * ahead than `maxLifetimeSeconds`. Never throws. (Used by the Front stand-in and tests.)
 */
const verifyKeys = new Map<string, Promise<CryptoKey>>();

export async function verifyChannelToken(
  token: string,
  expected: { appUid: string; appSecret: string; channelId: string; now?: number; maxLifetimeSeconds?: number },
): Promise<TokenCheck> {
  const now = expected.now ?? Date.now();
  let key = verifyKeys.get(expected.appSecret);
  if (!key) {
    key = hmacKey(expected.appSecret, 'verify');
    verifyKeys.set(expected.appSecret, key);
  }
  try {
    const { payload } = await jwtVerify(token, await key, {
      algorithms: ['HS256'],
      issuer: expected.appUid,
      subject: expected.channelId,
      requiredClaims: ['iss', 'sub', 'jti', 'exp'],
      currentDate: new Date(now),
      clockTolerance: 5,
    });
    if (typeof payload.jti !== 'string' || payload.jti.length === 0) return { ok: false, reason: 'jti must be a non-empty string' };
    const exp = payload.exp!;
    const maxLifetime = expected.maxLifetimeSeconds ?? 300;
    if (exp - now / 1000 > maxLifetime) return { ok: false, reason: `exp is more than ${maxLifetime} s ahead: tokens must be short-lived` };
    return {
      ok: true,
      claims: { iss: payload.iss!, sub: payload.sub!, jti: payload.jti, exp, ...(payload.iat !== undefined ? { iat: payload.iat } : {}) },
    };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'the token has expired' };
    if (error instanceof errors.JWTClaimValidationFailed) return { ok: false, reason: `claim ${error.claim}: ${error.message}` };
    if (error instanceof errors.JOSEError) return { ok: false, reason: `invalid token: ${error.message}` };
    return { ok: false, reason: 'invalid token' };
  }
}
