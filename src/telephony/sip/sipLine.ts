/**
 * The SIP line: the {@link Line} port over a SIP user agent (JsSIP, reached through the typed
 * `stack.ts`), with WebRTC audio. It emits the same event sequences as the simulated line
 * (`simulated/simulatedLine.ts`), driven by SIP instead of timers:
 *
 * - dial: `DIALER.DIALING`, `DIALER.SYNC` (outbound), `connecting`; a 1xx -> `ringing`; the
 *   confirmed dialog -> `connected` + SYNC (parties, onHold / muted false).
 * - incoming INVITE: SYNC (inbound, from, callerName), `ringing`; answer -> `accepting`, the ACK ->
 *   `connected`. A second INVITE while a call is in progress is answered 486 and never announced.
 * - every call ends with exactly one `ended` (preceded by `hanging` when someone hung up), then a
 *   SYNC with the duration; the reasons are in `endReasons.ts`.
 * - hold / resume are re-INVITEs; onHold is reported only once the re-INVITE succeeded. Mute
 *   disables the local track and is reported at once.
 * - warm transfer: the first call is held (re-INVITE), a consultation call is placed; swap holds
 *   one leg and resumes the other; merge sends REFER with Replaces to the first party, and the
 *   call ends `transferred` once the party reports the new call answered (NOTIFY 200). When the
 *   agent is the transfer target, an INVITE with Replaces takes over the replaced call: same
 *   callId, the new party reported by SYNC.
 *
 * Beyond JsSIP: the line ends a call itself when its peer connection fails (`connectionLost`;
 * JsSIP would keep a ghost call), sends the SDP on the first ICE candidate instead of waiting for
 * gathering to finish, and re-registers with backoff after a refused registration.
 */
import { createEventDelivery } from '../eventDelivery';
import { callStatusEvent, syncEvent, type CallFlow, type CallStatus, type EndReason, type LineEvent, type Participant, type SyncPayload, type TransferOutcome } from '../protocol';
import { LineError, type LineCapabilities, type TransferTarget } from '../line';
import { isPhoneNumber, parseSipAddress, type SipAccount } from './account';
import { connectedEndReason, consultFailureOutcome, inboundFailureReason, outboundFailureReason, type EndIntent } from './endReasons';
import { microphoneConstraints, readAudioStats, type AudioOutput, type SipDevices, type SipMedia, type StatsSample } from './media';
import { createRegistrationStore, REGISTRATION_REASONS } from './registration';
import { CAUSES, type CreateUserAgent, type StackEndEvent, type StackMediaOptions, type StackSession, type StackUserAgent } from './stack';
import type { SipLine, SipLineOptions } from './types';

/** What the SIP line needs from the outside world; the unit tests provide fakes. */
export interface SipEnvironment {
  readonly createUserAgent: CreateUserAgent;
  readonly media: SipMedia;
  /** Clock for call durations. Default `Date.now`. */
  readonly now?: () => number;
}

const CAPABILITIES: LineCapabilities = Object.freeze({
  hold: true,
  mute: true,
  dtmf: true,
  warmTransfer: true,
  recording: false,
  conference: true,
  audioStats: true,
});

const DIALABLE = /^\+?[0-9*#]{1,20}$/;
const DTMF = /^[0-9*#]{1,32}$/;
const MAX_CALL_ID = 128;
const MAX_NAME = 200;
const MAX_PARTICIPANTS = 10;
/** The `from` of a caller whose SIP user is not a number (withheld, or a SIP name like "alice"). */
export const UNKNOWN_CALLER_NUMBER = '0';
/** After a merge, how long the transfer target gets to end the replaced call before the line does. */
const REPLACED_LEG_GRACE_MS = 3000;
/** How long a hold / resume waits for a re-INVITE in progress (JsSIP refuses overlapping ones). */
const REOFFER_WAIT_MS = 3000;
const USER_AGENT = 'front-softphone (JsSIP)';

type Timer = ReturnType<typeof setTimeout>;

/** One SIP session of the call: the original party, or the warm-transfer target. */
interface Leg {
  rtc: StackSession;
  party: Participant;
  connected: boolean;
  ended: boolean;
  /** Its events no longer concern the call (a cancelled consultation, a merged transfer). */
  detached: boolean;
  /** Held by this agent, as the last successful re-INVITE set it. */
  held: boolean;
  /** Hold / resume operations, one after the other. */
  ops: Promise<boolean>;
  pc: RTCPeerConnection | null;
  output: AudioOutput | null;
  /** The other party's SDP offers RFC 4733 telephone-event. */
  telephoneEvent: boolean;
  statsSample: StatsSample | null;
  /** Why this agent ended the leg, when it did. */
  intent: EndIntent | null;
  /** Resolved when the leg ends, so pending hold operations give up. */
  readonly onEnd: Set<() => void>;
  readonly timers: Set<Timer>;
}

type TransferPhase = 'none' | 'starting' | 'consulting';

interface Call {
  readonly callId: string;
  readonly direction: 'inbound' | 'outbound';
  status: CallStatus;
  flow: CallFlow;
  main: Leg;
  consult: Leg | null;
  consultIsActive: boolean;
  transfer: TransferPhase;
  /** Bumped whenever the transfer changes course; late continuations of an older one stop. */
  transferGen: number;
  connectedAt: number | null;
  muted: boolean;
  ended: boolean;
  readonly participants: Participant[];
  readonly timers: Set<Timer>;
}

function defaultListenerErrorReporter(error: unknown): void {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else console.error('A SIP line listener threw:', error);
}

/** The caller's number and name as the protocol carries them. */
function partyOf(session: StackSession): Participant {
  const user = session.remote_identity.uri.user ?? '';
  const cleaned = user.replace(/[\s().-]/g, '');
  const number = isPhoneNumber(cleaned) ? cleaned : UNKNOWN_CALLER_NUMBER;
  const display = (session.remote_identity.display_name ?? '').replace(/^"|"$/g, '').trim();
  // A caller known only by a SIP name keeps it as the name, so the agent sees who calls.
  const name = display !== '' ? display : number === UNKNOWN_CALLER_NUMBER && user !== '' ? user : '';
  return name === '' ? { number } : { number, name: name.slice(0, MAX_NAME) };
}

/**
 * Creates the SIP line and starts registering. Commands are refused with `not_ready` while the
 * connection to the server is down; incoming calls arrive only while registered (see
 * {@link SipLine.registration}).
 */
export function createSipLineWith(account: SipAccount, options: SipLineOptions, env: SipEnvironment): SipLine {
  const address = parseSipAddress(account.sipUri);
  if (!address) throw new LineError('invalid_argument', 'The SIP address is not valid.');
  const agentNumber = options.agentNumber ?? address.user;
  if (!DIALABLE.test(agentNumber)) throw new LineError('invalid_argument', 'The agent number must be a phone number or extension.');
  const {
    iceServers = [],
    iceGatheringTimeoutMs = 500,
    statsEveryMs = 5000,
    reconnectMinSeconds = 2,
    reconnectMaxSeconds = 15,
    registerExpiresSeconds = 300,
    noAnswerTimeoutSeconds = 60,
    onListenerError = defaultListenerErrorReporter,
  } = options;
  const now = env.now ?? (() => Date.now());
  const domain = address.port === null ? address.host : `${address.host}:${address.port}`;

  /** The password must never reach a log, a message or a URL: every outgoing text goes through here. */
  function redact(text: string): string {
    return account.password.length > 0 ? text.split(account.password).join('***') : text;
  }
  function log(level: 'info' | 'warn' | 'error', message: string): void {
    options.logger?.({ level, message: redact(message) });
  }
  function lineError(code: ConstructorParameters<typeof LineError>[0], message: string): LineError {
    return new LineError(code, redact(message));
  }

  const delivery = createEventDelivery((error) => onListenerError(error));
  const usedCallIds = new Set<string>();
  const replacements = new Map<StackSession, { call: Call; leg: Leg; previous: StackSession }>();
  const lingering = new Set<Leg>();
  const iceWaits = new WeakSet<() => void>();
  const registration = createRegistrationStore({ status: 'registering', reason: REGISTRATION_REASONS.connecting });
  const ringer = env.media.createRinger();
  let devices: SipDevices = { ...options.devices };
  let disposed = false;
  let wantRegistered = true;
  let current: Call | null = null;
  let inboundCount = 0;
  let retryTimer: Timer | null = null;
  let retryAttempt = 0;

  // ---- delivery ---------------------------------------------------------------------------------

  const enqueue = (event: LineEvent): void => delivery.enqueue(event);

  function setStatus(call: Call, status: CallStatus, flow: CallFlow, reason?: EndReason | TransferOutcome): void {
    call.status = status;
    call.flow = flow;
    enqueue(callStatusEvent(call.callId, status, flow, reason));
  }

  function sync(call: Call, details: Omit<SyncPayload, 'callId'>): void {
    enqueue(syncEvent(call.callId, details));
  }

  function remember(call: Call, party: Participant): void {
    if (call.participants.length >= MAX_PARTICIPANTS) return;
    if (!call.participants.some((p) => p.number === party.number)) call.participants.push(party);
  }

  // ---- the user agent and registration ----------------------------------------------------------

  const ua: StackUserAgent = env.createUserAgent({
    websocketUrl: account.websocketUrl,
    sipUri: account.sipUri,
    password: account.password,
    ...(account.authorizationUser ? { authorizationUser: account.authorizationUser } : {}),
    ...(account.displayName ? { displayName: account.displayName } : {}),
    userAgent: USER_AGENT,
    registerExpires: registerExpiresSeconds,
    reconnectMinSeconds,
    reconnectMaxSeconds,
    noAnswerTimeoutSeconds,
  });

  function setRegistration(status: 'registering' | 'registered' | 'offline', reason?: string): void {
    if (disposed) return;
    const before = registration.getState();
    registration.set(reason === undefined ? { status } : { status, reason });
    if (before.status !== status) log(status === 'offline' ? 'warn' : 'info', `Registration: ${status}${reason ? ` (${reason})` : ''}`);
  }

  function clearRetry(): void {
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
  }

  /** After a refused registration (JsSIP does not retry by itself): 2, 4, 8... up to 60 s. */
  function scheduleRegisterRetry(): void {
    clearRetry();
    if (disposed || !wantRegistered) return;
    const delay = Math.min(60, reconnectMinSeconds * 2 ** retryAttempt) * 1000;
    retryAttempt += 1;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (!disposed && wantRegistered && ua.isConnected() && !ua.isRegistered()) {
        setRegistration('registering', REGISTRATION_REASONS.registering);
        ua.register();
      }
    }, delay);
  }

  ua.on('connecting', () => {
    if (wantRegistered && !ua.isRegistered() && registration.getState().status !== 'offline') {
      setRegistration('registering', REGISTRATION_REASONS.connecting);
    }
  });
  ua.on('connected', () => {
    if (wantRegistered) setRegistration('registering', REGISTRATION_REASONS.registering);
    else setRegistration('offline', REGISTRATION_REASONS.signedOut);
  });
  ua.on('registered', () => {
    clearRetry();
    retryAttempt = 0;
    setRegistration('registered');
  });
  ua.on('unregistered', () => {
    if (!wantRegistered) setRegistration('offline', REGISTRATION_REASONS.signedOut);
    // JsSIP reports the lost registration of a dropped connection this way too (before or after
    // 'disconnected'); it registers again once reconnected.
    else if (!ua.isConnected()) setRegistration('offline', REGISTRATION_REASONS.disconnected);
    else {
      setRegistration('offline', REGISTRATION_REASONS.refused(null));
      scheduleRegisterRetry();
    }
  });
  ua.on('registrationFailed', (event) => {
    const code = typeof event.response?.status_code === 'number' ? event.response.status_code : null;
    log('warn', `Registration refused: ${event.cause ?? 'unknown cause'}${code === null ? '' : ` (SIP ${code})`}`);
    if (event.cause === CAUSES.AUTHENTICATION_ERROR) setRegistration('offline', REGISTRATION_REASONS.refusedCredentials);
    else if (event.cause === CAUSES.CONNECTION_ERROR || event.cause === CAUSES.REQUEST_TIMEOUT) setRegistration('offline', REGISTRATION_REASONS.unreachable);
    else setRegistration('offline', REGISTRATION_REASONS.refused(code));
    if (ua.isConnected()) scheduleRegisterRetry();
  });
  ua.on('disconnected', () => {
    clearRetry();
    // JsSIP reconnects with backoff and registers again once connected.
    setRegistration('offline', wantRegistered ? REGISTRATION_REASONS.disconnected : REGISTRATION_REASONS.signedOut);
  });
  ua.on('newRTCSession', (event) => {
    if (event.originator !== 'remote') return;
    const replacement = replacements.get(event.session);
    if (replacement) adoptReplacement(event.session, replacement);
    else receiveCall(event.session);
  });

  // ---- legs ---------------------------------------------------------------------------------------

  function mediaOptions(): StackMediaOptions {
    return {
      mediaConstraints: { audio: microphoneConstraints(devices.microphoneId), video: false },
      pcConfig: { iceServers },
    };
  }

  function newLeg(rtc: StackSession, party: Participant): Leg {
    return {
      rtc,
      party,
      connected: false,
      ended: false,
      detached: false,
      held: false,
      ops: Promise.resolve(true),
      pc: null,
      output: null,
      telephoneEvent: false,
      statsSample: null,
      intent: null,
      onEnd: new Set(),
      timers: new Set(),
    };
  }

  function later(timers: Set<Timer>, ms: number, run: () => void): void {
    const handle = setTimeout(() => {
      timers.delete(handle);
      run();
    }, ms);
    timers.add(handle);
  }

  function clearTimers(timers: Set<Timer>): void {
    for (const handle of timers) clearTimeout(handle);
    timers.clear();
  }

  function terminate(leg: Leg, intent: EndIntent, options?: { status_code?: number; reason_phrase?: string }): void {
    leg.intent ??= intent;
    if (leg.ended || leg.rtc.isEnded()) return;
    try {
      leg.rtc.terminate(options);
    } catch (error) {
      // Already terminating on its own (JsSIP refuses a second terminate): its end event follows.
      log('warn', `Could not end a SIP session: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The leg's session ended (or was replaced away): release what it held. */
  function releaseLeg(leg: Leg): void {
    leg.ended = true;
    clearTimers(leg.timers);
    leg.output?.stop();
    leg.output = null;
    for (const done of [...leg.onEnd]) done();
    leg.onEnd.clear();
  }

  function bindPeerConnection(call: Call, leg: Leg, pc: RTCPeerConnection): void {
    if (leg.pc === pc) return;
    leg.pc = pc;
    pc.addEventListener('track', (event: RTCTrackEvent) => {
      if (leg.ended || leg.pc !== pc) return;
      if (!leg.output) {
        leg.output = env.media.createOutput();
        void leg.output.setSink(devices.speakerId);
      }
      leg.output.play(event.streams[0] ?? new MediaStream([event.track]));
    });
    // JsSIP ends a call when ICE fails, not when the DTLS / peer connection fails: without this the
    // agent would keep a silent ghost call.
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState !== 'failed' || leg.pc !== pc || leg.ended) return;
      log('warn', `The media connection of call ${call.callId} failed; ending it.`);
      terminate(leg, 'connectionLost');
    });
  }

  /** Sends the SDP on the first usable ICE candidate instead of waiting for gathering to finish. */
  function onIceCandidate(leg: Leg, candidate: RTCIceCandidate, ready: () => void): void {
    if (iceServers.length === 0) {
      ready();
      return;
    }
    const type = candidate.type ?? / typ (\w+)/.exec(candidate.candidate)?.[1];
    if (type === 'srflx' || type === 'relay') {
      ready();
      return;
    }
    // One timer per offer / answer being gathered (each has its own ready()).
    if (iceWaits.has(ready)) return;
    iceWaits.add(ready);
    later(leg.timers, iceGatheringTimeoutMs, ready);
  }

  function bindLeg(call: Call, leg: Leg, rtc: StackSession): void {
    const mine = () => leg.rtc === rtc && !leg.detached;
    rtc.on('peerconnection', ({ peerconnection }) => {
      if (leg.rtc === rtc) bindPeerConnection(call, leg, peerconnection);
    });
    rtc.on('icecandidate', ({ candidate, ready }) => onIceCandidate(leg, candidate, ready));
    rtc.on('sdp', (event) => {
      if (event.originator === 'remote' && leg.rtc === rtc) leg.telephoneEvent = /\btelephone-event\//i.test(event.sdp);
    });
    rtc.on('progress', (event) => {
      if (event.originator === 'remote' && mine()) onProgress(call, leg);
    });
    rtc.on('confirmed', () => {
      if (mine()) onConfirmed(call, leg);
    });
    rtc.on('failed', (event) => onSessionEnd(call, leg, rtc, event));
    rtc.on('ended', (event) => onSessionEnd(call, leg, rtc, event));
    rtc.on('replaces', (event) => {
      if (!mine() || call.ended || !leg.connected || leg.ended) {
        event.reject();
        return;
      }
      event.accept((next) => {
        replacements.set(next, { call, leg, previous: rtc });
      });
    });
    // Nobody transfers the agent away from a call they are handling.
    rtc.on('refer', (event) => event.reject());
    if (rtc.connection) bindPeerConnection(call, leg, rtc.connection);
  }

  function onSessionEnd(call: Call, leg: Leg, rtc: StackSession, event: StackEndEvent): void {
    // The replaced session of a transfer this agent is the target of: ended by design.
    if (leg.rtc !== rtc) return;
    const pending = replacements.get(rtc);
    if (pending) {
      // The replacing session failed before it was confirmed: stay with the previous one if alive.
      replacements.delete(rtc);
      if (!pending.previous.isEnded()) {
        leg.rtc = pending.previous;
        return;
      }
    }
    const wasConnected = leg.connected;
    releaseLeg(leg);
    lingering.delete(leg);
    if (leg.detached || call.ended) return;
    log('info', `Call ${call.callId}: SIP session ended (${event.originator}, ${event.cause}${event.message?.status_code ? `, ${event.message.status_code}` : ''}).`);
    if (leg === call.main) mainLegEnded(call, leg, event, wasConnected);
    else if (leg === call.consult) consultLegEnded(call, leg, event, wasConnected);
  }

  // ---- call lifecycle ------------------------------------------------------------------------------

  function newCall(callId: string, direction: 'inbound' | 'outbound', main: Leg): Call {
    usedCallIds.add(callId);
    const call: Call = {
      callId,
      direction,
      status: 'idle',
      flow: 'regular',
      main,
      consult: null,
      consultIsActive: false,
      transfer: 'none',
      transferGen: 0,
      connectedAt: null,
      muted: false,
      ended: false,
      participants: [main.party],
      timers: new Set(),
    };
    current = call;
    return call;
  }

  function onProgress(call: Call, leg: Leg): void {
    if (leg === call.main && call.direction === 'outbound' && call.status === 'connecting') setStatus(call, 'ringing', 'regular');
  }

  function onConfirmed(call: Call, leg: Leg): void {
    if (call.ended) return;
    if (leg === call.main && !leg.connected) {
      leg.connected = true;
      ringer.stop();
      call.connectedAt = now();
      setStatus(call, 'connected', 'regular');
      sync(call, { activeParticipant: leg.party, inactiveParticipant: null, onHold: false, muted: call.muted });
      scheduleStats(call);
    } else if (leg === call.consult && !leg.connected) {
      leg.connected = true;
      remember(call, leg.party);
      if (call.muted) leg.rtc.mute({ audio: true });
      setStatus(call, 'connected', 'warmTransfer');
    }
  }

  function activeLeg(call: Call): Leg {
    return call.consultIsActive && call.consult ? call.consult : call.main;
  }

  function scheduleStats(call: Call): void {
    if (statsEveryMs <= 0) return;
    later(call.timers, statsEveryMs, () => {
      const leg = activeLeg(call);
      const pc = leg.pc;
      if (call.ended) return;
      scheduleStats(call);
      if (!pc || leg.ended) return;
      readAudioStats(pc, leg.statsSample)
        .then((result) => {
          if (!result || call.ended || leg.ended) return;
          leg.statsSample = result.sample;
          sync(call, { audioStats: result.stats });
        })
        .catch((error: unknown) => log('warn', `Could not read call quality: ${error instanceof Error ? error.message : String(error)}`));
    });
  }

  function end(call: Call, reason: EndReason, withHanging: boolean, keep?: Leg): void {
    if (call.ended) return;
    call.ended = true;
    clearTimers(call.timers);
    ringer.stop();
    for (const leg of [call.main, call.consult]) {
      if (!leg || leg.ended) continue;
      leg.detached = true;
      if (leg === keep) {
        // The transfer target ends the replaced leg itself; end it only if it does not.
        lingering.add(leg);
        later(leg.timers, REPLACED_LEG_GRACE_MS, () => terminate(leg, 'transferred'));
      } else {
        // Detached: its end event no longer decides anything, whatever the intent says.
        terminate(leg, 'localHangup');
        // A session JsSIP already considers ended emits nothing more.
        if (leg.rtc.isEnded()) releaseLeg(leg);
      }
    }
    if (withHanging) setStatus(call, 'hanging', 'regular', reason);
    setStatus(call, 'ended', 'regular', reason);
    const duration = call.connectedAt === null ? 0 : Math.max(0, Math.round((now() - call.connectedAt) / 1000));
    sync(call, { duration, participants: [...call.participants] });
    log('info', `Call ${call.callId} ended: ${reason}.`);
  }

  function endReasonFor(call: Call, leg: Leg, event: StackEndEvent, wasConnected: boolean): EndReason {
    if (wasConnected) return connectedEndReason(event, leg.intent);
    return call.direction === 'outbound' ? outboundFailureReason(event, leg.intent) : inboundFailureReason(event, leg.intent);
  }

  function withHangingFor(reason: EndReason): boolean {
    return reason === 'localHangup' || reason === 'cancelled' || reason === 'remoteHangup';
  }

  function mainLegEnded(call: Call, leg: Leg, event: StackEndEvent, wasConnected: boolean): void {
    const consult = call.consult;
    if (!consult) {
      const reason = endReasonFor(call, leg, event, wasConnected);
      end(call, reason, withHangingFor(reason));
      return;
    }
    if (call.status === 'merging') {
      // Some parties hang up the transferred call instead of (or before) reporting the NOTIFY.
      end(call, 'transferred', false, consult);
      return;
    }
    if (consult.connected) {
      targetTakesOver(call);
      return;
    }
    // The original party left while the target was still ringing: nobody is left to talk to.
    end(call, 'remoteHangup', true);
  }

  function consultLegEnded(call: Call, leg: Leg, event: StackEndEvent, wasConnected: boolean): void {
    if (call.status === 'merging') return;
    returnToMain(call, wasConnected ? 'transferTargetLeft' : consultFailureOutcome(event));
  }

  // ---- hold ------------------------------------------------------------------------------------------

  /**
   * Holds or resumes a leg with a re-INVITE, after any operation in progress on it. Resolves true
   * once the re-INVITE succeeded (or the leg already was in that state), false when the leg ended
   * or the re-INVITE could not start.
   */
  function setHold(leg: Leg, held: boolean): Promise<boolean> {
    const run = () =>
      new Promise<boolean>((resolve) => {
        if (leg.ended) return resolve(false);
        if (leg.held === held) return resolve(true);
        const gaveUp = () => resolve(false);
        leg.onEnd.add(gaveUp);
        const started = Date.now();
        const attempt = () => {
          if (leg.ended) return;
          const done = () => {
            leg.onEnd.delete(gaveUp);
            leg.held = held;
            resolve(true);
          };
          const ok = leg.rtc.isReadyToReOffer() && (held ? leg.rtc.hold({}, done) : leg.rtc.unhold({}, done));
          if (ok) return;
          // A re-INVITE from the other side is in progress: try again shortly.
          if (Date.now() - started < REOFFER_WAIT_MS) later(leg.timers, 100, attempt);
          else {
            leg.onEnd.delete(gaveUp);
            resolve(false);
          }
        };
        attempt();
      });
    leg.ops = leg.ops.then(run, run);
    return leg.ops;
  }

  // ---- warm transfer ------------------------------------------------------------------------------

  function placeConsultation(call: Call, target: Participant): void {
    let rtc: StackSession;
    try {
      rtc = ua.call(targetUri(target.number), mediaOptions());
    } catch (error) {
      log('warn', `Could not place the transfer call: ${error instanceof Error ? error.message : String(error)}`);
      returnToMain(call, 'transferFailed');
      return;
    }
    const leg = newLeg(rtc, target);
    call.consult = leg;
    call.consultIsActive = true;
    call.transfer = 'consulting';
    bindLeg(call, leg, rtc);
    setStatus(call, 'ringing', 'warmTransfer');
    sync(call, { activeParticipant: leg.party, inactiveParticipant: call.main.party });
  }

  /** Ends the transfer and goes back to the original party, resumed, with the outcome as reason. */
  function returnToMain(call: Call, outcome: TransferOutcome): void {
    const gen = ++call.transferGen;
    const consult = call.consult;
    call.consult = null;
    call.consultIsActive = false;
    call.transfer = 'none';
    if (consult && !consult.ended) {
      consult.detached = true;
      terminate(consult, 'cancelled');
      if (consult.rtc.isEnded()) releaseLeg(consult);
    }
    void setHold(call.main, false).then((ok) => {
      if (call.ended || call.transferGen !== gen) return;
      if (!ok && call.main.ended) return;
      setStatus(call, 'connected', 'regular', outcome);
      sync(call, { activeParticipant: call.main.party, inactiveParticipant: null, onHold: !ok });
    });
  }

  /** The original party left a connected warm transfer: the target becomes the call's party. */
  function targetTakesOver(call: Call): void {
    const consult = call.consult;
    if (!consult) return;
    const gen = ++call.transferGen;
    call.main = consult;
    call.consult = null;
    call.consultIsActive = false;
    call.transfer = 'none';
    void setHold(consult, false).then((ok) => {
      if (call.ended || call.transferGen !== gen) return;
      if (!ok && consult.ended) return;
      setStatus(call, 'connected', 'regular', 'heldPartyLeft');
      sync(call, { activeParticipant: consult.party, inactiveParticipant: null, onHold: !ok });
    });
  }

  // ---- incoming calls ----------------------------------------------------------------------------

  function inProgress(): boolean {
    return current !== null && !current.ended;
  }

  function newInboundCallId(): string {
    let callId: string;
    do callId = `sip-inbound-${now().toString(36)}-${++inboundCount}`;
    while (usedCallIds.has(callId));
    return callId;
  }

  function receiveCall(rtc: StackSession): void {
    if (disposed) return;
    if (inProgress()) {
      // One call at a time: the caller hears busy, the agent's call carries on undisturbed.
      try {
        rtc.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
      } catch {
        // It ended on its own already.
      }
      log('info', 'Refused an incoming call with 486 Busy Here: a call is in progress.');
      return;
    }
    const party = partyOf(rtc);
    const leg = newLeg(rtc, party);
    const call = newCall(newInboundCallId(), 'inbound', leg);
    bindLeg(call, leg, rtc);
    sync(call, {
      direction: 'inbound',
      from: party.number,
      to: agentNumber,
      ...(party.name === undefined ? {} : { callerName: party.name }),
    });
    setStatus(call, 'ringing', 'regular');
    // After the events are delivered: starting the ringtone (an AudioContext) takes milliseconds
    // that must not delay the agent seeing the call.
    queueMicrotask(() => {
      if (!call.ended && call.status === 'ringing') ringer.start();
    });
  }

  /** An INVITE with Replaces for a call of this agent: it takes over that call, same callId. */
  function adoptReplacement(rtc: StackSession, replacement: { call: Call; leg: Leg; previous: StackSession }): void {
    const { call, leg } = replacement;
    if (call.ended || leg.ended || leg.detached) {
      replacements.delete(rtc);
      try {
        rtc.terminate({ status_code: 481 });
      } catch {
        // Already gone.
      }
      return;
    }
    leg.rtc = rtc;
    leg.pc = null;
    leg.held = false;
    leg.ops = Promise.resolve(true);
    bindLeg(call, leg, rtc);
    rtc.on('confirmed', () => {
      if (leg.rtc !== rtc || call.ended) return;
      replacements.delete(rtc);
      leg.party = partyOf(rtc);
      remember(call, leg.party);
      if (call.muted) rtc.mute({ audio: true });
      log('info', `Call ${call.callId} was taken over by a transferred party.`);
      const active = activeLeg(call) === leg;
      if (leg === call.main && call.consult === null) sync(call, { activeParticipant: leg.party, inactiveParticipant: null });
      else if (active) sync(call, { activeParticipant: leg.party, inactiveParticipant: call.consultIsActive ? call.main.party : (call.consult?.party ?? null) });
      else sync(call, { activeParticipant: activeLeg(call).party, inactiveParticipant: leg.party });
    });
    // Answered once JsSIP has finished announcing the session (it sends 180 right after).
    queueMicrotask(() => {
      if (leg.rtc !== rtc || call.ended) return;
      try {
        rtc.answer(mediaOptions());
      } catch (error) {
        log('warn', `Could not take over a transferred call: ${error instanceof Error ? error.message : String(error)}`);
        leg.rtc = replacement.previous;
        replacements.delete(rtc);
      }
    });
  }

  // ---- guards --------------------------------------------------------------------------------------

  function ensureUsable(): void {
    if (disposed) throw lineError('not_ready', 'The SIP line has been disposed.');
  }

  /**
   * Commands that send SIP need the connection: JsSIP would otherwise end the call on the transport
   * error (a hold during a server restart must not hang up the customer).
   */
  function ensureConnected(): void {
    if (!ua.isConnected()) throw lineError('not_ready', 'The phone server is not connected.');
  }

  function callFor(callId: string): Call {
    ensureUsable();
    if (!current || current.callId !== callId) throw lineError('no_such_call', `The line has no call ${callId}.`);
    return current;
  }

  function allow(call: Call, allowed: boolean, action: string): void {
    if (!allowed) throw lineError('invalid_state', `Cannot ${action} while the call is ${call.ended ? 'ended' : call.status} (${call.flow} flow).`);
  }

  function isRingingInbound(call: Call): boolean {
    return !call.ended && call.direction === 'inbound' && call.status === 'ringing' && call.flow === 'regular';
  }

  function isConnected(call: Call, flow?: CallFlow): boolean {
    return !call.ended && call.status === 'connected' && (flow === undefined || call.flow === flow);
  }

  function isInCall(call: Call): boolean {
    return call.connectedAt !== null && !call.ended;
  }

  function canReOffer(leg: Leg): boolean {
    return !leg.ended && leg.rtc.isEstablished() && leg.rtc.isReadyToReOffer();
  }

  function targetUri(number: string): string {
    return `sip:${number}@${domain}`;
  }

  // ---- the port ----------------------------------------------------------------------------------------

  const line: SipLine = {
    kind: 'sip',
    capabilities: CAPABILITIES,
    registration: { getState: registration.getState, subscribe: registration.subscribe },

    subscribe(listener) {
      return delivery.subscribe(listener);
    },

    async dial(callId, to) {
      ensureUsable();
      if (inProgress()) throw lineError('invalid_state', 'A call is already in progress.');
      if (callId.length === 0 || callId.length > MAX_CALL_ID) throw lineError('invalid_argument', 'The callId must be 1 to 128 characters long.');
      if (usedCallIds.has(callId)) throw lineError('invalid_argument', `The callId ${callId} was already used.`);
      if (!DIALABLE.test(to)) throw lineError('invalid_argument', `${to} is not a dialable number.`);
      ensureConnected();
      let rtc: StackSession;
      try {
        rtc = ua.call(targetUri(to), mediaOptions());
      } catch (error) {
        throw lineError('network', `The call could not be placed: ${error instanceof Error ? error.message : String(error)}`);
      }
      const leg = newLeg(rtc, { number: to });
      const call = newCall(callId, 'outbound', leg);
      bindLeg(call, leg, rtc);
      enqueue({ type: 'DIALER.DIALING', payload: { from: agentNumber, to, callId } });
      sync(call, { direction: 'outbound', from: agentNumber, to });
      setStatus(call, 'connecting', 'regular');
    },

    async answer(callId) {
      const call = callFor(callId);
      allow(call, isRingingInbound(call), 'answer');
      try {
        call.main.rtc.answer(mediaOptions());
      } catch (error) {
        throw lineError('invalid_state', `The call can no longer be answered: ${error instanceof Error ? error.message : String(error)}`);
      }
      ringer.stop();
      setStatus(call, 'accepting', 'regular');
    },

    async decline(callId) {
      const call = callFor(callId);
      allow(call, isRingingInbound(call), 'decline');
      ringer.stop();
      terminate(call.main, 'declined', { status_code: 603, reason_phrase: 'Decline' });
    },

    async hangUp(callId) {
      const call = callFor(callId);
      const notAnswered = call.direction === 'outbound' && call.connectedAt === null && (call.status === 'connecting' || call.status === 'ringing');
      allow(call, !call.ended && (notAnswered || call.status === 'accepting' || isInCall(call)), 'hang up');
      const intent: EndIntent = notAnswered ? 'cancelled' : 'localHangup';
      for (const leg of [call.main, call.consult]) if (leg) leg.intent = intent;
      if (call.consult) {
        // Both legs go; the call ends as the agent's hang-up whichever leg reports first.
        end(call, 'localHangup', true);
        return;
      }
      terminate(call.main, intent);
      if (call.main.rtc.isEnded() && !call.ended) end(call, intent === 'cancelled' ? 'cancelled' : 'localHangup', true);
    },

    async hold(callId) {
      const call = callFor(callId);
      allow(call, isConnected(call, 'regular') && call.transfer === 'none', 'hold');
      ensureConnected();
      const leg = call.main;
      if (!leg.held && !canReOffer(leg)) throw lineError('invalid_state', 'A hold or resume is already in progress.');
      void setHold(leg, true).then((ok) => {
        if (ok && !call.ended && call.main === leg) sync(call, { onHold: true });
      });
    },

    async resume(callId) {
      const call = callFor(callId);
      allow(call, isConnected(call, 'regular') && call.transfer === 'none', 'resume');
      ensureConnected();
      const leg = call.main;
      if (leg.held && !canReOffer(leg)) throw lineError('invalid_state', 'A hold or resume is already in progress.');
      void setHold(leg, false).then((ok) => {
        if (ok && !call.ended && call.main === leg) sync(call, { onHold: false });
      });
    },

    async mute(callId) {
      const call = callFor(callId);
      allow(call, isInCall(call), 'mute');
      call.muted = true;
      for (const leg of [call.main, call.consult]) if (leg && !leg.ended) leg.rtc.mute({ audio: true });
      sync(call, { muted: true });
    },

    async unmute(callId) {
      const call = callFor(callId);
      allow(call, isInCall(call), 'unmute');
      call.muted = false;
      for (const leg of [call.main, call.consult]) if (leg && !leg.ended) leg.rtc.unmute({ audio: true });
      sync(call, { muted: false });
    },

    async sendDigits(callId, digits) {
      const call = callFor(callId);
      allow(call, isConnected(call), 'send digits');
      if (!DTMF.test(digits)) throw lineError('invalid_argument', 'Digits must be 1 to 32 of 0-9, * and #.');
      const leg = activeLeg(call);
      const sender = leg.pc?.getSenders().find((s) => s.track?.kind === 'audio');
      // RFC 4733 in the RTP stream when the other side negotiated it, else SIP INFO.
      const rtp = leg.telephoneEvent && sender?.dtmf?.canInsertDTMF === true;
      if (!rtp) ensureConnected();
      try {
        leg.rtc.sendDTMF(digits, { transportType: rtp ? 'RFC2833' : 'INFO', duration: 100, interToneGap: 70 });
      } catch (error) {
        throw lineError('invalid_state', `The digits could not be sent: ${error instanceof Error ? error.message : String(error)}`);
      }
    },

    async startWarmTransfer(callId, target: TransferTarget) {
      const call = callFor(callId);
      allow(call, isConnected(call, 'regular') && call.transfer === 'none', 'start a warm transfer');
      if (!DIALABLE.test(target.number)) throw lineError('invalid_argument', `${target.number} is not a dialable number.`);
      if (target.name !== undefined && target.name.length > MAX_NAME) throw lineError('invalid_argument', 'The transfer target name is too long.');
      ensureConnected();
      const main = call.main;
      if (!main.held && !canReOffer(main)) throw lineError('invalid_state', 'A hold or resume is already in progress.');
      const party: Participant = target.name === undefined ? { number: target.number } : { number: target.number, name: target.name };
      const gen = ++call.transferGen;
      call.transfer = 'starting';
      setStatus(call, 'startingWarmTransfer', 'regular');
      void setHold(main, true).then((ok) => {
        if (call.ended || call.transferGen !== gen) return;
        if (!ok) {
          if (!main.ended) returnToMain(call, 'transferFailed');
          return;
        }
        sync(call, { onHold: true });
        placeConsultation(call, party);
      });
    },

    async swap(callId) {
      const call = callFor(callId);
      allow(call, isConnected(call, 'warmTransfer'), 'swap');
      ensureConnected();
      const consult = call.consult as Leg;
      const active = activeLeg(call);
      const held = active === consult ? call.main : consult;
      if (!canReOffer(active) || !canReOffer(held)) throw lineError('invalid_state', 'A hold or resume is already in progress.');
      const gen = ++call.transferGen;
      setStatus(call, 'swapping', 'warmTransfer');
      void setHold(active, true)
        .then((ok) => (ok ? setHold(held, false) : false))
        .then((ok) => {
          if (!ok || call.ended || call.transferGen !== gen) return;
          call.consultIsActive = held === call.consult;
          sync(call, { activeParticipant: held.party, inactiveParticipant: active.party });
          setStatus(call, 'connected', 'warmTransfer');
        });
    },

    async merge(callId) {
      const call = callFor(callId);
      allow(call, isConnected(call, 'warmTransfer'), 'merge');
      ensureConnected();
      const consult = call.consult as Leg;
      const main = call.main;
      if (!main.rtc.isEstablished() || !consult.rtc.isEstablished()) throw lineError('invalid_state', 'Both calls must be connected to complete the transfer.');
      const gen = ++call.transferGen;
      const failed = () => {
        if (call.ended || call.transferGen !== gen || call.status !== 'merging') return;
        log('warn', `Call ${call.callId}: the transfer was refused; both calls stay as they were.`);
        setStatus(call, 'connected', 'warmTransfer');
      };
      setStatus(call, 'merging', 'warmTransfer');
      try {
        // REFER with Replaces: the original party calls the target, replacing the target's call
        // with this agent (RFC 5589 attended transfer).
        main.rtc.refer(consult.rtc.remote_identity.uri.toString(), {
          replaces: consult.rtc,
          eventHandlers: {
            accepted: () => {
              if (call.ended || call.transferGen !== gen) return;
              main.intent = 'transferred';
              consult.intent = 'transferred';
              end(call, 'transferred', false, consult);
            },
            failed,
            requestFailed: failed,
          },
        });
      } catch (error) {
        log('warn', `Could not send the transfer: ${error instanceof Error ? error.message : String(error)}`);
        queueMicrotask(failed);
      }
    },

    async cancelTransfer(callId) {
      const call = callFor(callId);
      allow(call, !call.ended && call.transfer !== 'none' && call.status !== 'merging', 'cancel a transfer');
      returnToMain(call, 'transferCancelled');
    },

    async setDevices(next) {
      ensureUsable();
      devices = { ...devices, ...next };
      const results: boolean[] = [];
      if ('ringerId' in next) results.push(await ringer.setSink(devices.ringerId));
      const call = current;
      const legs = call && !call.ended ? [call.main, call.consult].filter((leg): leg is Leg => leg !== null && !leg.ended) : [];
      if ('speakerId' in next) {
        for (const leg of legs) if (leg.output) results.push(await leg.output.setSink(devices.speakerId));
      }
      if ('microphoneId' in next) {
        for (const leg of legs) {
          const sender = leg.pc?.getSenders().find((s) => s.track?.kind === 'audio');
          if (!sender?.track) continue;
          const previous = sender.track;
          const track = await env.media.getMicrophoneTrack(microphoneConstraints(devices.microphoneId));
          track.enabled = previous.enabled;
          await sender.replaceTrack(track);
          previous.stop();
        }
      }
      if (results.includes(false)) throw lineError('unsupported', 'This browser could not play audio on the chosen output; the choice is kept for later calls.');
    },

    async unregister() {
      ensureUsable();
      wantRegistered = false;
      clearRetry();
      if (ua.isConnected()) ua.unregister();
      else setRegistration('offline', REGISTRATION_REASONS.signedOut);
    },

    async register() {
      ensureUsable();
      wantRegistered = true;
      retryAttempt = 0;
      if (ua.isConnected()) {
        setRegistration('registering', REGISTRATION_REASONS.registering);
        ua.register();
      } else setRegistration('registering', REGISTRATION_REASONS.connecting);
    },

    dispose() {
      if (disposed) return;
      const call = current;
      if (call && !call.ended) {
        for (const leg of [call.main, call.consult]) {
          if (!leg || leg.ended) continue;
          leg.detached = true;
          terminate(leg, 'localHangup');
          releaseLeg(leg);
        }
        clearTimers(call.timers);
      }
      for (const leg of lingering) {
        terminate(leg, 'transferred');
        releaseLeg(leg);
      }
      lingering.clear();
      registration.set({ status: 'offline', reason: REGISTRATION_REASONS.closed });
      disposed = true;
      clearRetry();
      ringer.dispose();
      delivery.close();
      try {
        ua.stop();
      } catch (error) {
        log('warn', `Stopping the SIP user agent failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };

  ua.start();
  return line;
}
