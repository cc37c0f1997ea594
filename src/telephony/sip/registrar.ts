/**
 * The SIP line's registration job: follows the user agent's connection and registration, keeps
 * the {@link Registration} store the UI reads, and decides when to sign in (JsSIP is configured not
 * to register by itself, so nothing signs in behind this job's back):
 *
 * - on every connection (the first, and after each reconnection), unless the password was refused;
 * - after a transient refusal (a timeout, 5xx, 503 with Retry-After, ...) with backoff: 2, 4, 8 ...
 *   up to 60 s, never earlier than the server's Retry-After;
 * - never again after the password was refused (403, or 401 / 407 once credentials were sent):
 *   the store says `refused` ("The phone server refused the password") until the agent connects the
 *   account again (a new line) or `register()` is called. Retrying a wrong password is what gets an
 *   address banned by a company's intrusion protection.
 *
 * And when the connection drops, it asks the stack to reconnect quickly at first (every 0.5 s for
 * 10 s: a restarting proxy is back within that, and a refused TCP connection is no login), so
 * the line is registered again well within a second of the server accepting connections; after
 * that window the stack's own backoff (up to `reconnectMaxSeconds`) takes over.
 */
import { createRegistrationStore, REGISTRATION_REASONS, type Registration, type RegistrationState } from './registration';
import { CAUSES, type StackMessage, type StackUserAgent } from './stack';
import type { SipLogEntry } from './types';

export interface Registrar {
  /** The store the line publishes as `registration`. */
  readonly registration: Registration;
  /** Signs in again (after `unregister` or a refused password), starting the backoff afresh. */
  register(): void;
  /** Signs out; no retry until `register`. */
  unregister(): void;
  /** The line is closed: the store says so for good, nothing more is scheduled. */
  close(): void;
}

export interface RegistrarOptions {
  /** The first retry delay in seconds; it doubles on every refusal, up to 60 s. */
  readonly reconnectMinSeconds: number;
  readonly log: (level: SipLogEntry['level'], message: string) => void;
}

/** The quick reconnection after a drop: first try, then every, for how long (ms). */
export const QUICK_RECONNECT = { firstMs: 250, everyMs: 500, windowMs: 10_000 } as const;
/** The longest Retry-After honoured (s): a larger one is read as "much later", not as a day. */
const MAX_RETRY_AFTER_SECONDS = 3600;

type Status = RegistrationState['status'];

function statusOf(response: StackMessage | null | undefined): number | null {
  return typeof response?.status_code === 'number' ? response.status_code : null;
}

/** Retry-After in seconds (RFC 3261 20.33: delta-seconds, optionally a comment), or null. */
export function retryAfterSeconds(response: StackMessage | null | undefined): number | null {
  const value = response?.getHeader?.('Retry-After');
  const match = typeof value === 'string' ? /^\s*(\d{1,10})\b/.exec(value) : null;
  if (!match) return null;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Number(match[1]));
}

/**
 * Whether a refused registration means the password is wrong: 403 Forbidden, or a 401 / 407
 * challenge answered with the credentials and challenged again (JsSIP answers the first challenge
 * itself and reports only the second, as an authentication error).
 */
export function isRefusedPassword(event: { cause?: string; response?: StackMessage | null }): boolean {
  const code = statusOf(event.response);
  return code === 403 || code === 401 || code === 407 || event.cause === CAUSES.AUTHENTICATION_ERROR;
}

/** Attaches to the user agent's events; call before `ua.start()`. */
export function startRegistrar(ua: StackUserAgent, { reconnectMinSeconds, log }: RegistrarOptions): Registrar {
  const store = createRegistrationStore({ status: 'registering', reason: REGISTRATION_REASONS.connecting });
  let closed = false;
  let wantRegistered = true;
  /** The password was refused: no REGISTER until `register()` (or a new line). */
  let refused = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryAttempt = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the connection went down (ms), while it is down. */
  let outageSince: number | null = null;

  function set(status: Status, reason?: string): void {
    if (closed) return;
    const before = store.getState();
    store.set(reason === undefined ? { status } : { status, reason });
    if (before.status !== status) log(status === 'offline' || status === 'refused' ? 'warn' : 'info', `Registration: ${status}${reason ? ` (${reason})` : ''}`);
  }

  function clearRetry(): void {
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
  }

  function clearReconnect(): void {
    if (reconnectTimer !== null) clearTimeout(reconnectTimer);
    reconnectTimer = null;
  }

  function signIn(): void {
    set('registering', REGISTRATION_REASONS.registering);
    ua.register();
  }

  /** After a transient refusal: 2, 4, 8... up to 60 s, and never before the server's Retry-After. */
  function scheduleRetry(retryAfter: number | null): void {
    clearRetry();
    if (closed || !wantRegistered || refused) return;
    const backoff = Math.min(60, reconnectMinSeconds * 2 ** retryAttempt);
    const delay = Math.max(backoff, retryAfter ?? 0) * 1000;
    retryAttempt += 1;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (!closed && wantRegistered && !refused && ua.isConnected() && !ua.isRegistered()) signIn();
    }, delay);
  }

  /** While the connection is down: a quick attempt now and then, for the first few seconds. */
  function scheduleReconnect(): void {
    if (closed || reconnectTimer !== null) return;
    const now = Date.now();
    const first = outageSince === null;
    outageSince ??= now;
    if (now - outageSince >= QUICK_RECONNECT.windowMs) return;
    reconnectTimer = setTimeout(
      () => {
        reconnectTimer = null;
        if (!closed && !ua.isConnected()) ua.reconnect();
      },
      first ? QUICK_RECONNECT.firstMs : QUICK_RECONNECT.everyMs,
    );
  }

  ua.on('connecting', () => {
    if (wantRegistered && !refused && !ua.isRegistered() && store.getState().status !== 'offline') set('registering', REGISTRATION_REASONS.connecting);
  });
  ua.on('connected', () => {
    outageSince = null;
    clearReconnect();
    if (refused) set('refused', REGISTRATION_REASONS.refusedPassword);
    else if (wantRegistered) signIn();
    else set('offline', REGISTRATION_REASONS.signedOut);
  });
  ua.on('registered', () => {
    clearRetry();
    retryAttempt = 0;
    set('registered');
  });
  ua.on('unregistered', () => {
    if (refused) return;
    if (!wantRegistered) set('offline', REGISTRATION_REASONS.signedOut);
    // JsSIP reports the lost registration of a dropped connection this way too (before or after
    // 'disconnected'); the line registers again once reconnected.
    else if (!ua.isConnected()) set('offline', REGISTRATION_REASONS.disconnected);
    else {
      set('offline', REGISTRATION_REASONS.refused(null));
      scheduleRetry(null);
    }
  });
  ua.on('registrationFailed', (event) => {
    const code = statusOf(event.response);
    if (isRefusedPassword(event)) {
      // Proved: treating a 401 / 403 as transient (dropping this branch) makes the
      // "does not retry a refused password" tests fail.
      refused = true;
      clearRetry();
      log('warn', `Registration refused: the phone server refused the password${code === null ? '' : ` (SIP ${code})`}; not retrying until the account is connected again.`);
      set('refused', REGISTRATION_REASONS.refusedPassword);
      return;
    }
    const retryAfter = retryAfterSeconds(event.response);
    log('warn', `Registration refused: ${event.cause ?? 'unknown cause'}${code === null ? '' : ` (SIP ${code})`}${retryAfter === null ? '' : `, retry after ${retryAfter} s`}`);
    if (event.cause === CAUSES.CONNECTION_ERROR || event.cause === CAUSES.REQUEST_TIMEOUT) set('offline', REGISTRATION_REASONS.unreachable);
    else if (code !== null && code >= 500) set('offline', REGISTRATION_REASONS.unavailable(code));
    else set('offline', REGISTRATION_REASONS.refused(code));
    if (ua.isConnected()) scheduleRetry(retryAfter);
  });
  ua.on('disconnected', () => {
    clearRetry();
    scheduleReconnect();
    if (refused) return;
    set('offline', wantRegistered ? REGISTRATION_REASONS.disconnected : REGISTRATION_REASONS.signedOut);
  });

  return {
    registration: { getState: store.getState, subscribe: store.subscribe },
    register() {
      wantRegistered = true;
      refused = false;
      retryAttempt = 0;
      clearRetry();
      if (ua.isConnected()) signIn();
      else set('registering', REGISTRATION_REASONS.connecting);
    },
    unregister() {
      wantRegistered = false;
      clearRetry();
      if (refused || !ua.isRegistered()) {
        refused = false;
        set('offline', REGISTRATION_REASONS.signedOut);
      }
      if (ua.isConnected()) ua.unregister();
    },
    close() {
      store.set({ status: 'offline', reason: REGISTRATION_REASONS.closed });
      closed = true;
      clearRetry();
      clearReconnect();
    },
  };
}
