/**
 * The simulated line: a {@link Line} that behaves like a small phone network, entirely in the
 * browser. It emits exactly the seed's sequences plus the protocol's documented extensions
 * (`callId` on every call event, `reason` on statuses, call details in `DIALER.SYNC`), so the app,
 * the demo and the tests can run a whole call without a SIP server.
 *
 * Every delay goes through `setTimeout` / `clearTimeout` read from `globalThis` when the timer is
 * set, so `vi.useFakeTimers()` drives it. Events are delivered from a FIFO queue on a microtask,
 * never from inside a command call.
 */
import { createEventDelivery } from '../eventDelivery';
import {
  AVAILABILITIES,
  callStatusEvent,
  syncEvent,
  type AudioStats,
  type Availability,
  type CallFlow,
  type CallStatus,
  type EndReason,
  type LineEvent,
  type Participant,
  type SyncPayload,
  type TransferOutcome,
} from '../protocol';
import { LineError, type Line, type LineCapabilities, type TransferTarget } from '../line';
import { SIMULATED_CALLERS, SIMULATED_CAPABILITIES, TEST_NUMBERS, type TestNumberBehaviour } from './catalog';

export { SIMULATED_CALLERS, TEST_NUMBERS, type TestNumberBehaviour } from './catalog';

/** Timing and identity of the simulated network. Every duration is in milliseconds. */
export interface SimulatedLineOptions {
  /** How long an outbound call rings before the callee answers or rejects. Default 1500. */
  ringMs?: number;
  /** How long an unanswered call rings before giving up. Default 20000. */
  noAnswerMs?: number;
  /** Network set-up time: connecting -> ringing, accepting -> connected, busy. Default 300. */
  connectMs?: number;
  /** How long a warm-transfer target rings before answering or declining. Default 1500. */
  transferRingMs?: number;
  /** How long the ...0004 / ...0005 parties stay connected before dropping / hanging up. Default 4000. */
  lossAfterMs?: number;
  /** How long an unanswered incoming call rings before the caller gives up. Default 30000. */
  incomingGiveUpMs?: number;
  /** Interval of `audioStats` SYNCs while a call is connected; 0 turns them off. Default 5000. */
  statsEveryMs?: number;
  /** The agent's own number (`from` of outbound calls, `to` of inbound calls). */
  agentNumber?: string;
  /** Clock used for call durations and `updatedAt`. Default `Date.now`. */
  now?: () => number;
  /**
   * Receives what a listener threw; the line keeps delivering to the other listeners.
   * Default: the platform's `reportError`, or `console.error` where there is none.
   */
  onListenerError?: (error: unknown, event: LineEvent) => void;
}

/** What `ringAgent` needs to know about the incoming call; everything is optional. */
export interface IncomingCallOptions {
  /** The caller's number; default: the next of {@link SIMULATED_CALLERS}. */
  from?: string;
  /** The caller's name; default: the name of a known simulated caller with that number. */
  name?: string;
  /** How long the caller waits for the agent before giving up; default `incomingGiveUpMs`. */
  giveUpAfterMs?: number;
}

/** The simulated line's view of its current (or last) session, for tests and the dev panel. */
export interface SimulatedCallState {
  readonly callId: string;
  readonly status: CallStatus;
  readonly flow: CallFlow;
}

/**
 * The simulated line plus a control API for what only the far end of a call can do.
 *
 * The control methods act synchronously on the simulated network (their events are still
 * delivered asynchronously) and throw a {@link LineError} when the network cannot do that now:
 * `invalid_state` when there is no call in the right state, `invalid_argument` for a bad number,
 * `not_ready` after `dispose()`.
 */
export interface SimulatedLine extends Line {
  readonly kind: 'simulated';
  pauseRecording(callId: string): Promise<void>;
  resumeRecording(callId: string): Promise<void>;
  /** Someone calls the agent. Returns the new call's callId. Throws `invalid_state` if a call is in progress. */
  ringAgent(options?: IncomingCallOptions): string;
  /** The caller of a ringing incoming call hangs up: `ended` `missed`. */
  callerGivesUp(): void;
  /** Another device answers the ringing incoming call: `ended` `answeredElsewhere`. */
  answerElsewhere(): void;
  /** The other party of a connected regular call hangs up: `hanging` + `ended` `remoteHangup`. */
  remoteHangsUp(): void;
  /** The connection drops, whatever the call is doing: `ended` `connectionLost`. */
  dropConnection(): void;
  /** During a connected warm transfer, the original (held) party hangs up: the agent stays with the target (`heldPartyLeft`). */
  heldPartyHangsUp(): void;
  /** During a connected warm transfer, the target hangs up: back to the original party (`transferTargetLeft`). */
  transferTargetHangsUp(): void;
  /** The DTMF digits sent on the current (or last) call, in order. */
  sentDigits(): string;
  /** The current (or last) session, or null before the first call. */
  state(): SimulatedCallState | null;
  /** The agent's availability changes: emits `USER.AVAILABILITY_CHANGED`. */
  availability(status: Availability): void;
}

const DIALABLE = /^\+?[0-9]{3,15}$/;
const DTMF = /^[0-9*#]{1,32}$/;
const MAX_CALL_ID = 128;
const MAX_NAME = 200;
const MAX_PARTICIPANTS = 10;

const CAPABILITIES: LineCapabilities = SIMULATED_CAPABILITIES;

type Timer = ReturnType<typeof setTimeout>;
type Behaviour = TestNumberBehaviour | 'answers';
type LeaveKind = 'connectionLost' | 'remoteHangup';

/** One remote party of the session: the original party, or the warm-transfer target. */
interface Leg {
  readonly party: Participant;
  readonly behaviour: Behaviour;
  connected: boolean;
  /** Timers that belong to this party only (its ringing, its scripted departure). */
  readonly timers: Set<Timer>;
}

interface Session {
  readonly callId: string;
  readonly direction: 'inbound' | 'outbound';
  status: CallStatus;
  flow: CallFlow;
  /** The party of the regular flow; during a warm transfer, the one being transferred. */
  main: Leg;
  /** The warm-transfer target, while a warm transfer is in progress. */
  consult: Leg | null;
  consultIsActive: boolean;
  connectedAt: number | null;
  digits: string;
  statsTick: number;
  readonly participants: Participant[];
  readonly timers: Set<Timer>;
}

function behaviourOf(number: string): Behaviour {
  for (const [behaviour, entry] of Object.entries(TEST_NUMBERS)) {
    if (entry.number === number) return behaviour as TestNumberBehaviour;
  }
  return 'answers';
}

function participant(number: string, name?: string): Participant {
  return name === undefined ? { number } : { number, name };
}

/** Plausible, deterministic call quality: a gentle wave around good values. */
function audioStatsAt(tick: number): AudioStats {
  const wave = [0, 1, 2, 1, 0, 3][tick % 6] ?? 0;
  return {
    jitter: 4 + wave * 3,
    packetLoss: wave * 0.004,
    rtt: 48 + wave * 12,
    mos: Math.round((4.4 - wave * 0.25) * 100) / 100,
  };
}

function defaultListenerErrorReporter(error: unknown): void {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else console.error('A simulated line listener threw:', error);
}

/**
 * Creates a simulated line. See {@link TEST_NUMBERS} for the scripted numbers.
 *
 * What each command accepts (anything else rejects `invalid_state` and emits nothing):
 * - `dial`: no call in progress; `to` matches `+?` and 3 to 15 digits, and the callId is new
 *   (`invalid_argument` otherwise).
 * - `answer` / `decline`: a ringing incoming call.
 * - `hangUp`: a connecting or ringing outbound call (`cancelled`), or an accepting / answered
 *   call, warm transfer included (`localHangup`, both legs end).
 * - `hold` / `resume` / `startWarmTransfer`: a connected call in the regular flow (during a warm
 *   transfer the line holds the original party itself).
 * - `mute` / `unmute` / `pauseRecording` / `resumeRecording`: an answered call, warm transfer included.
 * - `sendDigits`: a connected call; digits are recorded (see `sentDigits()`), nothing is emitted.
 * - `swap` / `merge`: a connected warm transfer; `cancelTransfer`: any warm transfer in progress.
 * After `dispose()` every command rejects `not_ready`.
 */
export function createSimulatedLine(options: SimulatedLineOptions = {}): SimulatedLine {
  const {
    ringMs = 1500,
    noAnswerMs = 20000,
    connectMs = 300,
    transferRingMs = 1500,
    lossAfterMs = 4000,
    incomingGiveUpMs = 30000,
    statsEveryMs = 5000,
    agentNumber = '+14155550100',
    now = () => Date.now(),
    onListenerError = defaultListenerErrorReporter,
  } = options;
  if (!DIALABLE.test(agentNumber)) throw new LineError('invalid_argument', `The agent number ${agentNumber} is not a dialable number.`);

  const delivery = createEventDelivery((error, event) => onListenerError(error, event));
  const usedCallIds = new Set<string>();
  let disposed = false;
  let current: Session | null = null;
  let incomingCount = 0;

  // ---- delivery ---------------------------------------------------------------------------

  const enqueue = (event: LineEvent): void => delivery.enqueue(event);

  // ---- timers -----------------------------------------------------------------------------

  function schedule(timers: Set<Timer>, ms: number, run: () => void): void {
    const handle = globalThis.setTimeout(() => {
      timers.delete(handle);
      run();
    }, ms);
    timers.add(handle);
  }

  function clearTimers(timers: Set<Timer>): void {
    for (const handle of timers) globalThis.clearTimeout(handle);
    timers.clear();
  }

  // ---- emitting -----------------------------------------------------------------------------

  function setStatus(s: Session, status: CallStatus, flow: CallFlow, reason?: EndReason | TransferOutcome): void {
    s.status = status;
    s.flow = flow;
    enqueue(callStatusEvent(s.callId, status, flow, reason));
  }

  function sync(s: Session, details: Omit<SyncPayload, 'callId'>): void {
    enqueue(syncEvent(s.callId, details));
  }

  function activeLeg(s: Session): Leg {
    return s.consultIsActive && s.consult ? s.consult : s.main;
  }

  function heldLeg(s: Session): Leg | null {
    if (!s.consult) return null;
    return s.consultIsActive ? s.main : s.consult;
  }

  function remember(s: Session, party: Participant): void {
    if (s.participants.length >= MAX_PARTICIPANTS) return;
    if (!s.participants.some((p) => p.number === party.number)) s.participants.push(party);
  }

  // ---- the network ------------------------------------------------------------------------

  function newLeg(party: Participant): Leg {
    return { party, behaviour: behaviourOf(party.number), connected: false, timers: new Set() };
  }

  function newSession(callId: string, direction: 'inbound' | 'outbound', party: Participant): Session {
    usedCallIds.add(callId);
    const session: Session = {
      callId,
      direction,
      status: 'idle',
      flow: 'regular',
      main: newLeg(party),
      consult: null,
      consultIsActive: false,
      connectedAt: null,
      digits: '',
      statsTick: 0,
      participants: [party],
      timers: new Set(),
    };
    current = session;
    return session;
  }

  function connect(s: Session): void {
    s.main.connected = true;
    s.connectedAt = now();
    setStatus(s, 'connected', 'regular');
    sync(s, {
      activeParticipant: s.main.party,
      inactiveParticipant: null,
      onHold: false,
      muted: false,
      recording: { state: 'recording' },
    });
    scheduleStats(s);
    scheduleDeparture(s, s.main);
  }

  function scheduleStats(s: Session): void {
    if (statsEveryMs <= 0) return;
    schedule(s.timers, statsEveryMs, () => {
      sync(s, { audioStats: audioStatsAt(s.statsTick++) });
      scheduleStats(s);
    });
  }

  /** The ...0004 / ...0005 parties leave on their own some time after connecting. */
  function scheduleDeparture(s: Session, leg: Leg): void {
    const { behaviour } = leg;
    if (behaviour !== 'connectionLost' && behaviour !== 'remoteHangup') return;
    schedule(leg.timers, lossAfterMs, () => partyLeaves(s, leg, behaviour));
  }

  function partyLeaves(s: Session, leg: Leg, how: LeaveKind): void {
    if (leg === s.consult) {
      backToMainParty(s, 'transferTargetLeft');
    } else if (!s.consult) {
      end(s, how, how === 'remoteHangup');
    } else if (s.consult.connected) {
      targetTakesOver(s);
    } else {
      // The original party left while the target was still ringing: nobody is left to talk to.
      end(s, 'remoteHangup', true);
    }
  }

  function end(s: Session, reason: EndReason, withHanging: boolean): void {
    clearTimers(s.timers);
    clearTimers(s.main.timers);
    if (s.consult) clearTimers(s.consult.timers);
    if (withHanging) setStatus(s, 'hanging', 'regular', reason);
    setStatus(s, 'ended', 'regular', reason);
    const duration = s.connectedAt === null ? 0 : Math.max(0, Math.round((now() - s.connectedAt) / 1000));
    sync(s, { duration, participants: [...s.participants] });
  }

  /** Ends the warm transfer and returns to the original party, with the outcome as reason. */
  function backToMainParty(s: Session, outcome: TransferOutcome): void {
    if (s.consult) clearTimers(s.consult.timers);
    s.consult = null;
    s.consultIsActive = false;
    setStatus(s, 'connected', 'regular', outcome);
    sync(s, { activeParticipant: s.main.party, inactiveParticipant: null, onHold: false });
  }

  /** The original party left a connected warm transfer: the target becomes the call's party. */
  function targetTakesOver(s: Session): void {
    if (!s.consult) return;
    clearTimers(s.main.timers);
    s.main = s.consult;
    s.consult = null;
    s.consultIsActive = false;
    setStatus(s, 'connected', 'regular', 'heldPartyLeft');
    sync(s, { activeParticipant: s.main.party, inactiveParticipant: null, onHold: false });
  }

  function ringTransferTarget(s: Session, leg: Leg): void {
    switch (leg.behaviour) {
      case 'busy':
        schedule(leg.timers, connectMs, () => backToMainParty(s, 'transferDeclined'));
        return;
      case 'noAnswer':
        schedule(leg.timers, noAnswerMs, () => backToMainParty(s, 'transferNoAnswer'));
        return;
      case 'rejects':
        schedule(leg.timers, transferRingMs, () => backToMainParty(s, 'transferDeclined'));
        return;
      default:
        schedule(leg.timers, transferRingMs, () => {
          leg.connected = true;
          remember(s, leg.party);
          setStatus(s, 'connected', 'warmTransfer');
          scheduleDeparture(s, leg);
        });
    }
  }

  function ringOutbound(s: Session): void {
    const { behaviour } = s.main;
    if (behaviour === 'busy') {
      schedule(s.timers, connectMs, () => end(s, 'busy', false));
      return;
    }
    schedule(s.timers, connectMs, () => {
      setStatus(s, 'ringing', 'regular');
      if (behaviour === 'noAnswer') schedule(s.timers, noAnswerMs, () => end(s, 'noAnswer', false));
      else if (behaviour === 'rejects') schedule(s.timers, ringMs, () => end(s, 'rejected', false));
      else schedule(s.timers, ringMs, () => connect(s));
    });
  }

  // ---- guards -----------------------------------------------------------------------------

  function ensureUsable(): void {
    if (disposed) throw new LineError('not_ready', 'The simulated line has been disposed.');
  }

  function inProgress(): boolean {
    return current !== null && current.status !== 'ended';
  }

  function sessionFor(callId: string): Session {
    ensureUsable();
    if (!current || current.callId !== callId) throw new LineError('no_such_call', `The line has no call ${callId}.`);
    return current;
  }

  function allow(s: Session, allowed: boolean, action: string): void {
    if (!allowed) throw new LineError('invalid_state', `Cannot ${action} while the call is ${s.status} (${s.flow} flow).`);
  }

  function isRingingInbound(s: Session): boolean {
    return s.direction === 'inbound' && s.status === 'ringing' && s.flow === 'regular';
  }

  function isConnected(s: Session, flow?: CallFlow): boolean {
    return s.status === 'connected' && (flow === undefined || s.flow === flow);
  }

  /** Answered and not ended, whatever the warm transfer is doing. */
  function isInCall(s: Session): boolean {
    return s.connectedAt !== null && s.status !== 'ended';
  }

  function currentSession(): Session {
    ensureUsable();
    if (!current) throw new LineError('invalid_state', 'There is no call on the simulated line.');
    return current;
  }

  // ---- the port ---------------------------------------------------------------------------

  const line: SimulatedLine = {
    kind: 'simulated',
    capabilities: CAPABILITIES,

    subscribe(listener) {
      return delivery.subscribe(listener);
    },

    async dial(callId, to) {
      ensureUsable();
      if (inProgress()) throw new LineError('invalid_state', 'A call is already in progress.');
      if (callId.length === 0 || callId.length > MAX_CALL_ID) throw new LineError('invalid_argument', 'The callId must be 1 to 128 characters long.');
      if (usedCallIds.has(callId)) throw new LineError('invalid_argument', `The callId ${callId} was already used.`);
      if (!DIALABLE.test(to)) throw new LineError('invalid_argument', `${to} is not a dialable number.`);
      const s = newSession(callId, 'outbound', participant(to));
      enqueue({ type: 'DIALER.DIALING', payload: { from: agentNumber, to, callId } });
      sync(s, { direction: 'outbound', from: agentNumber, to });
      setStatus(s, 'connecting', 'regular');
      ringOutbound(s);
    },

    async answer(callId) {
      const s = sessionFor(callId);
      allow(s, isRingingInbound(s), 'answer');
      clearTimers(s.timers);
      setStatus(s, 'accepting', 'regular');
      schedule(s.timers, connectMs, () => connect(s));
    },

    async decline(callId) {
      const s = sessionFor(callId);
      allow(s, isRingingInbound(s), 'decline');
      end(s, 'declined', false);
    },

    async hangUp(callId) {
      const s = sessionFor(callId);
      const notAnswered = s.direction === 'outbound' && s.connectedAt === null && (s.status === 'connecting' || s.status === 'ringing');
      allow(s, notAnswered || s.status === 'accepting' || isInCall(s), 'hang up');
      end(s, notAnswered ? 'cancelled' : 'localHangup', true);
    },

    async hold(callId) {
      const s = sessionFor(callId);
      allow(s, isConnected(s, 'regular'), 'hold');
      sync(s, { onHold: true });
    },

    async resume(callId) {
      const s = sessionFor(callId);
      allow(s, isConnected(s, 'regular'), 'resume');
      sync(s, { onHold: false });
    },

    async mute(callId) {
      const s = sessionFor(callId);
      allow(s, isInCall(s), 'mute');
      sync(s, { muted: true });
    },

    async unmute(callId) {
      const s = sessionFor(callId);
      allow(s, isInCall(s), 'unmute');
      sync(s, { muted: false });
    },

    async sendDigits(callId, digits) {
      const s = sessionFor(callId);
      allow(s, isConnected(s), 'send digits');
      if (!DTMF.test(digits)) throw new LineError('invalid_argument', 'Digits must be 1 to 32 of 0-9, * and #.');
      s.digits += digits;
    },

    async startWarmTransfer(callId, target: TransferTarget) {
      const s = sessionFor(callId);
      allow(s, isConnected(s, 'regular'), 'start a warm transfer');
      if (!DIALABLE.test(target.number)) throw new LineError('invalid_argument', `${target.number} is not a dialable number.`);
      if (target.name !== undefined && target.name.length > MAX_NAME) throw new LineError('invalid_argument', 'The transfer target name is too long.');
      const consult = newLeg(participant(target.number, target.name));
      setStatus(s, 'startingWarmTransfer', 'regular');
      sync(s, { onHold: true });
      s.consult = consult;
      s.consultIsActive = true;
      setStatus(s, 'ringing', 'warmTransfer');
      sync(s, { activeParticipant: consult.party, inactiveParticipant: s.main.party });
      ringTransferTarget(s, consult);
    },

    async swap(callId) {
      const s = sessionFor(callId);
      allow(s, isConnected(s, 'warmTransfer'), 'swap');
      setStatus(s, 'swapping', 'warmTransfer');
      s.consultIsActive = !s.consultIsActive;
      sync(s, { activeParticipant: activeLeg(s).party, inactiveParticipant: heldLeg(s)?.party ?? null });
      setStatus(s, 'connected', 'warmTransfer');
    },

    async merge(callId) {
      const s = sessionFor(callId);
      allow(s, isConnected(s, 'warmTransfer'), 'merge');
      setStatus(s, 'merging', 'warmTransfer');
      end(s, 'transferred', false);
    },

    async cancelTransfer(callId) {
      const s = sessionFor(callId);
      allow(s, s.consult !== null && s.status !== 'ended', 'cancel a transfer');
      backToMainParty(s, 'transferCancelled');
    },

    async pauseRecording(callId) {
      const s = sessionFor(callId);
      allow(s, isInCall(s), 'pause the recording');
      sync(s, { recording: { state: 'paused' } });
    },

    async resumeRecording(callId) {
      const s = sessionFor(callId);
      allow(s, isInCall(s), 'resume the recording');
      sync(s, { recording: { state: 'recording' } });
    },

    dispose() {
      disposed = true;
      if (current) {
        clearTimers(current.timers);
        clearTimers(current.main.timers);
        if (current.consult) clearTimers(current.consult.timers);
      }
      delivery.close();
    },

    // ---- control API ----------------------------------------------------------------------

    ringAgent(incoming = {}) {
      ensureUsable();
      if (inProgress()) throw new LineError('invalid_state', 'A call is already in progress.');
      const fallback = SIMULATED_CALLERS[incomingCount % SIMULATED_CALLERS.length] as Participant;
      const from = incoming.from ?? fallback.number;
      if (!DIALABLE.test(from)) throw new LineError('invalid_argument', `${from} is not a valid caller number.`);
      const name = incoming.name ?? SIMULATED_CALLERS.find((caller) => caller.number === from)?.name;
      if (name !== undefined && name.length > MAX_NAME) throw new LineError('invalid_argument', 'The caller name is too long.');
      const giveUpAfterMs = incoming.giveUpAfterMs ?? incomingGiveUpMs;
      if (!Number.isFinite(giveUpAfterMs) || giveUpAfterMs < 0) throw new LineError('invalid_argument', 'giveUpAfterMs must be a duration in milliseconds.');

      let callId: string;
      do callId = `simulated-inbound-${++incomingCount}`;
      while (usedCallIds.has(callId));

      const s = newSession(callId, 'inbound', participant(from, name));
      sync(s, name === undefined ? { direction: 'inbound', from, to: agentNumber } : { direction: 'inbound', from, to: agentNumber, callerName: name });
      setStatus(s, 'ringing', 'regular');
      schedule(s.timers, giveUpAfterMs, () => end(s, 'missed', false));
      return callId;
    },

    callerGivesUp() {
      const s = currentSession();
      allow(s, isRingingInbound(s), 'give up as the caller');
      end(s, 'missed', false);
    },

    answerElsewhere() {
      const s = currentSession();
      allow(s, isRingingInbound(s), 'answer elsewhere');
      end(s, 'answeredElsewhere', false);
    },

    remoteHangsUp() {
      const s = currentSession();
      allow(s, isConnected(s, 'regular'), 'hang up as the other party');
      partyLeaves(s, s.main, 'remoteHangup');
    },

    dropConnection() {
      const s = currentSession();
      allow(s, s.status !== 'ended', 'drop the connection');
      end(s, 'connectionLost', false);
    },

    heldPartyHangsUp() {
      const s = currentSession();
      allow(s, isConnected(s, 'warmTransfer'), 'hang up as the held party');
      targetTakesOver(s);
    },

    transferTargetHangsUp() {
      const s = currentSession();
      allow(s, isConnected(s, 'warmTransfer'), 'hang up as the transfer target');
      backToMainParty(s, 'transferTargetLeft');
    },

    sentDigits() {
      return current?.digits ?? '';
    },

    state() {
      return current && { callId: current.callId, status: current.status, flow: current.flow };
    },

    availability(status) {
      ensureUsable();
      if (!AVAILABILITIES.includes(status)) throw new LineError('invalid_argument', `Unknown availability ${String(status)}.`);
      enqueue({ type: 'USER.AVAILABILITY_CHANGED', payload: { status, updatedAt: now() } });
    },
  };
  return line;
}
