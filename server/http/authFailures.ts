/**
 * Failed authentications, counted per client address (an LRU cache with a time to live, so an
 * address flood cannot grow it without bound). After `max` failures within `windowMs` of the first,
 * the address is refused (429 with Retry-After) until that window ends, whatever credentials it
 * sends: a token guessed right while blocked does not get in. Successful requests never count.
 *
 * Why not @fastify/rate-limit: it counts every request and has no way to ask "is this client
 * blocked?" without counting one; what is limited here is failures, and the question must be asked
 * before the credentials are checked. Per process: instances behind a load balancer each count
 * their own (the limit per instance is the same).
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
