/**
 * Names for callers Front knows: when an incoming call rings from a number without a name, the
 * owner asks the call-logging server (GET /v1/contacts/lookup, with the teammate's call-log token;
 * the server asks Front's contacts, see server/README.md) and hands the answer to the machine as
 * FRONT.PARTY_NAME. The ring never waits for it: the call is on screen (and rings, and Front's
 * notification is raised) before the question leaves; the name fills in when it arrives. The
 * machine takes it only for that call and only while its party has no name, so a late answer for a
 * call that already ended (or was named) changes nothing. Front's notification is not raised again.
 *
 * Each call is asked about once; any failure (not configured, 401, 404, 503, network, timeout)
 * leaves the number as it is, silently: a name is a nicety. Loaded lazily by the owner only
 * (./ownerShare.ts). The token travels in the Authorization header only, never in the URL or a log.
 */
import { isE164 } from '../../contract';
import type { DialerActorInstance } from './createDialer';

export const CONTACT_LOOKUP_PATH = '/v1/contacts/lookup';
/** A name that has not arrived by then would come after the call is answered or gone. */
export const CONTACT_LOOKUP_TIMEOUT_MS = 8_000;
const MAX_NAME = 200;

type Fetcher = (url: string, init: RequestInit) => Promise<Pick<Response, 'status' | 'ok' | 'json'>>;

export interface ContactNamesOptions {
  readonly dialer: Pick<DialerActorInstance, 'getSnapshot' | 'subscribe' | 'send'>;
  /** The call-logging server and the teammate's token, as now; null: not configured (no lookup). */
  readonly server: () => { readonly url: string; readonly token: string } | null;
  readonly fetch?: Fetcher;
}

/** The name in a lookup answer, or null. */
function nameOf(body: unknown): string | null {
  const name = typeof body === 'object' && body !== null ? (body as { name?: unknown }).name : undefined;
  if (typeof name !== 'string') return null;
  const clean = name.trim().slice(0, MAX_NAME);
  return clean.length > 0 ? clean : null;
}

/** Starts looking up names for nameless incoming calls; returns the stop. */
export function startContactNames({ dialer, server, fetch: fetcher = (url, init) => fetch(url, init) }: ContactNamesOptions): () => void {
  let stopped = false;
  const asked = new Set<string>();
  const controllers = new Set<AbortController>();

  const ask = async (callId: string, number: string) => {
    const target = server();
    if (!target) return;
    const controller = new AbortController();
    controllers.add(controller);
    const timer = setTimeout(() => controller.abort(), CONTACT_LOOKUP_TIMEOUT_MS);
    try {
      const response = await fetcher(`${target.url}${CONTACT_LOOKUP_PATH}?phone=${encodeURIComponent(number)}`, {
        headers: { authorization: `Bearer ${target.token}` },
        cache: 'no-store',
        credentials: 'omit',
        signal: controller.signal,
      });
      if (!response.ok || stopped) return;
      const name = nameOf(await response.json());
      if (name && !stopped) dialer.send({ type: 'FRONT.PARTY_NAME', callId, name });
    } catch {
      // No name: the number stays as it is.
    } finally {
      clearTimeout(timer);
      controllers.delete(controller);
    }
  };

  const check = () => {
    const { call } = dialer.getSnapshot().context;
    if (!call || call.direction !== 'inbound' || call.remote.name || asked.has(call.callId) || !isE164(call.remote.number)) return;
    asked.add(call.callId);
    if (asked.size > 100) asked.delete(asked.values().next().value!);
    void ask(call.callId, call.remote.number);
  };

  check();
  const subscription = dialer.subscribe(check);
  return () => {
    stopped = true;
    subscription.unsubscribe();
    for (const controller of controllers) controller.abort();
  };
}
