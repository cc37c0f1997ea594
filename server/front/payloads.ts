/**
 * The exact request bodies of Front's Channel API for voice calls (reference:
 * shared/reference/front-channel-calls-api.md), and where each is sent.
 */
import { RECORDING_TYPES, SPEAKER_TYPES, type RecordingType, type SpeakerType } from '../../contract';
import type { Direction, FrontCallStatus, FrontInitialStatus } from '../calls/mapping';

export interface CallParty {
  handle: string;
  name?: string;
}

/** POST /channels/{channel_id}/calls */
export interface CreateCallPayload {
  external_call_id: string;
  initial_status: FrontInitialStatus;
  direction: Direction;
  /** The caller of an inbound call. */
  from?: CallParty;
  /** The callee of an outbound call. */
  to?: CallParty;
  /** Epoch ms. */
  started_at: number;
  /**
   * The conversation's first leg, for a transferred leg. A first leg's is not stored: the connector
   * fills it in when sending, in the form Front takes ({@link withFirstLegParent}). `null` only in
   * rows queued before this rule (read as a first leg).
   */
  parent_external_call_id?: string | null;
  agent_email_address?: string;
}

/**
 * What a first leg sends as `parent_external_call_id`, the one place this is decided.
 *
 * Front's reference (https://dev.frontapp.com/reference/create-call) lists the field as a required,
 * non-nullable string: "External ID of the parent call (e.g. where the call was transferred from).
 * This will be used to thread the call into an existing conversation with a matching parent call
 * ID." The voice channels guide (https://dev.frontapp.com/docs/voice-channels) says a transferred
 * call's next leg is created "with the external_parent_call_id set equal to the external_call_id of
 * the first call leg". Front's voice-channel-template types it as a required `string` too. So the
 * parent id names the conversation's first leg; a first leg is that leg itself:
 *
 * - `self` (the default, the form the reference supports): the first leg sends its own
 *   `external_call_id`. A required string, never null, and every leg of a conversation then carries
 *   the same thread id.
 * - `omit`: the field is left out. Contradicts "required", so only used when Front refuses `self`
 *   with a 400 that names the field: the connector then switches once, resends, and the server
 *   remembers the form (the `settings` table) so no call ever dead-letters over it.
 */
export type FirstLegParentForm = 'self' | 'omit';
export const FIRST_LEG_PARENT_FORM: FirstLegParentForm = 'self';
export const FIRST_LEG_PARENT_FIELD = 'parent_external_call_id';

export const otherFirstLegParentForm = (form: FirstLegParentForm): FirstLegParentForm => (form === 'self' ? 'omit' : 'self');

/** A create's payload is a first leg's when it names no parent. */
export const isFirstLeg = (payload: CreateCallPayload): boolean => payload.parent_external_call_id == null;

/** The create payload as sent: a first leg's parent in `form`; a transferred leg's unchanged. */
export function withFirstLegParent(payload: CreateCallPayload, form: FirstLegParentForm): CreateCallPayload {
  if (!isFirstLeg(payload)) return payload;
  const { parent_external_call_id: _none, ...rest } = payload;
  return form === 'self' ? { ...rest, parent_external_call_id: payload.external_call_id } : rest;
}

/** PATCH /channels/{channel_id}/calls/{external_call_id} */
export interface UpdateCallPayload {
  call_status: FrontCallStatus;
  /** Epoch ms. */
  occurred_at: number;
  agent_email_address?: string;
}

/** POST .../calls/{external_call_id}/summary */
export interface SummaryPayload {
  content: string;
}

/** Front's speaker types, as the plugin's transcript reports carry them (the contract's list). */
export { SPEAKER_TYPES, type SpeakerType };

export interface TranscriptLine {
  speaker_name: string;
  content: string;
  start_time_seconds: number;
  speaker_type: SpeakerType;
}

/** POST .../calls/{external_call_id}/transcript */
export interface TranscriptPayload {
  lines: TranscriptLine[];
}

/** Front's recording types, as the plugin's recording reports carry them (the contract's list). */
export { RECORDING_TYPES, type RecordingType };

/**
 * POST .../calls/{external_call_id}/recording is multipart: one audio/* file in `attachments` and
 * `recording_type`. The outbox stores where to fetch the audio; the file is fetched when sending.
 */
export interface RecordingJob {
  url: string;
  recording_type: RecordingType;
}

export type FrontRequest =
  | { kind: 'create'; channelId: string; callId: string; payload: CreateCallPayload }
  | { kind: 'status'; channelId: string; callId: string; payload: UpdateCallPayload }
  | { kind: 'summary'; channelId: string; callId: string; payload: SummaryPayload }
  | { kind: 'transcript'; channelId: string; callId: string; payload: TranscriptPayload }
  | { kind: 'recording'; channelId: string; callId: string; payload: RecordingJob };

/** Method and path of a request, relative to the API base URL. */
export function routeOf(request: FrontRequest): { method: 'POST' | 'PATCH'; path: string } {
  const channel = `/channels/${encodeURIComponent(request.channelId)}/calls`;
  const call = `${channel}/${encodeURIComponent(request.callId)}`;
  switch (request.kind) {
    case 'create':
      return { method: 'POST', path: channel };
    case 'status':
      return { method: 'PATCH', path: call };
    case 'summary':
      return { method: 'POST', path: `${call}/summary` };
    case 'transcript':
      return { method: 'POST', path: `${call}/transcript` };
    case 'recording':
      return { method: 'POST', path: `${call}/recording` };
  }
}
