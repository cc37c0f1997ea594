/**
 * The line's event protocol: the dialer bus events of the seed
 * (`DIALER.DIALING`, `DIALER.CALL_STATUS`, `DIALER.SYNC`, `USER.AVAILABILITY_CHANGED`), with their
 * seed names and payloads, plus a few optional fields the seed leaves implicit:
 *
 * - `callId` on every call event, so an event about another call (a second incoming call, a stale
 *   event after a reset) can never change the call on screen;
 * - `reason` on `DIALER.CALL_STATUS`, so the UI can say why a call ended or why a warm transfer
 *   came back to the regular flow (the seed only says "ended");
 * - `DIALER.SYNC` carries the call's details: direction and parties (an incoming call is announced
 *   by a SYNC with `direction: 'inbound'` before its `ringing` status), active / inactive
 *   participants, hold / mute as the line applied them, duration, recording, audio quality.
 *
 * Every event crossing into the machine is checked with {@link parseLineEvent}; anything that does
 * not match is reported as a diagnostic and never reaches the machine.
 */
import * as v from 'valibot';
import { AVAILABILITIES, CALL_FLOWS, CALL_STATUSES, END_REASONS, TRANSFER_OUTCOMES, type CallFlow, type CallStatus, type EndReason, type TransferOutcome } from './terms';

export {
  AVAILABILITIES,
  CALL_FLOWS,
  CALL_STATUSES,
  END_REASONS,
  TRANSFER_OUTCOMES,
  type Availability,
  type CallFlow,
  type CallStatus,
  type EndReason,
  type TransferOutcome,
} from './terms';

const MAX_TEXT = 200;
const text = v.pipe(v.string(), v.maxLength(MAX_TEXT));
const callId = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
/** A dialable number as the line reports it: E.164 or an internal extension. */
const phoneNumber = v.pipe(v.string(), v.regex(/^\+?[0-9*#]{1,20}$/));

export const ParticipantSchema = v.strictObject({
  number: phoneNumber,
  name: v.optional(text),
});
export type Participant = v.InferOutput<typeof ParticipantSchema>;

export const AudioStatsSchema = v.strictObject({
  /** Jitter in milliseconds. */
  jitter: v.pipe(v.number(), v.minValue(0)),
  /** Packet loss as a fraction, 0 to 1. */
  packetLoss: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  /** Round-trip time in milliseconds. */
  rtt: v.pipe(v.number(), v.minValue(0)),
  /** Estimated mean opinion score, 1 (bad) to 5 (excellent). */
  mos: v.pipe(v.number(), v.minValue(1), v.maxValue(5)),
});
export type AudioStats = v.InferOutput<typeof AudioStatsSchema>;

const DialingSchema = v.strictObject({
  type: v.literal('DIALER.DIALING'),
  payload: v.strictObject({ from: phoneNumber, to: phoneNumber, callId: v.optional(callId) }),
});

const CallStatusSchema = v.strictObject({
  type: v.literal('DIALER.CALL_STATUS'),
  payload: v.strictObject({
    status: v.picklist(CALL_STATUSES),
    flow: v.picklist(CALL_FLOWS),
    callId: v.optional(callId),
    reason: v.optional(v.picklist([...END_REASONS, ...TRANSFER_OUTCOMES])),
  }),
});

const SyncSchema = v.strictObject({
  type: v.literal('DIALER.SYNC'),
  payload: v.strictObject({
    callId,
    direction: v.optional(v.picklist(['inbound', 'outbound'])),
    from: v.optional(phoneNumber),
    to: v.optional(phoneNumber),
    /** The caller's name when the line knows it (inbound). */
    callerName: v.optional(text),
    activeParticipant: v.optional(ParticipantSchema),
    inactiveParticipant: v.optional(v.nullable(ParticipantSchema)),
    participants: v.optional(v.pipe(v.array(ParticipantSchema), v.maxLength(10))),
    /** Seconds the call has been (or was) connected. */
    duration: v.optional(v.pipe(v.number(), v.minValue(0))),
    recording: v.optional(
      v.nullable(v.strictObject({ state: v.picklist(['recording', 'paused']), url: v.optional(v.pipe(v.string(), v.url(), v.maxLength(2000))) })),
    ),
    onHold: v.optional(v.boolean()),
    muted: v.optional(v.boolean()),
    audioStats: v.optional(AudioStatsSchema),
  }),
});

const AvailabilitySchema = v.strictObject({
  type: v.literal('USER.AVAILABILITY_CHANGED'),
  payload: v.strictObject({
    userId: v.optional(v.union([v.number(), v.string()])),
    status: v.picklist(AVAILABILITIES),
    updatedAt: v.optional(v.number()),
  }),
});

export const LineEventSchema = v.variant('type', [DialingSchema, CallStatusSchema, SyncSchema, AvailabilitySchema]);

export type LineEvent = v.InferOutput<typeof LineEventSchema>;
export type DialingEvent = v.InferOutput<typeof DialingSchema>;
export type CallStatusEvent = v.InferOutput<typeof CallStatusSchema>;
export type SyncEvent = v.InferOutput<typeof SyncSchema>;
export type SyncPayload = SyncEvent['payload'];
export type AvailabilityEvent = v.InferOutput<typeof AvailabilitySchema>;

export type ParseResult = { ok: true; event: LineEvent } | { ok: false; problems: string[] };

/** Checks an untrusted value against the protocol. Never throws. */
export function parseLineEvent(input: unknown): ParseResult {
  const result = v.safeParse(LineEventSchema, input);
  if (result.success) return { ok: true, event: result.output };
  return {
    ok: false,
    problems: result.issues.slice(0, 5).map((issue) => {
      const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
      return path ? `${path}: ${issue.message}` : issue.message;
    }),
  };
}

/** A line's DIALER.CALL_STATUS about one call, with the reason only when there is one. */
export function callStatusEvent(callId: string, status: CallStatus, flow: CallFlow, reason?: EndReason | TransferOutcome): CallStatusEvent {
  return {
    type: 'DIALER.CALL_STATUS',
    payload: reason === undefined ? { status, flow, callId } : { status, flow, callId, reason },
  };
}

/** A line's DIALER.SYNC with details about one call. */
export function syncEvent(callId: string, details: Omit<SyncPayload, 'callId'>): SyncEvent {
  return { type: 'DIALER.SYNC', payload: { callId, ...details } };
}
