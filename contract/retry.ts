/**
 * The retry policy of both outboxes: the plugin's (reports to the server, src/calllog/outbox.ts)
 * and the server's (requests to Front, server/outbox/policy.ts). Pure: the clock and the random
 * source are arguments.
 *
 * - 2xx: accepted.
 * - 408, 429 and 5xx are retryable, like a network error or a timeout: the answer says "not now",
 *   not "never".
 * - Every other status is a refusal: sending the same bytes again gets the same answer. What a
 *   refusal becomes is each side's business (the plugin pauses on its own 401 and keeps the report
 *   visible; the server dead-letters it, or reads a 400/409 on an ambiguous retry as applied).
 * - The wait before a retry is exponential backoff with "equal jitter" ({@link backoffDelay}); a
 *   `Retry-After` on a retryable answer (delta-seconds or an HTTP date) lengthens it, capped,
 *   never shortens it ({@link retryDelay}).
 */

export interface BackoffOptions {
  /** The first delay before jitter. */
  readonly baseMs: number;
  /** The longest delay before jitter. */
  readonly maxMs: number;
}

/** The longest `Retry-After` honoured unless a side configures another (the server's `OUTBOX_MAX_RETRY_AFTER_MS`). */
export const DEFAULT_MAX_RETRY_AFTER_MS = 10 * 60_000;

export type StatusClass = 'accepted' | 'retry' | 'refused';

/** What an HTTP status means for the request that got it. */
export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return 'accepted';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'refused';
}

/**
 * "Equal jitter": half the exponential delay (`baseMs * 2^(attempt-1)`, at most `maxMs`), plus up
 * to as much again at random. `attempt` counts from 1 (the attempt that just failed).
 */
export function backoffDelay(attempt: number, { baseMs, maxMs }: BackoffOptions, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** Retry-After in ms: delta-seconds or an HTTP date (a past date is 0); null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP date names its day and month; without a letter, Date.parse would read "-5" as a year.
  if (!/[a-z]/i.test(trimmed)) return null;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export interface RetryDelayInput {
  /** The attempt that just failed, counting from 1. */
  readonly attempt: number;
  readonly backoff: BackoffOptions;
  /** The answer's `Retry-After` header, if it had one. */
  readonly retryAfter?: string | null;
  readonly now: number;
  /** Default {@link DEFAULT_MAX_RETRY_AFTER_MS}. */
  readonly maxRetryAfterMs?: number;
  readonly random?: () => number;
}

/** How long to wait before the next attempt: the backoff, or the (capped) Retry-After when longer. */
export function retryDelay({ attempt, backoff, retryAfter = null, now, maxRetryAfterMs = DEFAULT_MAX_RETRY_AFTER_MS, random }: RetryDelayInput): number {
  const delay = backoffDelay(attempt, backoff, random);
  const asked = parseRetryAfter(retryAfter, now);
  return asked === null ? delay : Math.max(Math.min(asked, maxRetryAfterMs), delay);
}
