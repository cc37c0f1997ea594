/** Who this plugin instance is among the instances of one browser profile. */
export type TabRole = 'follower' | 'owner' | 'stopped';

/** Why something another instance sent (or the platform did) was ignored. Never thrown. */
export type TabProblemCode =
  | 'malformed_message' // a channel message outside the protocol (another version, a bug, a hostile page)
  | 'channel_failed' // the channel could not be opened or could not post (e.g. a state that cannot be cloned)
  | 'lock_failed' // the lock manager refused the request (not an abort we asked for)
  | 'competing_owner' // another owner's messages arrived while this instance owns the lock: should never happen
  | 'owner_setup_failed' // an onBecomeOwner callback threw (the instance owns the phone all the same)
  | 'not_owner' // publish() was called by an instance that does not own the phone
  | 'invalid_state' // a mirrored state the follower's machine cannot represent
  | 'intent_failed'; // an intent was refused or timed out (sent from a mirrored actor, no one to tell)

export interface TabProblem {
  readonly code: TabProblemCode;
  readonly message: string;
}

export type ProblemReporter = (problem: TabProblem) => void;

/**
 * The timers the protocol uses, injectable so tests run on fake time. The defaults read
 * `globalThis` at each call, so `vi.useFakeTimers()` after import still applies.
 */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const platformTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/** A random id for an instance: unique across tabs, reloads and windows of the profile. */
export function randomId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
