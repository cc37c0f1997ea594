import * as v from 'valibot';
import { createTypedChannel, InstanceIdSchema, type ChannelFactory, type TypedChannel } from './channel';
import { createElection, type LockPort } from './election';
import { createStore as createValueStore, type ReadableStore } from '../store';
import { platformTimers, randomId, type ProblemReporter, type TabRole, type Timers } from './types';

// ---------------------------------------------------------------------------------------------
// Messages (the protocol is described in ./index.ts)

const MAX_REASON = 200;
const MAX_DONE = 64;
const IntentIdSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
const RevSchema = v.pipe(v.number(), v.integer(), v.minValue(0));
const EpochSchema = v.strictObject({ id: InstanceIdSchema, term: v.pipe(v.number(), v.integer(), v.minValue(0)) });
/** An intent the owner finished: its id, and null when it ran or the reason it was refused. */
const DoneSchema = v.tuple([IntentIdSchema, v.nullable(v.pipe(v.string(), v.maxLength(MAX_REASON)))]);

export const MirrorMessageSchema = v.variant('type', [
  v.strictObject({ type: v.literal('sync'), reason: v.picklist(['hello', 'behind', 'silence']) }),
  v.strictObject({ type: v.literal('state'), epoch: EpochSchema, rev: RevSchema, state: v.unknown() }),
  v.strictObject({ type: v.literal('heartbeat'), epoch: EpochSchema, rev: RevSchema, done: v.pipe(v.array(DoneSchema), v.maxLength(MAX_DONE)) }),
  v.strictObject({ type: v.literal('event'), epoch: EpochSchema, event: v.unknown() }),
  v.strictObject({ type: v.literal('intent'), id: IntentIdSchema, intent: v.unknown() }),
  v.strictObject({ type: v.literal('ack'), id: IntentIdSchema }),
  v.strictObject({ type: v.literal('nack'), id: IntentIdSchema, reason: v.pipe(v.string(), v.maxLength(MAX_REASON)) }),
]);
export type MirrorMessage = v.InferOutput<typeof MirrorMessageSchema>;

/** Which owner a message comes from: its instance id and its term (later owners have higher terms). */
export type Epoch = v.InferOutput<typeof EpochSchema>;

function compareEpochs(a: Epoch, b: Epoch): number {
  return a.term !== b.term ? a.term - b.term : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// The hub

/** What this instance knows when it comes to own the phone, for whoever sets the phone up. */
export interface Takeover<State> {
  /**
   * The last state mirrored from the previous owner, or null when none reached this instance (the
   * first tab, or the reload of the only tab: what the previous page held must come from storage).
   * A call in progress here is over for the phone system: its line died with the previous owner.
   */
  readonly previous: State | null;
}

export type TabIntentErrorCode = 'refused' | 'owner_gone' | 'stopped';

/** Why `sendIntent` rejected: the owner refused it, no owner answered in time, or this hub stopped. */
export class TabIntentError extends Error {
  override readonly name = 'TabIntentError';
  constructor(
    readonly code: TabIntentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface TabHubOptions<State, Intent> {
  /** Names both the lock and the channel; every instance of the plugin in the profile uses the same. */
  readonly name: string;
  /** `navigator.locks` (see platformLocks). Undefined: single-tab behaviour, this instance owns at once. */
  readonly locks: LockPort | undefined;
  /** `BroadcastChannel` (see platformChannel). Undefined: single-tab behaviour, like missing locks. */
  readonly channelFactory: ChannelFactory | undefined;
  /**
   * Runs an intent on the owner, at most once per intent id while the owner lives. Throwing (or
   * rejecting) refuses it: the sender's promise rejects with the error's message as reason.
   */
  readonly onIntent: (intent: Intent, meta: { readonly id: string; readonly from: string }) => void | Promise<void>;
  readonly onProblem?: ProblemReporter;
  readonly timers?: Timers;
  /** Checks a mirrored state before a follower takes it; a state that fails is reported, not shown. */
  readonly stateSchema?: v.GenericSchema<unknown, State>;
  /** Checks an intent before the owner runs it; one that fails is refused (`invalid intent`). */
  readonly intentSchema?: v.GenericSchema<unknown, Intent>;
  /** The owner's heartbeat period. Default 1000 ms. */
  readonly heartbeatMs?: number;
  /** A follower that heard nothing from the owner for this long asks for a sync. Default 3 heartbeats. */
  readonly silenceMs?: number;
  /** A follower resends an unanswered intent (same id) after this long. Default 750 ms. */
  readonly intentRetryMs?: number;
  /** ...and gives up after this long: `owner_gone`. Default 5000 ms. */
  readonly intentTimeoutMs?: number;
  /** This instance's id. Default: random. */
  readonly id?: string;
}

export interface TabHub<State, Intent> {
  readonly id: string;
  readonly role: ReadableStore<TabRole>;
  /** The owner's latest state: what this instance published (owner) or mirrored (follower); null before any. */
  readonly state: ReadableStore<State | null>;
  /** Owner only: makes `state` every instance's latest. Reported as `not_owner` on a follower. */
  publish(state: State): void;
  /**
   * Owner only: tells every other instance that something happened (best effort: an event a
   * follower misses is not sent again; state is what converges). Reported as `not_owner` on a follower.
   */
  broadcast(event: unknown): void;
  /** Hears the current owner's broadcasts (never this instance's own). Returns the stop. */
  onEvent(listener: (event: unknown) => void): () => void;
  /**
   * Runs an intent on the owner, wherever it is: resolves when it ran, rejects with a
   * {@link TabIntentError}. On the owner it runs here; on a follower it travels to the owner.
   */
  sendIntent(intent: Intent): Promise<void>;
  /**
   * Calls back when this instance becomes the owner (at once if it already is), before intents
   * that were waiting for an owner run here: set up the phone and publish its state in it.
   */
  onBecomeOwner(callback: (takeover: Takeover<State>) => void): () => void;
  /** Steps down (lock released) or stops following; rejects pending intents; stops every timer. */
  stop(): void;
}

interface Pending<Intent> {
  readonly intent: Intent;
  readonly deadline: number;
  readonly resolve: () => void;
  readonly reject: (error: TabIntentError) => void;
  timer: unknown;
}

/** null: the intent ran; a string: why it was refused. */
type Outcome = string | null;

const MAX_OUTCOMES = 256;

export function createTabHub<State, Intent>(options: TabHubOptions<State, Intent>): TabHub<State, Intent> {
  const eventListeners = new Set<(event: unknown) => void>();
  const timers = options.timers ?? platformTimers;
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const silenceMs = options.silenceMs ?? 3 * heartbeatMs;
  const retryMs = options.intentRetryMs ?? 750;
  const timeoutMs = options.intentTimeoutMs ?? 5000;
  const id = options.id ?? randomId();
  const report: ProblemReporter = options.onProblem ?? (() => {});

  const role = createValueStore<TabRole>('follower');
  const state = createValueStore<State | null>(null);
  const ownerCallbacks = new Set<(takeover: Takeover<State>) => void>();
  let stopped = false;
  let takeover: Takeover<State> | null = null;

  // As follower: the newest owner heard of, and the revision of its state held here.
  let owner: Epoch | null = null;
  let ownerRev = 0;
  let highestTerm = 0;
  let lastSyncAt = -Infinity;
  let silenceTimer: unknown = null;
  const pending = new Map<string, Pending<Intent>>();

  // As owner.
  let epoch: Epoch | null = null;
  let rev = 0;
  let heartbeatTimer: unknown = null;
  let competitionReported = false;
  const running = new Map<string, Promise<Outcome>>();

  /**
   * Intents known to be finished, with when that was learnt: the owner's own, and (on followers)
   * the owner's acks and heartbeats, so that a follower that takes over does not run them again.
   * Kept as long as a sender may still retry (intentTimeoutMs).
   */
  const outcomes = new Map<string, { outcome: Outcome; at: number }>();
  let intentSeq = 0;

  let channel: TypedChannel<MirrorMessage> | null = null;
  if (options.locks && options.channelFactory) {
    try {
      channel = createTypedChannel({ name: options.name, factory: options.channelFactory, schema: MirrorMessageSchema, onProblem: report, id });
    } catch (error) {
      report({ code: 'channel_failed', message: `The tab channel could not be opened, this tab owns its phone alone: ${String(error)}` });
    }
  }
  // No channel, no coordination: taking the lock would only keep other tabs from their own phone.
  const election = createElection({ name: options.name, locks: channel ? options.locks : undefined, onProblem: report });

  // -------------------------------------------------------------------------------------------
  // Shared bookkeeping

  function remember(intentId: string, outcome: Outcome) {
    outcomes.delete(intentId);
    outcomes.set(intentId, { outcome, at: timers.now() });
    if (outcomes.size > MAX_OUTCOMES) outcomes.delete(outcomes.keys().next().value!);
  }

  function forgetOld() {
    const cutoff = timers.now() - timeoutMs;
    for (const [intentId, entry] of outcomes) {
      if (entry.at >= cutoff) break; // insertion order is time order
      outcomes.delete(intentId);
    }
  }

  function settle(intentId: string, outcome: Outcome) {
    remember(intentId, outcome);
    const waiting = pending.get(intentId);
    if (!waiting) return;
    pending.delete(intentId);
    timers.clearTimeout(waiting.timer);
    if (outcome === null) waiting.resolve();
    else waiting.reject(new TabIntentError('refused', outcome));
  }

  // -------------------------------------------------------------------------------------------
  // Owner

  /** Runs an intent once per id: a retry of a running or finished intent gets the first outcome. */
  function runIntent(intentId: string, intent: unknown, from: string): Promise<Outcome> {
    const known = outcomes.get(intentId);
    if (known) return Promise.resolve(known.outcome);
    const inFlight = running.get(intentId);
    if (inFlight) return inFlight;

    let checked: Intent;
    if (options.intentSchema) {
      const parsed = v.safeParse(options.intentSchema, intent);
      if (!parsed.success) {
        remember(intentId, 'invalid intent');
        return Promise.resolve('invalid intent');
      }
      checked = parsed.output;
    } else {
      checked = intent as Intent;
    }
    // The handler starts synchronously: intents run in the order they arrive.
    const run = (async (): Promise<Outcome> => {
      try {
        await options.onIntent(checked, { id: intentId, from });
        return null;
      } catch (error) {
        return (error instanceof Error ? error.message : String(error)).slice(0, MAX_REASON) || 'refused';
      }
    })();
    running.set(intentId, run);
    return run.then((outcome) => {
      running.delete(intentId);
      remember(intentId, outcome);
      return outcome;
    });
  }

  function beat() {
    if (!channel || !epoch) return;
    forgetOld();
    const done = [...outcomes].slice(-MAX_DONE).map(([intentId, entry]) => [intentId, entry.outcome] as [string, Outcome]);
    channel.post({ type: 'heartbeat', epoch, rev, done });
    heartbeatTimer = timers.setTimeout(beat, heartbeatMs);
  }

  function answerSync() {
    if (!channel || !epoch) return;
    const latest = state.getState();
    if (rev > 0 && latest !== null) channel.post({ type: 'state', epoch, rev, state: latest });
    else channel.post({ type: 'heartbeat', epoch, rev, done: [] });
  }

  function notifyOwner(callback: (takeover: Takeover<State>) => void) {
    try {
      callback(takeover!);
    } catch (error) {
      report({ code: 'owner_setup_failed', message: `Setting up the phone in the tab that took it over failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  function becomeOwner() {
    if (stopped || epoch) return;
    timers.clearTimeout(silenceTimer);
    takeover = { previous: state.getState() };
    // Later than every owner heard of, and than any owner before them (one clock per machine).
    epoch = { id, term: Math.max(Math.floor(timers.now()), highestTerm + 1) };
    rev = 0;
    role.setState('owner');
    beat();
    for (const callback of [...ownerCallbacks]) notifyOwner(callback);
    // Intents that were waiting for an owner: this one.
    for (const [intentId, waiting] of [...pending]) {
      timers.clearTimeout(waiting.timer);
      void runIntent(intentId, waiting.intent, id).then((outcome) => settle(intentId, outcome));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Follower

  function requestSync(reason: 'hello' | 'behind' | 'silence') {
    const now = timers.now();
    if (reason !== 'hello' && now - lastSyncAt < heartbeatMs / 2) return;
    lastSyncAt = now;
    channel?.post({ type: 'sync', reason });
  }

  function armSilence() {
    timers.clearTimeout(silenceTimer);
    silenceTimer = timers.setTimeout(() => {
      requestSync('silence');
      armSilence();
    }, silenceMs);
  }

  function transmit(intentId: string, waiting: Pending<Intent>) {
    timers.clearTimeout(waiting.timer);
    channel?.post({ type: 'intent', id: intentId, intent: waiting.intent });
    const left = waiting.deadline - timers.now();
    waiting.timer = timers.setTimeout(
      () => {
        if (timers.now() < waiting.deadline) return transmit(intentId, waiting);
        pending.delete(intentId);
        waiting.reject(new TabIntentError('owner_gone', 'No tab owning the phone answered in time.'));
      },
      Math.max(0, Math.min(retryMs, left)),
    );
  }

  function fromOwner(message: Extract<MirrorMessage, { epoch: Epoch }>) {
    if (epoch) {
      // Late messages of the owner this instance replaced are expected; a later owner is not.
      if (compareEpochs(message.epoch, epoch) > 0 && !competitionReported) {
        competitionReported = true;
        report({ code: 'competing_owner', message: 'Another tab claims to own the phone while this one holds the lock.' });
      }
      return;
    }
    highestTerm = Math.max(highestTerm, message.epoch.term);
    const order = owner ? compareEpochs(message.epoch, owner) : 1;
    if (order < 0) return; // an earlier owner's late message
    if (order > 0) {
      owner = message.epoch;
      ownerRev = 0;
      // A new owner never saw what is waiting: send it now rather than at the next retry.
      for (const [intentId, waiting] of pending) transmit(intentId, waiting);
    }
    armSilence();
    switch (message.type) {
      case 'state': {
        if (message.rev <= ownerRev) return; // a duplicate, or overtaken by a newer state
        let next = message.state as State;
        if (options.stateSchema) {
          const parsed = v.safeParse(options.stateSchema, message.state);
          if (!parsed.success) {
            report({ code: 'invalid_state', message: 'Ignored a state from the tab that owns the phone: it does not fit this version.' });
            return;
          }
          next = parsed.output;
        }
        ownerRev = message.rev;
        state.setState(next);
        return;
      }
      case 'event':
        for (const listener of [...eventListeners]) {
          try {
            listener(message.event);
          } catch (error) {
            report({ code: 'intent_failed', message: `A listener of the owner's events failed: ${error instanceof Error ? error.message : String(error)}` });
          }
        }
        return;
      case 'heartbeat':
        forgetOld();
        for (const [intentId, outcome] of message.done) settle(intentId, outcome);
        if (message.rev > ownerRev) requestSync('behind');
        return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Wiring

  channel?.listen((message, from) => {
    if (stopped) return;
    switch (message.type) {
      case 'sync':
        if (epoch) answerSync();
        return;
      case 'intent':
        if (epoch)
          void runIntent(message.id, message.intent, from).then((outcome) =>
            channel?.post(outcome === null ? { type: 'ack', id: message.id } : { type: 'nack', id: message.id, reason: outcome }),
          );
        return;
      // Whoever answered, an answer is true: even an old owner's ack means the intent ran.
      case 'ack':
        settle(message.id, null);
        return;
      case 'nack':
        settle(message.id, message.reason);
        return;
      default:
        fromOwner(message);
    }
  });

  const unwatch = election.role.subscribe((next) => {
    if (next === 'owner') becomeOwner();
  });
  if (election.role.getState() === 'owner') becomeOwner();
  else {
    requestSync('hello');
    armSilence();
  }

  return {
    id,
    role,
    state,
    publish(next) {
      if (stopped) return;
      if (!epoch) {
        report({ code: 'not_owner', message: 'Only the tab that owns the phone publishes its state.' });
        return;
      }
      rev += 1;
      state.setState(next);
      channel?.post({ type: 'state', epoch, rev, state: next });
    },
    broadcast(event) {
      if (stopped) return;
      if (!epoch) {
        report({ code: 'not_owner', message: 'Only the tab that owns the phone broadcasts its events.' });
        return;
      }
      channel?.post({ type: 'event', epoch, event });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => void eventListeners.delete(listener);
    },
    sendIntent(intent) {
      if (stopped) return Promise.reject(new TabIntentError('stopped', 'This tab no longer takes part in the phone.'));
      intentSeq += 1;
      const intentId = `${id}:${intentSeq}`;
      if (epoch) {
        return runIntent(intentId, intent, id).then((outcome) => {
          if (outcome !== null) throw new TabIntentError('refused', outcome);
        });
      }
      return new Promise<void>((resolve, reject) => {
        const waiting: Pending<Intent> = { intent, deadline: timers.now() + timeoutMs, resolve, reject, timer: null };
        pending.set(intentId, waiting);
        transmit(intentId, waiting);
      });
    },
    onBecomeOwner(callback) {
      ownerCallbacks.add(callback);
      if (takeover && !stopped) notifyOwner(callback);
      return () => void ownerCallbacks.delete(callback);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      unwatch();
      timers.clearTimeout(heartbeatTimer);
      timers.clearTimeout(silenceTimer);
      for (const waiting of pending.values()) {
        timers.clearTimeout(waiting.timer);
        waiting.reject(new TabIntentError('stopped', 'This tab stopped before the phone answered.'));
      }
      pending.clear();
      ownerCallbacks.clear();
      eventListeners.clear();
      election.stop();
      channel?.close();
      role.setState('stopped');
    },
  };
}
