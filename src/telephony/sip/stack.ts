/**
 * The SIP stack as the SIP line uses it: the small, strictly typed part of JsSIP's user agent and
 * call session that `sipLine.ts` relies on. `jssip.ts` (the only module importing JsSIP) adapts the
 * library to these types; the unit tests implement them with a scriptable fake. JsSIP's own loose
 * type definitions never leave `jssip.ts`.
 *
 * Names follow JsSIP's (`remote_identity`, `status_code`) so the adapter stays a thin cast.
 */

export type Originator = 'local' | 'remote' | 'system';

/** A SIP message as the line reads it: a response's status, a request's header. */
export interface StackMessage {
  readonly status_code?: number;
  getHeader?(name: string): string | undefined;
}

/** A SIP request as the line reads it: the dialog's Call-ID. */
export interface StackRequest {
  readonly call_id?: string;
}

/** Why a session failed (before it was answered) or ended (after). */
export interface StackEndEvent {
  readonly originator: Originator;
  /** JsSIP's cause, e.g. 'Busy', 'Canceled', 'Terminated', 'RTP Timeout'. See {@link CAUSES}. */
  readonly cause: string;
  readonly message: StackMessage | null;
}

/** JsSIP's `causes` constants the line distinguishes. */
export const CAUSES = {
  CONNECTION_ERROR: 'Connection Error',
  REQUEST_TIMEOUT: 'Request Timeout',
  SIP_FAILURE_CODE: 'SIP Failure Code',
  INTERNAL_ERROR: 'Internal Error',
  BUSY: 'Busy',
  REJECTED: 'Rejected',
  REDIRECTED: 'Redirected',
  UNAVAILABLE: 'Unavailable',
  NOT_FOUND: 'Not Found',
  ADDRESS_INCOMPLETE: 'Address Incomplete',
  INCOMPATIBLE_SDP: 'Incompatible SDP',
  MISSING_SDP: 'Missing SDP',
  AUTHENTICATION_ERROR: 'Authentication Error',
  BYE: 'Terminated',
  WEBRTC_ERROR: 'WebRTC Error',
  CANCELED: 'Canceled',
  NO_ANSWER: 'No Answer',
  EXPIRES: 'Expires',
  NO_ACK: 'No ACK',
  DIALOG_ERROR: 'Dialog Error',
  USER_DENIED_MEDIA_ACCESS: 'User Denied Media Access',
  BAD_MEDIA_DESCRIPTION: 'Bad Media Description',
  RTP_TIMEOUT: 'RTP Timeout',
} as const;

export interface StackIdentity {
  readonly uri: { readonly user: string | null; readonly host: string; toString(): string };
  readonly display_name: string | null;
}

/** The options the line passes when it places or answers a call. */
export interface StackMediaOptions {
  readonly mediaConstraints: MediaStreamConstraints;
  readonly pcConfig: RTCConfiguration;
}

export interface StackReferHandlers {
  /** The target accepted the transfer (NOTIFY with a 2xx sipfrag). */
  accepted?: () => void;
  /** The target refused it (NOTIFY with a final error). */
  failed?: () => void;
  /** The REFER itself was refused or could not be sent. */
  requestFailed?: () => void;
}

export interface StackSessionEvents {
  peerconnection: (event: { peerconnection: RTCPeerConnection }) => void;
  /** A local ICE candidate while JsSIP waits for gathering; `ready()` sends the SDP now. */
  icecandidate: (event: { candidate: RTCIceCandidate; ready: () => void }) => void;
  /** 1xx: for an outbound call, the callee is ringing (180) or early media flows (183). */
  progress: (event: { originator: Originator; response: StackMessage | null }) => void;
  /** The dialog is confirmed (ACK sent or received): the call is connected. */
  confirmed: (event: { originator: Originator }) => void;
  ended: (event: StackEndEvent) => void;
  failed: (event: StackEndEvent) => void;
  sdp: (event: { originator: Originator; type: string; sdp: string }) => void;
  /** An INVITE with Replaces targets this session (this agent is a warm transfer's target). */
  replaces: (event: { accept: (init: (session: StackSession) => void) => void; reject: () => void }) => void;
  /** The other party asks this agent to call someone else (blind / attended transfer of the agent). */
  refer: (event: { accept: () => void; reject: () => void }) => void;
}

export interface StackSession {
  readonly direction: 'incoming' | 'outgoing';
  readonly remote_identity: StackIdentity;
  /** The call's peer connection once JsSIP created it. */
  readonly connection: RTCPeerConnection | null | undefined;
  on<K extends keyof StackSessionEvents>(event: K, listener: StackSessionEvents[K]): unknown;
  answer(options: StackMediaOptions): void;
  terminate(options?: { status_code?: number; reason_phrase?: string; cause?: string }): void;
  /** Returns false when a hold cannot start now; `done` runs once the re-INVITE succeeded. */
  hold(options: object, done: () => void): boolean;
  unhold(options: object, done: () => void): boolean;
  isReadyToReOffer(): boolean;
  /**
   * Sends a re-INVITE with a new offer (`iceRestart`: new ICE credentials, so the media path is
   * found again). Returns false when it cannot start now (no dialog yet, another re-INVITE in
   * progress); `done` runs once it succeeded. A refused re-INVITE ends the session (JsSIP).
   */
  renegotiate(options: { rtcOfferConstraints?: { iceRestart?: boolean } }, done: () => void): boolean;
  mute(options: { audio: boolean; video?: boolean }): void;
  unmute(options: { audio: boolean; video?: boolean }): void;
  sendDTMF(tones: string, options: { transportType: 'RFC2833' | 'INFO'; duration?: number; interToneGap?: number }): void;
  refer(target: string, options: { replaces?: StackSession; eventHandlers?: StackReferHandlers }): void;
  isEnded(): boolean;
  isEstablished(): boolean;
}

export interface StackUserAgentEvents {
  connecting: () => void;
  connected: () => void;
  disconnected: (event: { code?: number; reason?: string; error?: boolean }) => void;
  registered: () => void;
  unregistered: () => void;
  registrationFailed: (event: { cause?: string; response?: StackMessage | null }) => void;
  /** `request` is the INVITE of an incoming session: its Call-ID names the call (see callId.ts). */
  newRTCSession: (event: { originator: Originator; session: StackSession; request?: StackRequest | null }) => void;
}

export interface StackUserAgent {
  on<K extends keyof StackUserAgentEvents>(event: K, listener: StackUserAgentEvents[K]): unknown;
  start(): void;
  stop(): void;
  /** Sends a REGISTER now. The stack never registers by itself: the registrar decides when. */
  register(): void;
  unregister(): void;
  isConnected(): boolean;
  isRegistered(): boolean;
  /**
   * While the connection is down: tries to connect now instead of at the stack's next backoff
   * step (which stays scheduled after a failed attempt). Does nothing while connected or connecting.
   */
  reconnect(): void;
  /** Places a call; throws when the target is not a valid SIP target. */
  call(target: string, options: StackMediaOptions): StackSession;
}

/** How the line configures the user agent (JsSIP's UA configuration, with plain names). */
export interface StackConfig {
  readonly websocketUrl: string;
  readonly sipUri: string;
  readonly authorizationUser?: string;
  readonly password: string;
  readonly displayName?: string;
  readonly userAgent: string;
  /** Seconds a registration lasts before it is refreshed. */
  readonly registerExpires: number;
  /** Reconnection backoff after the server or the network dropped, in seconds. */
  readonly reconnectMinSeconds: number;
  readonly reconnectMaxSeconds: number;
  /** Seconds an unanswered incoming call rings before the line gives up on it. */
  readonly noAnswerTimeoutSeconds: number;
  /** The device's `+sip.instance` UUID; absent: the stack makes one. */
  readonly instanceId?: string;
}

export type CreateUserAgent = (config: StackConfig) => StackUserAgent;
