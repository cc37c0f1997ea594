/**
 * The durable outbox: every Front request is a row in the database before it is sent.
 *
 * Contract:
 * - Requests of one call are sent strictly one after another, in the order they were queued; the
 *   next is sent only once the previous one is sent or dead. Different calls go in parallel, up to
 *   `concurrency` requests in flight. A transferred leg's create also waits for its parent's.
 * - A row is marked `inflight` (committed) before its request can leave, and its outcome (sent /
 *   retry / dead) is committed in the same tick as Front's response headers arrive — together with
 *   the `inflight` mark of the call's next request, when that one can go at once.
 * - On start, rows left `inflight` by a crash are sent again, flagged `ambiguous`: see
 *   ./policy.ts for how a refusal of such a retry is read.
 * - Nothing is sent before a Front channel is known; those calls wait and go as soon as one is.
 * - Paced under Front's budget (./pacer.ts): a request leaves only when the pacer allows it. When
 *   requests wait for the budget ("behind"), the next to go is a create or a final state before a
 *   summary, recording or transcript, and those before an intermediate state (oldest first within
 *   each); a call's stale intermediate states are skipped when every update still sent stays a
 *   valid transition (./stale.ts), recorded as sent with outcome `skipped`. Nothing final is
 *   skipped; a call's requests keep their order.
 * - `close` stops sending, lets requests in flight finish for a short grace period, then aborts
 *   them (an aborted request counts as possibly reached) and resolves once every row is written.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { OutboxTuning } from '../config';
import type { OutboxRow, Store } from '../db/database';
import type { FrontConnector, SendResult } from '../front/connector';
import type { FrontRequest } from '../front/payloads';
import type { Logger } from '../log';
import { isFinal, type FrontCallStatus } from '../calls/mapping';
import { createPacer, type Pacer, type PacerState } from './pacer';
import { decide } from './policy';
import { staleStatusSeqs, type WaitingOp } from './stale';

export interface OutboxOptions {
  store: Store;
  connector: FrontConnector;
  logger: Logger;
  tuning: OutboxTuning;
  now?: () => number;
  random?: () => number;
  /** Defaults to a pacer from `tuning` (FRONT_RATE_LIMIT_PER_MINUTE, FRONT_BURST_PER_SECOND). */
  pacer?: Pacer;
  /** This instance's name as a lease owner (default: host, pid and a random part). */
  instanceId?: string;
}

export interface OutboxStats {
  inflight: number;
  callsQueued: number;
  callsWaitingForChannel: number;
  /** Calls whose next request waits only for Front's budget. */
  callsWaitingForBudget: number;
  /** Requests waiting for Front's budget right now. */
  behind: boolean;
  /** Requests not yet sent (pending, any reason). */
  backlog: number;
  /** How long the backlog takes to send at the budget in force (ms). */
  expectedDelayMs: number;
  /** Stale intermediate states skipped since start. */
  skipped: number;
  budget: PacerState;
}

export interface Outbox {
  start(): void;
  /** Called after the transaction that queued these requests (seqs, ascending) of `callId` committed. */
  notify(callId: string, seqs: readonly number[]): void;
  /** A Front channel was authorized: calls waiting for one can go. */
  channelAvailable(): void;
  /** The channel was deleted: its calls' unsent requests become dead letters. */
  channelDeleted(channelId: string): void;
  stats(): OutboxStats;
  close(graceMs?: number): Promise<void>;
}

type Ready = { op: OutboxRow; channelId: string; skip?: number[]; priority?: number };

/** The status a create or status request sets, from its payload. */
function statusOf(op: Pick<OutboxRow, 'kind' | 'payload'>): FrontCallStatus | null {
  if (op.kind !== 'create' && op.kind !== 'status') return null;
  try {
    const payload = JSON.parse(op.payload) as { initial_status?: FrontCallStatus; call_status?: FrontCallStatus };
    return (op.kind === 'create' ? payload.initial_status : payload.call_status) ?? null;
  } catch {
    return null;
  }
}

/**
 * Lower goes first when behind: creates and final states (and an intermediate state a waiting
 * final state needs first: `connected` before `hangup`), then summaries, recordings and
 * transcripts, then the intermediate states of calls still live.
 */
function priorityOf(op: OutboxRow): number {
  if (op.kind === 'create') return 0;
  if (op.kind === 'status') return isFinal(statusOf(op)) ? 0 : 2;
  return 1;
}

/** Calls looked at per poll of a shared database. */
const POLL_BATCH = 500;

/** How often the "behind Front's budget" log line repeats while behind. */
const BEHIND_LOG_EVERY_MS = 30_000;

export function createOutbox({ store, connector, logger, tuning, now = Date.now, random = Math.random, pacer: givenPacer, instanceId: givenInstanceId }: OutboxOptions): Outbox {
  const pacer =
    givenPacer ?? createPacer({ perWindow: tuning.ratePerMinute, burst: tuning.burstPerSecond, windowMs: tuning.rateWindowMs, maxPauseMs: tuning.maxRetryAfterMs, now });
  /** Calls whose next request is ready and waits for the budget. */
  const budgetWait = new Map<string, Ready>();
  let paceTimer: NodeJS.Timeout | undefined;
  let behindSince: number | null = null;
  let behindLoggedAt = 0;
  let skippedCount = 0;
  /** Calls known to have unfinished requests (the database says which request is next). */
  const queues = new Set<string>();
  /** This process, as the owner of call leases (several instances may share the database). */
  const instanceId = givenInstanceId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  /** Calls whose lease this instance holds, with when it runs out. */
  const held = new Map<string, number>();
  let heartbeat: NodeJS.Timeout | undefined;
  let poller: NodeJS.Timeout | undefined;
  /** Calls that may have a request to send now. */
  const ready = new Set<string>();
  /** The request in flight, per call. */
  const active = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  /** Calls waiting for another call's request (seq) to finish. */
  const waitingFor = new Map<number, Set<string>>();
  const waitingChannel = new Set<string>();
  const inflight = new Set<Promise<void>>();
  /** Per call, its Front channel once known (it never changes), and whether its create is sent. */
  const channelOfCall = new Map<string, string>();
  const createdCalls = new Set<string>();
  const controller = new AbortController();
  // One abort listener per request in flight (and per recording download): not a leak.
  setMaxListeners(tuning.concurrency * 2 + 10, controller.signal);
  let closed = false;
  let pumpScheduled = false;
  let warnedNoChannel = false;
  /** Set once close() returned: the store may be closed, late body reads must not write. */
  let closedStore = false;

  /** Stops working on a call here (done, or another instance has it). */
  const forget = (callId: string, release: boolean) => {
    queues.delete(callId);
    budgetWait.delete(callId);
    if (held.delete(callId) && release) store.releaseCall(callId, instanceId);
  };

  /**
   * Holds the call's lease (claims it, or renews it when half run out): one instance at a time
   * sends a call's requests, so they stay in order across instances. False: another has it.
   */
  const claim = (callId: string): boolean => {
    const t = now();
    const until = held.get(callId);
    if (until !== undefined && until - t > tuning.leaseMs / 2) return true;
    const { result, recovered } = store.claimCall(callId, instanceId, t + tuning.leaseMs, t, until !== undefined);
    if (result === 'taken') {
      forget(callId, false);
      return false;
    }
    held.set(callId, t + tuning.leaseMs);
    if (recovered > 0) logger.warn('took over requests left in flight by a stopped instance: sending them again', { callId, count: recovered });
    return true;
  };

  const schedulePump = () => {
    if (pumpScheduled || closed) return;
    pumpScheduled = true;
    queueMicrotask(() => {
      pumpScheduled = false;
      pump();
    });
  };

  const wakeLater = (callId: string, delayMs: number) => {
    clearTimeout(timers.get(callId));
    const timer = setTimeout(() => {
      timers.delete(callId);
      ready.add(callId);
      schedulePump();
    }, Math.max(0, delayMs));
    timers.set(callId, timer);
  };

  const wakeDependents = (seq: number) => {
    const waiting = waitingFor.get(seq);
    if (!waiting) return;
    waitingFor.delete(seq);
    for (const callId of waiting) ready.add(callId);
    schedulePump();
  };

  const finishRow = (_callId: string, seq: number) => {
    wakeDependents(seq);
  };

  const deadLetter = (op: OutboxRow, reason: string) => {
    store.markDead(op.seq, reason, now());
    logger.error('front request is a dead letter', { seq: op.seq, callId: op.callId, kind: op.kind, attempts: op.attempts, reason });
    finishRow(op.callId, op.seq);
  };

  /** The channel a call's requests go to; assigns the active channel to a call's first request. */
  const channelFor = (callId: string): { channelId: string } | { wait: true } | { dead: string } => {
    const known = channelOfCall.get(callId);
    if (known) return { channelId: known };
    const call = store.getCall(callId);
    if (call?.channelId) {
      const channel = store.getChannel(call.channelId);
      if (channel?.deletedAt) return { dead: 'the Front channel of this call was deleted' };
      channelOfCall.set(callId, call.channelId);
      return { channelId: call.channelId };
    }
    const channel = store.activeChannel();
    if (!channel) return { wait: true };
    store.setCallChannel(callId, channel.channelId);
    channelOfCall.set(callId, channel.channelId);
    return { channelId: channel.channelId };
  };

  /**
   * The call's next request if it can be sent now; otherwise arranges to come back to the call
   * (a timer, a dependency, a channel) and returns null. May dead-letter requests on the way.
   */
  const nextOf = (callId: string): Ready | null => {
    for (;;) {
      if (active.has(callId) || timers.has(callId)) return null;
      if (!claim(callId)) return null;
      const op = store.headOp(callId);
      if (!op) {
        forget(callId, true);
        return null;
      }
      // In flight but not here: its answer is awaited elsewhere (it is recovered with the lease).
      if (op.state === 'inflight') return null;
      const t = now();
      if (op.nextAttemptAt > t) {
        wakeLater(callId, op.nextAttemptAt - t);
        return null;
      }
      if (op.afterSeq !== null) {
        const dependency = store.getOp(op.afterSeq);
        if (dependency && (dependency.state === 'pending' || dependency.state === 'inflight')) {
          const set = waitingFor.get(dependency.seq) ?? new Set<string>();
          set.add(callId);
          waitingFor.set(dependency.seq, set);
          return null;
        }
      }
      if (op.kind !== 'create' && !createdCalls.has(callId)) {
        const create = store.createOpOf(callId);
        if (create?.state === 'sent') createdCalls.add(callId);
        if (create?.state === 'dead') {
          deadLetter(op, `the call was never created in Front (${create.lastError ?? 'its create request was refused'})`);
          continue;
        }
      }
      const channel = channelFor(callId);
      if ('wait' in channel) {
        waitingChannel.add(callId);
        if (!warnedNoChannel) {
          warnedNoChannel = true;
          logger.warn('no Front channel yet: calls are kept until Front authorizes one (or FRONT_CHANNEL_ID is set)');
        }
        return null;
      }
      if ('dead' in channel) {
        deadLetter(op, channel.dead);
        continue;
      }
      return { op, channelId: channel.channelId };
    }
  };

  const requestOf = (op: OutboxRow, channelId: string): FrontRequest =>
    ({ kind: op.kind, channelId, callId: op.callId, payload: JSON.parse(op.payload) as unknown }) as FrontRequest;

  /** Records what Front answered (inside the caller's transaction). */
  const settle = (op: OutboxRow, result: SendResult) => {
    const attempt = op.attempts + 1;
    const t = now();
    const decision = decide({
      result,
      kind: op.kind,
      attempt,
      ambiguous: op.ambiguous,
      createdAt: op.createdAt,
      now: t,
      backoff: { baseMs: tuning.backoffBaseMs, maxMs: tuning.backoffMaxMs },
      giveUpAfterMs: tuning.giveUpAfterMs,
      maxRetryAfterMs: tuning.maxRetryAfterMs,
      random,
    });
    switch (decision.action) {
      case 'sent':
        store.markSent(op.seq, decision.outcome, decision.note, t);
        if (op.kind === 'create') createdCalls.add(op.callId);
        if (decision.outcome === 'presumed_applied') {
          logger.warn('front request presumed applied', { seq: op.seq, callId: op.callId, kind: op.kind, note: decision.note });
        } else {
          logger.debug('front request sent', { seq: op.seq, callId: op.callId, kind: op.kind, attempt });
        }
        finishRow(op.callId, op.seq);
        break;
      case 'retry':
        store.markRetry(op.seq, t + decision.delayMs, decision.reason, decision.ambiguous);
        logger.info('front request will be retried', { seq: op.seq, callId: op.callId, kind: op.kind, attempt, reason: decision.reason, inMs: decision.delayMs });
        if (!closed) wakeLater(op.callId, decision.delayMs);
        break;
      case 'dead':
        deadLetter({ ...op, attempts: attempt }, decision.reason);
        break;
    }
    if (result.type === 'response') {
      // Read (and so release) the body after the outcome is committed; keep Front's reason.
      const reason = decision.action === 'dead' || decision.action === 'retry' ? decision.reason : null;
      void result.readBody().then((body) => {
        if (reason && body && !closedStore) store.setLastError(op.seq, `${reason}: ${body}`);
      });
    }
  };

  /** Marks `op` in flight (inside the caller's transaction) and sends it once that is committed. */
  const begin = ({ op, channelId, skip }: Ready) => {
    // Fencing: marked in flight only while this instance holds the call's lease.
    if (!store.markInflightLeased(op.seq, op.callId, instanceId, now())) {
      logger.warn("a call's lease was lost to another instance: leaving the call to it", { callId: op.callId, seq: op.seq });
      forget(op.callId, false);
      return;
    }
    if (skip && skip.length > 0) {
      store.markSkipped(skip, `skipped while behind Front's budget: a later state (request ${op.seq}) was already waiting`, now());
      skippedCount += skip.length;
      logger.info('stale intermediate states skipped', { callId: op.callId, seqs: skip, next: op.seq });
    }
    let request: FrontRequest;
    try {
      request = requestOf(op, channelId);
    } catch {
      deadLetter(op, 'the stored request is not valid JSON');
      ready.add(op.callId);
      return;
    }
    const answered = pacer.take(channelId);
    active.set(op.callId, op.seq);
    // The send starts after the current synchronous code, so after the commit of the mark.
    const promise = Promise.resolve()
      .then(() => connector.send(request, { signal: controller.signal }))
      .then(
        (result) => result,
        (error: unknown): SendResult => ({ type: 'network', mayHaveReached: true, message: error instanceof Error ? error.message : 'send failed' }),
      )
      .then((result) => {
        answered();
        // Before the outcome's transaction: a shared pacer locks the budget's row, always before
        // any outbox row (one lock order on every instance).
        if (result.type === 'response') pacer.observe(result);
        // One commit: this request's outcome and, when it can go at once, the next one's mark.
        store.transaction(() => {
          settle(op, result);
          if (active.get(op.callId) === op.seq) active.delete(op.callId);
          if (!closed && inflight.size <= tuning.concurrency && budgetWait.size === 0) {
            const next = nextOf(op.callId);
            if (next) {
              if (pacer.delayFor(next.channelId) === 0) begin(next);
              else budgetWait.set(op.callId, next);
            }
          }
        });
      })
      .catch((error: unknown) => logger.error('outbox could not record a result', { seq: op.seq, error }))
      .finally(() => {
        inflight.delete(promise);
        if (active.get(op.callId) === op.seq) active.delete(op.callId);
        if (queues.has(op.callId) && !active.has(op.callId) && !timers.has(op.callId) && !budgetWait.has(op.callId)) ready.add(op.callId);
        schedulePump();
      });
    inflight.add(promise);
  };

  /** With the call's stale intermediate states skipped, when behind (computed once per wait). */
  const withSkips = (r: Ready): Ready => {
    if (r.skip !== undefined) return r;
    r.skip = [];
    r.priority = priorityOf(r.op);
    if (r.op.kind !== 'status' || isFinal(statusOf(r.op))) return r;
    const ops = store.opsOfCall(r.op.callId);
    // A final state waits behind this one: finishing the call is as urgent as the final state.
    if (ops.some((o) => o.seq > r.op.seq && o.state === 'pending' && o.kind === 'status' && isFinal(statusOf(o)))) r.priority = 0;
    if (r.op.attempts > 0) return r;
    let current: FrontCallStatus | null = null;
    const waiting: WaitingOp[] = [];
    for (const o of ops) {
      if (o.state === 'sent' && o.outcome !== 'skipped') current = statusOf(o) ?? current;
      if (o.seq >= r.op.seq && (o.state === 'pending' || o.state === 'inflight')) {
        waiting.push({ seq: o.seq, kind: o.kind, status: statusOf(o), attempts: o.attempts });
      }
    }
    const skip = staleStatusSeqs(current, waiting);
    if (skip.length === 0) return r;
    // The first kept update goes now, in place of the skipped ones.
    const keptSeq = waiting.find((w) => !skip.includes(w.seq))!.seq;
    const kept = ops.find((o) => o.seq === keptSeq)!;
    return { op: kept, channelId: r.channelId, skip, priority: isFinal(statusOf(kept)) ? 0 : r.priority };
  };

  const schedulePace = (delayMs: number) => {
    clearTimeout(paceTimer);
    paceTimer = setTimeout(() => {
      paceTimer = undefined;
      schedulePump();
    }, delayMs);
  };

  const noteBehind = (behind: boolean) => {
    const t = now();
    if (behind) {
      if (behindSince === null) behindSince = t;
      if (t - behindLoggedAt >= BEHIND_LOG_EVERY_MS) {
        behindLoggedAt = t;
        const { backlog, expectedDelayMs, budget } = statsNow();
        logger.info("behind Front's budget: requests wait", { backlog, expectedDelayMs, limit: budget.limit, windowMs: budget.windowMs, remaining: budget.remaining });
      }
    } else if (behindSince !== null) {
      logger.info("caught up with Front's budget", { behindMs: t - behindSince, skipped: skippedCount });
      behindSince = null;
      behindLoggedAt = 0;
    }
  };

  const pump = () => {
    if (closed) return;
    // Every ready call's next request: sent at once while the budget allows, else it waits.
    for (const callId of ready) {
      ready.delete(callId);
      // A call not sent now is woken later by what it waits for (its request in flight, a
      // backoff timer, another call's create, a channel).
      store.transaction(() => {
        const next = nextOf(callId);
        if (!next) return;
        if (budgetWait.size === 0 && inflight.size < tuning.concurrency && pacer.delayFor(next.channelId) === 0) begin(next);
        else budgetWait.set(callId, next);
      });
    }
    if (budgetWait.size === 0) {
      noteBehind(false);
      return;
    }
    // Behind (or at the concurrency limit): the most urgent waiting request goes first.
    while (budgetWait.size > 0 && inflight.size < tuning.concurrency) {
      const channelId = budgetWait.values().next().value!.channelId;
      const delay = pacer.delayFor(channelId);
      if (delay > 0) {
        noteBehind(true);
        schedulePace(delay);
        return;
      }
      let best: Ready | null = null;
      let bestKey = Infinity;
      for (const [callId, r] of budgetWait) {
        // Skips only when behind the budget (not merely at the concurrency limit).
        const planned = behindSince !== null ? withSkips(r) : r;
        if (planned !== r) budgetWait.set(callId, planned);
        // The priority is worked out once per waiting request (it parses the payload).
        planned.priority ??= priorityOf(planned.op);
        const key = planned.priority * 1e15 + planned.op.seq;
        if (key < bestKey) {
          best = planned;
          bestKey = key;
        }
      }
      budgetWait.delete(best!.op.callId);
      store.transaction(() => begin(best!));
    }
  };

  const statsNow = (): OutboxStats => {
    const backlog = store.outboxCounts().pending;
    const budget = pacer.state();
    return {
      inflight: inflight.size,
      callsQueued: queues.size,
      callsWaitingForChannel: waitingChannel.size,
      callsWaitingForBudget: budgetWait.size,
      behind: behindSince !== null,
      backlog,
      expectedDelayMs: Math.ceil(backlog / pacer.ratePerMs()),
      skipped: skippedCount,
      budget,
    };
  };

  return {
    start() {
      if (!store.shared) {
        // The embedded database has this one instance: whatever was in flight was ours.
        store.releaseAllLeases();
        const recovered = store.recoverInflight();
        if (recovered > 0) {
          logger.warn('requests were in flight when the server stopped: sending them again', { count: recovered });
        }
        for (const op of store.openOps()) queues.add(op.callId);
      } else {
        // Shared: other instances may be sending; a call is taken over only once its lease ran
        // out (its requests in flight are then sent again, flagged ambiguous).
        for (const callId of store.claimableCalls(instanceId, now(), POLL_BATCH)) queues.add(callId);
      }
      for (const callId of queues) ready.add(callId);
      if (queues.size > 0) logger.info('outbox resumed', { calls: queues.size, instance: instanceId });
      heartbeat = setInterval(() => {
        if (held.size === 0) return;
        const until = now() + tuning.leaseMs;
        try {
          store.renewLeases(instanceId, until);
          for (const callId of held.keys()) held.set(callId, until);
        } catch (error) {
          logger.error('could not renew call leases', { error });
        }
      }, Math.max(50, Math.floor(tuning.leaseMs / 3)));
      heartbeat.unref();
      if (store.shared) {
        // Work queued by another instance, calls whose owner stopped, dependencies met elsewhere.
        poller = setInterval(() => {
          if (closed) return;
          try {
            for (const callId of store.claimableCalls(instanceId, now(), POLL_BATCH)) {
              if (active.has(callId) || timers.has(callId) || budgetWait.has(callId)) continue;
              queues.add(callId);
              ready.add(callId);
            }
          } catch (error) {
            logger.error('could not look for calls to send', { error });
          }
          schedulePump();
        }, tuning.pollMs);
        poller.unref();
      }
      schedulePump();
    },
    notify(callId) {
      queues.add(callId);
      // Its waiting request is looked at again: newer states may make it stale.
      budgetWait.delete(callId);
      if (!active.has(callId) && !timers.has(callId)) ready.add(callId);
      schedulePump();
    },
    channelAvailable() {
      warnedNoChannel = false;
      for (const callId of waitingChannel) ready.add(callId);
      waitingChannel.clear();
      schedulePump();
    },
    channelDeleted(channelId) {
      for (const [callId, channel] of channelOfCall) if (channel === channelId) channelOfCall.delete(callId);
      for (const [callId, r] of budgetWait) {
        if (r.channelId === channelId) {
          budgetWait.delete(callId);
          ready.add(callId);
        }
      }
      store.transaction(() => {
        for (const op of store.openOpsOnChannel(channelId)) {
          if (op.state === 'pending') {
            deadLetter(op, 'the Front channel of this call was deleted');
            if (queues.has(op.callId)) ready.add(op.callId);
          }
        }
      });
      schedulePump();
    },
    stats: statsNow,
    async close(graceMs = 2_000) {
      if (closed) return;
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      clearTimeout(paceTimer);
      clearInterval(heartbeat);
      clearInterval(poller);
      if (inflight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
        clearTimeout(timer);
        controller.abort();
        await Promise.allSettled([...inflight]);
      }
      try {
        store.releaseLeasesOf(instanceId);
      } catch (error) {
        logger.warn('could not release call leases: other instances take them over when they run out', { error });
      }
      closedStore = true;
    },
  };
}
