/**
 * The Channel API's request bodies as the reference states them, checked strictly by the stand-in
 * (the stand-in's only valibot importer).
 */
import * as v from 'valibot';
import { FRONT_CALL_STATUSES, FRONT_INITIAL_STATUSES } from '../calls/mapping';
import { RECORDING_TYPES, SPEAKER_TYPES } from '../front/payloads';

const nonEmpty = v.pipe(v.string(), v.minLength(1), v.maxLength(500));
const epochMs = v.pipe(v.number(), v.integer('must be whole milliseconds'), v.minValue(1_000_000_000_000, 'must be epoch milliseconds'));
const party = v.strictObject({ handle: nonEmpty, name: v.optional(v.string()) });
const email = v.pipe(v.string(), v.email());

export const CreateCallSchema = v.pipe(
  v.strictObject({
    external_call_id: nonEmpty,
    initial_status: v.picklist(FRONT_INITIAL_STATUSES),
    direction: v.picklist(['inbound', 'outbound']),
    from: v.optional(party),
    to: v.optional(party),
    started_at: v.optional(epochMs),
    // A required string in the reference, never null (presence is checked by the stand-in, which can
    // also play a Front that wants it left out for a first leg).
    parent_external_call_id: v.optional(nonEmpty),
    agent_email_address: v.optional(email),
  }),
  v.check((c) => (c.direction === 'inbound' ? c.from !== undefined : c.to !== undefined), 'inbound calls need `from`, outbound calls need `to`'),
);
export type CreateCall = v.InferOutput<typeof CreateCallSchema>;

export const UpdateCallSchema = v.strictObject({
  call_status: v.picklist(FRONT_CALL_STATUSES),
  occurred_at: v.optional(epochMs),
  agent_email_address: v.optional(email),
});

export const SummarySchema = v.strictObject({ content: v.pipe(v.string(), v.minLength(1, 'content must not be empty')) });

export const TranscriptSchema = v.strictObject({
  lines: v.pipe(
    v.array(
      v.strictObject({
        speaker_name: nonEmpty,
        content: v.pipe(v.string(), v.minLength(1)),
        start_time_seconds: v.pipe(v.number(), v.minValue(0)),
        speaker_type: v.picklist(SPEAKER_TYPES),
      }),
    ),
    v.minLength(1, 'at least one line'),
  ),
});

export const RecordingTypeSchema = v.picklist(RECORDING_TYPES);

export const FaultsSchema = v.strictObject({
  rate: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  kinds: v.optional(v.pipe(v.array(v.picklist(['400', '500', '502', '503', '429', 'hang', 'lostResponse', 'hangAfterApply'])), v.minLength(1))),
  operations: v.optional(v.array(v.picklist(['create', 'status', 'summary', 'recording', 'transcript']))),
  retryAfterSeconds: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(3600))),
  seed: v.optional(v.pipe(v.number(), v.integer())),
  hold: v.optional(v.boolean()),
  latencyMs: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(60_000))),
});

/** The first problems of a failed check, in words. */
export function check<S extends v.GenericSchema>(schema: S, value: unknown): { ok: true; value: v.InferOutput<S> } | { ok: false; reason: string } {
  const result = v.safeParse(schema, value);
  if (result.success) return { ok: true, value: result.output };
  const reason = result.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
  return { ok: false, reason };
}
