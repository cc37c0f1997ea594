// @vitest-environment node
/**
 * The shared pacer (server/outbox/sharedPacer.ts) with a fake clock: two "instances" (two pacers)
 * over one store. Its rules are the local pacer's (tests/server/pacer.test.ts); what is tested here
 * is that they hold for the instances together. The store is SQLite in memory: the SQL is the same
 * on PostgreSQL, where tests/server/sharedState.test.ts runs it against the budgeted stand-in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../server/db/database';
import { createSharedPacer } from '../../server/outbox/sharedPacer';

function clock(start = 1_767_225_600_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const maxIn = (times: number[], span: number) => {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= span) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
};

describe('Front budget shared by two instances', () => {
  let store: Store;
  afterEach(() => store?.close());

  // Proved: recording the slot in take() instead of in delayFor() (two instances both see the last
  // slot free) makes this fail: 52 requests in a window of 51 (2026-12-02).
  it('together never more than the budget in any window, though each asks before the other takes', () => {
    store = openStore(':memory:');
    const c = clock();
    // An odd budget: two instances deciding in step would otherwise land exactly on it.
    const options = { store, perWindow: 51, burst: 1_000, windowMs: 60_000, inflightCapMs: 15_000, now: c.now };
    const a = createSharedPacer(options);
    const b = createSharedPacer(options);
    const times: number[] = [];
    const end = c.now() + 5 * 60_000;
    while (c.now() < end) {
      // Both decide before either sends: the race a load balancer produces.
      const waitA = a.delayFor('cha');
      const waitB = b.delayFor('cha');
      if (waitA === 0) {
        a.take('cha')();
        times.push(c.now());
      }
      if (waitB === 0) {
        b.take('cha')();
        times.push(c.now());
      }
      if (waitA > 0 && waitB > 0) c.advance(Math.min(waitA, waitB));
      else c.advance(1);
    }
    expect(maxIn(times, 60_000)).toBeLessThanOrEqual(51);
    // And the budget is used: about 51 a window over 5 windows.
    expect(times.length).toBeGreaterThanOrEqual(5 * 51 - 10);
    expect(a.state().sentInWindow).toBe(b.state().sentInWindow);
  });

  // Proved: counting an unanswered request as in flight forever (budgetNthLatest in
  // server/db/database.ts given an endless cap) makes this fail: the budget never comes back (2026-12-02).
  it("a dead instance's requests in flight count until the cap, then free the budget", () => {
    store = openStore(':memory:');
    const c = clock();
    const options = { store, perWindow: 3, burst: 1_000, windowMs: 60_000, inflightCapMs: 15_000, now: c.now };
    const dead = createSharedPacer(options);
    for (let i = 0; i < 3; i++) {
      expect(dead.delayFor('cha')).toBe(0);
      dead.take('cha'); // never answered: the instance died
    }
    const alive = createSharedPacer(options);
    expect(alive.delayFor('cha')).toBeGreaterThan(0);
    c.advance(15_001 + 60_300 + 10);
    expect(alive.delayFor('cha')).toBe(0);
  });

  // Proved: keeping the 429's pause in the instance that saw it (not writing paused_until) makes
  // this fail (2026-12-02).
  it("a 429's Retry-After seen by one instance pauses the other; Front's limit learnt by one holds for both", () => {
    store = openStore(':memory:');
    const c = clock();
    const options = { store, perWindow: 50, burst: 1_000, windowMs: 60_000, inflightCapMs: 15_000, now: c.now };
    const a = createSharedPacer(options);
    const b = createSharedPacer(options);
    a.observe({ status: 429, retryAfter: '7', rateLimit: null });
    expect(b.delayFor('cha')).toBe(7_000);
    c.advance(7_000);
    expect(b.delayFor('cha')).toBe(0);
    b.take('cha')();
    b.observe({ status: 202, retryAfter: null, rateLimit: { limit: 100, remaining: 99, resetAt: c.now() + 60_000 } });
    expect(a.state()).toMatchObject({ limit: 100, limitSource: 'front', remaining: 99 });
  });
});
