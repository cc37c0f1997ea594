/**
 * Front's budget shared by several instances on one database: the same rules as ./pacer.ts (read
 * its contract), with the company's requests, Front's count and a 429's pause kept in the database
 * (`front_requests_sent`, `front_budget`), so instances together stay under one budget instead of
 * each pacing to all of it.
 *
 * How: deciding to send is a transaction that locks the one `front_budget` row (instances take
 * turns, a fraction of a millisecond each), counts the requests every instance sent in the window
 * and, when one may go, records it there and then (a reservation the following `take` uses), so two
 * instances can never both take the last slot. A request counts until its answer, like in the
 * local pacer; one whose instance died never gets an answer, so a request in flight longer than
 * `inflightCapMs` (the request timeout and a margin) is taken to have ended then. Front's
 * `X-RateLimit-*` answers and a 429's Retry-After, seen by any instance, hold for all.
 *
 * Used when the store is shared (PostgreSQL); the embedded SQLite server keeps the in-memory
 * pacer (no round trip per decision).
 */
import type { Store } from '../db/database';
import type { Pacer, PacerOptions } from './pacer';
import { parseRetryAfter } from '../../contract';

export interface SharedPacerOptions extends PacerOptions {
  store: Store;
  /** A request in flight longer than this is counted as ended then (its instance died). */
  inflightCapMs: number;
}

/** Reservations this many ms old are given back rather than used (their request never left). */
const RESERVATION_MS = 1_000;
const PRUNE_EVERY = 64;

export function createSharedPacer({ store, perWindow, burst, windowMs = 60_000, maxPauseMs = 600_000, inflightCapMs, now = Date.now }: SharedPacerOptions): Pacer {
  const burstWindowMs = windowMs / 60;
  const windowSpan = windowMs * 1.005 + 5;
  const burstSpan = burstWindowMs * 1.05 + 5;
  /** A slot recorded by `delayFor` answering 0, for the `take` that follows. */
  const reserved = new Map<string, { id: number; at: number }>();
  let lastLimit = perWindow;
  let sincePrune = 0;

  const current = (t: number) => {
    const b = store.lockBudget();
    if (b.resetAt !== null && b.resetAt <= t) {
      // Front's window rolled over: its count starts again.
      b.resetAt = null;
      b.remaining = null;
    }
    lastLimit = b.frontLimit ?? perWindow;
    return b;
  };

  /** As the local pacer's `nextFreeOf`, over the requests every instance sent: the database picks the one row it needs. */
  const nextFree = (since: number, t: number, resource: string | null, max: number, span: number): number => {
    const nthLatest = store.budgetNthLatest(since, t, inflightCapMs, resource, max);
    return nthLatest === null ? -Infinity : nthLatest + span;
  };

  const delay = (resource: string, t: number, b: ReturnType<typeof current>): number => {
    let at = Math.max(b.pausedUntil, nextFree(t - windowSpan, t, null, lastLimit, windowSpan));
    at = Math.max(at, nextFree(t - burstSpan, t, resource, burst, burstSpan));
    if (b.remaining !== null && b.remaining <= 0 && b.resetAt !== null) at = Math.max(at, b.resetAt + Math.max(burstWindowMs, 50));
    if (at === Infinity) return Math.ceil(burstWindowMs);
    return Math.max(0, Math.ceil(at - t));
  };

  const release = (id: number) => {
    try {
      store.budgetRequestDone(id, now());
    } catch {
      // The store is closed: the request counts until inflightCapMs.
    }
  };

  return {
    delayFor(resource) {
      const t = now();
      const held = reserved.get(resource);
      if (held) {
        if (t - held.at < RESERVATION_MS) return 0;
        reserved.delete(resource);
        release(held.id);
      }
      return store.transaction(() => {
        const b = current(t);
        const wait = delay(resource, t, b);
        if (wait > 0) return wait;
        reserved.set(resource, { id: store.budgetRequestSent(resource, t), at: t });
        if (b.remaining !== null) store.setBudget({ ...b, remaining: b.remaining - 1 });
        if (++sincePrune >= PRUNE_EVERY) {
          sincePrune = 0;
          store.pruneBudgetRequests(t - 2 * windowSpan, inflightCapMs);
        }
        return 0;
      });
    },
    take(resource) {
      const held = reserved.get(resource);
      reserved.delete(resource);
      // Without a reservation (not asked first): counted all the same.
      const id = held ? held.id : store.budgetRequestSent(resource, now());
      return () => release(id);
    },
    observe({ status, retryAfter, rateLimit }) {
      // Nothing to learn (no X-RateLimit-* headers, not a 429): no round trip.
      if (!rateLimit && status !== 429) return;
      const t = now();
      store.transaction(() => {
        const b = current(t);
        if (rateLimit) {
          if (rateLimit.limit !== null) b.frontLimit = rateLimit.limit;
          if (rateLimit.remaining !== null && rateLimit.resetAt !== null && rateLimit.resetAt > t) {
            const sameWindow = b.resetAt !== null && Math.abs(rateLimit.resetAt - b.resetAt) < 1_000;
            b.remaining = sameWindow && b.remaining !== null ? Math.min(b.remaining, rateLimit.remaining) : rateLimit.remaining;
            b.resetAt = rateLimit.resetAt;
          }
        }
        if (status === 429) {
          const asked = parseRetryAfter(retryAfter, t);
          const until = asked !== null ? t + asked : b.resetAt !== null && b.resetAt > t ? b.resetAt : t + burstWindowMs;
          b.pausedUntil = Math.max(b.pausedUntil, Math.min(until, t + maxPauseMs));
        }
        store.setBudget(b);
        lastLimit = b.frontLimit ?? perWindow;
      });
    },
    ratePerMs: () => lastLimit / windowSpan,
    state() {
      const t = now();
      return store.transaction(() => {
        const b = current(t);
        return {
          limit: lastLimit,
          limitSource: b.frontLimit === null ? ('configured' as const) : ('front' as const),
          windowMs,
          sentInWindow: store.budgetCount(t - windowSpan, inflightCapMs),
          remaining: b.remaining,
          pausedUntil: b.pausedUntil > t ? b.pausedUntil : null,
        };
      });
    },
  };
}
