/**
 * Every request body the server accepts, as valibot schemas (the only server file that imports
 * valibot). Objects are strict: an unknown field is refused, so a typo never passes silently.
 *
 * The plugin's reports mirror the plugin's own TelephonyEvent (src/machine/types.ts): the same
 * `type` names and `detail` fields, plus `seq` and `at`, so the reporter forwards what it emits.
 */
import * as v from 'valibot';
import { END_REASONS } from '../../src/telephony/protocol';
import { DIRECTIONS } from '../calls/mapping';
import { RECORDING_TYPES, SPEAKER_TYPES } from '../front/payloads';
import { HttpError } from '../http/router';

/** E.164: a plus, a country code not starting with 0, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{4,14}$/;
const e164 = v.pipe(v.string(), v.regex(E164, 'must be an E.164 phone number, like +14155550100'));
/** A number on the company's side: E.164 or an internal number / extension. */
const localNumber = v.pipe(v.string(), v.regex(/^\+?\d{1,20}$/, 'must be a phone number or an extension (digits)'));
const extension = v.pipe(v.string(), v.regex(/^\d{1,10}$/, 'must be an extension (1 to 10 digits)'));
/** A call id as a line or PBX makes it: printable ASCII, no spaces. */
export const callId = v.pipe(v.string(), v.regex(/^[\x21-\x7E]{1,128}$/, 'must be 1 to 128 printable characters without spaces'));
const name = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200));
const email = v.pipe(v.string(), v.trim(), v.maxLength(254), v.email('must be an email address'), v.toLowerCase());
/** Epoch ms, from 2020 to 2100. */
const epochMs = v.pipe(v.number(), v.integer(), v.minValue(1_577_836_800_000), v.maxValue(4_102_444_800_000));
const seq = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000_000));
const direction = v.picklist(DIRECTIONS);

const reportBase = { seq, at: epochMs };

export const CallEventReportSchema = v.variant('type', [
  v.strictObject({
    ...reportBase,
    type: v.literal('CALL_STARTED'),
    detail: v.strictObject({
      callId,
      callType: direction,
      /** The customer: the callee of an outbound call, the caller of an inbound one. */
      participant: e164,
      name: v.optional(name),
      /** The previous leg, when this call is the next leg of a completed warm transfer. */
      parentCallId: v.optional(callId),
      /** The company's number or the teammate's extension on this call, if the line knows it. */
      localNumber: v.optional(localNumber),
    }),
  }),
  v.strictObject({
    ...reportBase,
    type: v.literal('CALL_CONNECTED'),
    detail: v.strictObject({ callId, callType: v.optional(direction), participant: v.optional(e164) }),
  }),
  v.strictObject({ ...reportBase, type: v.literal('HOLD'), detail: v.strictObject({ callId }) }),
  v.strictObject({ ...reportBase, type: v.literal('RESUME'), detail: v.strictObject({ callId }) }),
  v.strictObject({
    ...reportBase,
    type: v.literal('CALL_ENDED'),
    detail: v.strictObject({ callId, callType: v.optional(direction), participant: v.optional(e164), reason: v.picklist(END_REASONS) }),
  }),
]);
export type CallEventReport = v.InferOutput<typeof CallEventReportSchema>;

export const SummaryReportSchema = v.strictObject({
  callId,
  /** How the call ended, in the plugin's words (EndReason). */
  outcome: v.picklist(END_REASONS),
  durationSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(7 * 24 * 3600))),
  tags: v.optional(v.pipe(v.array(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100))), v.maxLength(50)), []),
  notes: v.optional(v.pipe(v.string(), v.maxLength(10_000))),
});
export type SummaryReport = v.InferOutput<typeof SummaryReportSchema>;

export const RecordingReportSchema = v.strictObject({
  callId,
  url: v.pipe(v.string(), v.maxLength(2_000), v.url('must be a URL')),
  recordingType: v.optional(v.picklist(RECORDING_TYPES), 'call'),
});
export type RecordingReport = v.InferOutput<typeof RecordingReportSchema>;

export const TranscriptReportSchema = v.strictObject({
  callId,
  lines: v.pipe(
    v.array(
      v.strictObject({
        speakerName: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200)),
        content: v.pipe(v.string(), v.minLength(1), v.maxLength(10_000)),
        startTimeSeconds: v.pipe(v.number(), v.minValue(0), v.maxValue(7 * 24 * 3600)),
        speakerType: v.picklist(SPEAKER_TYPES),
      }),
    ),
    v.minLength(1, 'must have at least one line'),
    v.maxLength(5_000),
  ),
});
export type TranscriptReport = v.InferOutput<typeof TranscriptReportSchema>;

/** The PBX's telephony events (the VoIP webhook seed: VoipWebhookRequest). */
export const PBX_EVENTS = ['start', 'answer', 'end'] as const;
export const PBX_DISPOSITIONS = ['answered', 'busy', 'noAnswer', 'cancelled', 'failed', 'unknown'] as const;
export type PbxDisposition = (typeof PBX_DISPOSITIONS)[number];

export const PbxEventSchema = v.pipe(
  v.strictObject({
    event: v.picklist(PBX_EVENTS),
    callId: v.optional(callId),
    direction,
    /** The calling number: the customer (inbound) or the company (outbound). */
    srcPhone: localNumber,
    /** The teammate's extension receiving an inbound call, when the PBX knows it. */
    srcPhoneExt: v.optional(extension),
    /** The called number: the company (inbound) or the customer (outbound). */
    dstPhone: localNumber,
    /** The teammate's extension placing an outbound call. */
    dstPhoneExt: v.optional(extension),
    disposition: v.optional(v.picklist(PBX_DISPOSITIONS), 'unknown'),
    occurredAt: v.optional(epochMs),
    callerName: v.optional(name),
  }),
  v.check(
    (e) => E164.test(e.direction === 'inbound' ? e.srcPhone : e.dstPhone),
    'the customer number (srcPhone inbound, dstPhone outbound) must be E.164',
  ),
);
export type PbxEvent = v.InferOutput<typeof PbxEventSchema>;

export const CreateTokenSchema = v.strictObject({
  email,
  /** The teammate's desk-phone extension: PBX events with it are logged as this teammate's. */
  extension: v.optional(extension),
  label: v.optional(v.pipe(v.string(), v.maxLength(100))),
});

/** What Front POSTs to the channel URL and the webhook URL. */
export const FrontChannelRequestSchema = v.variant('type', [
  v.object({ type: v.literal('authorization'), payload: v.object({ channel_id: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) }) }),
  v.object({ type: v.literal('list_addresses'), payload: v.optional(v.unknown()) }),
  v.object({ type: v.literal('delete'), payload: v.object({ channel_id: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) }) }),
  v.object({ type: v.literal('message'), payload: v.optional(v.unknown()) }),
]);
export type FrontChannelRequest = v.InferOutput<typeof FrontChannelRequestSchema>;

/** Parses `value` with `schema`; a 400 listing the first problems otherwise. */
export function parseOr400<S extends v.GenericSchema>(schema: S, value: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const issues = result.issues.slice(0, 5).map((issue) => {
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  throw new HttpError(400, 'invalid_request', `The request is not valid: ${issues.join('; ')}`, { issues });
}
