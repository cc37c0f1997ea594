/**
 * From the dialer's call lifecycle to Front's call states: the one place that decides what Front
 * is told. Pure: no I/O, no clock.
 *
 * Front's states and valid transitions are the reference table (front-voice-channels seed).
 * {@link mapStep} MUST only ever produce a create with an initial status Front accepts, or an update
 * that is a valid transition from the current state; anything else is `none` with the reason.
 *
 * Choices the reference table leaves open (also in server/README.md, "Call states"):
 * - Every call is created `ringing`: the plugin rings a teammate (inbound) or the callee (outbound)
 *   at once, and neither the dialer nor the PBX seed has a queue event, so `queued` is never sent.
 * - An outbound call nobody answers (no answer, busy, rejected, failed) ends `missed`: Front shows it
 *   as a call that did not connect and was not given up by our side. An outbound call the teammate
 *   hangs up before it is answered (`cancelled`) ends `abandoned`: "terminated by the caller before
 *   connecting", the caller being our teammate. `hangup` is not valid from `ringing`.
 * - An inbound call: the caller giving up first (`missed`, `remoteHangup`) is `abandoned`; a call
 *   the teammate declines or does not take (`declined`, `noAnswer`, `busy`, `failed`, lost
 *   connection, the teammate hanging up a ringing call) is `missed`.
 * - An inbound call answered on another device (`answeredElsewhere`) is `transferred` (it went to
 *   someone else; "missed" would ask the team to call back a customer who was served), unless the
 *   PBX reports this call too: then the PBX's answer and end tell Front what happened, and the
 *   plugin's word is not needed.
 * - A connected or held call ends `hangup`, or `transferred` after a completed warm transfer; the
 *   next leg is a new call whose parent is this one (the reporter says so on its CALL_STARTED).
 */
import { DIRECTIONS, type Direction, type EndReason } from '../../contract';

export const FRONT_CALL_STATUSES = [
  'queued',
  'ringing',
  'connected',
  'hold',
  'hangup',
  'abandoned',
  'missed',
  'transferred',
] as const;
export type FrontCallStatus = (typeof FRONT_CALL_STATUSES)[number];

export const FRONT_INITIAL_STATUSES = ['queued', 'ringing'] as const satisfies readonly FrontCallStatus[];
export type FrontInitialStatus = (typeof FRONT_INITIAL_STATUSES)[number];

/** The contract's directions (what a report's `callType` may be). */
export { DIRECTIONS, type Direction };

/** Front's table of valid transitions; `none` is a call Front does not know yet. */
export const VALID_TRANSITIONS: Readonly<Record<FrontCallStatus | 'none', readonly FrontCallStatus[]>> = {
  none: ['ringing', 'queued'],
  queued: ['connected', 'hangup', 'missed', 'abandoned'],
  ringing: ['queued', 'connected', 'missed', 'abandoned', 'transferred'],
  connected: ['hold', 'transferred', 'hangup'],
  // "resumed" is sent as `connected`.
  hold: ['connected', 'transferred', 'hangup'],
  transferred: [],
  hangup: [],
  missed: [],
  abandoned: [],
};

export function isValidTransition(from: FrontCallStatus | null, to: FrontCallStatus): boolean {
  return VALID_TRANSITIONS[from ?? 'none'].includes(to);
}

export function isFinal(state: FrontCallStatus | null): boolean {
  return state !== null && VALID_TRANSITIONS[state].length === 0;
}

/** One step of a call's life, as the plugin (TelephonyEvent) or the PBX reports it. */
export type LifecycleStep =
  | { type: 'started' }
  | { type: 'connected' }
  | { type: 'hold' }
  | { type: 'resumed' }
  | { type: 'ended'; reason: EndReason };

export interface MappingInput {
  /** What Front was last told about the call; null before it is created. */
  readonly state: FrontCallStatus | null;
  readonly direction: Direction;
  readonly step: LifecycleStep;
  /** The PBX reports this call too, so it owns the outcome of a call answered on another device. */
  readonly pbxReportsCall?: boolean;
}

export type MappingResult =
  | { readonly action: 'create'; readonly initialStatus: FrontInitialStatus }
  | { readonly action: 'update'; readonly status: FrontCallStatus }
  | { readonly action: 'none'; readonly why: string };

/** How a call that never connected ends, by direction and the dialer's end reason. */
export const UNANSWERED_END: Readonly<Record<Direction, Readonly<Record<EndReason, FrontCallStatus>>>> = {
  inbound: {
    missed: 'abandoned', // the caller gave up before the teammate answered
    remoteHangup: 'abandoned',
    declined: 'missed',
    localHangup: 'missed', // the teammate hung up a ringing call: declined
    noAnswer: 'missed',
    busy: 'missed',
    rejected: 'missed',
    cancelled: 'missed',
    connectionLost: 'missed',
    failed: 'missed',
    answeredElsewhere: 'transferred',
    transferred: 'transferred',
  },
  outbound: {
    cancelled: 'abandoned', // the teammate hung up before the callee answered
    localHangup: 'abandoned',
    noAnswer: 'missed',
    busy: 'missed',
    rejected: 'missed',
    declined: 'missed',
    remoteHangup: 'missed',
    missed: 'missed',
    connectionLost: 'missed',
    failed: 'missed',
    answeredElsewhere: 'transferred',
    transferred: 'transferred',
  },
};

const none = (why: string): MappingResult => ({ action: 'none', why });
const update = (status: FrontCallStatus): MappingResult => ({ action: 'update', status });

/** What Front must be told after one lifecycle step. Never throws; never an invalid transition. */
export function mapStep({ state, direction, step, pbxReportsCall = false }: MappingInput): MappingResult {
  if (state === null) {
    return step.type === 'started' ? { action: 'create', initialStatus: 'ringing' } : none('the call has not started');
  }
  if (isFinal(state)) return none(`the call already ended (${state})`);
  if (step.type === 'started') return none('the call already started');

  const answered = state === 'connected' || state === 'hold';
  switch (step.type) {
    case 'connected':
      if (state === 'connected') return none('already connected');
      return update('connected');
    case 'hold':
      if (state === 'hold') return none('already on hold');
      return answered ? update('hold') : none('a call that is not connected cannot be held');
    case 'resumed':
      return state === 'hold' ? update('connected') : none('the call is not on hold');
    case 'ended': {
      const { reason } = step;
      if (answered) {
        if (reason === 'answeredElsewhere') return none('the call is connected elsewhere');
        return update(reason === 'transferred' ? 'transferred' : 'hangup');
      }
      if (reason === 'answeredElsewhere' && pbxReportsCall) return none('the PBX reports how this call ends');
      const status = UNANSWERED_END[direction][reason];
      // From `queued` (never produced here) `transferred` is not valid: the caller was not served.
      return isValidTransition(state, status) ? update(status) : update('missed');
    }
  }
}
