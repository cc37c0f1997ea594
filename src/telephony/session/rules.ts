/**
 * Which command a line accepts in which state of its call: one table for every line, so the
 * simulated line and the SIP line refuse exactly the same things with exactly the same error.
 */
import type { LineCommand } from '../line';
import type { CallFlow, CallStatus } from '../protocol';

/** Where a warm transfer stands: not started, holding the first party, or placing / talking to the target. */
export type TransferPhase = 'none' | 'starting' | 'consulting';

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
 *     merging      completing the warm transfer
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
  | 'returning'
  | 'ended';

export function sessionState(call: CallFacts): SessionState {
  const { status, flow, transfer } = call;
  if (call.ended || status === 'ended' || status === 'hanging') return 'ended';
  if (status === 'merging') return 'merging';
  if (transfer !== 'none') {
    if (status === 'swapping') return 'swapping';
    if (status === 'connected' && flow === 'warmTransfer') return 'consulting';
    return 'transferring';
  }
  // The transfer is over but the regular flow has not been reported yet.
  if (flow === 'warmTransfer' || status === 'startingWarmTransfer' || status === 'swapping') return 'returning';
  if (status === 'accepting') return 'accepting';
  if (status === 'connected') return 'connected';
  return call.direction === 'inbound' ? 'ringing' : 'dialing';
}

/** Every state of a call still in progress. */
export const LIVE_STATES: readonly SessionState[] = ['dialing', 'ringing', 'accepting', 'connected', 'transferring', 'consulting', 'swapping', 'merging', 'returning'];

/** Answered and not ended, whatever the warm transfer is doing. */
const IN_CALL: readonly SessionState[] = ['connected', 'transferring', 'consulting', 'swapping', 'merging', 'returning'];

/** A call command (every command but `dial`, which needs no call) and where it is allowed. */
export type CallCommand = Exclude<LineCommand['type'], 'dial'>;

/**
 * The one table of command preconditions. A command given in any other state rejects with
 * `invalid_state` ("Cannot <action> while the call is <status> (<flow> flow).") and changes nothing.
 * `dial` is allowed only when no call is in progress (see `SessionCore.checkDial`).
 */
export const COMMAND_RULES: Readonly<Record<CallCommand, { readonly allowedIn: readonly SessionState[]; readonly action: string }>> = {
  answer: { allowedIn: ['ringing'], action: 'answer' },
  decline: { allowedIn: ['ringing'], action: 'decline' },
  hangUp: { allowedIn: ['dialing', 'accepting', ...IN_CALL], action: 'hang up' },
  hold: { allowedIn: ['connected'], action: 'hold' },
  resume: { allowedIn: ['connected'], action: 'resume' },
  mute: { allowedIn: IN_CALL, action: 'mute' },
  unmute: { allowedIn: IN_CALL, action: 'unmute' },
  pauseRecording: { allowedIn: IN_CALL, action: 'pause the recording' },
  resumeRecording: { allowedIn: IN_CALL, action: 'resume the recording' },
  sendDigits: { allowedIn: ['connected', 'consulting'], action: 'send digits' },
  startWarmTransfer: { allowedIn: ['connected'], action: 'start a warm transfer' },
  swap: { allowedIn: ['consulting'], action: 'swap' },
  merge: { allowedIn: ['consulting'], action: 'merge' },
  cancelTransfer: { allowedIn: ['transferring', 'consulting', 'swapping'], action: 'cancel a transfer' },
};
