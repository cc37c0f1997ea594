/**
 * Signed requests: base64(HMAC-SHA256(secret, `<timestamp>:<raw body>`)) with the timestamp in a
 * header. Front signs its requests to the channel this way (X-Front-Signature and
 * X-Front-Request-Timestamp); the PBX webhook uses the same scheme with its own secret.
 *
 * Verification works on the raw bytes as received, compares in constant time and refuses
 * timestamps further than `maxAgeMs` from now in either direction (replays, skewed clocks).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = { ok: true } | { ok: false; code: 'missing_signature' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature'; message: string };

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
}): SignatureCheck {
  const { secret, timestamp, signature, rawBody, now, maxAgeMs } = options;
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
