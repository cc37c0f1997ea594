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
 * - `close` stops sending, lets requests in flight finish for a short grace period, then aborts
 *   them (an aborted request counts as possibly reached) and resolves once every row is written.
 */
import type { OutboxTuning } from '../config';
import type { OutboxRow, Store } from '../db/database';
import type { FrontConnector, SendResult } from '../front/connector';
import type { FrontRequest } from '../front/payloads';
import type { Logger } from '../log';
import { decide } from './policy';

export interface OutboxOptions {
  store: Store;
  connector: FrontConnector;
  logger: Logger;
  tuning: OutboxTuning;
  now?: () => number;
  random?: () => number;
}

export interface OutboxStats {
  inflight: number;
  callsQueued: number;
  callsWaitingForChannel: number;
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

type Ready = { op: OutboxRow; channelId: string };

export function createOutbox({ store, connector, logger, tuning, now = Date.now, random = Math.random }: OutboxOptions): Outbox {
  /** Unfinished request seqs per call, oldest first. */
  const queues = new Map<string, number[]>();
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
  let closed = false;
  let pumpScheduled = false;
  let warnedNoChannel = false;
  /** Set once close() returned: the store may be closed, late body reads must not write. */
  let closedStore = false;

  const enqueueSeq = (callId: string, seq: number) => {
    const queue = queues.get(callId);
    if (!queue) queues.set(callId, [seq]);
    else if (queue.at(-1)! < seq) queue.push(seq);
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

  const finishRow = (callId: string, seq: number) => {
    const queue = queues.get(callId);
    if (queue && queue[0] === seq) queue.shift();
    if (queue && queue.length === 0) queues.delete(callId);
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
      const seq = queues.get(callId)?.[0];
      if (seq === undefined) {
        queues.delete(callId);
        return null;
      }
      const op = store.getOp(seq);
      if (!op || op.state === 'sent' || op.state === 'dead') {
        finishRow(callId, seq);
        continue;
      }
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
  const begin = ({ op, channelId }: Ready) => {
    store.markInflight(op.seq, now());
    active.set(op.callId, op.seq);
    let request: FrontRequest;
    try {
      request = requestOf(op, channelId);
    } catch {
      active.delete(op.callId);
      deadLetter(op, 'the stored request is not valid JSON');
      return;
    }
    // The send starts after the current synchronous code, so after the commit of the mark.
    const promise = Promise.resolve()
      .then(() => connector.send(request, { signal: controller.signal }))
      .then(
        (result) => result,
        (error: unknown): SendResult => ({ type: 'network', mayHaveReached: true, message: error instanceof Error ? error.message : 'send failed' }),
      )
      .then((result) => {
        // One commit: this request's outcome and, when it can go at once, the next one's mark.
        store.transaction(() => {
          settle(op, result);
          if (active.get(op.callId) === op.seq) active.delete(op.callId);
          if (!closed && inflight.size <= tuning.concurrency) {
            const next = nextOf(op.callId);
            if (next) begin(next);
          }
        });
      })
      .catch((error: unknown) => logger.error('outbox could not record a result', { seq: op.seq, error }))
      .finally(() => {
        inflight.delete(promise);
        if (active.get(op.callId) === op.seq) active.delete(op.callId);
        if (queues.has(op.callId) && !active.has(op.callId) && !timers.has(op.callId)) ready.add(op.callId);
        schedulePump();
      });
    inflight.add(promise);
  };

  const pump = () => {
    if (closed) return;
    for (const callId of ready) {
      if (inflight.size >= tuning.concurrency) return;
      ready.delete(callId);
      // A call not sent now is woken later by what it waits for (its request in flight, a
      // backoff timer, another call's create, a channel).
      store.transaction(() => {
        const next = nextOf(callId);
        if (next) begin(next);
      });
    }
  };

  return {
    start() {
      const recovered = store.recoverInflight();
      if (recovered > 0) {
        logger.warn('requests were in flight when the server stopped: sending them again', { count: recovered });
      }
      for (const op of store.openOps()) enqueueSeq(op.callId, op.seq);
      for (const callId of queues.keys()) ready.add(callId);
      if (queues.size > 0) logger.info('outbox resumed', { calls: queues.size });
      schedulePump();
    },
    notify(callId, seqs) {
      for (const seq of seqs) enqueueSeq(callId, seq);
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
    stats: () => ({ inflight: inflight.size, callsQueued: queues.size, callsWaitingForChannel: waitingChannel.size }),
    async close(graceMs = 2_000) {
      if (closed) return;
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      if (inflight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
        clearTimeout(timer);
        controller.abort();
        await Promise.allSettled([...inflight]);
      }
      closedStore = true;
    },
  };
}
