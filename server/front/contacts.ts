/**
 * Names for numbers, from Front's Core API: `GET /contacts/alt:phone:<E.164>` (Front's contact
 * aliases: a contact can be fetched by one of its handles, `alt:<source>:<handle>`), with an API
 * token (FRONT_API_TOKEN, Bearer). The app's Channel API JWT cannot be used: it is scoped to the
 * channel's own endpoints (`/channels/:id/...`), and contacts need a Core API token with contacts
 * read access.
 *
 * Contract:
 * - `lookup` never rejects; it answers `found` (a non-empty name), `unknown` (Front has no contact for
 *   the number, or one without a name) or `unavailable` (Front refused, failed, timed out or the
 *   budget is spent: nothing is known, ask again later).
 * - `found` and `unknown` are cached per number for `ttlMs`; `unavailable` is not. Concurrent lookups
 *   of one number share one request to Front.
 * - Every request to Front is counted against Front's rate budget (the outbox's pacer, shared): a
 *   lookup never waits for budget. When the pacer says "not now", the answer is `unavailable`
 *   (a name that arrives after the call was answered is worth little; the call log is worth more).
 * - The token goes only into the Authorization header: never into a URL, an answer or a log.
 */
import { LRUCache } from 'lru-cache';
import type { Logger } from '../log';
import type { Pacer } from '../outbox/pacer';
import { parseRateLimitHeaders } from '../outbox/pacer';

export type ContactAnswer = { type: 'found'; name: string } | { type: 'unknown' } | { type: 'unavailable'; reason: string };

export interface ContactLookup {
  lookup(phone: string): Promise<ContactAnswer>;
}

export interface ContactLookupOptions {
  baseUrl: string;
  apiToken: string;
  requestTimeoutMs: number;
  pacer: Pacer;
  logger: Logger;
  /** How long an answer is kept per number (ms). */
  ttlMs: number;
  /** Numbers kept (the oldest are dropped). */
  maxEntries?: number;
}

/** The pacer's resource for Core API contact requests (burst limits are per resource). */
export const CONTACTS_RESOURCE = 'core:contacts';
/** Longest name passed on (Front allows long names; the sidebar shows one line). */
export const MAX_NAME_LENGTH = 200;

/** What a Front contact says about its name: trimmed, control characters removed, capped. */
export function nameOfContact(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const name = (body as { name?: unknown }).name;
  if (typeof name !== 'string') return null;
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > 0 ? clean.slice(0, MAX_NAME_LENGTH) : null;
}

export function createContactLookup(options: ContactLookupOptions): ContactLookup {
  const base = options.baseUrl.replace(/\/+$/, '');
  const cache = new LRUCache<string, Exclude<ContactAnswer, { type: 'unavailable' }>>({ max: options.maxEntries ?? 10_000, ttl: options.ttlMs });
  const inflight = new Map<string, Promise<ContactAnswer>>();

  const ask = async (phone: string): Promise<ContactAnswer> => {
    if (options.pacer.delayFor(CONTACTS_RESOURCE) > 0) return { type: 'unavailable', reason: 'rate_budget' };
    const answered = options.pacer.take(CONTACTS_RESOURCE);
    let response: Response;
    try {
      response = await fetch(`${base}/contacts/${encodeURIComponent(`alt:phone:${phone}`)}`, {
        headers: { authorization: `Bearer ${options.apiToken}`, accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(options.requestTimeoutMs),
      });
    } catch (error) {
      answered();
      const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'network';
      options.logger.warn('front contact lookup failed', { reason });
      return { type: 'unavailable', reason };
    }
    answered();
    options.pacer.observe({
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      rateLimit: parseRateLimitHeaders((name) => response.headers.get(name)),
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return { type: 'unknown' };
    }
    if (!response.ok) {
      await response.body?.cancel();
      if (response.status === 401 || response.status === 403) options.logger.warn('Front refused the contact lookup: check FRONT_API_TOKEN and its scopes', { status: response.status });
      else options.logger.warn('front contact lookup answered', { status: response.status });
      return { type: 'unavailable', reason: `front_${response.status}` };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { type: 'unavailable', reason: 'front_bad_answer' };
    }
    const name = nameOfContact(body);
    return name ? { type: 'found', name } : { type: 'unknown' };
  };

  return {
    lookup(phone) {
      const cached = cache.get(phone);
      if (cached) return Promise.resolve(cached);
      const running = inflight.get(phone);
      if (running) return running;
      const started = ask(phone)
        .then((answer) => {
          if (answer.type !== 'unavailable') cache.set(phone, answer);
          return answer;
        })
        .finally(() => inflight.delete(phone));
      inflight.set(phone, started);
      return started;
    },
  };
}
