/**
 * A scriptable fake of the SIP stack (`src/telephony/sip/stack.ts`) and of the browser media the
 * SIP line uses: a user agent whose connection, registration and incoming calls the test controls,
 * and sessions that behave like JsSIP's (terminate() reports failed / ended synchronously, hold()
 * waits for the re-INVITE the test completes) with remote-side controls (ring, answer, reject with
 * a status, hang up, cancel, send an INVITE with Replaces).
 */
import type { MixLeg, SipMedia } from '../../src/telephony/sip/media';
import {
  CAUSES,
  type StackConfig,
  type StackEndEvent,
  type StackMediaOptions,
  type StackMessage,
  type StackReferHandlers,
  type StackSession,
  type StackSessionEvents,
  type StackUserAgent,
  type StackUserAgentEvents,
} from '../../src/telephony/sip/stack';

type Listener = (...args: any[]) => void;

class Emitter<Events> {
  private readonly listeners = new Map<keyof Events, Listener[]>();
  on<K extends keyof Events>(event: K, listener: Events[K]): this {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as unknown as Listener);
    this.listeners.set(event, list);
    return this;
  }
  emit<K extends keyof Events>(event: K, ...args: Events[K] extends (...a: infer A) => unknown ? A : never): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
  }
  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

/** Just enough of an RTCPeerConnection for the line: events, senders, stats, connection state. */
export class FakePeerConnection extends EventTarget {
  connectionState: RTCPeerConnectionState = 'new';
  iceConnectionState: RTCIceConnectionState = 'new';
  iceGatheringState: RTCIceGatheringState = 'gathering';
  readonly track = { kind: 'audio', enabled: true, stop() {} };
  readonly tones: string[] = [];
  canInsertDTMF = true;
  stats: Record<string, unknown>[] = [];
  readonly sender = {
    track: this.track as unknown as MediaStreamTrack | null,
    dtmf: { canInsertDTMF: true, insertDTMF: (tones: string) => this.tones.push(tones) } as unknown as RTCDTMFSender,
    replaceTrack: async (track: MediaStreamTrack | null) => {
      this.sender.track = track;
    },
  };
  getSenders(): RTCRtpSender[] {
    (this.sender.dtmf as unknown as { canInsertDTMF: boolean }).canInsertDTMF = this.canInsertDTMF;
    return [this.sender as unknown as RTCRtpSender];
  }
  async getStats(): Promise<RTCStatsReport> {
    const map = new Map(this.stats.map((s, i) => [String(i), s]));
    return map as unknown as RTCStatsReport;
  }
  fail(): void {
    this.connectionState = 'failed';
    this.dispatchEvent(new Event('connectionstatechange'));
  }
  /** ICE gathering ended (with or without candidates). */
  gatheringComplete(): void {
    this.iceGatheringState = 'complete';
    this.dispatchEvent(new Event('icegatheringstatechange'));
  }
  /** The ICE connection state changes (media path up, lost, failed). */
  ice(state: RTCIceConnectionState): void {
    this.iceConnectionState = state;
    this.connectionState = state === 'checking' ? 'connecting' : state === 'completed' ? 'connected' : (state as RTCPeerConnectionState);
    this.dispatchEvent(new Event('iceconnectionstatechange'));
    this.dispatchEvent(new Event('connectionstatechange'));
  }
  remoteTrack(): void {
    const event = new Event('track') as Event & { streams: unknown[]; track: unknown };
    event.streams = [{ id: 'remote-stream' }];
    event.track = { kind: 'audio' };
    this.dispatchEvent(event);
  }
}

/** Set `value` to false for the sessions created next: their ICE finds no candidate at all. */
export const gathersByDefault = { value: true };

let sessionCount = 0;
/** Numbers the Call-IDs of incoming INVITEs. */
let callIdCount = 0;

export class FakeSession extends Emitter<StackSessionEvents> implements StackSession {
  readonly id = ++sessionCount;
  state: 'new' | 'ringing' | 'answering' | 'confirmed' | 'ended' = 'new';
  /** The fake peer connection (what the line sees as `connection`). */
  pc: FakePeerConnection | null = null;
  get connection(): RTCPeerConnection | null {
    return this.pc as unknown as RTCPeerConnection | null;
  }
  answeredWith: StackMediaOptions | null = null;
  terminatedWith: { status_code?: number; reason_phrase?: string; cause?: string } | null = null;
  muted = false;
  held = false;
  /** Re-INVITEs sent and not answered yet: call `completeReInvite()` to answer the oldest. */
  readonly reInvites: { held: boolean; done: () => void }[] = [];
  readonly dtmf: { tones: string; transportType: string }[] = [];
  readonly refers: { target: string; replaces?: StackSession; handlers: StackReferHandlers }[] = [];
  readyToReOffer = true;
  /** When set, the other side answers each re-INVITE this many ms after it is sent. */
  autoReInviteMs: number | null = null;
  /** When set, the far end accepts a REFER this many ms later (NOTIFY 2xx): a blind transfer lands. */
  autoAcceptReferMs: number | null = null;
  readonly remote_identity: StackSession['remote_identity'];

  constructor(
    readonly direction: 'incoming' | 'outgoing',
    readonly target: string,
    remote: { user: string | null; displayName?: string | null; host?: string },
    readonly options: StackMediaOptions | null = null,
  ) {
    super();
    const host = remote.host ?? 'sip.example.com';
    this.remote_identity = {
      uri: { user: remote.user, host, toString: () => `sip:${remote.user ?? 'anonymous'}@${host}` },
      display_name: remote.displayName ?? null,
    };
    if (direction === 'outgoing') this.createConnection();
  }

  /** Whether its peer connection finds a (host) ICE candidate by itself, as a real one does. */
  get gathers(): boolean {
    return gathersByDefault.value;
  }

  private createConnection(): void {
    const pc = new FakePeerConnection();
    this.pc = pc;
    this.emit('peerconnection', { peerconnection: pc as unknown as RTCPeerConnection });
    // After the line has bound the connection (it does right after call() / answer() return).
    if (this.gathers) {
      void Promise.resolve().then(() => {
        const found = new Event('icecandidate') as Event & { candidate: unknown };
        found.candidate = { type: 'host', candidate: 'candidate:0 1 udp 1 127.0.0.1 5000 typ host' };
        pc.dispatchEvent(found);
      });
    }
  }

  // ---- the stack API ----------------------------------------------------------------------

  answer(options: StackMediaOptions): void {
    if (this.direction !== 'incoming') throw new Error('answer() is for incoming sessions');
    if (this.state !== 'ringing') throw new Error(`InvalidStateError: ${this.state}`);
    this.answeredWith = options;
    this.state = 'answering';
    this.createConnection();
  }

  terminate(options: { status_code?: number; reason_phrase?: string; cause?: string } = {}): void {
    if (this.state === 'ended') throw new Error('InvalidStateError: terminated');
    this.terminatedWith = options;
    const established = this.state === 'confirmed';
    this.state = 'ended';
    if (established) this.emit('ended', { originator: 'local', cause: options.cause ?? CAUSES.BYE, message: null });
    else if (this.direction === 'outgoing') this.emit('failed', { originator: 'local', cause: CAUSES.CANCELED, message: null });
    else this.emit('failed', { originator: 'local', cause: CAUSES.REJECTED, message: null });
  }

  hold(_options: object, done: () => void): boolean {
    if (this.state !== 'confirmed' || this.held || !this.readyToReOffer) return false;
    this.held = true;
    this.readyToReOffer = false;
    this.reInvites.push({ held: true, done });
    if (this.autoReInviteMs !== null) setTimeout(() => this.completeReInvite(), this.autoReInviteMs);
    return true;
  }

  unhold(_options: object, done: () => void): boolean {
    if (this.state !== 'confirmed' || !this.held || !this.readyToReOffer) return false;
    this.held = false;
    this.readyToReOffer = false;
    this.reInvites.push({ held: false, done });
    if (this.autoReInviteMs !== null) setTimeout(() => this.completeReInvite(), this.autoReInviteMs);
    return true;
  }

  isReadyToReOffer(): boolean {
    return this.state === 'confirmed' && this.readyToReOffer;
  }

  /** ICE restarts asked for (re-INVITEs with iceRestart); `done` answers one with 200 OK. */
  readonly iceRestarts: { done: () => void }[] = [];
  renegotiate(options: { rtcOfferConstraints?: { iceRestart?: boolean } }, done: () => void): boolean {
    if (this.state !== 'confirmed' || !this.readyToReOffer) return false;
    if (options.rtcOfferConstraints?.iceRestart !== true) throw new Error('Only ICE restarts are expected.');
    this.iceRestarts.push({ done });
    return true;
  }

  mute(): void {
    this.muted = true;
  }

  unmute(): void {
    this.muted = false;
  }

  sendDTMF(tones: string, options: { transportType: 'RFC2833' | 'INFO' }): void {
    if (this.state !== 'confirmed') throw new Error('InvalidStateError');
    this.dtmf.push({ tones, transportType: options.transportType });
  }

  refer(target: string, options: { replaces?: StackSession; eventHandlers?: StackReferHandlers }): void {
    this.refers.push({ target, ...(options.replaces ? { replaces: options.replaces } : {}), handlers: options.eventHandlers ?? {} });
    const handlers = options.eventHandlers ?? {};
    if (this.autoAcceptReferMs !== null) setTimeout(() => handlers.accepted?.(), this.autoAcceptReferMs);
  }

  isEnded(): boolean {
    return this.state === 'ended';
  }

  isEstablished(): boolean {
    return this.state === 'confirmed';
  }

  // ---- what the other side (or the network) does -----------------------------------------------

  /** Answers the oldest pending re-INVITE with 200 OK. */
  completeReInvite(): void {
    const next = this.reInvites.shift();
    if (!next) throw new Error('No re-INVITE pending.');
    this.readyToReOffer = true;
    next.done();
  }

  /** The local side's SDP is ready after the first ICE candidate: returns whether ready() ran. */
  iceCandidate(type: 'host' | 'srflx' | 'relay'): { ready: () => void; called: () => boolean } {
    let called = false;
    const ready = () => {
      called = true;
    };
    const candidate = { type, candidate: `candidate:1 1 udp 1 10.0.0.1 5000 typ ${type}` } as unknown as RTCIceCandidate;
    if (this.pc) {
      const found = new Event('icecandidate') as Event & { candidate: RTCIceCandidate };
      found.candidate = candidate;
      this.pc.dispatchEvent(found);
    }
    this.emit('icecandidate', { candidate, ready });
    return { ready, called: () => called };
  }

  remoteSdp(sdp: string): void {
    this.emit('sdp', { originator: 'remote', type: 'answer', sdp });
  }

  ring(code = 180): void {
    this.state = 'ringing';
    this.emit('progress', { originator: 'remote', response: { status_code: code } });
  }

  /** The callee answered (200 OK, ACK sent) / the caller's ACK arrived. */
  confirm(): void {
    this.state = 'confirmed';
    this.pc ??= new FakePeerConnection();
    this.emit('confirmed', { originator: this.direction === 'outgoing' ? 'local' : 'remote' });
  }

  /** The callee refused the call with a final status. */
  reject(statusCode: number): void {
    this.state = 'ended';
    const cause = statusCode === 486 ? CAUSES.BUSY : statusCode === 603 ? CAUSES.REJECTED : CAUSES.UNAVAILABLE;
    this.emit('failed', { originator: 'remote', cause, message: { status_code: statusCode } });
  }

  /** The caller gave up (CANCEL), optionally with a Reason header. */
  cancel(reason?: string): void {
    this.state = 'ended';
    const message: StackMessage = { getHeader: (name) => (name.toLowerCase() === 'reason' ? reason : undefined) };
    this.emit('failed', { originator: 'remote', cause: CAUSES.CANCELED, message });
  }

  /** BYE from the other side. */
  hangUp(): void {
    this.state = 'ended';
    this.emit('ended', { originator: 'remote', cause: CAUSES.BYE, message: null });
  }

  /** Ends the session with any event (e.g. a JsSIP-detected RTP timeout). */
  end(event: StackEndEvent, kind: 'ended' | 'failed' = 'ended'): void {
    this.state = 'ended';
    this.emit(kind, event);
  }
}

export class FakeUserAgent extends Emitter<StackUserAgentEvents> implements StackUserAgent {
  connected = false;
  registered = false;
  started = false;
  stopped = false;
  readonly calls: FakeSession[] = [];
  readonly registerCalls: number[] = [];
  unregisterCalls = 0;
  /** When the line asked for a quick reconnection (Date.now()). */
  readonly reconnectCalls: number[] = [];
  /** Whether the server accepts connections: `reconnect()` connects (and registration is up to the test). */
  serverUp = true;
  /** Runs for every placed call, e.g. to script the far end. */
  onCall: ((session: FakeSession) => void) | null = null;
  throwOnCall: Error | null = null;

  constructor(readonly config: StackConfig) {
    super();
  }

  start(): void {
    this.started = true;
  }
  stop(): void {
    this.stopped = true;
    for (const session of this.calls) if (!session.isEnded()) session.terminate();
  }
  register(): void {
    this.registerCalls.push(Date.now());
  }
  unregister(): void {
    this.unregisterCalls += 1;
    if (this.registered) {
      this.registered = false;
      this.emit('unregistered');
    }
  }
  isConnected(): boolean {
    return this.connected;
  }
  reconnect(): void {
    this.reconnectCalls.push(Date.now());
    if (this.connected) return;
    if (this.serverUp) this.connect();
    else {
      this.emit('connecting');
      this.emit('disconnected', { error: true, code: 1006 });
    }
  }
  isRegistered(): boolean {
    return this.registered;
  }
  call(target: string, options: StackMediaOptions): FakeSession {
    if (this.throwOnCall) throw this.throwOnCall;
    const user = /^sip:([^@]+)@/.exec(target)?.[1] ?? null;
    const session = new FakeSession('outgoing', target, { user }, options);
    this.calls.push(session);
    this.onCall?.(session);
    return session;
  }

  // ---- what the server does -------------------------------------------------------------------

  connect(): void {
    this.emit('connecting');
    this.connected = true;
    this.emit('connected');
  }
  acceptRegistration(): void {
    this.registered = true;
    this.emit('registered');
  }
  /** Connects and registers, as a healthy server would. */
  online(): void {
    this.connect();
    this.acceptRegistration();
  }
  refuseRegistration(cause: string, statusCode?: number, headers: Record<string, string> = {}): void {
    this.registered = false;
    const response = statusCode === undefined ? null : { status_code: statusCode, getHeader: (name: string) => headers[name] };
    this.emit('registrationFailed', { cause, response });
  }
  /** The connection dropped (server killed, network gone). */
  drop(): void {
    this.connected = false;
    this.emit('disconnected', { error: true, code: 1006 });
    if (this.registered) {
      this.registered = false;
      this.emit('unregistered');
    }
  }
  /** Someone calls the agent. */
  incoming(user: string | null, displayName: string | null = null, sipCallId = `${++callIdCount}-fake@sip.example.com`): FakeSession {
    const session = new FakeSession('incoming', 'sip:agent', { user, displayName });
    session.state = 'ringing';
    this.calls.push(session);
    this.emit('newRTCSession', { originator: 'remote', session, request: { call_id: sipCallId } });
    return session;
  }
  /** An INVITE with Replaces for `replaced` arrives from `user` (the agent is a transfer target). */
  replacing(replaced: FakeSession, user: string): { session: FakeSession | null; rejected: boolean } {
    let next: FakeSession | null = null;
    let rejected = false;
    replaced.emit('replaces', {
      accept: (init) => {
        next = new FakeSession('incoming', 'sip:agent', { user });
        next.state = 'ringing';
        this.calls.push(next);
        init(next);
        // As JsSIP: the replaced session ends once the replacing one is confirmed.
        next.on('confirmed', () => {
          if (!replaced.isEnded()) replaced.terminate();
        });
        this.emit('newRTCSession', { originator: 'remote', session: next, request: { call_id: `${++callIdCount}-replacing@sip.example.com` } });
      },
      reject: () => {
        rejected = true;
      },
    });
    return { session: next, rejected };
  }
}

export interface FakeMedia extends SipMedia {
  readonly ringer: { ringing: boolean; starts: number; sink: string | undefined; disposed: boolean };
  readonly outputs: { playing: unknown; sink: string | undefined; stopped: boolean }[];
  readonly waitingTone: { playing: boolean; starts: number; sink: string | undefined; disposed: boolean };
  /** The conference mixes made, with what they were given and whether they were stopped. */
  readonly mixes: { legs: readonly MixLeg[]; muted: boolean; stopped: boolean }[];
  sinkWorks: boolean;
  /** Makes the next mixConference throw (a browser without Web Audio). */
  mixFails: boolean;
}

export function fakeMedia(): FakeMedia {
  const ringer = { ringing: false, starts: 0, sink: undefined as string | undefined, disposed: false };
  const outputs: FakeMedia['outputs'] = [];
  const waitingTone = { playing: false, starts: 0, sink: undefined as string | undefined, disposed: false };
  const mixes: FakeMedia['mixes'] = [];
  const media: FakeMedia = {
    ringer,
    outputs,
    waitingTone,
    mixes,
    sinkWorks: true,
    mixFails: false,
    createWaitingTone() {
      return {
        start: () => {
          waitingTone.playing = true;
          waitingTone.starts += 1;
        },
        stop: () => {
          waitingTone.playing = false;
        },
        setSink: async (id) => {
          waitingTone.sink = id;
          return media.sinkWorks;
        },
        dispose: () => {
          waitingTone.playing = false;
          waitingTone.disposed = true;
        },
      };
    },
    mixConference(legs, muted) {
      if (media.mixFails) throw new Error('no Web Audio');
      const mix = { legs, muted, stopped: false };
      mixes.push(mix);
      return {
        setMuted: (value) => {
          mix.muted = value;
        },
        stop: () => {
          mix.stopped = true;
        },
      };
    },
    createOutput() {
      const output = { playing: null as unknown, sink: undefined as string | undefined, stopped: false };
      outputs.push(output);
      return {
        play: (stream) => {
          output.playing = stream;
        },
        setSink: async (id) => {
          output.sink = id;
          return media.sinkWorks;
        },
        stop: () => {
          output.stopped = true;
        },
      };
    },
    createRinger() {
      return {
        start: () => {
          ringer.ringing = true;
          ringer.starts += 1;
        },
        stop: () => {
          ringer.ringing = false;
        },
        setSink: async (id) => {
          ringer.sink = id;
          return media.sinkWorks;
        },
        dispose: () => {
          ringer.ringing = false;
          ringer.disposed = true;
        },
      };
    },
    async getMicrophoneTrack() {
      return { kind: 'audio', enabled: true, stop() {} } as unknown as MediaStreamTrack;
    },
  };
  return media;
}
