/**
 * The only module that imports JsSIP. Loaded lazily by `createSipLine` (dynamic import), so the
 * library stays out of the initial bundle. It adapts JsSIP's user agent to the typed
 * {@link StackUserAgent} of `stack.ts`; JsSIP's loose types do not leak past this file.
 */
import * as JsSIP from 'jssip';
import type { CreateUserAgent, StackConfig, StackSession, StackUserAgent, StackUserAgentEvents } from './stack';

// JsSIP logs through `debug`; keep it silent whatever the page's localStorage.debug says: its SIP
// traces would otherwise reach the console (never the password, but the digest exchange).
JsSIP.debug.disable();

/** The part of JsSIP's transport (`ua.transport`, untyped in its definitions) the reconnection uses. */
interface JsSipTransport {
  recovery_timer: ReturnType<typeof setTimeout> | null;
  isConnected(): boolean;
  isConnecting(): boolean;
  connect(): void;
}

export const createJsSipUserAgent: CreateUserAgent = (config: StackConfig): StackUserAgent => {
  const socket = new JsSIP.WebSocketInterface(config.websocketUrl);
  const ua = new JsSIP.UA({
    sockets: [socket],
    uri: config.sipUri,
    password: config.password,
    ...(config.authorizationUser ? { authorization_user: config.authorizationUser } : {}),
    ...(config.displayName ? { display_name: config.displayName } : {}),
    user_agent: config.userAgent,
    // The registrar (registrar.ts) registers on every connection itself, and not after the
    // password was refused: JsSIP would register again on each reconnection whatever happened.
    register: false,
    register_expires: config.registerExpires,
    connection_recovery_min_interval: config.reconnectMinSeconds,
    connection_recovery_max_interval: config.reconnectMaxSeconds,
    no_answer_timeout: config.noAnswerTimeoutSeconds,
    // JsSIP puts it in the REGISTER's Contact (+sip.instance, with reg-id=1) and in its GRUU.
    ...(config.instanceId ? { instance_id: config.instanceId } : {}),
  });
  // JsSIP's RTCSession implements the calls and events of stack.ts; its published definitions are
  // looser (any-typed handlers, enum-typed status), hence the casts here.
  const on = ua.on.bind(ua) as unknown as (event: string, listener: (...args: never[]) => void) => unknown;
  return {
    on: <K extends keyof StackUserAgentEvents>(event: K, listener: StackUserAgentEvents[K]) => on(event, listener),
    start: () => ua.start(),
    stop: () => ua.stop(),
    // The registrator's own register() (UA.register() would also turn JsSIP's register-on-connect on).
    register: () => (ua.registrator() as unknown as { register(): void }).register(),
    unregister: () => ua.unregister(),
    isConnected: () => ua.isConnected(),
    isRegistered: () => ua.isRegistered(),
    call: (target, options) => ua.call(target, options) as unknown as StackSession,
    reconnect() {
      const transport = (ua as unknown as { transport: JsSipTransport }).transport;
      if (transport.isConnected() || transport.isConnecting()) return;
      // JsSIP's next recovery attempt is dropped; a failed attempt schedules a new one, so there is
      // only ever one, and JsSIP's backoff carries on after the quick attempts.
      if (transport.recovery_timer !== null) clearTimeout(transport.recovery_timer);
      transport.recovery_timer = null;
      transport.connect();
    },
  };
};
