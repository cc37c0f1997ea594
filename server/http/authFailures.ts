/**
 * Failed authentications, counted per client address (an LRU cache with a time to live, so an
 * address flood cannot grow it without bound). After `max` failures within `windowMs` of the first,
 * the address is refused (429 with Retry-After) until that window ends, whatever credentials it
 * sends: a token guessed right while blocked does not get in. Successful requests never count.
 *
 * Why not @fastify/rate-limit: it counts every request and has no way to ask "is this client
 * blocked?" without counting one; what is limited here is failures, and the question must be asked
 * before the credentials are checked. Per process; instances sharing a database count together
 * ({@link createSharedAuthFailures}).
 */
import { LRUCache } from 'lru-cache';

export interface AuthFailures {
  /** How long (ms) this address must wait; 0 when it may try. */
  blockedFor(address: string): number;
  /** One failed authentication from this address. */
  failed(address: string): void;
}

export function createAuthFailures({ max, windowMs, now = Date.now, maxAddresses = 100_000 }: { max: number; windowMs: number; now?: () => number; maxAddresses?: number }): AuthFailures {
  const windows = new LRUCache<string, { since: number; count: number }>({ max: maxAddresses, ttl: windowMs, ttlAutopurge: false });
  const current = (address: string) => {
    const w = windows.get(address);
    return w && now() - w.since < windowMs ? w : null;
  };
  return {
    blockedFor(address) {
      const w = current(address);
      return w && w.count >= max ? Math.max(1, w.since + windowMs - now()) : 0;
    },
    failed(address) {
      const w = current(address);
      if (w) w.count += 1;
      else windows.set(address, { since: now(), count: 1 });
    },
  };
}

/** Where several instances count failures together (the store, on a shared database). */
export interface FailureCounts {
  authFailures(address: string, windowStart: number): { since: number; count: number } | null;
  addAuthFailure(address: string, now: number, windowStart: number): void;
  pruneAuthFailures(windowStart: number): void;
}

/**
 * The same limit counted in the database (`auth_failures`: one row per address and window, one
 * atomic upsert per failure), so `max` failures are allowed across all instances, not `max` per
 * instance: a load balancer spreading guesses over the instances gains nothing. The price is one
 * indexed read per request (the blocked check runs before anything else). Windows that ended are
 * deleted every `pruneEvery` failures.
 */
export function createSharedAuthFailures({ counts, max, windowMs, now = Date.now, pruneEvery = 100 }: { counts: FailureCounts; max: number; windowMs: number; now?: () => number; pruneEvery?: number }): AuthFailures {
  let sincePrune = 0;
  return {
    blockedFor(address) {
      const t = now();
      const w = counts.authFailures(address, t - windowMs + 1);
      return w && w.count >= max ? Math.max(1, w.since + windowMs - t) : 0;
    },
    failed(address) {
      const t = now();
      if (++sincePrune >= pruneEvery) {
        sincePrune = 0;
        counts.pruneAuthFailures(t - windowMs + 1);
      }
      counts.addAuthFailure(address, t, t - windowMs + 1);
    },
  };
}
