// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_RETRY_AFTER_MS, backoffDelay, classifyStatus, parseRetryAfter, retryDelay } from '../../contract';

/**
 * The retry policy both outboxes follow (the plugin's towards the server, the server's towards
 * Front). Proved to guard: removing 408 from the retryable statuses, or letting a Retry-After
 * shorten the wait (`asked ?? delay` instead of the max), or dropping its cap, each fails a test
 * below.
 */
describe('which answers are retried', () => {
  it('2xx is accepted', () => {
    for (const status of [200, 201, 202, 204, 299]) expect(classifyStatus(status)).toBe('accepted');
  });

  it('408, 429 and 5xx say "not now": retried', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 599]) expect(classifyStatus(status)).toBe('retry');
  });

  it('every other status says "never": refused, not retried', () => {
    for (const status of [100, 301, 304, 400, 401, 403, 404, 409, 413, 415, 422]) expect(classifyStatus(status)).toBe('refused');
  });
});

describe('backoff with jitter', () => {
  const backoff = { baseMs: 1_000, maxMs: 60_000 };

  it('doubles from the base up to the maximum', () => {
    const middle = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelay(attempt, backoff, () => 0.5));
    expect(middle).toEqual([750, 1_500, 3_000, 6_000, 12_000, 24_000, 45_000, 45_000]);
    expect(backoffDelay(1_000_000, backoff, () => 1)).toBe(60_000);
  });

  it('waits between half and all of the delay, at random', () => {
    expect(backoffDelay(3, backoff, () => 0)).toBe(2_000);
    expect(backoffDelay(3, backoff, () => 0.999_999)).toBe(4_000);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(3, backoff);
      expect(delay).toBeGreaterThanOrEqual(2_000);
      expect(delay).toBeLessThanOrEqual(4_000);
    }
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delta-seconds and HTTP dates; a past date is now', () => {
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1_500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    for (const value of [null, undefined, '', 'soon', '-5', '1e3']) expect(parseRetryAfter(value, now)).toBeNull();
  });

  it('lengthens the wait, never shortens it, and is capped', () => {
    const input = { attempt: 1, backoff: { baseMs: 1_000, maxMs: 60_000 }, now, random: () => 0.5 };
    expect(retryDelay({ ...input, retryAfter: '7' })).toBe(7_000);
    expect(retryDelay({ ...input, retryAfter: '0' })).toBe(750);
    expect(retryDelay({ ...input, attempt: 6, retryAfter: '1' })).toBe(24_000);
    expect(retryDelay({ ...input, retryAfter: '86400' })).toBe(DEFAULT_MAX_RETRY_AFTER_MS);
    expect(retryDelay({ ...input, retryAfter: '86400', maxRetryAfterMs: 30_000 })).toBe(30_000);
    expect(retryDelay({ ...input, retryAfter: 'soon' })).toBe(750);
    expect(retryDelay(input)).toBe(750);
  });
});
