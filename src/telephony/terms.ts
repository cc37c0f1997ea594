/**
 * The words of the line protocol (./protocol.ts): statuses, flows, end reasons, transfer outcomes,
 * availabilities. Plain data with no validation library, so the call machine and the UI (first
 * render) can use them while the protocol's schemas load with the line.
 */
import { END_REASONS, type EndReason } from '../../contract';

export const CALL_STATUSES = [
  'idle',
  'connecting',
  'ringing',
  'accepting',
  'connected',
  'hanging',
  'mandatoryTagging',
  'ended',
  // warm-transfer statuses
  'startingWarmTransfer',
  'swapping',
  'merging',
  // blind transfer: the party is handed to the target without consultation (issue 12)
  'blindTransferring',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/** `conference`: the agent, the original party and the warm-transfer target all hear each other. */
export const CALL_FLOWS = ['regular', 'warmTransfer', 'conference'] as const;
export type CallFlow = (typeof CALL_FLOWS)[number];

/** Why a call ended (on `ended` / `hanging`): the plugin/server contract's list, the same words the call log reports. */
export { END_REASONS, type EndReason };

/**
 * Why a warm transfer, a blind transfer or a conference went back to the regular flow (on
 * `connected` with flow `regular`). In a conference, `transferTargetLeft` and `heldPartyLeft` say
 * which of the two parties left (the target, or the original party).
 */
export const TRANSFER_OUTCOMES = [
  'transferCancelled', // the agent cancelled; back to the original party
  'transferDeclined', // the target declined; back to the original party
  'transferNoAnswer', // the target did not answer; back to the original party
  'transferTargetLeft', // the target hung up during the consultation
  'heldPartyLeft', // the held original party hung up; the agent stays with the target
  'transferFailed', // the consultation (or blind-transfer) call could not be placed
] as const;
export type TransferOutcome = (typeof TRANSFER_OUTCOMES)[number];

/** Availability as the seed's USER.AVAILABILITY_CHANGED reports it. */
export const AVAILABILITIES = ['available', 'busy', 'after_call_work', 'offline'] as const;
export type Availability = (typeof AVAILABILITIES)[number];

