import { describe, expect, it } from 'vitest';
import { connectedEndReason, consultFailureOutcome, inboundFailureReason, outboundFailureReason } from '../../src/telephony/sip/endReasons';
import { CAUSES, type StackEndEvent } from '../../src/telephony/sip/stack';

function response(code: number, cause: string = CAUSES.SIP_FAILURE_CODE): StackEndEvent {
  return { originator: 'remote', cause, message: { status_code: code } };
}

function event(originator: StackEndEvent['originator'], cause: string, reason?: string): StackEndEvent {
  return { originator, cause, message: reason === undefined ? null : { getHeader: (name) => (name === 'Reason' ? reason : undefined) } };
}

describe('how SIP outcomes become end reasons', () => {
  it.each([
    [486, 'busy'],
    [600, 'busy'],
    [603, 'rejected'],
    [403, 'rejected'],
    [408, 'noAnswer'],
    [480, 'noAnswer'],
    [404, 'failed'],
    [487, 'failed'],
    [500, 'failed'],
  ])('an outbound call answered %i ends as %s', (code, reason) => {
    expect(outboundFailureReason(response(code), null)).toBe(reason);
  });

  it('an outbound call the agent hung up while ringing ends as cancelled, whatever the server answered', () => {
    expect(outboundFailureReason(event('local', CAUSES.CANCELED), 'cancelled')).toBe('cancelled');
    expect(outboundFailureReason(response(487), 'cancelled')).toBe('cancelled');
  });

  it('an outbound call without a response maps by cause: lost connection, or failed', () => {
    expect(outboundFailureReason(event('local', CAUSES.CONNECTION_ERROR), null)).toBe('connectionLost');
    expect(outboundFailureReason(event('local', CAUSES.USER_DENIED_MEDIA_ACCESS), null)).toBe('failed');
    expect(outboundFailureReason(event('remote', CAUSES.BUSY), null)).toBe('busy');
  });

  it.each([
    [event('local', CAUSES.REJECTED), 'declined', 'declined'],
    [event('remote', CAUSES.CANCELED), null, 'missed'],
    [event('remote', CAUSES.CANCELED, 'SIP;cause=487;text="ORIGINATOR_CANCEL"'), null, 'missed'],
    [event('remote', CAUSES.CANCELED, 'SIP ;cause=200 ;text="Call completed elsewhere"'), null, 'answeredElsewhere'],
    [event('local', CAUSES.NO_ANSWER), null, 'missed'],
    [event('system', CAUSES.EXPIRES), null, 'missed'],
    [event('local', CAUSES.USER_DENIED_MEDIA_ACCESS), null, 'failed'],
    [event('local', CAUSES.CONNECTION_ERROR), null, 'connectionLost'],
    [event('local', CAUSES.REJECTED), 'localHangup', 'localHangup'],
  ] as const)('an incoming call ending with %j (agent intent %s) ends as %s', (stackEvent, intent, reason) => {
    expect(inboundFailureReason(stackEvent, intent)).toBe(reason);
  });

  it.each([
    [event('remote', CAUSES.BYE), null, 'remoteHangup'],
    [event('local', CAUSES.BYE), 'localHangup', 'localHangup'],
    [event('local', CAUSES.BYE), 'connectionLost', 'connectionLost'],
    [event('local', CAUSES.RTP_TIMEOUT), null, 'connectionLost'],
    [event('remote', CAUSES.NO_ACK), null, 'connectionLost'],
    [event('local', CAUSES.REQUEST_TIMEOUT), null, 'connectionLost'],
    [event('local', CAUSES.DIALOG_ERROR), null, 'connectionLost'],
    [event('local', CAUSES.WEBRTC_ERROR), null, 'failed'],
    [event('local', CAUSES.BYE), 'transferred', 'transferred'],
  ] as const)('a connected call ending with %j (agent intent %s) ends as %s', (stackEvent, intent, reason) => {
    expect(connectedEndReason(stackEvent, intent)).toBe(reason);
  });

  it.each([
    [486, 'transferDeclined'],
    [603, 'transferDeclined'],
    [408, 'transferNoAnswer'],
    [480, 'transferNoAnswer'],
    [404, 'transferFailed'],
  ])('a warm-transfer target answering %i comes back as %s', (code, outcome) => {
    expect(consultFailureOutcome(response(code))).toBe(outcome);
  });
});
