/**
 * The call-session core both lines are built on: the call record (at most two sessions, the
 * second one a waiting call; each with at most two legs),
 * the events every line emits about it (statuses, SYNCs, the end sequence), the command
 * preconditions of `rules.ts`, and the checks of `dial` and of its arguments. A line adds only
 * what makes it different: how a leg rings, connects and ends (timers for the simulated network,
 * SIP sessions for the SIP line).
 */
import { createEventDelivery } from '../eventDelivery';
import { LineError, type LineErrorCode, type TransferTarget } from '../line';
import {
  callStatusEvent,
  syncEvent,
  type CallFlow,
  type CallStatus,
  type EndReason,
  type LineEvent,
  type Participant,
  type SyncPayload,
  type TransferOutcome,
} from '../protocol';
import { COMMAND_RULES, sessionState, type CallCommand, type OtherCall, type SessionState, type TransferPhase } from './rules';

export type Timer = ReturnType<typeof setTimeout>;

/** One remote party of the session: the original party, or the warm-transfer target. */
export interface CallLeg {
  party: Participant;
  connected: boolean;
  /** Timers that belong to this party only (its ringing, its departure, its re-INVITEs). */
  readonly timers: Set<Timer>;
}

/** The call record: what every line knows about its one call session. */
export interface CallRecord<L extends CallLeg> {
  readonly callId: string;
  readonly direction: 'inbound' | 'outbound';
  status: CallStatus;
  flow: CallFlow;
  /** The party of the regular flow; during a warm transfer, the one being transferred. */
  main: L;
  /** The warm-transfer target, while a warm transfer is in progress. */
  consult: L | null;
  consultIsActive: boolean;
  transfer: TransferPhase;
  connectedAt: number | null;
  /** The agent put this call on hold (or the line did, to answer or resume the other call). */
  held: boolean;
  muted: boolean;
  ended: boolean;
  readonly participants: Participant[];
  readonly timers: Set<Timer>;
}

export interface SessionCoreOptions {
  /** How errors name the line: "The simulated line has been disposed." */
  readonly lineName: string;
  /** The agent's own number (`from` of outbound calls, `to` of inbound calls). */
  readonly agentNumber: string;
  /** The numbers `dial` and `startWarmTransfer` accept. */
  readonly dialable: RegExp;
  readonly now: () => number;
  readonly onListenerError: (error: unknown, event: LineEvent) => void;
  /** Applied to every error message (the SIP line removes its password). */
  readonly redact?: (text: string) => string;
}

const DTMF = /^[0-9*#]{1,32}$/;
const MAX_CALL_ID = 128;
/**
 * How many of the latest call ids a line refuses to reuse. Ids are fresh UUIDs (or SIP Call-IDs),
 * so the check guards against a caller repeating a recent id; remembering every id of a working
 * day would keep it all reachable (the memory bench: ~40 B a call).
 */
export const REMEMBERED_CALL_IDS = 256;
export const MAX_NAME = 200;
const MAX_PARTICIPANTS = 10;

/** A call id no other tab, reload or teammate will ever make (the server refuses a reused one). */
export function uniqueCallId(prefix: string): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return `${prefix}-${c.randomUUID()}`;
  // randomUUID needs a secure context; getRandomValues does not.
  const bytes = c.getRandomValues(new Uint8Array(16));
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** A participant, with its name only when there is one. */
export function participant(number: string, name?: string): Participant {
  return name === undefined ? { number } : { number, name };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function defaultListenerErrorReporter(lineName: string): (error: unknown) => void {
  return (error) => {
    if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
    else console.error(`A ${lineName} listener threw:`, error);
  };
}

export function schedule(timers: Set<Timer>, ms: number, run: () => void): void {
  // Read from globalThis when the timer is set, so `vi.useFakeTimers()` drives it.
  const handle = globalThis.setTimeout(() => {
    timers.delete(handle);
    run();
  }, ms);
  timers.add(handle);
}

export function clearTimers(timers: Set<Timer>): void {
  for (const handle of timers) globalThis.clearTimeout(handle);
  timers.clear();
}

export type SessionCore<L extends CallLeg, C extends CallRecord<L>> = ReturnType<typeof createSessionCore<L, C>>;

/**
 * Creates the core of one line. `C` is the line's call record: {@link CallRecord} plus its own
 * fields, given to {@link startCall} as `extra`.
 */
export function createSessionCore<L extends CallLeg, C extends CallRecord<L>>(options: SessionCoreOptions) {
  const { lineName, agentNumber, dialable, now } = options;
  const redact = options.redact ?? ((text: string) => text);
  const delivery = createEventDelivery(options.onListenerError);
  const usedCallIds = new Set<string>();
  /** The line's calls, oldest first: the live ones (at most two) and, until the next call, the last ended ones. */
  let calls: C[] = [];
  let disposed = false;
  const live = () => calls.filter((call) => !call.ended);

  const error = (code: LineErrorCode, message: string) => new LineError(code, redact(message));
  const enqueue = (event: LineEvent) => delivery.enqueue(event);

  function setStatus(call: C, status: CallStatus, flow: CallFlow, reason?: EndReason | TransferOutcome): void {
    call.status = status;
    call.flow = flow;
    enqueue(callStatusEvent(call.callId, status, flow, reason));
  }

  function sync(call: C, details: Omit<SyncPayload, 'callId'>): void {
    enqueue(syncEvent(call.callId, details));
  }

  function ensureUsable(): void {
    if (disposed) throw error('not_ready', `The ${lineName} has been disposed.`);
  }

  function inProgress(): boolean {
    return calls.some((call) => !call.ended);
  }

  /** The line's other live call (call waiting), or null. */
  function otherOf(call: C): C | null {
    return live().find((other) => other !== call) ?? null;
  }

  function otherState(call: C): OtherCall {
    const other = otherOf(call);
    return other ? sessionState(other) : 'none';
  }

  /** Throws `invalid_state` unless the call is in one of `allowed`. */
  function requireState(call: C, allowed: readonly SessionState[], action: string): void {
    if (!allowed.includes(sessionState(call))) {
      throw error('invalid_state', `Cannot ${action} while the call is ${call.ended ? 'ended' : call.status} (${call.flow} flow).`);
    }
  }

  function remember(call: C, party: Participant): void {
    if (call.participants.length >= MAX_PARTICIPANTS) return;
    if (!call.participants.some((p) => p.number === party.number)) call.participants.push(party);
  }

  function activeLeg(call: C): L {
    return call.consultIsActive && call.consult ? call.consult : call.main;
  }

  function heldLeg(call: C): L | null {
    if (!call.consult) return null;
    return call.consultIsActive ? call.main : call.consult;
  }

  /** Drops the warm-transfer leg from the record (the line ends it) and returns it. */
  function leaveTransfer(call: C): L | null {
    const consult = call.consult;
    call.consult = null;
    call.consultIsActive = false;
    call.transfer = 'none';
    return consult;
  }

  function legs(call: C): L[] {
    return call.consult ? [call.main, call.consult] : [call.main];
  }

  function checkNumber(number: string): void {
    if (!dialable.test(number)) throw error('invalid_argument', `${number} is not a dialable number.`);
  }

  return {
    agentNumber,
    error,
    enqueue,
    setStatus,
    sync,
    ensureUsable,
    inProgress,
    requireState,
    remember,
    activeLeg,
    heldLeg,
    leaveTransfer,
    otherOf,
    otherState,
    subscribe: (listener: (event: LineEvent) => void) => delivery.subscribe(listener),
    /** The first live call (the one in progress before any waiting call), else the last call. */
    get current(): C | null {
      return live()[0] ?? calls.at(-1) ?? null;
    },
    /** The live calls, oldest first (at most two). */
    live,
    /** A call the line still knows (live, or ended since the last new call). */
    byId: (callId: string): C | null => calls.find((call) => call.callId === callId) ?? null,
    get disposed(): boolean {
      return disposed;
    },
    isUsed: (callId: string) => usedCallIds.has(callId),

    /** The checks of `dial`, in order: usable, no call in progress, a new callId, a dialable number. */
    checkDial(callId: string, to: string): void {
      ensureUsable();
      if (inProgress()) throw error('invalid_state', 'A call is already in progress.');
      if (callId.length === 0 || callId.length > MAX_CALL_ID) throw error('invalid_argument', 'The callId must be 1 to 128 characters long.');
      if (usedCallIds.has(callId)) throw error('invalid_argument', `The callId ${callId} was already used.`);
      checkNumber(to);
    },

    /**
     * The call a command names, in a state the command is allowed in, with the line's other call
     * (if any) in a state the command allows (see {@link COMMAND_RULES}).
     */
    callFor(command: CallCommand, callId: string): C {
      ensureUsable();
      const call = calls.find((c) => c.callId === callId);
      if (!call) throw error('no_such_call', `The line has no call ${callId}.`);
      const rule = COMMAND_RULES[command];
      requireState(call, rule.allowedIn, rule.action);
      const other = otherOf(call);
      if (other && !rule.otherIn.includes(sessionState(other))) {
        throw error('invalid_state', `Cannot ${rule.action} while the other call is ${other.status} (${other.flow} flow).`);
      }
      return call;
    },

    /** Holds or resumes a call as applied: the record and its SYNC. */
    setHeld(call: C, held: boolean): void {
      call.held = held;
      sync(call, { onHold: held });
    },

    checkDigits(digits: string): void {
      if (!DTMF.test(digits)) throw error('invalid_argument', 'Digits must be 1 to 32 of 0-9, * and #.');
    },

    /** The warm-transfer target as a participant, once its number and name are acceptable. */
    transferParty(target: TransferTarget): Participant {
      checkNumber(target.number);
      if (target.name !== undefined && target.name.length > MAX_NAME) throw error('invalid_argument', 'The transfer target name is too long.');
      return participant(target.number, target.name);
    },

    /** Makes the line's call: fresh record, its id never to be used again. */
    startCall(callId: string, direction: 'inbound' | 'outbound', main: L, extra: Omit<C, keyof CallRecord<L>>): C {
      usedCallIds.add(callId);
      if (usedCallIds.size > REMEMBERED_CALL_IDS) usedCallIds.delete(usedCallIds.values().next().value!);
      const call = {
        ...extra,
        callId,
        direction,
        status: 'idle',
        flow: 'regular',
        main,
        consult: null,
        consultIsActive: false,
        transfer: 'none',
        connectedAt: null,
        held: false,
        muted: false,
        ended: false,
        participants: [main.party],
        timers: new Set(),
      } as unknown as C;
      calls = [...live(), call];
      return call;
    },

    /** An outbound call was placed: DIALING, the outbound SYNC, then `connecting`. */
    announceOutbound(call: C, to: string): void {
      enqueue({ type: 'DIALER.DIALING', payload: { from: agentNumber, to, callId: call.callId } });
      sync(call, { direction: 'outbound', from: agentNumber, to });
      setStatus(call, 'connecting', 'regular');
    },

    /** An incoming call: the inbound SYNC naming the caller, then `ringing`. */
    announceInbound(call: C): void {
      const { number, name } = call.main.party;
      sync(call, name === undefined ? { direction: 'inbound', from: number, to: agentNumber } : { direction: 'inbound', from: number, to: agentNumber, callerName: name });
      setStatus(call, 'ringing', 'regular');
    },

    /** The main party answered: `connected` and the SYNC of the call as it starts. */
    markConnected(call: C, details: Omit<SyncPayload, 'callId'> = {}): void {
      call.main.connected = true;
      call.connectedAt = now();
      setStatus(call, 'connected', 'regular');
      sync(call, { activeParticipant: call.main.party, inactiveParticipant: null, onHold: false, muted: call.muted, ...details });
    },

    /** The warm-transfer target answered. */
    markTargetConnected(call: C, leg: L): void {
      leg.connected = true;
      remember(call, leg.party);
      setStatus(call, 'connected', 'warmTransfer');
    },

    /** The transfer is under way: the target rings, the first party is held. */
    announceConsultation(call: C, leg: L): void {
      call.consult = leg;
      call.consultIsActive = true;
      call.transfer = 'consulting';
      setStatus(call, 'ringing', 'warmTransfer');
      sync(call, { activeParticipant: leg.party, inactiveParticipant: call.main.party });
    },

    /** The warm transfer is over: back to the regular flow with the (new) main party, and why. */
    backToRegular(call: C, outcome: TransferOutcome, onHold = false): void {
      setStatus(call, 'connected', 'regular', outcome);
      sync(call, { activeParticipant: call.main.party, inactiveParticipant: null, onHold });
    },

    /** The consulting warm transfer became a three-way call: everyone hears everyone, nobody is held. */
    joinConference(call: C): void {
      call.transfer = 'conference';
      setStatus(call, 'connected', 'conference');
      const parties = legs(call).map((leg) => leg.party);
      sync(call, { activeParticipant: call.main.party, inactiveParticipant: null, participants: parties, onHold: false });
    },

    /** The active party and the held one switched. */
    swapped(call: C): void {
      call.consultIsActive = !call.consultIsActive;
      sync(call, { activeParticipant: activeLeg(call).party, inactiveParticipant: heldLeg(call)?.party ?? null });
    },

    /** The original party left: the target becomes the call's party. */
    promoteTarget(call: C): L | null {
      const consult = leaveTransfer(call);
      if (consult) call.main = consult;
      return consult;
    },

    /** The call's legs that are there (the main party, and the target during a transfer). */
    legs,

    /**
     * Ends the call for the agent: every call timer stops, `hanging` (when someone hung up) and
     * `ended` with the reason, then the SYNC with the duration. The line ends its legs itself.
     */
    finish(call: C, reason: EndReason, withHanging: boolean): void {
      call.ended = true;
      clearTimers(call.timers);
      if (withHanging) setStatus(call, 'hanging', 'regular', reason);
      setStatus(call, 'ended', 'regular', reason);
      const duration = call.connectedAt === null ? 0 : Math.max(0, Math.round((now() - call.connectedAt) / 1000));
      sync(call, { duration, participants: [...call.participants] });
    },

    dispose(): void {
      disposed = true;
      delivery.close();
    },
  };
}
