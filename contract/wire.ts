/**
 * The words and sizes of the plugin's reports: which events are reported, the endpoints, the
 * enums the bodies use and the limits the server enforces. Plain data, no import: the plugin
 * builds its reports with these without loading a schema (./schemas.ts builds the schemas from
 * them).
 */

/** The lifecycle events the server logs; the others (MUTE, AUDIO_STATS...) are not Front's business. */
export const REPORTED_TYPES = ['CALL_STARTED', 'CALL_CONNECTED', 'HOLD', 'RESUME', 'CALL_ENDED'] as const;
export type ReportedType = (typeof REPORTED_TYPES)[number];

/** The endpoints, `/v1/calls/<path>`. */
export const REPORT_PATHS = ['events', 'summary', 'recording', 'transcript'] as const;
export type ReportPath = (typeof REPORT_PATHS)[number];

export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Front's recording types (`recording_type`). */
export const RECORDING_TYPES = ['call', 'voicemail'] as const;
export type RecordingType = (typeof RECORDING_TYPES)[number];

/** Front's transcript speaker types. */
export const SPEAKER_TYPES = ['internal', 'external'] as const;
export type SpeakerType = (typeof SPEAKER_TYPES)[number];

/** Sizes the server refuses beyond; the plugin trims to them instead of being refused. */
export const REPORT_LIMITS = {
  /** A caller's name, after trimming. */
  name: 200,
  /** One tag name, after trimming. */
  tag: 100,
  tags: 50,
  /** A week: a longer "duration" is a clock error. */
  durationSeconds: 7 * 24 * 3600,
  url: 2_000,
  notes: 10_000,
  transcriptLines: 5_000,
  transcriptLine: 10_000,
  /** Reports of one call. */
  seq: 1_000_000,
} as const;
