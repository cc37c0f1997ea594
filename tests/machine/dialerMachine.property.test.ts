import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALL_FLOWS, CALL_STATUSES, END_REASONS, TRANSFER_OUTCOMES } from '../../src/telephony/protocol';
import { selectAnnouncement, selectScreen, selectStatus, type DialerEvent } from '../../src/machine';
import { startDialer, type DialerHarness } from '../support/machineHarness';

/** A call id as the generator names it; resolved against the machine when the step runs. */
const callRef = fc.constantFrom('current', 'current', 'current', 'announced', 'in-1', 'in-2', 'stale');
const number = fc.constantFrom('+14155550199', '+14155550123', '4155550777', '+15005550001');
const party = fc.record({ number, name: fc.option(fc.constantFrom('Maria', 'Kenji'), { nil: undefined }) }, { requiredKeys: ['number'] });

const lineStep = fc.oneof(
  fc.record({ kind: fc.constant('status' as const), ref: callRef, status: fc.constantFrom(...CALL_STATUSES), flow: fc.constantFrom(...CALL_FLOWS), reason: fc.option(fc.constantFrom(...END_REASONS, ...TRANSFER_OUTCOMES), { nil: undefined }) }),
  fc.record({ kind: fc.constant('dialing' as const), ref: callRef, to: number }),
  fc.record({ kind: fc.constant('incoming' as const), ref: callRef, from: number }),
  fc.record({
    kind: fc.constant('sync' as const),
    ref: callRef,
    onHold: fc.option(fc.boolean(), { nil: undefined }),
    muted: fc.option(fc.boolean(), { nil: undefined }),
    active: fc.option(party, { nil: undefined }),
    inactive: fc.option(fc.option(party, { nil: null }), { nil: undefined }),
    duration: fc.option(fc.nat(7200), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('availability' as const), status: fc.constantFrom('available', 'busy', 'after_call_work', 'offline') }),
  fc.record({ kind: fc.constant('malformed' as const), value: fc.anything() }),
);

const intent: fc.Arbitrary<DialerEvent> = fc.oneof(
  fc.record({ type: fc.constant('AGENT.DIAL' as const), number: fc.oneof(number, fc.string({ maxLength: 50 })) }),
  fc.constantFrom<DialerEvent>(
    { type: 'AGENT.ANSWER' },
    { type: 'AGENT.DECLINE' },
    { type: 'AGENT.HANG_UP' },
    { type: 'AGENT.HOLD' },
    { type: 'AGENT.RESUME' },
    { type: 'AGENT.MUTE' },
    { type: 'AGENT.UNMUTE' },
    { type: 'AGENT.SWAP' },
    { type: 'AGENT.MERGE' },
    { type: 'AGENT.CANCEL_TRANSFER' },
    { type: 'AGENT.PAUSE_RECORDING' },
    { type: 'AGENT.RESUME_RECORDING' },
    { type: 'AGENT.RESET' },
    { type: 'SETTINGS.UPDATE', settings: { mandatoryTagging: true } },
    { type: 'AGENT.CALL_NEXT' },
    { type: 'AGENT.DISMISS_NEXT' },
    { type: 'FRONT.DIAL_REFUSED', message: 'not a number' },
  ),
  fc.record({ type: fc.constant('FRONT.DIAL_REQUEST' as const), number, extension: fc.option(fc.constantFrom('42', '12#', 'x;'), { nil: undefined }) }).map(
    ({ extension, ...rest }) => (extension === undefined ? rest : { ...rest, extension }),
  ),
  fc.record({ type: fc.constant('AGENT.SEND_DIGITS' as const), digits: fc.string({ maxLength: 5 }) }),
  fc.record({ type: fc.constant('AGENT.START_TRANSFER' as const), target: fc.oneof(number, fc.string({ maxLength: 20 })) }),
  fc.record({ type: fc.constant('AGENT.SAVE_TAGS' as const), tags: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }) }),
);

const step = fc.oneof({ arbitrary: lineStep, weight: 3 }, { arbitrary: intent.map((e) => ({ kind: 'intent' as const, event: e })), weight: 2 });
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function resolve(d: DialerHarness, ref: string): string {
  const context = d.context();
  if (ref === 'current') return context.call?.callId ?? 'none';
  if (ref === 'announced') return context.announced?.callId ?? 'in-1';
  return ref;
}

function apply(d: DialerHarness, s: Step): void {
  switch (s.kind) {
    case 'intent':
      d.send(s.event);
      return;
    case 'status':
      d.line.emit({ type: 'DIALER.CALL_STATUS', payload: { status: s.status, flow: s.flow, callId: resolve(d, s.ref), ...(s.reason ? { reason: s.reason } : {}) } });
      return;
    case 'dialing':
      d.line.emit({ type: 'DIALER.DIALING', payload: { from: '+14155550100', to: s.to, callId: resolve(d, s.ref) } });
      return;
    case 'incoming':
      d.line.emit({ type: 'DIALER.SYNC', payload: { callId: resolve(d, s.ref) === 'none' ? 'in-1' : resolve(d, s.ref), direction: 'inbound', from: s.from } });
      return;
    case 'sync': {
      const payload: Record<string, unknown> = { callId: resolve(d, s.ref) };
      if (s.onHold !== undefined) payload.onHold = s.onHold;
      if (s.muted !== undefined) payload.muted = s.muted;
      if (s.active !== undefined) payload.activeParticipant = s.active;
      if (s.inactive !== undefined) payload.inactiveParticipant = s.inactive;
      if (s.duration !== undefined) payload.duration = s.duration;
      d.line.emit({ type: 'DIALER.SYNC', payload });
      return;
    }
    case 'availability':
      d.line.emit({ type: 'USER.AVAILABILITY_CHANGED', payload: { status: s.status } });
      return;
    case 'malformed':
      d.line.emit(s.value);
      return;
  }
}

function checkInvariants(d: DialerHarness): void {
  const snapshot = d.actor.getSnapshot();
  expect(snapshot.status).toBe('active');
  const { status, flow } = selectStatus(snapshot);
  expect(CALL_STATUSES).toContain(status);
  const context = snapshot.context;
  // No call state without a call.
  if (status !== 'idle') expect(context.call).not.toBeNull();
  if (status === 'idle') {
    expect(context.onHold).toBe(false);
    expect(context.inactiveParticipant).toBeNull();
  }
  // One active party while talking, and at most one held party, only during a transfer.
  if (status === 'connected') expect(context.activeParticipant).not.toBeNull();
  if (flow === 'regular' && !snapshot.hasTag('transfer')) expect(context.inactiveParticipant).toBeNull();
  if (context.inactiveParticipant && context.activeParticipant) {
    expect(context.inactiveParticipant.number === context.activeParticipant.number && flow === 'regular').toBe(false);
  }
  // An ended call has a reason and an end time.
  if (status === 'ended' || status === 'mandatoryTagging') {
    expect(context.endReason).not.toBeNull();
    expect(context.call?.endedAt).not.toBeNull();
  }
  // The UI can always render the snapshot.
  expect(typeof selectAnnouncement(snapshot)).toBe('string');
  expect(selectScreen(snapshot)).toBeTruthy();
  // A kept number is always dialable, and an extension only waits for a call that has not ended.
  if (context.nextCall) expect(context.nextCall.number).toMatch(/^\+?[0-9]{3,15}$/);
  if (context.pendingExtension) expect(context.call?.endedAt ?? null).toBeNull();
  // Context stays plain data.
  expect(() => JSON.stringify(context)).not.toThrow();
}

/** Ends whatever is going on the way an agent would, then resets: must always reach idle. */
function resetToIdle(d: DialerHarness): void {
  d.send({ type: 'AGENT.HANG_UP' });
  const callId = d.context().call?.callId;
  if (callId) d.line.emit({ type: 'DIALER.CALL_STATUS', payload: { status: 'ended', flow: 'regular', callId, reason: 'localHangup' } });
  d.send({ type: 'AGENT.SAVE_TAGS', tags: ['Support'] });
  d.send({ type: 'AGENT.RESET' });
}

describe('the call machine under random line events and agent intents', () => {
  it('never throws, keeps its invariants, and can always be brought back to idle', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { maxLength: 60 }), (mandatoryTagging, steps) => {
        const d = startDialer({ settings: { mandatoryTagging } });
        for (const s of steps) {
          apply(d, s);
          checkInvariants(d);
        }
        resetToIdle(d);
        expect(selectStatus(d.actor.getSnapshot()).status).toBe('idle');
        expect(d.context().call).toBeNull();
        d.actor.stop();
      }),
      { numRuns: 3000 },
    );
  }, 120_000);

  it('a valid call replayed with every event duplicated ends the same way', () => {
    fc.assert(
      fc.property(fc.constantFrom('remoteHangup', 'connectionLost', 'localHangup'), (reason) => {
        const d = startDialer();
        d.send({ type: 'AGENT.DIAL', number: '+14155550199' });
        const callId = d.lastCallId();
        const events = [
          { type: 'DIALER.DIALING', payload: { from: '+14155550100', to: '+14155550199', callId } },
          { type: 'DIALER.CALL_STATUS', payload: { status: 'connecting', flow: 'regular', callId } },
          { type: 'DIALER.CALL_STATUS', payload: { status: 'ringing', flow: 'regular', callId } },
          { type: 'DIALER.CALL_STATUS', payload: { status: 'connected', flow: 'regular', callId } },
          { type: 'DIALER.CALL_STATUS', payload: { status: 'ended', flow: 'regular', callId, reason } },
        ];
        for (const e of events) {
          d.line.emit(e);
          d.line.emit(e);
        }
        expect(selectStatus(d.actor.getSnapshot()).status).toBe('ended');
        expect(d.context().endReason).toBe(reason);
        expect(d.telephony()).toEqual(['CALL_STARTED', 'CALL_CONNECTED', 'CALL_ENDED']);
      }),
      { numRuns: 30 },
    );
  });
});
