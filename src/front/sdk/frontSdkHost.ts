/**
 * The Front host over @frontapp/plugin-sdk: the only module that imports the SDK. The SDK (and
 * the rxjs it brings, ~10 KB gzip) is loaded with a dynamic import right after start-up, off the
 * initial bundle; loading it inside an iframe starts its handshake with Front at once. Outside an
 * iframe it is never loaded: no Front can answer there.
 */
import type { WebViewBridge } from '@frontapp/plugin-sdk/dist/webViewSdkTypes';
import { createStore } from '../../store';
import { HostError, type FrontHost, type FrontTag, type HostContext, type HostNotification } from '../host';

/** How long to wait for Front's first context before saying the plugin runs outside Front. */
export const HOST_TIMEOUT_MS = 3000;
/** listTags pages followed at most (Front pages are ~100 tags; this is a runaway guard). */
const MAX_TAG_PAGES = 50;

type SdkFunction = (...args: unknown[]) => Promise<unknown>;

function toHostError(error: unknown): HostError {
  if (error instanceof HostError) return error;
  // The SDK rejects with ReferenceError when the latest context lacks the function.
  if (error instanceof ReferenceError) return new HostError('unavailable', error.message);
  return new HostError('rejected', error instanceof Error ? error.message : String(error));
}

export function createFrontSdkHost(options: { timeoutMs?: number; embedded?: boolean } = {}): FrontHost {
  const embedded = options.embedded ?? (typeof window !== 'undefined' && window.parent !== window);
  // The latest context: each one Front sends is a new object, so every one is told, in order.
  const latest = createStore<HostContext>(
    embedded ? { kind: 'waiting' } : { kind: 'unavailable', reason: 'The plugin is not running inside Front.' },
  );
  const publish = latest.setState;

  // Wrapped in an object: the SDK's default export answers every property with a function,
  // `then` included, so a promise resolved with it would treat it as a thenable and never settle.
  let sdk: Promise<{ Front: WebViewBridge }> | null = null;
  if (embedded) {
    const timer = setTimeout(() => {
      if (latest.getState().kind === 'waiting') publish({ kind: 'unavailable', reason: 'Front did not answer.' });
    }, options.timeoutMs ?? HOST_TIMEOUT_MS);
    sdk = Promise.all([import('@frontapp/plugin-sdk'), import('./mapContext')]).then(([{ default: Front }, { mapContext }]) => {
      Front.contextUpdates.subscribe((raw: unknown) => {
        const context = mapContext(raw);
        if (!context) return;
        clearTimeout(timer);
        publish(context);
      });
      return { Front };
    });
    sdk.catch(() => {
      clearTimeout(timer);
      publish({ kind: 'unavailable', reason: 'The Front SDK could not be loaded.' });
    });
  }

  const call = async (name: string, ...args: unknown[]): Promise<unknown> => {
    if (latest.getState().kind === 'unavailable' || !sdk) throw new HostError('not_in_front', 'The plugin is not running inside Front.');
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
      const stop = latest.subscribe((context) => listener(context));
      listener(latest.getState());
      return stop;
    },
    async displayNotification(notification: HostNotification) {
      const id = await call('displayNotification', notification);
      if (typeof id !== 'string' || id === '') throw new HostError('rejected', 'Front returned no notification id.');
      return id;
    },
    async dismissNotification(id: string) {
      await call('dismissNotification', id);
    },
    async listTags() {
      const tags: FrontTag[] = [];
      let token: unknown = undefined;
      for (let page = 0; page < MAX_TAG_PAGES; page += 1) {
        const result = (await call('listTags', token)) as { results?: unknown; nextPageToken?: unknown } | undefined;
        const results = Array.isArray(result?.results) ? result.results : [];
        for (const tag of results as { id?: unknown; name?: unknown }[]) {
          if ((typeof tag.id === 'string' || typeof tag.id === 'number') && typeof tag.name === 'string') {
            tags.push({ id: String(tag.id), name: tag.name });
          }
        }
        token = result?.nextPageToken;
        if (typeof token !== 'string' || token === '') return tags;
      }
      return tags;
    },
    async tagConversation(tagIds: readonly string[]) {
      await call('tag', tagIds);
    },
    async openUrl(url: string) {
      await call('openUrl', url);
    },
  };
}
