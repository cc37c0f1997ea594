/**
 * How SIP outcomes become the dialer protocol's end reasons and transfer outcomes. Pure, and
 * tested as a table (tests/sip/endReasons.test.ts).
 *
 * | SIP                                           | outbound call | incoming call       | transfer target leg |
 * | --------------------------------------------- | ------------- | ------------------- | ------------------- |
 * | 486 / 600 Busy                                | busy          |                     | transferDeclined    |
 * | 603 Decline / 403                             | rejected      | declined (by agent) | transferDeclined    |
 * | 408 / 480 (nobody answered)                   | noAnswer      |                     | transferNoAnswer    |
 * | CANCEL (487): the agent hung up while ringing | cancelled     |                     | (cancelTransfer)    |
 * | CANCEL from the caller                        |               | missed              |                     |
 * | CANCEL, Reason cause=200 (answered elsewhere) |               | answeredElsewhere   |                     |
 * | our no-answer timer / INVITE expired          |               | missed              |                     |
 * | BYE from the other party                      | remoteHangup  | remoteHangup        | transferTargetLeft  |
 * | ICE / peer connection failed, RTP timeout,    | connectionLost| connectionLost      | transferTargetLeft  |
 * |   in-dialog request timeout, transport error  |               |                     |                     |
 * | anything else (404, 488, 5xx, no microphone)  | failed        | failed              | transferFailed      |
 */
import type { EndReason, TransferOutcome } from '../protocol';
import { CAUSES, type StackEndEvent } from './stack';

/** What the agent asked for that ends the call, if anything: it decides the reason. */
export type EndIntent = 'localHangup' | 'cancelled' | 'declined' | 'transferred' | 'connectionLost';

const BUSY = new Set([486, 600]);
const REJECTED = new Set([403, 603]);
const NO_ANSWER = new Set([408, 480]);
const CONNECTION_CAUSES = new Set<string>([CAUSES.CONNECTION_ERROR, CAUSES.REQUEST_TIMEOUT, CAUSES.RTP_TIMEOUT, CAUSES.DIALOG_ERROR, CAUSES.NO_ACK]);

function statusOf(event: StackEndEvent): number | null {
  const code = event.message?.status_code;
  return typeof code === 'number' ? code : null;
}

/** An outbound call that ended before it was answered. */
export function outboundFailureReason(event: StackEndEvent, intent: EndIntent | null): EndReason {
  if (intent === 'cancelled' || intent === 'localHangup') return 'cancelled';
  if (intent === 'connectionLost') return 'connectionLost';
  if (event.originator === 'remote') {
    const code = statusOf(event);
    if (code !== null) {
      if (BUSY.has(code)) return 'busy';
      if (REJECTED.has(code)) return 'rejected';
      if (NO_ANSWER.has(code)) return 'noAnswer';
      return 'failed';
    }
    if (event.cause === CAUSES.BUSY) return 'busy';
    if (event.cause === CAUSES.REJECTED) return 'rejected';
    if (event.cause === CAUSES.UNAVAILABLE || event.cause === CAUSES.NO_ANSWER) return 'noAnswer';
  }
  if (event.cause === CAUSES.CANCELED) return 'cancelled';
  if (event.cause === CAUSES.CONNECTION_ERROR) return 'connectionLost';
  return 'failed';
}

/** Whether a CANCEL says another device answered (RFC 3326 Reason: SIP;cause=200). */
function answeredElsewhere(event: StackEndEvent): boolean {
  const reason = event.message?.getHeader?.('Reason') ?? '';
  return /cause\s*=\s*200\b/i.test(reason) || /completed elsewhere/i.test(reason);
}

/** An incoming call that ended before it was connected (ringing or being answered). */
export function inboundFailureReason(event: StackEndEvent, intent: EndIntent | null): EndReason {
  if (intent === 'declined') return 'declined';
  if (intent === 'localHangup' || intent === 'cancelled') return 'localHangup';
  if (intent === 'connectionLost') return 'connectionLost';
  if (event.cause === CAUSES.CANCELED) return answeredElsewhere(event) ? 'answeredElsewhere' : 'missed';
  if (event.cause === CAUSES.NO_ANSWER || event.cause === CAUSES.EXPIRES) return 'missed';
  if (CONNECTION_CAUSES.has(event.cause)) return 'connectionLost';
  return 'failed';
}

/** A connected call that ended. */
export function connectedEndReason(event: StackEndEvent, intent: EndIntent | null): EndReason {
  if (intent !== null) return intent === 'cancelled' || intent === 'declined' ? 'localHangup' : intent;
  if (CONNECTION_CAUSES.has(event.cause)) return 'connectionLost';
  if (event.originator === 'remote' && event.cause === CAUSES.BYE) return 'remoteHangup';
  if (event.originator === 'local' && event.cause === CAUSES.BYE) return 'localHangup';
  if (event.originator === 'remote') return 'remoteHangup';
  return 'failed';
}

/** The warm-transfer target's call failed before it was answered. */
export function consultFailureOutcome(event: StackEndEvent): TransferOutcome {
  const reason = outboundFailureReason(event, null);
  if (reason === 'busy' || reason === 'rejected') return 'transferDeclined';
  if (reason === 'noAnswer') return 'transferNoAnswer';
  return 'transferFailed';
}
