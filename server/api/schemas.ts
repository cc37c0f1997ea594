/**
 * Every request body the server accepts, as valibot schemas. Objects are strict: an unknown field
 * is refused, so a typo never passes silently.
 *
 * The plugin's reports (`/v1/calls/*`) are the plugin/server contract's (contract/schemas.ts),
 * re-exported here so every route reads its schemas from one place; the PBX webhook, admin and
 * Front's channel requests are the server's own.
 */
import * as v from 'valibot';
import { DIRECTIONS, isE164 } from '../../contract';
import { callIdSchema as callId, epochMsSchema as epochMs, localNumberSchema as localNumber, nameSchema as name } from '../../contract/schemas';
import { HttpError } from '../http/router';

export {
  CallEventReportSchema,
  RecordingReportSchema,
  SummaryReportSchema,
  TranscriptReportSchema,
  type CallEventReport,
  type RecordingReport,
  type SummaryReport,
  type TranscriptReport,
} from '../../contract/schemas';
const extension = v.pipe(v.string(), v.regex(/^\d{1,10}$/, 'must be an extension (1 to 10 digits)'));
const email = v.pipe(v.string(), v.trim(), v.maxLength(254), v.email('must be an email address'), v.toLowerCase());
const direction = v.picklist(DIRECTIONS);

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
    (e) => isE164(e.direction === 'inbound' ? e.srcPhone : e.dstPhone),
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
