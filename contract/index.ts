/**
 * The plugin/server contract: everything the sidebar plugin (src/) and the call-logging server
 * (server/) must agree on to exchange call reports, written once and imported by both.
 *
 * - the report bodies of `POST /v1/calls/{events,summary,recording,transcript}`: their words and
 *   limits as plain data (./wire.ts) and their valibot schemas, strict (./schemas.ts)
 * - the one E.164 rule and the call-id rule: ./numbers.ts
 * - why a call ended (END_REASONS, also the line protocol's list): ./endReasons.ts
 * - the retry policy of both outboxes (retryable statuses, backoff with jitter, Retry-After):
 *   ./retry.ts
 *
 * Why a top-level folder and not src/contract/: the contract belongs to neither side. Here the
 * server imports nothing from src/ (the browser app) and the plugin nothing from server/ (Node,
 * SQLite); each side depends on the contract only. The folder MUST import nothing but valibot (in
 * ./schemas.ts only) and its own files (tests/contract/boundary.test.ts checks it), so it runs
 * unchanged in the browser, in Node under tsx, and in both test environments. The root tsconfig
 * includes it; Vite serves and bundles it like any file under the project root.
 *
 * Two entries, so the browser never loads what it does not run:
 * - `contract` (this file): the rules, words, limits and retry policy, plain data and functions
 *   with no import. The plugin imports it from the lazily loaded call log, and
 *   src/telephony/protocol.ts takes END_REASONS from it into the initial bundle.
 * - `contract/schemas`: the valibot schemas of the report bodies. The server parses with them and
 *   the tests check the plugin's bodies against them; the plugin's build never includes them (the
 *   bundler keeps valibot pipelines even when unused, so they are not re-exported here).
 */
export { END_REASONS, type EndReason } from './endReasons';
export { CALL_ID, E164, isCallId, isE164 } from './numbers';
export {
  DIRECTIONS,
  RECORDING_TYPES,
  REPORT_LIMITS,
  REPORT_PATHS,
  REPORTED_TYPES,
  SPEAKER_TYPES,
  type Direction,
  type RecordingType,
  type ReportPath,
  type ReportedType,
  type SpeakerType,
} from './wire';
// Types only: the schemas themselves are the second entry, ./schemas.ts (see above).
export type { CallEventReport, RecordingReport, SummaryReport, TranscriptReport } from './schemas';
export {
  DEFAULT_MAX_RETRY_AFTER_MS,
  backoffDelay,
  classifyStatus,
  parseRetryAfter,
  retryDelay,
  type BackoffOptions,
  type RetryDelayInput,
  type StatusClass,
} from './retry';
