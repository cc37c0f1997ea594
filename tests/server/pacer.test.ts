// @vitest-environment node
/**
 * The outbox's pacer (server/outbox/pacer.ts) and its stale-state rule (server/outbox/stale.ts),
 * with a fake clock.
 */
import { describe, expect, it } from 'vitest';
import { isValidTransition, type FrontCallStatus } from '../../server/calls/mapping';
import { createPacer, parseRateLimitHeaders } from '../../server/outbox/pacer';
import { staleStatusSeqs, type WaitingOp } from '../../server/outbox/stale';

function clock(start = 1_767_225_600_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** Sends as fast as the pacer allows for `ms`; the send times. */
function drive(pacer: ReturnType<typeof createPacer>, c: ReturnType<typeof clock>, ms: number, resource = 'cha') {
  const times: number[] = [];
  const end = c.now() + ms;
  while (c.now() < end) {
    const wait = pacer.delayFor(resource);
    if (wait > 0) {
      c.advance(wait);
      continue;
    }
    pacer.take(resource)();
    times.push(c.now());
  }
  return times;
}

const maxIn = (times: number[], span: number) => {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= span) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
};

describe('pacer', () => {
  it('reads X-RateLimit-* headers (seconds or ms), ignoring garbage', () => {
    const h = (m: Record<string, string>) => parseRateLimitHeaders((n) => m[n]);
    expect(h({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': '1767225660' })).toEqual({
      limit: 100,
      remaining: 7,
      resetAt: 1_767_225_660_000,
    });
    expect(h({ 'x-ratelimit-reset': '1767225660.5' })!.resetAt).toBe(1_767_225_660_500);
    expect(h({ 'x-ratelimit-limit': 'lots' })).toBeNull();
    expect(h({})).toBeNull();
  });

  it('before any answer: no minute holds more than the configured budget, no second more than the burst', () => {
    const c = clock();
    const pacer = createPacer({ perWindow: 50, burst: 5, now: c.now });
    const times = drive(pacer, c, 5 * 60_000);
    expect(maxIn(times, 60_000)).toBeLessThanOrEqual(50);
    expect(maxIn(times, 1_000)).toBeLessThanOrEqual(5);
    // and uses the budget: at least 90% of 50 a minute over five minutes
    expect(times.length).toBeGreaterThanOrEqual(0.9 * 50 * 5);
  });

  it("learns Front's limit from the headers, and waits for the reset when Front says none remain", () => {
    const c = clock();
    const pacer = createPacer({ perWindow: 1_000, burst: 1_000, now: c.now });
    pacer.observe({ status: 202, retryAfter: null, rateLimit: { limit: 100, remaining: 3, resetAt: c.now() + 20_000 } });
    expect(pacer.state()).toMatchObject({ limit: 100, limitSource: 'front', remaining: 3 });
    for (let i = 0; i < 3; i++) {
      expect(pacer.delayFor('cha')).toBe(0);
      pacer.take('cha')();
    }
    const wait = pacer.delayFor('cha');
    expect(wait).toBeGreaterThanOrEqual(20_000);
    c.advance(wait);
    expect(pacer.delayFor('cha')).toBe(0);
    // The learned limit holds: 100 in any minute.
    const times = drive(pacer, c, 3 * 60_000);
    expect(maxIn(times, 60_000)).toBeLessThanOrEqual(100);
  });

  it('honours Retry-After on a 429 for every resource', () => {
    const c = clock();
    const pacer = createPacer({ perWindow: 100, burst: 5, now: c.now });
    pacer.observe({ status: 429, retryAfter: '3', rateLimit: null });
    expect(pacer.delayFor('cha')).toBe(3_000);
    expect(pacer.delayFor('other')).toBe(3_000);
    c.advance(3_000);
    expect(pacer.delayFor('cha')).toBe(0);
  });

  it('the burst is per resource', () => {
    const c = clock();
    const pacer = createPacer({ perWindow: 100, burst: 2, now: c.now });
    pacer.take('a')();
    pacer.take('a')();
    expect(pacer.delayFor('a')).toBeGreaterThan(0);
    expect(pacer.delayFor('b')).toBe(0);
  });

  it('a request counts until its answer: a slow answer holds its place in the window', () => {
    const c = clock();
    const pacer = createPacer({ perWindow: 100, burst: 1, now: c.now });
    const first = pacer.take('a');
    c.advance(5_000);
    // The first is still unanswered: Front may count it any moment now.
    expect(pacer.delayFor('a')).toBeGreaterThan(0);
    first();
    expect(pacer.delayFor('a')).toBeGreaterThan(900);
    c.advance(1_100);
    expect(pacer.delayFor('a')).toBe(0);
  });
});

describe('stale intermediate states', () => {
  const op = (seq: number, status: FrontCallStatus | null, kind = 'status', attempts = 0): WaitingOp => ({ seq, kind, status, attempts });

  it('hold and resume both waiting, then hangup: both skipped', () => {
    expect(staleStatusSeqs('connected', [op(1, 'hold'), op(2, 'connected'), op(3, 'hangup')])).toEqual([1, 2]);
  });

  it('keeps what a valid chain needs: ringing → connected → hangup keeps connected', () => {
    expect(staleStatusSeqs('ringing', [op(1, 'connected'), op(2, 'hold'), op(3, 'connected'), op(4, 'hangup')])).toEqual([2, 3]);
  });

  it('the last state is kept even when intermediate: hold, resume, hold → only the last hold', () => {
    expect(staleStatusSeqs('connected', [op(1, 'hold'), op(2, 'connected'), op(3, 'hold')])).toEqual([1, 2]);
  });

  it('skips nothing tried before, nothing after a summary, nothing alone, nothing before the create', () => {
    expect(staleStatusSeqs('connected', [op(1, 'hold', 'status', 1), op(2, 'connected'), op(3, 'hangup')])).toEqual([]);
    expect(staleStatusSeqs('connected', [op(1, 'hold'), op(2, null, 'summary'), op(3, 'hangup')])).toEqual([]);
    expect(staleStatusSeqs('connected', [op(1, 'hangup')])).toEqual([]);
    expect(staleStatusSeqs(null, [op(1, 'connected'), op(2, 'hangup')])).toEqual([]);
  });

  // Proved: keeping only the last state (no valid-chain search) makes this and the one above fail.
  it('every combination: what is kept is a valid chain ending in the last state; nothing final skipped', () => {
    const statuses: FrontCallStatus[] = ['connected', 'hold', 'hangup', 'transferred', 'missed', 'abandoned'];
    const starts: FrontCallStatus[] = ['ringing', 'connected', 'hold'];
    let checked = 0;
    const walk = (from: FrontCallStatus, path: FrontCallStatus[]) => {
      if (path.length >= 2) {
        for (const start of starts) {
          if (!isValidTransition(start, path[0]!)) continue;
          const waiting = path.map((s, i) => op(i + 1, s));
          const skipped = new Set(staleStatusSeqs(start, waiting));
          const kept = waiting.filter((w) => !skipped.has(w.seq)).map((w) => w.status!);
          expect(kept.at(-1)).toBe(path.at(-1));
          let state = start;
          for (const s of kept) {
            expect(isValidTransition(state, s), `${start} ${path.join(' ')}`).toBe(true);
            state = s;
          }
          checked++;
        }
      }
      if (path.length >= 5) return;
      for (const next of statuses) if (isValidTransition(from, next)) walk(next, [...path, next]);
    };
    for (const start of starts) walk(start, []);
    expect(checked).toBeGreaterThan(50);
  });
});
