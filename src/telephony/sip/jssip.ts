/**
 * The only module that imports JsSIP. Loaded lazily by `createSipLine` (dynamic import), so the
 * library stays out of the initial bundle. It adapts JsSIP's user agent to the typed
 * {@link StackUserAgent} of `stack.ts`; JsSIP's loose types do not leak past this file.
 */
import * as JsSIP from 'jssip';
import type { CreateUserAgent, StackConfig, StackUserAgent } from './stack';

// JsSIP logs through `debug`; keep it silent whatever the page's localStorage.debug says: its SIP
// traces would otherwise reach the console (never the password, but the digest exchange).
JsSIP.debug.disable();

export const createJsSipUserAgent: CreateUserAgent = (config: StackConfig): StackUserAgent => {
  const socket = new JsSIP.WebSocketInterface(config.websocketUrl);
  const ua = new JsSIP.UA({
    sockets: [socket],
    uri: config.sipUri,
    password: config.password,
    ...(config.authorizationUser ? { authorization_user: config.authorizationUser } : {}),
    ...(config.displayName ? { display_name: config.displayName } : {}),
    user_agent: config.userAgent,
    register: true,
    register_expires: config.registerExpires,
    connection_recovery_min_interval: config.reconnectMinSeconds,
    connection_recovery_max_interval: config.reconnectMaxSeconds,
    no_answer_timeout: config.noAnswerTimeoutSeconds,
    // JsSIP puts it in the REGISTER's Contact (+sip.instance, with reg-id=1) and in its GRUU.
    ...(config.instanceId ? { instance_id: config.instanceId } : {}),
  });
  // JsSIP's RTCSession and UA implement the calls and events of stack.ts; their published
  // definitions are looser (any-typed handlers, enum-typed status), hence the single cast here.
  return ua as unknown as StackUserAgent;
};
