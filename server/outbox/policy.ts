/**
 * What the outbox does with the result of one attempt. Pure: the clock and the random source are
 * arguments. Which answers are retried and how long to wait is the contract's retry policy
 * (contract/retry.ts), the same as the plugin's outbox; what is Front-specific is here.
 *
 * - 2xx: sent.
 * - 408, 429, 5xx, network errors, timeouts: retried with exponential backoff and jitter; a
 *   Retry-After (seconds or an HTTP date) lengthens the wait, capped at `maxRetryAfterMs`, never
 *   shortens it.
 * - any other 4xx: a dead letter with the reason, never retried... unless an earlier attempt of the
 *   same request may have reached Front (a timeout, a lost response, a crash while in flight) and
 *   Front's answer says it is already applied (../front/answers.ts: a create whose id exists, a
 *   status the call is already in, a 409). The request is then marked sent as `presumed_applied`
 *   and logged. Any other 400, retry or not, is a dead letter with Front's message.
 * - Transient failures stop being retried once the request is `giveUpAfterMs` old (dead letter).
 */
import { backoffDelay, classifyStatus, retryDelay, type BackoffOptions } from '../../contract';
import { saysAlreadyApplied } from '../front/answers';
import type { SendResult } from '../front/connector';
import type { OutboxKind } from '../db/database';

export { backoffDelay, parseRetryAfter, type BackoffOptions } from '../../contract';

export type Decision =
  | { action: 'sent'; outcome: 'accepted' | 'presumed_applied'; note: string | null }
  | { action: 'retry'; delayMs: number; reason: string; ambiguous: boolean }
  | { action: 'dead'; reason: string };

export interface DecideInput {
  result: Exclude<SendResult, { type: 'response' }> | { type: 'response'; status: number; retryAfter: string | null; body?: string };
  /** What was sent: Front's refusals mean "already applied" only for creates and statuses. */
  kind?: OutboxKind;
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
  const { result, attempt, now, backoff, random } = input;
  const retry = (reason: string, ambiguous: boolean, delayMs = backoffDelay(attempt, backoff, random)): Decision => {
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
      switch (classifyStatus(status)) {
        case 'accepted':
          return { action: 'sent', outcome: 'accepted', note: null };
        case 'retry': {
          const delayMs = retryDelay({ attempt, backoff, retryAfter: result.retryAfter, now, maxRetryAfterMs: input.maxRetryAfterMs, random });
          return retry(status === 429 ? '429 rate limited' : `${status} from Front`, MAYBE_APPLIED_5XX.has(status), delayMs);
        }
        case 'refused':
          if (input.ambiguous && saysAlreadyApplied(input.kind, status, result.body)) {
            return { action: 'sent', outcome: 'presumed_applied', note: `${status} on a retry after an attempt that may have reached Front: already applied` };
          }
          return { action: 'dead', reason: `${status} from Front` };
      }
    }
  }
}
