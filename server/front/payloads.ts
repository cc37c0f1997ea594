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
  /** Listed as required: the parent leg of a transferred call, {@link FIRST_LEG_PARENT} otherwise. */
  parent_external_call_id: string | null;
  agent_email_address?: string;
}

/**
 * What a first leg (no parent) sends as `parent_external_call_id`. The reference lists the field as
 * required without saying what a call with no parent sends; null says "none" without inventing an
 * id. One place to change if Front wants it otherwise.
 */
export const FIRST_LEG_PARENT = null;

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
