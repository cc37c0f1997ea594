/**
 * Pure: the call-logging server's report bodies from the call machine's emitted events and
 * context. No I/O, no clock: callers pass `seq` and `at`.
 *
 * The bodies' types, rules and limits are the plugin/server contract's (contract/): what is built
 * here is typed as what the server's schema outputs, and trimmed to the same limits, so the server
 * takes it (tests/contract/agreement.test.ts).
 */
import {
  REPORT_LIMITS,
  REPORTED_TYPES,
  isCallId,
  isE164,
  type CallEventReport,
  type EndReason,
  type RecordingReport,
  type ReportedType,
  type SummaryReport,
} from '../../contract';
import type { TelephonyEvent } from '../machine/types';

export type CallEventBody = CallEventReport;
export type SummaryBody = SummaryReport;
export type RecordingBody = RecordingReport;

/** One report for the server: which endpoint (`/v1/calls/<path>`) and its body. */
export type Report =
  | { readonly callId: string; readonly path: 'events'; readonly body: CallEventBody }
  | { readonly callId: string; readonly path: 'summary'; readonly body: SummaryBody }
  | { readonly callId: string; readonly path: 'recording'; readonly body: RecordingBody };

export type ReportPath = Report['path'];

export function isReportedType(type: TelephonyEvent['type']): type is ReportedType {
  return (REPORTED_TYPES as readonly string[]).includes(type);
}

/** Why the server would not log this call, or null when it would. */
export function unloggableReason(event: Extract<TelephonyEvent, { type: 'CALL_STARTED' }>): string | null {
  if (!isCallId(event.detail.callId)) return 'the line gave the call an id the server cannot take';
  if (!isE164(event.detail.participant)) return 'internal calls (extensions, not full phone numbers) are not logged';
  return null;
}

/** The event's report body, or null for a type the server does not log. */
export function eventBody(event: TelephonyEvent, seq: number, at: number): CallEventBody | null {
  const { callId } = event.detail;
  switch (event.type) {
    case 'CALL_STARTED': {
      const name = event.detail.name?.trim().slice(0, REPORT_LIMITS.name);
      return {
        seq,
        at,
        type: 'CALL_STARTED',
        detail: { callId, callType: event.detail.callType, participant: event.detail.participant, ...(name ? { name } : {}) },
      };
    }
    case 'CALL_CONNECTED':
      return { seq, at, type: 'CALL_CONNECTED', detail: { callId, callType: event.detail.callType, ...party(event.detail.participant) } };
    case 'HOLD':
    case 'RESUME':
      return { seq, at, type: event.type, detail: { callId } };
    case 'CALL_ENDED':
      return {
        seq,
        at,
        type: 'CALL_ENDED',
        detail: { callId, callType: event.detail.callType, ...party(event.detail.participant), reason: event.detail.reason },
      };
    default:
      return null;
  }
}

/** Only an E.164 participant is sent; anything else is left out rather than refused. */
function party(number: string): { participant?: string } {
  return isE164(number) ? { participant: number } : {};
}

/** Front tag names for the machine's tag ids (ids are names for the built-in list). */
export function tagNames(ids: readonly string[], frontTags: readonly { id: string; name: string }[] | null): string[] {
  const names = ids.map((id) => (frontTags?.find((tag) => tag.id === id)?.name ?? id).trim().slice(0, REPORT_LIMITS.tag)).filter(Boolean);
  return [...new Set(names)].slice(0, REPORT_LIMITS.tags);
}

/** What the summary needs of the machine's context for the call. */
export interface SettledCall {
  readonly callId: string;
  readonly endReason: EndReason;
  /** Seconds, as the line reported them (may be fractional). */
  readonly duration: number | null;
  readonly connectedAt: number | null;
  readonly endedAt: number | null;
  readonly tags: readonly string[];
  /** The other party's name when known: the summary names them in Front. */
  readonly name?: string | undefined;
}

/** The line's duration when it reported one, else connected-to-ended; none for a call never connected. */
export function durationSeconds(call: Pick<SettledCall, 'duration' | 'connectedAt' | 'endedAt'>): number | undefined {
  const seconds =
    call.duration !== null && Number.isFinite(call.duration)
      ? Math.round(call.duration)
      : call.connectedAt !== null && call.endedAt !== null
        ? Math.floor((call.endedAt - call.connectedAt) / 1000)
        : null;
  return seconds === null ? undefined : Math.min(REPORT_LIMITS.durationSeconds, Math.max(0, seconds));
}

export function summaryBody(call: SettledCall, frontTags: readonly { id: string; name: string }[] | null, notes?: string): SummaryBody {
  const duration = durationSeconds(call);
  const text = notes?.trim().slice(0, REPORT_LIMITS.notes);
  const name = call.name?.trim().slice(0, REPORT_LIMITS.name);
  return {
    callId: call.callId,
    outcome: call.endReason,
    ...(duration !== undefined ? { durationSeconds: duration } : {}),
    tags: tagNames(call.tags, frontTags),
    ...(text ? { notes: text } : {}),
    ...(name ? { partyName: name } : {}),
  };
}

/** A recording report for a web URL; null for anything else (the server would refuse it). */
export function recordingBody(callId: string, url: string): RecordingBody | null {
  if (url.length > REPORT_LIMITS.url) return null;
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:' ? { callId, url, recordingType: 'call' } : null;
  } catch {
    return null;
  }
}
