/**
 * Pacing under Front's rate limits: decides when the next Channel API request may leave.
 *
 * Front limits requests per company (50, 100 or 200 a minute by plan) and, per resource, to a
 * burst of about 5 a second; every answer carries `X-RateLimit-Limit`, `X-RateLimit-Remaining`
 * and `X-RateLimit-Reset` (the epoch second the window resets), and a 429 carries `Retry-After`.
 *
 * Contract:
 * - A request may leave when all of these allow it (each is a sliding-window log: the times of the
 *   last requests, so no window of that length, anywhere, holds more than the limit; that also
 *   keeps every fixed window, as Front counts them, under the limit):
 *   - the company budget: at most `limit` requests in any `windowMs` (plus a margin for the time a
 *     request spends between leaving us and reaching Front); `limit` is Front's
 *     `X-RateLimit-Limit` once an answer has said it, `perWindow` (FRONT_RATE_LIMIT_PER_MINUTE)
 *     before that or when answers do not say;
 *   - the burst: at most `burst` requests to one resource in any `windowMs / 60` (a second);
 *   - Front's own count: when `X-RateLimit-Remaining` (less what we sent since) is 0, nothing
 *     leaves before `X-RateLimit-Reset` (the budget may be shared with other clients);
 *   - a pause: after a 429, nothing leaves before its `Retry-After` (or the window's reset, or a
 *     burst window, when it names none).
 * - Pure: the clock is an argument; it sends nothing and stores nothing.
 *
 * Why not a library: token-bucket packages (limiter, bottleneck, p-throttle) schedule callbacks
 * themselves and allow a bucket's worth of burst on top of the rate (which breaks a sliding
 * window), and none learns the budget from an answer's headers. The outbox must pick which call
 * goes next itself (creates and final states first), so it needs "how long until one may go"
 * without queueing a job: about a hundred lines, tested in tests/server/pacer.test.ts.
 */
import { parseRetryAfter } from '../../contract';

export interface RateLimitHeaders {
  limit: number | null;
  remaining: number | null;
  /** Epoch ms when Front's window resets. */
  resetAt: number | null;
}

export interface PacerOptions {
  /** Requests per window before Front says otherwise (FRONT_RATE_LIMIT_PER_MINUTE). */
  perWindow: number;
  /** Requests per resource per burst window (FRONT_BURST_PER_SECOND). */
  burst: number;
  /** Front's window: a minute (tests and the bench compress it). The burst window is a 60th. */
  windowMs?: number;
  /** Longest pause a Retry-After may ask (OUTBOX_MAX_RETRY_AFTER_MS). */
  maxPauseMs?: number;
  now?: () => number;
}

export interface PacerState {
  /** The budget in force: Front's X-RateLimit-Limit once known, else the configured one. */
  limit: number;
  /** Where the limit comes from. */
  limitSource: 'front' | 'configured';
  windowMs: number;
  /** Requests sent in the last window. */
  sentInWindow: number;
  /** Front's X-RateLimit-Remaining less what was sent since, when known and current. */
  remaining: number | null;
  /** After a 429: nothing leaves before this (epoch ms). */
  pausedUntil: number | null;
}

export interface Pacer {
  /** Milliseconds until a request to `resource` may leave (0: now). */
  delayFor(resource: string): number;
  /** A request to `resource` leaves now; call the result when its answer (or failure) is in. */
  take(resource: string): () => void;
  /** Learns from an answer: its status, `Retry-After` and `X-RateLimit-*` headers. */
  observe(answer: { status: number; retryAfter: string | null; rateLimit: RateLimitHeaders | null }): void;
  /** Sustained requests per millisecond (for the expected delay of a backlog). */
  ratePerMs(): number;
  state(): PacerState;
}

/** Reads Front's X-RateLimit-* headers; anything missing or unreadable is null. */
export function parseRateLimitHeaders(get: (name: string) => string | undefined | null): RateLimitHeaders | null {
  const num = (name: string): number | null => {
    const raw = get(name);
    if (raw === undefined || raw === null || !/^\s*\d+(\.\d+)?\s*$/.test(raw)) return null;
    return Number(raw);
  };
  const limit = num('x-ratelimit-limit');
  const remaining = num('x-ratelimit-remaining');
  const reset = num('x-ratelimit-reset');
  if (limit === null && remaining === null && reset === null) return null;
  // Front sends epoch seconds; a value this large is already milliseconds.
  const resetAt = reset === null ? null : reset > 1e11 ? reset : reset * 1000;
  return { limit: limit !== null && limit >= 1 ? Math.floor(limit) : null, remaining: remaining === null ? null : Math.floor(remaining), resetAt };
}

/**
 * When one more request may leave without `max` in any `span` (ms), given when each recent request
 * ends (Infinity: still in flight): -Infinity when at once, Infinity when only an answer frees one.
 */
export function nextFreeOf(untils: readonly number[], max: number, span: number): number {
  if (untils.length < max) return -Infinity;
  const times = [...untils].sort((a, b) => a - b);
  return times[times.length - max]! + span;
}

/**
 * Recent requests, oldest sent first. A request counts from when it leaves until its answer (or
 * the end of its last attempt) plus the window: Front counts it when it arrives, which is
 * somewhere in between, so the window is kept whatever the network's delays.
 */
class Log {
  private entries: Array<{ until: number }> = [];
  /** A request leaves: it counts until it is done. */
  push(): { until: number } {
    const entry = { until: Infinity };
    this.entries.push(entry);
    return entry;
  }
  /** Drops requests done before `since` (from the oldest; one still in flight holds the rest). */
  prune(since: number) {
    let i = 0;
    while (i < this.entries.length && this.entries[i]!.until < since) i++;
    if (i > 0) this.entries.splice(0, i);
  }
  /** When one more may leave without `max` in any `span` (ms); Infinity: when one is answered. */
  nextFree(max: number, span: number): number {
    return nextFreeOf(this.entries.map((e) => e.until), max, span);
  }
  get size() {
    return this.entries.length;
  }
}

export function createPacer({ perWindow, burst, windowMs = 60_000, maxPauseMs = 600_000, now = Date.now }: PacerOptions): Pacer {
  const burstWindowMs = windowMs / 60;
  // A request counts until its answer (an upper bound of when Front counted it), plus the window
  // and a small margin for clock granularity.
  const windowSpan = windowMs * 1.005 + 5;
  const burstSpan = burstWindowMs * 1.05 + 5;
  const company = new Log();
  const perResource = new Map<string, Log>();
  let frontLimit: number | null = null;
  let remaining: number | null = null;
  let resetAt: number | null = null;
  let pausedUntil = 0;

  const limit = () => frontLimit ?? perWindow;
  const prune = (t: number) => {
    company.prune(t - windowSpan);
    for (const [resource, log] of perResource) {
      log.prune(t - burstSpan);
      if (log.size === 0) perResource.delete(resource);
    }
    if (resetAt !== null && resetAt <= t) {
      // Front's window rolled over: its count starts again.
      resetAt = null;
      remaining = null;
    }
  };

  return {
    delayFor(resource) {
      const t = now();
      prune(t);
      let at = Math.max(pausedUntil, company.nextFree(limit(), windowSpan));
      const log = perResource.get(resource);
      if (log) at = Math.max(at, log.nextFree(burst, burstSpan));
      if (remaining !== null && remaining <= 0 && resetAt !== null) at = Math.max(at, resetAt + Math.max(windowMs / 60, 50));
      // Waiting for an answer: look again a burst window later (an answer also wakes the outbox).
      if (at === Infinity) return Math.ceil(burstWindowMs);
      return Math.max(0, Math.ceil(at - t));
    },
    take(resource) {
      const inCompany = company.push();
      let log = perResource.get(resource);
      if (!log) perResource.set(resource, (log = new Log()));
      const inResource = log.push();
      if (remaining !== null) remaining--;
      return () => {
        inCompany.until = inResource.until = now();
      };
    },
    observe({ status, retryAfter, rateLimit }) {
      const t = now();
      if (rateLimit) {
        if (rateLimit.limit !== null) frontLimit = rateLimit.limit;
        if (rateLimit.remaining !== null && rateLimit.resetAt !== null && rateLimit.resetAt > t) {
          const sameWindow = resetAt !== null && Math.abs(rateLimit.resetAt - resetAt) < 1_000;
          // Answers of one window arrive out of order: the lowest count is the freshest. A new
          // window's count does not include our requests still in flight: they are spent anyway.
          remaining = sameWindow && remaining !== null ? Math.min(remaining, rateLimit.remaining) : rateLimit.remaining;
          resetAt = rateLimit.resetAt;
        }
      }
      if (status === 429) {
        const asked = parseRetryAfter(retryAfter, t);
        const until = asked !== null ? t + asked : resetAt !== null && resetAt > t ? resetAt : t + burstWindowMs;
        pausedUntil = Math.max(pausedUntil, Math.min(until, t + maxPauseMs));
      }
    },
    ratePerMs: () => limit() / windowSpan,
    state() {
      const t = now();
      prune(t);
      return {
        limit: limit(),
        limitSource: frontLimit === null ? 'configured' : 'front',
        windowMs,
        sentInWindow: company.size,
        remaining,
        pausedUntil: pausedUntil > t ? pausedUntil : null,
      };
    },
  };
}
