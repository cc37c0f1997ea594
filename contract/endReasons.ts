/**
 * Why a call ended: the line protocol's word (`DIALER.CALL_STATUS` `reason` on `ended`), the
 * machine's `endReason`, and the `reason` / `outcome` the plugin reports to the server. One list,
 * so a new reason reaches the server's schema, its state table and its summary words at once (the
 * server's tables are typed `Record<EndReason, ...>`: a missing entry does not compile).
 *
 * Plain data, no import: src/telephony/protocol.ts re-exports it into the initial bundle.
 */
export const END_REASONS = [
  'localHangup', // the agent hung up a connected call
  'remoteHangup', // the other party hung up
  'cancelled', // the agent hung up an outbound call before it was answered
  'declined', // the agent declined an incoming call
  'rejected', // the callee rejected the outbound call
  'busy', // the callee was busy
  'noAnswer', // nobody answered the outbound call
  'missed', // the caller gave up before the agent answered
  'answeredElsewhere', // another device or teammate answered the incoming call
  'connectionLost', // the media or signalling connection dropped
  'transferred', // the warm transfer was completed (merged) and the agent left
  'failed', // the line could not place or keep the call
] as const;
export type EndReason = (typeof END_REASONS)[number];
