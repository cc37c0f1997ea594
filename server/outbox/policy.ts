/**
 * What the outbox does with the result of one attempt. Pure: the clock and the random source are
 * arguments.
 *
 * - 2xx: sent.
 * - 429: retried after Retry-After (seconds or an HTTP date), never sooner than the backoff.
 * - 5xx, network errors, timeouts: retried with exponential backoff and jitter.
 * - any other 4xx: a dead letter with the reason, never retried... unless an earlier attempt of the
 *   same request may have reached Front (a timeout, a lost response, a crash while in flight):
 *   Front has no idempotency key, but it refuses a repeated create (the id exists) and a repeated
 *   status (no state may follow itself), so a 400/409 on such a retry means "already applied".
 *   The request is then marked sent as `presumed_applied` and logged.
 * - Transient failures stop being retried once the request is `giveUpAfterMs` old (dead letter).
 */
import type { SendResult } from '../front/connector';

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** "Equal jitter": half the exponential delay, plus up to as much again at random. */
export function backoffDelay(attempt: number, { baseMs, maxMs }: BackoffOptions, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** Retry-After in ms: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export type Decision =
  | { action: 'sent'; outcome: 'accepted' | 'presumed_applied'; note: string | null }
  | { action: 'retry'; delayMs: number; reason: string; ambiguous: boolean }
  | { action: 'dead'; reason: string };

export interface DecideInput {
  result: Exclude<SendResult, { type: 'response' }> | { type: 'response'; status: number; retryAfter: string | null };
  /** The attempt that just ended, counting from 1. */
  attempt: number;
  /** An earlier attempt may have reached Front. */
  ambiguous: boolean;
  /** When the request was queued. */
  createdAt: number;
  now: number;
  backoff: BackoffOptions;
  giveUpAfterMs: number;
  maxRetryAfterMs: number;
  random?: () => number;
}

/** Statuses after which Front may have applied the request (a proxy gave up, not Front). */
const MAYBE_APPLIED_5XX = new Set([500, 502, 504]);

export function decide(input: DecideInput): Decision {
  const { result, attempt, now, backoff } = input;
  const delay = backoffDelay(attempt, backoff, input.random);
  const retry = (reason: string, ambiguous: boolean, delayMs = delay): Decision => {
    if (now - input.createdAt >= input.giveUpAfterMs) {
      return { action: 'dead', reason: `gave up after ${attempt} attempts: ${reason}` };
    }
    return { action: 'retry', delayMs, reason, ambiguous };
  };

  switch (result.type) {
    case 'source':
      return result.retryable ? retry(result.message, false) : { action: 'dead', reason: result.message };
    case 'network':
      return retry(result.message, result.mayHaveReached);
    case 'response': {
      const { status } = result;
      if (status >= 200 && status < 300) return { action: 'sent', outcome: 'accepted', note: null };
      if (status === 429) {
        const asked = parseRetryAfter(result.retryAfter, now);
        const wait = asked === null ? delay : Math.max(Math.min(asked, input.maxRetryAfterMs), delay);
        return retry('429 rate limited', false, wait);
      }
      if (status >= 500) return retry(`${status} from Front`, MAYBE_APPLIED_5XX.has(status));
      if (input.ambiguous && (status === 400 || status === 409)) {
        return { action: 'sent', outcome: 'presumed_applied', note: `${status} on a retry after an attempt that may have reached Front` };
      }
      return { action: 'dead', reason: `${status} from Front` };
    }
  }
}
