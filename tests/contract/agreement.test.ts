import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { END_REASONS, REPORT_LIMITS } from '../../contract';
import { createOutbox, memoryReportStore } from '../../src/calllog/outbox';
import { eventBody, recordingBody, summaryBody, unloggableReason } from '../../src/calllog/reports';
import type { TelephonyEvent } from '../../src/machine/types';
import { CallEventReportSchema, RecordingReportSchema, SummaryReportSchema, parseOr400 } from '../../server/api/schemas';
import { decide } from '../../server/outbox/policy';

/**
 * The plugin and the server agree: every body the plugin builds, from whatever the line says, is
 * one the server's routes take (the schemas server/api/pluginRoutes.ts parses with, through the
 * same parseOr400), and both outboxes treat an answer the same way.
 *
 * Proved to guard: making the plugin cut names at 201 characters (REPORT_LIMITS.name + 1), or
 * keeping a non-E.164 participant on CALL_CONNECTED / CALL_ENDED, or taking 408 out of the
 * retryable statuses, or letting a Retry-After shorten the wait, each fails a test below.
 */

const NOW = Date.parse('2026-11-21T10:00:00Z');
const callId = fc.stringMatching(/^[\x21-\x7E]{1,128}$/);
const e164 = fc.stringMatching(/^\+[1-9]\d{4,14}$/);
/** What a line may report as the other party: E.164, an extension, junk. */
const participant = fc.oneof(e164, fc.stringMatching(/^\+?[0-9*#]{1,20}$/), fc.string());
const direction = fc.constantFrom('inbound' as const, 'outbound' as const);
const reason = fc.constantFrom(...END_REASONS);
const name = fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.string({ minLength: 190, maxLength: 400 }), fc.constant('   ')), { nil: undefined });

const lifecycleEvent: fc.Arbitrary<TelephonyEvent> = fc.oneof(
  fc.record({ callId, callType: direction, participant: e164, name }).map(
    ({ name: n, ...detail }): TelephonyEvent => ({ type: 'CALL_STARTED', detail: { ...detail, ...(n === undefined ? {} : { name: n }) } }),
  ),
  fc.record({ callId, callType: direction, participant }).map((detail): TelephonyEvent => ({ type: 'CALL_CONNECTED', detail })),
  fc.record({ callId }).map((detail): TelephonyEvent => ({ type: 'HOLD', detail })),
  fc.record({ callId }).map((detail): TelephonyEvent => ({ type: 'RESUME', detail })),
  fc.record({ callId, callType: direction, participant, reason }).map((detail): TelephonyEvent => ({ type: 'CALL_ENDED', detail })),
);

describe('a body the plugin builds passes the server’s schema', () => {
  it('every lifecycle event of a call the plugin logs', () => {
    fc.assert(
      fc.property(lifecycleEvent, fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 50 * 365 * 86_400_000 }), (event, seq, later) => {
        if (event.type === 'CALL_STARTED' && unloggableReason(event as Extract<TelephonyEvent, { type: 'CALL_STARTED' }>) !== null) return;
        const body = eventBody(event, seq, NOW + later);
        expect(body).not.toBeNull();
        expect(parseOr400(CallEventReportSchema, JSON.parse(JSON.stringify(body)))).toMatchObject({ seq, type: event.type });
      }),
      { numRuns: 2_000 },
    );
  });

  it('every summary, whatever the duration and tags', () => {
    const tag = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ minLength: 90, maxLength: 300 }), fc.constant('  Sales  '));
    const frontTag = fc.record({ id: fc.string({ maxLength: 10 }), name: tag });
    const time = fc.option(fc.integer({ min: NOW - 30 * 86_400_000, max: NOW + 30 * 86_400_000 }), { nil: null });
    fc.assert(
      fc.property(
        callId,
        reason,
        fc.option(fc.oneof(fc.double(), fc.integer({ min: -100, max: 10_000_000 })), { nil: null }),
        time,
        time,
        fc.array(tag, { maxLength: 80 }),
        fc.option(fc.array(frontTag, { maxLength: 20 }), { nil: null }),
        (id, endReason, duration, connectedAt, endedAt, tags, frontTags) => {
          const body = summaryBody({ callId: id, endReason, duration, connectedAt, endedAt, tags }, frontTags);
          const parsed = parseOr400(SummaryReportSchema, JSON.parse(JSON.stringify(body)));
          expect(parsed.callId).toBe(id);
          expect(parsed.tags.length).toBeLessThanOrEqual(REPORT_LIMITS.tags);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('every recording it sends (the others it keeps back)', () => {
    const url = fc.oneof(fc.webUrl(), fc.string(), fc.constant(`https://rec.example.com/${'a'.repeat(2_000)}.mp3`), fc.constant('ftp://rec.example.com/a.mp3'));
    let sent = 0;
    fc.assert(
      fc.property(callId, url, (id, u) => {
        const body = recordingBody(id, u);
        if (body === null) return;
        sent += 1;
        expect(parseOr400(RecordingReportSchema, JSON.parse(JSON.stringify(body)))).toEqual(body);
      }),
      { numRuns: 300 },
    );
    expect(sent).toBeGreaterThan(50);
  });
});

describe('both outboxes treat an answer the same way', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const backoff = { baseMs: 1_000, maxMs: 60_000 };
  type Answer = { status: number; retryAfter?: string } | 'network-error';

  /** The plugin's outbox: how long it waits before sending again, or that it gave the report up. */
  async function pluginAfter(answer: Answer): Promise<{ retryInMs: number } | 'refused'> {
    const times: number[] = [];
    const fetch = vi.fn(async () => {
      times.push(Date.now());
      if (times.length > 1) return new Response('{}', { status: 202 });
      if (answer === 'network-error') throw new TypeError('Failed to fetch');
      return new Response('{}', { status: answer.status, headers: answer.retryAfter ? { 'retry-after': answer.retryAfter } : {} });
    });
    const outbox = createOutbox({
      store: Promise.resolve(memoryReportStore()),
      settings: () => ({ url: 'https://calls.example.com', token: 't' }),
      fetch: fetch as unknown as typeof globalThis.fetch,
      random: () => 0.5,
      backoff,
    });
    await outbox.add({ callId: 'c1', path: 'events', body: { seq: 1, at: NOW, type: 'HOLD', detail: { callId: 'c1' } } });
    for (let waited = 0; waited < 20 * 60_000 && times.length < 2 && outbox.failed().length === 0; waited += 50) {
      await vi.advanceTimersByTimeAsync(50);
    }
    outbox.stop();
    if (outbox.failed().length > 0) return 'refused';
    expect(times).toHaveLength(2);
    return { retryInMs: times[1]! - times[0]! };
  }

  /** The server's outbox policy for the same answer. */
  function serverAfter(answer: Answer): { retryInMs: number } | 'refused' {
    const result =
      answer === 'network-error'
        ? { type: 'network' as const, mayHaveReached: false, message: 'ECONNREFUSED' }
        : { type: 'response' as const, status: answer.status, retryAfter: answer.retryAfter ?? null };
    const decision = decide({ result, attempt: 1, ambiguous: false, createdAt: NOW, now: NOW, backoff, giveUpAfterMs: 86_400_000, maxRetryAfterMs: 600_000, random: () => 0.5 });
    if (decision.action === 'retry') return { retryInMs: decision.delayMs };
    expect(decision.action).toBe('dead');
    return 'refused';
  }

  it.each<[string, Answer, { retryInMs: number } | 'refused']>([
    ['a network error', 'network-error', { retryInMs: 750 }],
    ['408', { status: 408 }, { retryInMs: 750 }],
    ['429 with Retry-After: 7', { status: 429, retryAfter: '7' }, { retryInMs: 7_000 }],
    ['429 with a Retry-After shorter than the backoff', { status: 429, retryAfter: '0' }, { retryInMs: 750 }],
    ['429 with a Retry-After of a day (capped)', { status: 429, retryAfter: '86400' }, { retryInMs: 600_000 }],
    ['500', { status: 500 }, { retryInMs: 750 }],
    ['503 with Retry-After: 3', { status: 503, retryAfter: '3' }, { retryInMs: 3_000 }],
    ['400', { status: 400 }, 'refused'],
    ['404', { status: 404 }, 'refused'],
    ['409', { status: 409 }, 'refused'],
    ['413', { status: 413 }, 'refused'],
    ['422', { status: 422 }, 'refused'],
  ])('%s', async (_, answer, expected) => {
    expect(serverAfter(answer)).toEqual(expected);
    expect(await pluginAfter(answer)).toEqual(expected);
  });
});
