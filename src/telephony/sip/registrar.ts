/**
 * The SIP line's registration job: follows the user agent's connection and registration, keeps
 * the {@link Registration} store the UI reads, and registers again with backoff after a refused
 * registration (JsSIP does not retry by itself; it does reconnect a dropped connection).
 */
import { createRegistrationStore, REGISTRATION_REASONS, type Registration } from './registration';
import { CAUSES, type StackUserAgent } from './stack';
import type { SipLogEntry } from './types';

export interface Registrar {
  /** The store the line publishes as `registration`. */
  readonly registration: Registration;
  /** Signs in again (after `unregister`), starting the backoff afresh. */
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

type Status = 'registering' | 'registered' | 'offline';

/** Attaches to the user agent's events; call before `ua.start()`. */
export function startRegistrar(ua: StackUserAgent, { reconnectMinSeconds, log }: RegistrarOptions): Registrar {
  const store = createRegistrationStore({ status: 'registering', reason: REGISTRATION_REASONS.connecting });
  let closed = false;
  let wantRegistered = true;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryAttempt = 0;

  function set(status: Status, reason?: string): void {
    if (closed) return;
    const before = store.getState();
    store.set(reason === undefined ? { status } : { status, reason });
    if (before.status !== status) log(status === 'offline' ? 'warn' : 'info', `Registration: ${status}${reason ? ` (${reason})` : ''}`);
  }

  function clearRetry(): void {
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
  }

  /** After a refused registration: 2, 4, 8... up to 60 s. */
  function scheduleRetry(): void {
    clearRetry();
    if (closed || !wantRegistered) return;
    const delay = Math.min(60, reconnectMinSeconds * 2 ** retryAttempt) * 1000;
    retryAttempt += 1;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (!closed && wantRegistered && ua.isConnected() && !ua.isRegistered()) {
        set('registering', REGISTRATION_REASONS.registering);
        ua.register();
      }
    }, delay);
  }

  ua.on('connecting', () => {
    if (wantRegistered && !ua.isRegistered() && store.getState().status !== 'offline') set('registering', REGISTRATION_REASONS.connecting);
  });
  ua.on('connected', () => {
    if (wantRegistered) set('registering', REGISTRATION_REASONS.registering);
    else set('offline', REGISTRATION_REASONS.signedOut);
  });
  ua.on('registered', () => {
    clearRetry();
    retryAttempt = 0;
    set('registered');
  });
  ua.on('unregistered', () => {
    if (!wantRegistered) set('offline', REGISTRATION_REASONS.signedOut);
    // JsSIP reports the lost registration of a dropped connection this way too (before or after
    // 'disconnected'); it registers again once reconnected.
    else if (!ua.isConnected()) set('offline', REGISTRATION_REASONS.disconnected);
    else {
      set('offline', REGISTRATION_REASONS.refused(null));
      scheduleRetry();
    }
  });
  ua.on('registrationFailed', (event) => {
    const code = typeof event.response?.status_code === 'number' ? event.response.status_code : null;
    log('warn', `Registration refused: ${event.cause ?? 'unknown cause'}${code === null ? '' : ` (SIP ${code})`}`);
    if (event.cause === CAUSES.AUTHENTICATION_ERROR) set('offline', REGISTRATION_REASONS.refusedCredentials);
    else if (event.cause === CAUSES.CONNECTION_ERROR || event.cause === CAUSES.REQUEST_TIMEOUT) set('offline', REGISTRATION_REASONS.unreachable);
    else set('offline', REGISTRATION_REASONS.refused(code));
    if (ua.isConnected()) scheduleRetry();
  });
  ua.on('disconnected', () => {
    clearRetry();
    // JsSIP reconnects with backoff and registers again once connected.
    set('offline', wantRegistered ? REGISTRATION_REASONS.disconnected : REGISTRATION_REASONS.signedOut);
  });

  return {
    registration: { getState: store.getState, subscribe: store.subscribe },
    register() {
      wantRegistered = true;
      retryAttempt = 0;
      if (ua.isConnected()) {
        set('registering', REGISTRATION_REASONS.registering);
        ua.register();
      } else set('registering', REGISTRATION_REASONS.connecting);
    },
    unregister() {
      wantRegistered = false;
      clearRetry();
      if (ua.isConnected()) ua.unregister();
      else set('offline', REGISTRATION_REASONS.signedOut);
    },
    close() {
      store.set({ status: 'offline', reason: REGISTRATION_REASONS.closed });
      closed = true;
      clearRetry();
    },
  };
}
