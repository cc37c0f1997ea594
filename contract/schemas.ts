/**
 * The bodies of the plugin's reports (`POST /v1/calls/<path>`, server/README.md "The plugin API"),
 * as valibot schemas. The server parses every body with them; the plugin types what it builds with
 * their output types and stays inside REPORT_LIMITS (./wire.ts), so a report the plugin builds is one the
 * server takes (tests/contract/agreement.test.ts holds the two to that).
 *
 * Objects are strict: an unknown field is refused, so a typo never passes silently. The events
 * mirror the plugin's own TelephonyEvent (src/machine/types.ts): the same `type` names and
 * `detail` fields, plus `seq` (the call's report number, from 1) and `at` (epoch ms).
 */
import * as v from 'valibot';
import { END_REASONS } from './endReasons';
import { CALL_ID, E164 } from './numbers';
import { DIRECTIONS, RECORDING_TYPES, REPORT_LIMITS, SPEAKER_TYPES, type ReportPath } from './wire';

export const e164Schema = v.pipe(v.string(), v.regex(E164, 'must be an E.164 phone number, like +14155550100'));
export const callIdSchema = v.pipe(v.string(), v.regex(CALL_ID, 'must be 1 to 128 printable characters without spaces'));
export const nameSchema = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(REPORT_LIMITS.name));
/** Epoch ms, from 2020 to 2100. */
export const epochMsSchema = v.pipe(v.number(), v.integer(), v.minValue(1_577_836_800_000), v.maxValue(4_102_444_800_000));
export const directionSchema = v.picklist(DIRECTIONS);
/** A number on the company's side: E.164 or an internal number / extension. */
export const localNumberSchema = v.pipe(v.string(), v.regex(/^\+?\d{1,20}$/, 'must be a phone number or an extension (digits)'));

const seq = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(REPORT_LIMITS.seq));
const reportBase = { seq, at: epochMsSchema };
const endReason = v.picklist(END_REASONS);

/** `POST /v1/calls/events`. */
export const CallEventReportSchema = v.variant('type', [
  v.strictObject({
    ...reportBase,
    type: v.literal('CALL_STARTED'),
    detail: v.strictObject({
      callId: callIdSchema,
      callType: directionSchema,
      /** The customer: the callee of an outbound call, the caller of an inbound one. */
      participant: e164Schema,
      name: v.optional(nameSchema),
      /** The previous leg, when this call is the next leg of a completed warm transfer. */
      parentCallId: v.optional(callIdSchema),
      /** The company's number or the teammate's extension on this call, if the line knows it. */
      localNumber: v.optional(localNumberSchema),
    }),
  }),
  v.strictObject({
    ...reportBase,
    type: v.literal('CALL_CONNECTED'),
    detail: v.strictObject({ callId: callIdSchema, callType: v.optional(directionSchema), participant: v.optional(e164Schema) }),
  }),
  v.strictObject({ ...reportBase, type: v.literal('HOLD'), detail: v.strictObject({ callId: callIdSchema }) }),
  v.strictObject({ ...reportBase, type: v.literal('RESUME'), detail: v.strictObject({ callId: callIdSchema }) }),
  v.strictObject({
    ...reportBase,
    type: v.literal('CALL_ENDED'),
    detail: v.strictObject({
      callId: callIdSchema,
      callType: v.optional(directionSchema),
      participant: v.optional(e164Schema),
      reason: endReason,
    }),
  }),
]);
export type CallEventReport = v.InferOutput<typeof CallEventReportSchema>;

/** `POST /v1/calls/summary`. */
export const SummaryReportSchema = v.strictObject({
  callId: callIdSchema,
  /** How the call ended, in the plugin's words (EndReason). */
  outcome: endReason,
  durationSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(REPORT_LIMITS.durationSeconds))),
  tags: v.optional(
    v.pipe(v.array(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(REPORT_LIMITS.tag))), v.maxLength(REPORT_LIMITS.tags)),
    [],
  ),
  notes: v.optional(v.pipe(v.string(), v.maxLength(REPORT_LIMITS.notes))),
  /** The other party's name when the plugin learnt it (Front's contact, the line), possibly after the call was created in Front. */
  partyName: v.optional(nameSchema),
});
export type SummaryReport = v.InferOutput<typeof SummaryReportSchema>;

/** `POST /v1/calls/recording`. */
export const RecordingReportSchema = v.strictObject({
  callId: callIdSchema,
  url: v.pipe(v.string(), v.maxLength(REPORT_LIMITS.url), v.url('must be a URL')),
  recordingType: v.optional(v.picklist(RECORDING_TYPES), 'call'),
});
export type RecordingReport = v.InferOutput<typeof RecordingReportSchema>;

/** `POST /v1/calls/transcript`. */
export const TranscriptReportSchema = v.strictObject({
  callId: callIdSchema,
  lines: v.pipe(
    v.array(
      v.strictObject({
        speakerName: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(REPORT_LIMITS.name)),
        content: v.pipe(v.string(), v.minLength(1), v.maxLength(REPORT_LIMITS.transcriptLine)),
        startTimeSeconds: v.pipe(v.number(), v.minValue(0), v.maxValue(REPORT_LIMITS.durationSeconds)),
        speakerType: v.picklist(SPEAKER_TYPES),
      }),
    ),
    v.minLength(1, 'must have at least one line'),
    v.maxLength(REPORT_LIMITS.transcriptLines),
  ),
});
export type TranscriptReport = v.InferOutput<typeof TranscriptReportSchema>;

/** Each endpoint's schema, by path. */
export const REPORT_SCHEMAS = {
  events: CallEventReportSchema,
  summary: SummaryReportSchema,
  recording: RecordingReportSchema,
  transcript: TranscriptReportSchema,
} as const satisfies Record<ReportPath, v.GenericSchema>;
