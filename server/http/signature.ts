/**
 * Signed requests: base64(HMAC-SHA256(secret, `<timestamp>:<raw body>`)) with the timestamp in a
 * header. Front signs its requests to the channel this way (X-Front-Signature and
 * X-Front-Request-Timestamp); the PBX webhook uses the same scheme with its own secret.
 *
 * Verification works on the raw bytes as received, compares in constant time and refuses
 * timestamps further than `maxAgeMs` from now in either direction (replays, skewed clocks).
 *
 * GET and DELETE: Front's security page (https://dev.frontapp.com/docs/security-1) says "GET and
 * DELETE requests return a string with the value "undefined" as the body": its sample signs
 * `${timestamp}:${JSON.stringify(req.body)}`, which is `<timestamp>:undefined` for a request with no
 * body. So a GET or DELETE with an empty body is verified against the string `undefined`
 * ({@link signedBase}); one that carries a body is verified against that body, like a POST (its
 * bytes must be covered by the signature, or anyone could swap them).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';

export type SignatureCheck =
  | { ok: true }
  | { ok: false; code: 'missing_signature' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature' | 'replayed_request'; message: string };

/** What Front's signature covers after the timestamp: the raw body, or `undefined` for a bodiless GET or DELETE. */
export function signedBase(method: string | undefined, rawBody: Buffer): Buffer {
  const bodiless = (method === 'GET' || method === 'DELETE' || method === 'HEAD') && rawBody.length === 0;
  return bodiless ? Buffer.from('undefined') : rawBody;
}

export function signBody(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}:`).update(rawBody).digest('base64');
}

/** A timestamp header in milliseconds (Front) or seconds since the epoch, as epoch ms. */
export function parseTimestamp(value: string): number | null {
  if (!/^\d{1,16}$/.test(value)) return null;
  const n = Number(value);
  return n >= 1e12 ? n : n * 1000;
}

export function verifySignedBody(options: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  now: number;
  maxAgeMs: number;
  /** The request's method: a bodiless GET or DELETE is signed over `undefined` ({@link signedBase}). */
  method?: string;
}): SignatureCheck {
  const { secret, timestamp, signature, now, maxAgeMs } = options;
  const rawBody = signedBase(options.method, options.rawBody);
  if (!timestamp || !signature) return { ok: false, code: 'missing_signature', message: 'The request is not signed.' };
  const at = parseTimestamp(timestamp);
  if (at === null) return { ok: false, code: 'bad_timestamp', message: 'The request timestamp is not a number.' };
  if (Math.abs(now - at) > maxAgeMs) return { ok: false, code: 'stale_timestamp', message: 'The request timestamp is too old or in the future.' };
  const expected = Buffer.from(signBody(secret, timestamp, rawBody), 'base64');
  const given = Buffer.from(signature.trim(), 'base64');
  // Equal lengths first: timingSafeEqual throws otherwise, and the length of a digest is no secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, code: 'bad_signature', message: 'The request signature does not match.' };
  }
  return { ok: true };
}

/**
 * Refuses a signed request seen before, for as long as its timestamp is inside the window (after
 * that the window refuses it). Keyed by the signature alone: a Front signature is only valid for one
 * timestamp and body, and a bodiless DELETE's covers no path, so the same signature sent to another
 * URL is a replay too. Only verified requests are remembered (an unsigned flood cannot fill it);
 * at most `max` are kept, the oldest dropped first, far more than Front sends in a window.
 * Per process: several instances on a shared database use {@link createSharedReplayGuard}.
 */
export function createReplayGuard({ maxAgeMs, max = 50_000 }: { maxAgeMs: number; max?: number }) {
  const seen = new LRUCache<string, true>({ max, ttl: 2 * maxAgeMs + 1_000, ttlAutopurge: false });
  return {
    /** True the first time a signature (of a verified request) is seen within the window. */
    firstSeen(signature: string, timestamp: string, now: number): boolean {
      const key = Buffer.from(signature.trim(), 'base64').toString('hex');
      if (seen.has(key)) return false;
      const at = parseTimestamp(timestamp) ?? now;
      // Remembered until the timestamp leaves the window.
      seen.set(key, true, { ttl: Math.max(1, at + maxAgeMs - now) + 1_000 });
      return true;
    },
  };
}

export type ReplayGuard = ReturnType<typeof createReplayGuard>;

/** Where several instances remember signatures together (the store, on a shared database). */
export interface SignatureMemory {
  /** True the first time `key` is seen (remembered until `expiresAt`), atomically across instances. */
  firstSeenSignature(key: string, expiresAt: number, now: number): boolean;
  pruneSignatures(now: number): void;
}

/**
 * The replay guard of several instances behind a load balancer: the same rule as
 * {@link createReplayGuard}, kept in the database (`seen_signatures`, one atomic insert per verified
 * request), so a request accepted by one instance and replayed to another within the window is
 * refused. Expired signatures are deleted every `pruneEvery` new ones.
 */
export function createSharedReplayGuard({ memory, maxAgeMs, pruneEvery = 100 }: { memory: SignatureMemory; maxAgeMs: number; pruneEvery?: number }): ReplayGuard {
  let sincePrune = 0;
  return {
    firstSeen(signature: string, timestamp: string, now: number): boolean {
      const key = Buffer.from(signature.trim(), 'base64').toString('hex');
      const at = parseTimestamp(timestamp) ?? now;
      if (++sincePrune >= pruneEvery) {
        sincePrune = 0;
        memory.pruneSignatures(now);
      }
      return memory.firstSeenSignature(key, Math.max(now + 1, at + maxAgeMs + 1_000), now);
    },
  };
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time equality of two strings of any length (compares their SHA-256 digests). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** A random token: 32 bytes, base64url. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** `Authorization: Bearer <token>` → token, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}
