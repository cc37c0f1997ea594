/**
 * Short-lived TURN credentials for a teammate, in the TURN REST scheme coturn implements with
 * `use-auth-secret` / `static-auth-secret` (draft-uberti-behave-turn-rest-00):
 *
 *     username   = "<expiry, unix seconds>:<teammate>"
 *     credential = base64(HMAC-SHA1(secret, username))
 *
 * The TURN server shares the secret and checks both the HMAC and that the expiry is in the future,
 * so the plugin never holds a long-lived TURN password: it asks this server (authenticated with the
 * teammate's token) and asks again before the credentials expire. Pure: no I/O, the clock is given.
 */
import { createHmac } from 'node:crypto';

export interface TurnSettings {
  /** coturn's static-auth-secret. Never logged, never sent. */
  readonly secret: string;
  /** turn: / turns: (and stun:) URLs of the relay, e.g. turn:turn.example.com:3478?transport=udp. */
  readonly urls: readonly string[];
  /** How long issued credentials last, in seconds. */
  readonly ttlSeconds: number;
}

/** What the plugin receives: an RTCIceServer, plus when it stops working. */
export interface TurnCredentials {
  readonly urls: string[];
  readonly username: string;
  readonly credential: string;
  readonly ttlSeconds: number;
  /** When the credentials expire, ISO 8601. */
  readonly expiresAt: string;
}

/** turn:, turns: or stun: URL (RFC 7064 / 7065), no spaces or commas. */
export const TURN_URL = /^(turns?|stuns?):[^\s,]+$/;

/**
 * Mints credentials for `teammate` valid `ttlSeconds` from `nowMs`. The teammate is only a label
 * (it shows in the TURN server's logs); a ':' in it would split the username, so it is replaced.
 */
export function mintTurnCredentials(settings: TurnSettings, teammate: string, nowMs: number): TurnCredentials {
  const expiry = Math.floor(nowMs / 1000) + settings.ttlSeconds;
  const username = `${expiry}:${teammate.replace(/[:\s]/g, '_')}`;
  const credential = createHmac('sha1', settings.secret).update(username).digest('base64');
  return {
    urls: [...settings.urls],
    username,
    credential,
    ttlSeconds: settings.ttlSeconds,
    expiresAt: new Date(expiry * 1000).toISOString(),
  };
}
