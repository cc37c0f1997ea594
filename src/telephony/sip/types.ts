import type { Line } from '../line';
import type { SipDevices } from './media';
import type { Registration } from './registration';

/** A line over SIP: the {@link Line} port plus what only a real phone account has. */
export interface SipLine extends Line {
  readonly kind: 'sip';
  /** Whether incoming calls can arrive, apart from any call; observable for the UI. */
  readonly registration: Registration;
  /**
   * Chooses the microphone (used for the next call, and switched on the current one), the output
   * of the call audio and the output of the ringtone. An omitted field keeps its current choice;
   * `undefined` values reset to the system default. Rejects `unsupported` when the browser cannot
   * route audio to the chosen output (the choice is kept for later calls all the same).
   */
  setDevices(devices: SipDevices): Promise<void>;
  /**
   * Replaces the STUN / TURN servers (passed to RTCPeerConnection as given) for the calls placed or
   * answered from now on and for ICE restarts; a call in progress keeps its relay. Used to hand
   * the line fresh short-lived TURN credentials before the previous ones expire.
   */
  setIceServers(servers: readonly RTCIceServer[]): void;
  /** Signs out of the server: incoming calls stop arriving; outgoing calls still work. */
  unregister(): Promise<void>;
  /** Signs in again after {@link SipLine.unregister}. */
  register(): Promise<void>;
  /** Hangs up any call, signs out, closes the connection; the line is unusable afterwards. */
  dispose(): void;
}

/** One line of the SIP line's own log. Never contains the password. */
export interface SipLogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
}

export interface SipLineOptions {
  /**
   * The agent's number (`from` of outbound calls, `to` of inbound ones). Default: the user part of
   * the SIP URI, which the account validation requires to be a number.
   */
  readonly agentNumber?: string;
  /** STUN / TURN servers. Default none: the server or the network must not need them. */
  readonly iceServers?: RTCIceServer[];
  /** RTCPeerConnection's iceTransportPolicy: "relay" sends all media through TURN. Default "all". */
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
  /**
   * How long to wait for more ICE candidates before sending an offer or answer, in ms after the
   * first one. Without ICE servers the SDP is sent on the first candidate (JsSIP otherwise waits
   * for gathering to complete, ~150 ms); with them, on the first server-reflexive or relay
   * candidate, or after this delay. Default 500.
   */
  readonly iceGatheringTimeoutMs?: number;
  /**
   * How long a call waits for its first ICE candidate, in ms from the peer connection's creation:
   * a call whose ICE finds none (no route, TURN unreachable with a relay-only policy) ends as
   * `connectionLost` then, with the reason in the log. Default 5000.
   */
  readonly iceNoCandidateTimeoutMs?: number;
  /**
   * When a connected call's media path fails (ICE "disconnected"): how long to wait for it to come
   * back by itself before restarting ICE with a re-INVITE (default 2000 ms), and how long the
   * restart may take before the call ends as `connectionLost` (default 10000 ms).
   */
  readonly iceRestartGraceMs?: number;
  readonly iceRestartTimeoutMs?: number;
  /** Interval of `audioStats` SYNCs while a call is connected; 0 turns them off. Default 5000. */
  readonly statsEveryMs?: number;
  readonly devices?: SipDevices;
  /** A ringtone to loop for incoming calls; default a synthesized ring. */
  readonly ringtoneUrl?: string;
  /** Reconnection backoff after the server or the network dropped, in seconds. Default 2 to 15. */
  readonly reconnectMinSeconds?: number;
  readonly reconnectMaxSeconds?: number;
  /** How long a registration lasts before it is refreshed, in seconds. Default 300. */
  readonly registerExpiresSeconds?: number;
  /**
   * The device's SIP instance id (a UUID; RFC 5626 `+sip.instance` in the REGISTER's Contact).
   * Give the same one to every line of a browser profile (see `profileSipInstanceId`), so a new
   * registration replaces the previous one at the registrar. Default: a new one per line.
   */
  readonly instanceId?: string;
  /** How long an unanswered incoming call rings before it counts as missed, in seconds. Default 60. */
  readonly noAnswerTimeoutSeconds?: number;
  /** Receives the line's log (registration changes, call failures with their SIP codes). */
  readonly logger?: (entry: SipLogEntry) => void;
  /** Receives what a listener threw; default: the platform's `reportError`. */
  readonly onListenerError?: (error: unknown) => void;
}
