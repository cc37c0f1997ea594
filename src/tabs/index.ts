/**
 * One phone across every Front tab (issue 9): the instances of the plugin in one browser profile
 * elect one owner, which runs the phone; every other instance mirrors the owner's state and sends
 * its intents there. Framework-free; the platform's own primitives (Web Locks, BroadcastChannel),
 * both same-origin and partitioned by top-level site, so every Front tab shares them.
 *
 * ## Roles
 * - `follower` -> `owner` when the exclusive Web Lock named `name` is granted (election.ts). The
 *   lock is held until `stop()` or until the page dies (close, reload, crash: the browser releases
 *   it) and is then granted to the next waiting instance. Liveness is the lock's, never a time-out.
 * - `owner` / `follower` -> `stopped` on `stop()`: the lock is released, a queued request aborted.
 * - No `navigator.locks` or no `BroadcastChannel` (or a lock manager that refuses the request):
 *   single-tab behaviour, the instance owns its own phone at once and opens no channel.
 *
 * ## Messages (channel.ts, mirror.ts)
 * Every message is `{ protocol: 'softphone-tabs/1', from: <instance id>, body }` on the
 * BroadcastChannel `name`, checked with valibot on arrival: anything else is ignored and reported
 * (`malformed_message`), an instance's own messages are ignored. Bodies:
 *
 * | body                                    | sent by  | when                                          |
 * |-----------------------------------------|----------|-----------------------------------------------|
 * | `state { epoch, rev, state }`           | owner    | each `publish`, and in answer to a `sync`     |
 * | `event { epoch, event }`                | owner    | `broadcast`: something happened (best effort, not sent again) |
 * | `heartbeat { epoch, rev, done }`        | owner    | on taking over, then every `heartbeatMs` (1 s); in answer to a `sync` before any state |
 * | `sync { reason }`                       | follower | on start (`hello`); when a heartbeat's rev is ahead of its state (`behind`); after `silenceMs` (3 s) without a word from the owner (`silence`) |
 * | `intent { id, intent }`                 | follower | `sendIntent`; again with the same id every `intentRetryMs` (750 ms) until answered, and at once when a new owner speaks |
 * | `ack { id }` / `nack { id, reason }`    | owner    | once the intent ran / was refused (also for a retry of a finished intent) |
 *
 * - `epoch = { id, term }` names an owner; `term` = max(clock, highest term heard + 1), so a later
 *   owner's epoch is greater. A follower follows the greatest epoch it has heard and ignores
 *   messages of earlier ones (an old owner's late messages after a takeover).
 * - `rev` counts the owner's publishes from 1. Each `state` carries the whole state, so a gap in
 *   revs needs no repair: the newer message is complete. A `state` at or below the rev held is a
 *   duplicate or was overtaken, and is ignored.
 * - `done` lists `[id, null | reason]` of the intents the owner finished in the last
 *   `intentTimeoutMs` (the longest a sender retries), so that the next owner knows them too.
 *
 * ## Guarantees
 * - At most one owner at a time while Web Locks work (a stray second owner is reported as
 *   `competing_owner`); a new owner within a lock grant of the previous one's death.
 * - Followers converge to the owner's latest state: a lost `state` is noticed at the next
 *   heartbeat, a lost heartbeat at the silence time-out, and both lead to a `sync`.
 * - An intent id runs at most once per owner, and not again on the next owner when the previous
 *   one's `ack` or `heartbeat` reached it; retries of a running or finished intent get its outcome.
 *   Intents are run in the order they arrive. `sendIntent` settles exactly once: resolved when the
 *   intent ran, rejected `refused` (the handler threw, or the owner's `intentSchema` refused it),
 *   `owner_gone` (no answer within `intentTimeoutMs`, 5 s) or `stopped`. Intents waiting when this
 *   instance itself becomes owner run here, after the `onBecomeOwner` callbacks.
 * - `stop()` leaves no timer, no listener and no lock behind.
 *
 * ## Not guaranteed
 * - Exactly once across a takeover: an intent the old owner ran just before dying, with neither
 *   its ack nor a heartbeat out, may run again on the new owner (and one it was still running when
 *   it died certainly may).
 * - Order between intents of different tabs, or between a retry and a later intent of the same tab.
 * - That followers see every intermediate state: they see the latest one (states are snapshots).
 * - A state of the previous owner beyond the last one this instance mirrored: what a reloaded page
 *   held must come from storage. `onBecomeOwner` receives that last mirrored state, if any.
 * - Timeliness in background tabs: browsers throttle timers there, so heartbeats may be late;
 *   followers then only ask for a sync, they never declare the owner dead.
 * - States and intents must be JSON-serializable (structured clone would accept more; the plugin
 *   promises JSON so any transport fits). One that cannot be cloned is reported `channel_failed`.
 */
export { createTabHub, TabIntentError, type TabHub, type TabHubOptions, type TabIntentErrorCode, type Takeover } from './mirror';
export { createMirroredActor, publishSnapshots, toMirroredState, type MirroredActor, type MirroredActorOptions, type MirroredState } from './mirroredActor';
export { platformChannel, type BroadcastEndpoint, type ChannelFactory } from './channel';
export { platformLocks, type LockPort } from './election';
export type { ReadableStore } from '../store';
export { platformTimers, type ProblemReporter, type TabProblem, type TabProblemCode, type TabRole, type Timers } from './types';
