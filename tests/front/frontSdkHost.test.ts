/**
 * The Front host adapter with the real @frontapp/plugin-sdk, Front played by a fake parent window
 * that takes the SDK's handshake port and writes on it as Front does.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FrontHost, HostContext, HostProblem } from '../../src/front/host';

const HANDSHAKE = '@frontapp/ui-sdk#WebViewBridge.handshake';

/** Front's side of the SDK's port: sends messages, answers every function call with `value`. */
interface FakeFront {
  send(message: unknown): void;
  readonly calls: { name: string; contextId: string }[];
}

let restoreParent: () => void = () => {};

function fakeFront(): Promise<FakeFront> {
  const original = Object.getOwnPropertyDescriptor(window, 'parent');
  restoreParent = () => {
    if (original) Object.defineProperty(window, 'parent', original);
  };
  return new Promise((resolve) => {
    const parent = {
      postMessage(data: unknown, _origin: string, transfer: MessagePort[] = []) {
        const port = transfer[0];
        if (data !== HANDSHAKE || !port) return;
        const calls: FakeFront['calls'] = [];
        port.addEventListener('message', (event) => {
          const message = (event as MessageEvent).data as { type: string; id: string; name: string; contextId: string };
          if (message.type !== 'function_call') return;
          calls.push({ name: message.name, contextId: message.contextId });
          port.postMessage({ type: 'function_result', id: message.id, value: `ntf_${calls.length}` });
        });
        port.start();
        resolve({ send: (message) => port.postMessage(message), calls });
      },
    };
    Object.defineProperty(window, 'parent', { value: parent, configurable: true, writable: true });
  });
}

const context = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'noConversation',
  teammate: { id: 'tea_1', name: 'Ada', email: 'ada@example.com' },
  functionArities: { displayNotification: 2, dismissNotification: 2 },
  ...extra,
});
const callClick = (id: string, timestamp: number) =>
  context(id, { entryPoint: { type: 'CONTACT_HANDLE', data: { type: 'phone', handle: '(415) 555-0100', timestamp } } });

interface Started {
  front: FakeFront;
  host: FrontHost;
  contexts: HostContext[];
  problems: HostProblem[];
}

async function start(): Promise<Started> {
  const front = fakeFront();
  // The SDK's ES build, the one Vite gives the browser (Node would pick its CommonJS build, whose
  // interop namespace passes `then` through to the SDK's catch-all proxy). A fresh module per
  // test (vi.resetModules): it shakes hands once, when its module is evaluated.
  vi.doMock('@frontapp/plugin-sdk', async () => {
    const esBuild: string = '../../node_modules/@frontapp/plugin-sdk/dist/index.es.js';
    const sdk = (await import(/* @vite-ignore */ esBuild)) as typeof import('@frontapp/plugin-sdk');
    return { default: sdk.default };
  });
  const { createFrontSdkHost } = await import('../../src/front/sdk/frontSdkHost');
  const host = createFrontSdkHost({ embedded: true, timeoutMs: 60_000 });
  const contexts: HostContext[] = [];
  const problems: HostProblem[] = [];
  host.subscribe((c) => contexts.push(c));
  host.onProblem?.((p) => problems.push(p));
  return { front: await front, host, contexts, problems };
}

const ids = (contexts: HostContext[]) => contexts.flatMap((c) => (c.kind === 'context' ? [c.id] : []));

beforeEach(() => {
  vi.resetModules();
});

afterEach(() => {
  restoreParent();
});

describe('the Front host over the real Plugin SDK', () => {
  it('delivers Front’s contexts in order, and a Call-button click in one', async () => {
    const { front, contexts } = await start();
    front.send({ type: 'context_update', context: context('ctx_1') });
    front.send({ type: 'context_update', context: callClick('ctx_2', 1700000000000) });
    await vi.waitFor(() => expect(ids(contexts)).toEqual(['ctx_1', 'ctx_2']));
    expect(contexts.at(-1)).toMatchObject({ callRequest: { handle: '(415) 555-0100', clickId: 't:1700000000000' } });
  });

  // Checked by loading the SDK unguarded (contextGuard.ts): the first and third fail (the SDK's
  // Proxy over a non-object throws and ends the subscription; ctx_3 never arrives). The second
  // (every read of the context throws) fails only with the guard AND the try around mapContext
  // in frontSdkHost.ts removed: either one keeps the subscription alive.
  it.each([
    ['without a context object', { type: 'context_update' }],
    ['with a context without functionArities', { type: 'context_update', context: { id: 'ctx_bad', type: 'noConversation' } }],
    ['with a null context', { type: 'context_update', context: null }],
  ])('a context update %s is ignored and reported, and the next Call click still arrives', async (_name, bad) => {
    const { front, contexts, problems } = await start();
    front.send({ type: 'context_update', context: context('ctx_1') });
    front.send(bad);
    front.send({ type: 'context_update', context: callClick('ctx_3', 1700000000001) });
    await vi.waitFor(() => expect(ids(contexts)).toEqual(['ctx_1', 'ctx_3']));
    expect(contexts.at(-1)).toMatchObject({ callRequest: { clickId: 't:1700000000001' } });
    expect(problems).toEqual([{ code: 'malformed_context', message: expect.stringMatching(/ignored/) }]);
  });

  it('after a malformed update, functions still run on the latest good context', async () => {
    const { front, host, contexts, problems } = await start();
    front.send({ type: 'context_update', context: context('ctx_1') });
    await vi.waitFor(() => expect(ids(contexts)).toEqual(['ctx_1']));
    front.send({ type: 'context_update', context: { id: 'ctx_bad', type: 'noConversation' } });
    await vi.waitFor(() => expect(problems).toHaveLength(1));
    // Unguarded, the SDK runs this on the bad context: its proxy throws and the call never settles (checked).
    await expect(host.displayNotification({ type: 'INCOMING_CALL', contact: { name: 'Maria' } })).resolves.toBe('ntf_1');
    expect(front.calls).toEqual([{ name: 'displayNotification', contextId: 'ctx_1' }]);
  });

  // Fails without the try around each listener in frontSdkHost.ts's publish (checked).
  it('a listener that throws does not stop the contexts that follow', async () => {
    const { front, host, contexts } = await start();
    const thrown: unknown[] = [];
    const originalQueue = globalThis.queueMicrotask;
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) =>
      originalQueue(() => {
        try {
          task();
        } catch (error) {
          thrown.push(error);
        }
      }),
    );
    host.subscribe((c) => {
      if (c.kind === 'context' && c.id === 'ctx_1') throw new Error('listener bug');
    });
    front.send({ type: 'context_update', context: context('ctx_1') });
    front.send({ type: 'context_update', context: context('ctx_2') });
    await vi.waitFor(() => expect(ids(contexts)).toEqual(['ctx_1', 'ctx_2']));
    // Not swallowed: rethrown outside the SDK's subscription.
    expect(thrown).toEqual([new Error('listener bug')]);
  });
});
