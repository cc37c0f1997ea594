/**
 * The Front host over @frontapp/plugin-sdk: the only module that imports the SDK. The SDK (and
 * the rxjs it brings, ~10 KB gzip) is loaded with a dynamic import right after start-up, off the
 * initial bundle; loading it inside an iframe starts its handshake with Front at once. Outside an
 * iframe it is never loaded: no Front can answer there.
 */
import type { WebViewBridge } from '@frontapp/plugin-sdk/dist/webViewSdkTypes';
import { HostError, type FrontHost, type FrontTeammate, type HostContext, type HostNotification, type HostProblem } from '../host';
import { loadGuarded } from './contextGuard';

/** How long to wait for Front's first context before saying the plugin runs outside Front. */
export const HOST_TIMEOUT_MS = 3000;
/** listTags / listTeammates pages followed at most (Front pages are ~100 items; this is a runaway guard). */
const MAX_PAGES = 50;

type SdkFunction = (...args: unknown[]) => Promise<unknown>;

function toHostError(error: unknown): HostError {
  if (error instanceof HostError) return error;
  // The SDK rejects with ReferenceError when the latest context lacks the function.
  if (error instanceof ReferenceError) return new HostError('unavailable', error.message);
  return new HostError('rejected', error instanceof Error ? error.message : String(error));
}

/**
 * Calls every listener. A throw inside the SDK subscription would make rxjs end it (no more
 * contexts): a listener's bug surfaces as an uncaught error instead, and delivery goes on.
 */
function deliver<T>(listeners: ReadonlySet<(value: T) => void>, value: T): void {
  for (const listener of [...listeners]) {
    try {
      listener(value);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

/**
 * Every page of a paginated SDK list (`{ results, nextPageToken }`), each item read by `read`;
 * an item it cannot read is left out (Front's shapes are not ours to trust).
 */
async function listAll<T>(
  call: (name: string, ...args: unknown[]) => Promise<unknown>,
  name: string,
  read: (item: Record<string, unknown>) => T | null,
): Promise<T[]> {
  const items: T[] = [];
  let token: unknown = undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = (await call(name, token)) as { results?: unknown; nextPageToken?: unknown } | undefined;
    const results = Array.isArray(result?.results) ? (result.results as unknown[]) : [];
    for (const raw of results) {
      const item = raw && typeof raw === 'object' ? read(raw as Record<string, unknown>) : null;
      if (item !== null) items.push(item);
    }
    token = result?.nextPageToken;
    if (typeof token !== 'string' || token === '') return items;
  }
  return items;
}

export function createFrontSdkHost(options: { timeoutMs?: number; embedded?: boolean } = {}): FrontHost {
  const embedded = options.embedded ?? (typeof window !== 'undefined' && window.parent !== window);
  const listeners = new Set<(context: HostContext) => void>();
  const problemListeners = new Set<(problem: HostProblem) => void>();
  let latest: HostContext = embedded ? { kind: 'waiting' } : { kind: 'unavailable', reason: 'The plugin is not running inside Front.' };

  const publish = (context: HostContext) => {
    latest = context;
    deliver(listeners, context);
  };
  const report = (problem: HostProblem) => deliver(problemListeners, problem);

  // Wrapped in an object: the SDK's default export answers every property with a function,
  // `then` included, so a promise resolved with it would treat it as a thenable and never settle.
  let sdk: Promise<{ Front: WebViewBridge }> | null = null;
  if (embedded) {
    const timer = setTimeout(() => {
      if (latest.kind === 'waiting') publish({ kind: 'unavailable', reason: 'Front did not answer.' });
    }, options.timeoutMs ?? HOST_TIMEOUT_MS);
    // Malformed context updates are stopped at the SDK's port, before the SDK reads them
    // (contextGuard.ts says why the SDK cannot be left to see them).
    sdk = loadGuarded(
      () => Promise.all([import('@frontapp/plugin-sdk'), import('./mapContext')]),
      (message) => report({ code: 'malformed_context', message }),
    ).then(([{ default: Front }, { mapContext }]) => {
      Front.contextUpdates.subscribe({
        next: (raw: unknown) => {
          let context: HostContext | null = null;
          try {
            context = mapContext(raw);
          } catch {
            // Reading a context through the SDK's proxy can throw; a throw here would end the subscription.
          }
          if (!context) {
            report({ code: 'malformed_context', message: 'Front sent a context the plugin cannot read; it was ignored.' });
            return;
          }
          clearTimeout(timer);
          publish(context);
        },
        // Only reachable if a malformed message got past the guard: said, not swallowed.
        error: () => report({ code: 'context_subscription_lost', message: 'Front contexts no longer reach the plugin: reload it.' }),
      });
      return { Front };
    });
    sdk.catch(() => {
      clearTimeout(timer);
      publish({ kind: 'unavailable', reason: 'The Front SDK could not be loaded.' });
    });
  }

  const call = async (name: string, ...args: unknown[]): Promise<unknown> => {
    if (latest.kind === 'unavailable' || !sdk) throw new HostError('not_in_front', 'The plugin is not running inside Front.');
    const { Front } = await sdk;
    const fn = (Front as unknown as Record<string, SdkFunction | undefined>)[name];
    if (typeof fn !== 'function') throw new HostError('unavailable', `${name} is not available.`);
    try {
      return await fn(...args);
    } catch (error) {
      throw toHostError(error);
    }
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      listener(latest);
      return () => listeners.delete(listener);
    },
    onProblem(listener) {
      problemListeners.add(listener);
      return () => problemListeners.delete(listener);
    },
    async displayNotification(notification: HostNotification) {
      const id = await call('displayNotification', notification);
      if (typeof id !== 'string' || id === '') throw new HostError('rejected', 'Front returned no notification id.');
      return id;
    },
    async dismissNotification(id: string) {
      await call('dismissNotification', id);
    },
    listTags() {
      return listAll(call, 'listTags', (tag) =>
        (typeof tag.id === 'string' || typeof tag.id === 'number') && typeof tag.name === 'string' ? { id: String(tag.id), name: tag.name } : null,
      );
    },
    listTeammates(): Promise<FrontTeammate[]> {
      return listAll(call, 'listTeammates', (teammate) =>
        typeof teammate.id === 'string' && typeof teammate.name === 'string' && typeof teammate.email === 'string'
          ? { id: teammate.id, name: teammate.name, email: teammate.email }
          : null,
      );
    },
    async tagConversation(tagIds: readonly string[]) {
      await call('tag', tagIds);
    },
    async openUrl(url: string) {
      await call('openUrl', url);
    },
  };
}
