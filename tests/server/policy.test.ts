// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { backoffDelay, decide, parseRetryAfter, type DecideInput } from '../../server/outbox/policy';

const base: Omit<DecideInput, 'result'> = {
  attempt: 1,
  ambiguous: false,
  createdAt: 1_000,
  now: 2_000,
  backoff: { baseMs: 100, maxMs: 10_000 },
  giveUpAfterMs: 60_000,
  maxRetryAfterMs: 30_000,
  random: () => 0.5,
};
const response = (status: number, retryAfter: string | null = null) => ({ type: 'response' as const, status, retryAfter });

describe('what the outbox does with an answer', () => {
  it('2xx is sent', () => {
    expect(decide({ ...base, result: response(202) })).toEqual({ action: 'sent', outcome: 'accepted', note: null });
  });

  it('5xx and network errors are retried with growing, jittered delays', () => {
    const first = decide({ ...base, result: response(503) });
    const third = decide({ ...base, attempt: 3, result: response(503) });
    expect(first).toMatchObject({ action: 'retry', ambiguous: false });
    expect(third).toMatchObject({ action: 'retry' });
    expect((third as { delayMs: number }).delayMs).toBeGreaterThan((first as { delayMs: number }).delayMs);
    expect(decide({ ...base, result: { type: 'network', mayHaveReached: false, message: 'ECONNREFUSED' } })).toMatchObject({ action: 'retry', ambiguous: false });
  });

  it('a timeout, a reset or a 502/504 may have reached Front: the retry is flagged', () => {
    expect(decide({ ...base, result: { type: 'network', mayHaveReached: true, message: 'no answer in time' } })).toMatchObject({ action: 'retry', ambiguous: true });
    expect(decide({ ...base, result: response(504) })).toMatchObject({ action: 'retry', ambiguous: true });
    expect(decide({ ...base, result: response(503) })).toMatchObject({ action: 'retry', ambiguous: false });
  });

  it('429 waits as long as Retry-After says (capped), never less than the backoff', () => {
    expect(decide({ ...base, result: response(429, '7') })).toMatchObject({ action: 'retry', delayMs: 7_000 });
    expect(decide({ ...base, result: response(429, '3600') })).toMatchObject({ action: 'retry', delayMs: 30_000 });
    const noHeader = decide({ ...base, result: response(429) });
    expect(noHeader).toMatchObject({ action: 'retry', delayMs: backoffDelay(1, base.backoff, () => 0.5) });
  });

  it('any other 4xx is a dead letter with the reason, never retried', () => {
    for (const status of [400, 401, 403, 404, 409, 422]) {
      expect(decide({ ...base, result: response(status) })).toEqual({ action: 'dead', reason: `${status} from Front` });
    }
  });

  const refused = (message: string) => ({ ...response(400), body: JSON.stringify({ _error: { status: 400, title: 'Bad request', message } }) });

  // Proved: reading every 400 on an ambiguous retry as applied (the old rule, saysAlreadyApplied returning true
  // for any 400) in server/front/answers.ts makes this fail (2026-12-02).
  it('a 400 on a retry after a maybe-delivered attempt is applied only when Front says so', () => {
    const retry = { ...base, ambiguous: true };
    expect(decide({ ...retry, kind: 'create', result: refused('a call with external_call_id "x" already exists') })).toMatchObject({ action: 'sent', outcome: 'presumed_applied' });
    expect(decide({ ...retry, kind: 'status', result: refused('invalid transition: hold → hold') })).toMatchObject({ action: 'sent', outcome: 'presumed_applied' });
    expect(decide({ ...retry, kind: 'status', result: refused('call is already connected') })).toMatchObject({ action: 'sent', outcome: 'presumed_applied' });
    expect(decide({ ...retry, kind: 'create', result: response(409) })).toMatchObject({ action: 'sent', outcome: 'presumed_applied' });
    // Genuine refusals stay dead letters, retry or not.
    expect(decide({ ...retry, kind: 'create', result: refused('parent_external_call_id must be a string') })).toMatchObject({ action: 'dead' });
    expect(decide({ ...retry, kind: 'status', result: refused('invalid transition: ringing → hold') })).toMatchObject({ action: 'dead' });
    expect(decide({ ...retry, kind: 'summary', result: refused('content must not be empty') })).toMatchObject({ action: 'dead' });
    expect(decide({ ...retry, kind: 'create', result: response(400) })).toMatchObject({ action: 'dead' });
    expect(decide({ ...retry, result: response(401) })).toMatchObject({ action: 'dead' });
    // Without an earlier attempt that may have reached Front, "already exists" is not ours: a dead letter.
    expect(decide({ ...base, kind: 'create', result: refused('a call with external_call_id "x" already exists') })).toMatchObject({ action: 'dead' });
  });

  it('transient failures stop being retried once the request is too old', () => {
    expect(decide({ ...base, now: base.createdAt + 60_000, attempt: 40, result: response(503) })).toMatchObject({
      action: 'dead',
      reason: expect.stringContaining('gave up after 40 attempts'),
    });
  });

  it('a recording that cannot be fetched is retried or dead-lettered by the source answer', () => {
    expect(decide({ ...base, result: { type: 'source', retryable: true, message: 'recording download answered 503' } })).toMatchObject({ action: 'retry' });
    expect(decide({ ...base, result: { type: 'source', retryable: false, message: 'recording download answered 404' } })).toMatchObject({ action: 'dead' });
  });
});

describe('backoff and Retry-After', () => {
  it('doubles up to the maximum, with jitter between half and all of it', () => {
    const b = { baseMs: 100, maxMs: 1_000 };
    expect(backoffDelay(1, b, () => 0)).toBe(50);
    expect(backoffDelay(1, b, () => 1)).toBe(100);
    expect(backoffDelay(3, b, () => 1)).toBe(400);
    expect(backoffDelay(10, b, () => 1)).toBe(1_000);
    expect(backoffDelay(10, b, () => 0)).toBe(500);
    expect(backoffDelay(1_000, b, () => 1)).toBe(1_000);
  });

  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('whenever', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
