/**
 * Which command a line accepts in which state of its call: one table for every line, so the
 * simulated line and the SIP line refuse exactly the same things with exactly the same error.
 */
import type { LineCommand } from '../line';
import type { CallFlow, CallStatus } from '../protocol';

/**
 * Where a warm transfer stands: not started, holding the first party, placing / talking to the
 * target, or joined with both parties in a three-way call.
 */
export type TransferPhase = 'none' | 'starting' | 'consulting' | 'conference';

/** What the rules read of a call: the status as last reported, plus what only the line knows. */
export interface CallFacts {
  readonly direction: 'inbound' | 'outbound';
  readonly status: CallStatus;
  readonly flow: CallFlow;
  readonly transfer: TransferPhase;
  readonly ended: boolean;
}

/**
 * The states of a call as far as commands are concerned:
 *
 *     dialing      outbound, connecting or ringing, not answered yet
 *     ringing      inbound, waiting for the agent to answer or decline
 *     accepting    answered, not connected yet
 *     connected    talking, regular flow
 *     transferring warm transfer started: holding the first party, or the target is ringing
 *     consulting   warm transfer with the target connected (one party active, one held)
 *     swapping     switching the active party of the warm transfer
 *     conference   three-way call: the agent, the original party and the target
 *     merging      completing the warm transfer (or leaving the conference)
 *     blindTransferring  handed to a target without consultation, the outcome not known yet
 *     returning    the warm transfer is over, the line is resuming the remaining party
 *     ended        ended (or hanging up: `hanging` is always followed by `ended`)
 */
export type SessionState =
  | 'dialing'
  | 'ringing'
  | 'accepting'
  | 'connected'
  | 'transferring'
  | 'consulting'
  | 'swapping'
  | 'merging'
  | 'conference'
  | 'blindTransferring'
  | 'returning'
  | 'ended';

export function sessionState(call: CallFacts): SessionState {
  const { status, flow, transfer } = call;
  if (call.ended || status === 'ended' || status === 'hanging') return 'ended';
  if (status === 'merging') return 'merging';
  if (status === 'blindTransferring') return 'blindTransferring';
  if (transfer === 'conference') return status === 'connected' && flow === 'conference' ? 'conference' : 'transferring';
  if (transfer !== 'none') {
    if (status === 'swapping') return 'swapping';
    if (status === 'connected' && flow === 'warmTransfer') return 'consulting';
    return 'transferring';
  }
  // The transfer is over but the regular flow has not been reported yet.
  if (flow !== 'regular' || status === 'startingWarmTransfer' || status === 'swapping') return 'returning';
  if (status === 'accepting') return 'accepting';
  if (status === 'connected') return 'connected';
  return call.direction === 'inbound' ? 'ringing' : 'dialing';
}

/** Every state of a call still in progress. */
export const LIVE_STATES: readonly SessionState[] = [
  'dialing',
  'ringing',
  'accepting',
  'connected',
  'transferring',
  'consulting',
  'swapping',
  'merging',
  'conference',
  'blindTransferring',
  'returning',
];

/** Answered and not ended, whatever the warm transfer is doing. */
const IN_CALL: readonly SessionState[] = ['connected', 'transferring', 'consulting', 'swapping', 'merging', 'conference', 'blindTransferring', 'returning'];

/** Where the other call may be: none, or a waiting call still ringing. */
const ALONE: readonly OtherCall[] = ['none', 'ringing'];
/** Any: the command does not involve the other call. */
const ANY: readonly OtherCall[] = ['none', ...LIVE_STATES];

/** A call command (every command but `dial`, which needs no call) and where it is allowed. */
export type CallCommand = Exclude<LineCommand['type'], 'dial'>;

/** The state of the line's other call (call waiting), `none` when there is none. */
export type OtherCall = SessionState | 'none';

export interface CommandRule {
  /** The states of the named call the command is allowed in. */
  readonly allowedIn: readonly SessionState[];
  /** The states the line's other call may be in meanwhile (`none`: there is no other call). */
  readonly otherIn: readonly OtherCall[];
  readonly action: string;
}

/**
 * The one table of command preconditions. A command given in any other state rejects with
 * `invalid_state` ("Cannot <action> while the call is <status> (<flow> flow)." or "... while the
 * other call is <status>.") and changes nothing. `dial` is allowed only when no call is in
 * progress (see `SessionCore.checkDial`).
 *
 * With two calls (call waiting): the second call can be answered only while the first is
 * `connected` in the regular flow (talking or held), because the line then holds it and the agent
 * has exactly one held call to come back to; a first call still dialling, answering, in a warm
 * transfer, a conference or a blind transfer already has a leg waiting on an outcome, and a third
 * party would have nowhere to be shown. Warm transfers and conferences need the other call to be
 * gone (or still ringing, when it can only be declined or ring out).
 */
export const COMMAND_RULES: Readonly<Record<CallCommand, CommandRule>> = {
  answer: { allowedIn: ['ringing'], otherIn: ['none', 'connected'], action: 'answer' },
  decline: { allowedIn: ['ringing'], otherIn: ANY, action: 'decline' },
  hangUp: { allowedIn: ['dialing', 'accepting', ...IN_CALL], otherIn: ANY, action: 'hang up' },
  hold: { allowedIn: ['connected'], otherIn: ANY, action: 'hold' },
  resume: { allowedIn: ['connected'], otherIn: [...ALONE, 'connected'], action: 'resume' },
  mute: { allowedIn: IN_CALL, otherIn: ANY, action: 'mute' },
  unmute: { allowedIn: IN_CALL, otherIn: ANY, action: 'unmute' },
  pauseRecording: { allowedIn: IN_CALL, otherIn: ANY, action: 'pause the recording' },
  resumeRecording: { allowedIn: IN_CALL, otherIn: ANY, action: 'resume the recording' },
  sendDigits: { allowedIn: ['connected', 'consulting'], otherIn: ANY, action: 'send digits' },
  startWarmTransfer: { allowedIn: ['connected'], otherIn: ALONE, action: 'start a warm transfer' },
  blindTransfer: { allowedIn: ['connected'], otherIn: [...ALONE, 'connected'], action: 'transfer' },
  conference: { allowedIn: ['consulting'], otherIn: ALONE, action: 'start a conference' },
  swap: { allowedIn: ['consulting'], otherIn: ALONE, action: 'swap' },
  merge: { allowedIn: ['consulting', 'conference'], otherIn: ALONE, action: 'merge' },
  cancelTransfer: { allowedIn: ['transferring', 'consulting', 'swapping'], otherIn: ANY, action: 'cancel a transfer' },
};
