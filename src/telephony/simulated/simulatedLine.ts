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
import { AVAILABILITIES, type AudioStats, type Availability, type CallFlow, type CallStatus, type EndReason, type LineEvent, type Participant, type TransferOutcome } from '../protocol';
import { LineError, type Line, type LineCapabilities, type TransferTarget } from '../line';
import {
  clearTimers,
  createSessionCore,
  defaultListenerErrorReporter,
  LIVE_STATES,
  MAX_NAME,
  participant,
  schedule,
  sessionState,
  uniqueCallId,
  type CallLeg,
  type CallRecord,
  type SessionState,
} from '../session';
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
  /**
   * Someone calls the agent. Returns the new call's callId. During a call this is a waiting call
   * (the line holds at most two); throws `invalid_state` when two calls are in progress.
   */
  ringAgent(options?: IncomingCallOptions): string;
  /**
   * The far-end controls below act on `callId` when given, else on the call in the right state
   * (of two, the one not on hold).
   *
   * The caller of a ringing incoming call hangs up: `ended` `missed`.
   */
  callerGivesUp(callId?: string): void;
  /** Another device answers the ringing incoming call: `ended` `answeredElsewhere`. */
  answerElsewhere(callId?: string): void;
  /** The other party of a connected regular call hangs up: `hanging` + `ended` `remoteHangup`. */
  remoteHangsUp(callId?: string): void;
  /** The connection drops, whatever the call is doing: `ended` `connectionLost`. */
  dropConnection(callId?: string): void;
  /** During a connected warm transfer or a conference, the original party hangs up: the agent stays with the target (`heldPartyLeft`). */
  heldPartyHangsUp(): void;
  /** During a connected warm transfer or a conference, the target hangs up: back to the original party (`transferTargetLeft`). */
  transferTargetHangsUp(): void;
  /** The DTMF digits sent on the current (or last) call, in order. */
  sentDigits(): string;
  /** The current (or last) session, or null before the first call. */
  state(): SimulatedCallState | null;
  /** The agent's availability changes: emits `USER.AVAILABILITY_CHANGED`. */
  availability(status: Availability): void;
}

const DIALABLE = /^\+?[0-9]{3,15}$/;

const CAPABILITIES: LineCapabilities = SIMULATED_CAPABILITIES;

type Behaviour = TestNumberBehaviour | 'answers';
type LeaveKind = 'connectionLost' | 'remoteHangup';

/** One remote party of the session, with the script it follows. */
interface Leg extends CallLeg {
  readonly behaviour: Behaviour;
}

interface Session extends CallRecord<Leg> {
  digits: string;
  statsTick: number;
}

function behaviourOf(number: string): Behaviour {
  for (const [behaviour, entry] of Object.entries(TEST_NUMBERS)) {
    if (entry.number === number) return behaviour as TestNumberBehaviour;
  }
  return 'answers';
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

/**
 * Creates a simulated line. See {@link TEST_NUMBERS} for the scripted numbers.
 *
 * What each command accepts is the call-session core's table (`session/rules.ts`); anything else
 * rejects `invalid_state` and emits nothing. `dial` also needs a `to` that matches `+?` and 3 to 15
 * digits and a new callId (`invalid_argument` otherwise). `sendDigits` records the digits (see
 * `sentDigits()`) and emits nothing. After `dispose()` every command rejects `not_ready`.
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
    onListenerError = defaultListenerErrorReporter('simulated line'),
  } = options;
  if (!DIALABLE.test(agentNumber)) throw new LineError('invalid_argument', `The agent number ${agentNumber} is not a dialable number.`);

  const core = createSessionCore<Leg, Session>({ lineName: 'simulated line', agentNumber, dialable: DIALABLE, now, onListenerError });
  const { setStatus, sync } = core;
  let incomingCount = 0;

  // ---- the network ------------------------------------------------------------------------

  function newLeg(party: Participant): Leg {
    return { party, behaviour: behaviourOf(party.number), connected: false, timers: new Set() };
  }

  function newSession(callId: string, direction: 'inbound' | 'outbound', party: Participant): Session {
    return core.startCall(callId, direction, newLeg(party), { digits: '', statsTick: 0 });
  }

  function connect(s: Session): void {
    core.markConnected(s, { recording: { state: 'recording' } });
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

  function clearLegTimers(s: Session): void {
    for (const leg of core.legs(s)) clearTimers(leg.timers);
  }

  function end(s: Session, reason: EndReason, withHanging: boolean): void {
    clearLegTimers(s);
    core.finish(s, reason, withHanging);
  }

  /** Ends the warm transfer and returns to the original party, with the outcome as reason. */
  function backToMainParty(s: Session, outcome: TransferOutcome): void {
    const consult = core.leaveTransfer(s);
    if (consult) clearTimers(consult.timers);
    core.backToRegular(s, outcome);
  }

  /** The original party left a connected warm transfer: the target becomes the call's party. */
  function targetTakesOver(s: Session): void {
    if (!s.consult) return;
    clearTimers(s.main.timers);
    core.promoteTarget(s);
    core.backToRegular(s, 'heldPartyLeft');
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
          core.markTargetConnected(s, leg);
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

  /** The current (or last) call, for the far end's controls. */
  function currentSession(): Session {
    core.ensureUsable();
    if (!core.current) throw new LineError('invalid_state', 'There is no call on the simulated line.');
    return core.current;
  }

  /** The call a far-end control acts on: `callId`, else a live call in `states` (the one not held first). */
  function pick(callId: string | undefined, states: readonly SessionState[], action: string): Session {
    core.ensureUsable();
    if (callId !== undefined) {
      const named = core.byId(callId);
      if (!named) throw new LineError('no_such_call', `The simulated line has no call ${callId}.`);
      core.requireState(named, states, action);
      return named;
    }
    const candidates = core.live().filter((call) => states.includes(sessionState(call)));
    const chosen = candidates.find((call) => !call.held) ?? candidates[0];
    if (chosen) return chosen;
    const fallback = currentSession();
    core.requireState(fallback, states, action);
    return fallback;
  }

  /** Of two answered calls at most one is off hold: the other one is held first. */
  function holdTheOther(s: Session): void {
    const other = core.otherOf(s);
    if (other && other.connectedAt !== null && !other.held) core.setHeld(other, true);
  }

  /** Where a blind transfer lands, by the target's script (see TEST_NUMBERS). */
  function ringBlindTarget(s: Session, behaviour: Behaviour): void {
    const back = (outcome: TransferOutcome) => () => {
      core.backToRegular(s, outcome);
      s.held = false;
    };
    switch (behaviour) {
      case 'busy':
        schedule(s.timers, connectMs, back('transferDeclined'));
        return;
      case 'noAnswer':
        schedule(s.timers, noAnswerMs, back('transferNoAnswer'));
        return;
      case 'rejects':
        schedule(s.timers, transferRingMs, back('transferDeclined'));
        return;
      default:
        // The target took the call: the agent's leg ends, the two parties talk.
        schedule(s.timers, transferRingMs, () => end(s, 'transferred', false));
    }
  }

  // ---- the port ---------------------------------------------------------------------------

  const line: SimulatedLine = {
    kind: 'simulated',
    capabilities: CAPABILITIES,

    subscribe: core.subscribe,

    async dial(callId, to) {
      core.checkDial(callId, to);
      const s = newSession(callId, 'outbound', participant(to));
      core.announceOutbound(s, to);
      ringOutbound(s);
    },

    async answer(callId) {
      const s = core.callFor('answer', callId);
      holdTheOther(s);
      clearTimers(s.timers);
      setStatus(s, 'accepting', 'regular');
      schedule(s.timers, connectMs, () => connect(s));
    },

    async decline(callId) {
      end(core.callFor('decline', callId), 'declined', false);
    },

    async hangUp(callId) {
      const s = core.callFor('hangUp', callId);
      end(s, s.connectedAt === null && s.direction === 'outbound' ? 'cancelled' : 'localHangup', true);
    },

    async hold(callId) {
      core.setHeld(core.callFor('hold', callId), true);
    },

    async resume(callId) {
      const s = core.callFor('resume', callId);
      holdTheOther(s);
      core.setHeld(s, false);
    },

    async mute(callId) {
      const s = core.callFor('mute', callId);
      s.muted = true;
      sync(s, { muted: true });
    },

    async unmute(callId) {
      const s = core.callFor('unmute', callId);
      s.muted = false;
      sync(s, { muted: false });
    },

    async sendDigits(callId, digits) {
      const s = core.callFor('sendDigits', callId);
      core.checkDigits(digits);
      s.digits += digits;
    },

    async startWarmTransfer(callId, target: TransferTarget) {
      const s = core.callFor('startWarmTransfer', callId);
      const consult = newLeg(core.transferParty(target));
      setStatus(s, 'startingWarmTransfer', 'regular');
      sync(s, { onHold: true });
      core.announceConsultation(s, consult);
      ringTransferTarget(s, consult);
    },

    async blindTransfer(callId, target: TransferTarget) {
      const s = core.callFor('blindTransfer', callId);
      const party = core.transferParty(target);
      core.remember(s, party);
      core.setHeld(s, true);
      setStatus(s, 'blindTransferring', 'regular');
      ringBlindTarget(s, behaviourOf(party.number));
    },

    async conference(callId) {
      core.joinConference(core.callFor('conference', callId));
    },

    async swap(callId) {
      const s = core.callFor('swap', callId);
      setStatus(s, 'swapping', 'warmTransfer');
      core.swapped(s);
      setStatus(s, 'connected', 'warmTransfer');
    },

    async merge(callId) {
      const s = core.callFor('merge', callId);
      setStatus(s, 'merging', s.flow);
      end(s, 'transferred', false);
    },

    async cancelTransfer(callId) {
      backToMainParty(core.callFor('cancelTransfer', callId), 'transferCancelled');
    },

    async pauseRecording(callId) {
      sync(core.callFor('pauseRecording', callId), { recording: { state: 'paused' } });
    },

    async resumeRecording(callId) {
      sync(core.callFor('resumeRecording', callId), { recording: { state: 'recording' } });
    },

    dispose() {
      for (const s of core.live()) {
        clearTimers(s.timers);
        clearLegTimers(s);
      }
      core.dispose();
    },

    // ---- control API ----------------------------------------------------------------------

    ringAgent(incoming = {}) {
      core.ensureUsable();
      if (core.live().length >= 2) throw new LineError('invalid_state', 'Two calls are already in progress.');
      const fallback = SIMULATED_CALLERS[incomingCount % SIMULATED_CALLERS.length] as Participant;
      const from = incoming.from ?? fallback.number;
      if (!DIALABLE.test(from)) throw new LineError('invalid_argument', `${from} is not a valid caller number.`);
      const name = incoming.name ?? SIMULATED_CALLERS.find((caller) => caller.number === from)?.name;
      if (name !== undefined && name.length > MAX_NAME) throw new LineError('invalid_argument', 'The caller name is too long.');
      const giveUpAfterMs = incoming.giveUpAfterMs ?? incomingGiveUpMs;
      if (!Number.isFinite(giveUpAfterMs) || giveUpAfterMs < 0) throw new LineError('invalid_argument', 'giveUpAfterMs must be a duration in milliseconds.');
      incomingCount += 1;

      // Unique across tabs, reloads and teammates: the call log refuses an id it has seen.
      const s = newSession(uniqueCallId('simulated'), 'inbound', participant(from, name));
      core.announceInbound(s);
      schedule(s.timers, giveUpAfterMs, () => end(s, 'missed', false));
      return s.callId;
    },

    callerGivesUp(callId) {
      end(pick(callId, ['ringing'], 'give up as the caller'), 'missed', false);
    },

    answerElsewhere(callId) {
      end(pick(callId, ['ringing'], 'answer elsewhere'), 'answeredElsewhere', false);
    },

    remoteHangsUp(callId) {
      const s = pick(callId, ['connected'], 'hang up as the other party');
      partyLeaves(s, s.main, 'remoteHangup');
    },

    dropConnection(callId) {
      end(pick(callId, LIVE_STATES, 'drop the connection'), 'connectionLost', false);
    },

    heldPartyHangsUp() {
      targetTakesOver(pick(undefined, ['consulting', 'conference'], 'hang up as the held party'));
    },

    transferTargetHangsUp() {
      backToMainParty(pick(undefined, ['consulting', 'conference'], 'hang up as the transfer target'), 'transferTargetLeft');
    },

    sentDigits() {
      return core.current?.digits ?? '';
    },

    state() {
      const s = core.current;
      return s && { callId: s.callId, status: s.status, flow: s.flow };
    },

    availability(status) {
      core.ensureUsable();
      if (!AVAILABILITIES.includes(status)) throw new LineError('invalid_argument', `Unknown availability ${String(status)}.`);
      core.enqueue({ type: 'USER.AVAILABILITY_CHANGED', payload: { status, updatedAt: now() } });
    },
  };
  return line;
}
