import { MessageChannel, type MessagePort as NodeMessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backgroundContext, noConversationContext, singleConversationContext } from '../../workspace/contexts';
import { CONVERSATIONS } from '../../workspace/fixtures';
import type { FrontContext, FrontSingleConversation } from '../../workspace/frontTypes';
import { FrontHost, HostFunctionError, type HostCall, type HostCallRecord } from '../../workspace/host';
import { HANDSHAKE } from '../../workspace/protocol';

/**
 * The host side of the SDK protocol without a browser: a fake workspace window that hands the
 * host "message" events, and Node's MessageChannel for the port the SDK would transfer.
 */
class FakeWindow {
  private listener: ((event: MessageEvent) => void) | null = null;
  addEventListener(_type: string, listener: (event: MessageEvent) => void) {
    this.listener = listener;
  }
  removeEventListener() {
    this.listener = null;
  }
  post(data: unknown, source: unknown, ports: unknown[] = []) {
    this.listener?.({ data, source, ports } as unknown as MessageEvent);
  }
}

const pluginWindow = { name: 'plugin iframe window' };
const opened: NodeMessagePort[] = [];

afterEach(() => {
  for (const port of opened) port.close();
  opened.length = 0;
});

/** A plugin's end of a fresh channel: what it received, and how to send. */
function pluginEnd() {
  const channel = new MessageChannel();
  opened.push(channel.port1, channel.port2);
  const received: Record<string, unknown>[] = [];
  channel.port1.on('message', (message: Record<string, unknown>) => received.push(message));
  return {
    hostPort: channel.port2,
    received,
    send: (message: unknown) => channel.port1.postMessage(message),
    waitFor: (count: number) => vi.waitFor(() => expect(received.length).toBeGreaterThanOrEqual(count)),
  };
}

function setUp(run: (call: HostCall) => unknown = () => 'ok', latencyMs = 0) {
  const window = new FakeWindow();
  const records = new Map<number, HostCallRecord>();
  const problems: string[] = [];
  const delivered: { id: string; resent: boolean }[] = [];
  const runs: HostCall[] = [];
  const host = new FrontHost({
    window: window as unknown as Pick<Window, 'addEventListener' | 'removeEventListener'>,
    pluginWindow: () => pluginWindow,
    run: (call) => {
      runs.push(call);
      return run(call);
    },
    latencyMs: () => latencyMs,
    events: {
      callChanged: (record) => records.set(record.seq, record),
      protocolError: (reason) => problems.push(reason),
      contextDelivered: (context, resent) => delivered.push({ id: context.id, resent }),
    },
  });
  const connect = () => {
    const plugin = pluginEnd();
    window.post(HANDSHAKE, pluginWindow, [plugin.hostPort]);
    return plugin;
  };
  return { host, window, connect, records, problems, delivered, runs };
}

const conversation = (): FrontSingleConversation => {
  const { initialTagIds: _ignored, ...rest } = CONVERSATIONS[1]!;
  return { ...rest, tags: [] };
};

describe('the workspace host', () => {
  // Proved: removing the handshake's source check, or its port check, in workspace/host.ts makes this fail
  // (2026-12-02).
  it('ignores a handshake from another window or without a port', async () => {
    const { host, window, problems } = setUp();
    const plugin = pluginEnd();
    window.post(HANDSHAKE, { name: 'some other window' }, [plugin.hostPort]);
    window.post(HANDSHAKE, pluginWindow, []);
    window.post('not a handshake', pluginWindow, [plugin.hostPort]);
    expect(host.connected).toBe(false);
    expect(problems).toEqual([expect.stringContaining('not the plugin iframe'), expect.stringContaining('without a port')]);
  });

  it('keeps a context sent before the handshake and delivers it once the plugin connects', async () => {
    const { host, connect, delivered } = setUp();
    const context = noConversationContext({ type: 'SIDE_PANEL' });
    host.send(context);
    const plugin = connect();
    await plugin.waitFor(1);
    expect(plugin.received[0]).toEqual({ type: 'context_update', context });
    expect(delivered).toEqual([{ id: context.id, resent: false }]);
  });

  it('resend delivers the very same context again and says so', async () => {
    const { host, connect, delivered } = setUp();
    const plugin = connect();
    const context = backgroundContext();
    host.send(context);
    expect(host.resend()).toBe(true);
    await plugin.waitFor(2);
    expect(plugin.received[1]).toEqual(plugin.received[0]);
    expect(delivered.map((d) => d.resent)).toEqual([false, true]);
  });

  it('answers a call with its value, a HostFunctionError with its message', async () => {
    const { host, connect, records } = setUp((call) => {
      if (call.name === 'dismissNotification') throw new HostFunctionError('Unknown notification id ntf_9.');
      return { results: [], nextPageToken: undefined };
    });
    const plugin = connect();
    const context = noConversationContext({ type: 'SIDE_PANEL' });
    host.send(context);
    plugin.send({ type: 'function_call', id: 'c1', contextId: context.id, name: 'listTags', args: [] });
    plugin.send({ type: 'function_call', id: 'c2', contextId: context.id, name: 'dismissNotification', args: ['ntf_9'] });
    await plugin.waitFor(3);
    expect(plugin.received.slice(1)).toEqual([
      { type: 'function_result', id: 'c1', value: { results: [], nextPageToken: undefined } },
      { type: 'function_error', id: 'c2', error: 'Unknown notification id ntf_9.' },
    ]);
    expect([...records.values()].map((r) => [r.name, r.status, r.contextType])).toEqual([
      ['listTags', 'result', 'noConversation'],
      ['dismissNotification', 'error', 'noConversation'],
    ]);
  });

  // Proved: removing the unknown-context check, or the functionArities check, in workspace/host.ts makes this fail
  // (2026-12-02).
  it('refuses a call on an unknown context or a function its context does not offer, without running it', async () => {
    const { host, connect, runs } = setUp();
    const plugin = connect();
    const context = noConversationContext({ type: 'SIDE_PANEL' });
    host.send(context);
    plugin.send({ type: 'function_call', id: 'c1', contextId: 'ctx_never_sent', name: 'listTags', args: [] });
    plugin.send({ type: 'function_call', id: 'c2', contextId: context.id, name: 'tag', args: [['tag_vip']] });
    await plugin.waitFor(3);
    expect(plugin.received.slice(1)).toEqual([
      { type: 'function_error', id: 'c1', error: 'Unknown context ctx_never_sent.' },
      { type: 'function_error', id: 'c2', error: 'tag is not a valid function for context noConversation.' },
    ]);
    expect(runs).toEqual([]);
  });

  it('runs a call against the context it names, even when a newer one was sent since', async () => {
    const { host, connect, runs } = setUp();
    const plugin = connect();
    const older = singleConversationContext(conversation(), { type: 'SIDE_PANEL' });
    host.send(older);
    host.send(backgroundContext());
    plugin.send({ type: 'function_call', id: 'c1', contextId: older.id, name: 'tag', args: [['tag_vip']] });
    await plugin.waitFor(3);
    expect(runs[0]?.context).toEqual(older);
  });

  it('gives a cancelled call no answer and does not run it', async () => {
    const { host, connect, records, runs } = setUp(() => 'ntf_1', 200);
    const plugin = connect();
    const context = backgroundContext();
    host.send(context);
    plugin.send({ type: 'function_call', id: 'c1', contextId: context.id, name: 'displayNotification', args: [{ type: 'INCOMING_CALL' }] });
    plugin.send({ type: 'function_cancel', id: 'c1' });
    await vi.waitFor(() => expect(records.get(1)?.status).toBe('cancelled'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(plugin.received.map((m) => m.type)).toEqual(['context_update']);
    expect(runs).toEqual([]);
  });

  it('answers a value it cannot send with an error instead of leaving the plugin waiting', async () => {
    const { host, connect, problems } = setUp(() => () => 'a function cannot be cloned');
    const plugin = connect();
    const context = backgroundContext();
    host.send(context);
    plugin.send({ type: 'function_call', id: 'c1', contextId: context.id, name: 'listTags', args: [] });
    await plugin.waitFor(2);
    expect(plugin.received[1]).toEqual({ type: 'function_error', id: 'c1', error: 'listTags returned a value that cannot be sent to the plugin.' });
    expect(problems).toEqual([expect.stringContaining('Could not post function_result')]);
  });

  // Proved: removing the contextId/name/args checks of parsePluginMessage (workspace/protocol.ts), or the
  // duplicate-id check in workspace/host.ts, makes this fail (2026-12-02).
  it('reports malformed messages and a duplicate pending call id, and answers neither', async () => {
    const { host, connect, problems } = setUp(() => 'late', 100);
    const plugin = connect();
    const context = backgroundContext();
    host.send(context);
    plugin.send({ type: 'function_call', id: 'c1', name: 'listTags' });
    plugin.send('hello');
    plugin.send({ type: 'function_call', id: 'c2', contextId: context.id, name: 'listTags', args: [] });
    plugin.send({ type: 'function_call', id: 'c2', contextId: context.id, name: 'listTags', args: [] });
    await plugin.waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(plugin.received.slice(1)).toEqual([{ type: 'function_result', id: 'c2', value: 'late' }]);
    expect(problems).toEqual([
      expect.stringContaining('Unexpected message'),
      expect.stringContaining('Unexpected message'),
      expect.stringContaining('second function_call with id c2'),
    ]);
  });

  it('adopts the port of a new handshake (the iframe reloaded) and sends it the current context again', async () => {
    const { host, connect } = setUp();
    const first = connect();
    const context: FrontContext = singleConversationContext(conversation(), { type: 'SIDE_PANEL' });
    host.send(context);
    await first.waitFor(1);
    const second = connect();
    await second.waitFor(1);
    expect(second.received[0]).toEqual({ type: 'context_update', context });
    // The old document is gone: nothing it sends is answered, nothing new reaches it.
    first.send({ type: 'function_call', id: 'old', contextId: context.id, name: 'listTags', args: [] });
    second.send({ type: 'function_call', id: 'new', contextId: context.id, name: 'listTags', args: [] });
    await second.waitFor(2);
    host.send(backgroundContext());
    await second.waitFor(3);
    expect(first.received).toHaveLength(1);
    expect(second.received.map((m) => m.id ?? m.type)).toEqual(['context_update', 'new', 'context_update']);
  });

  it('sendRaw posts a malformed message as is, only to a connected plugin, and leaves the current context alone', async () => {
    const { host, connect, delivered } = setUp();
    expect(host.sendRaw({ type: 'context_update' })).toBe(false);
    const plugin = connect();
    const context = noConversationContext({ type: 'SIDE_PANEL' });
    host.send(context);
    await plugin.waitFor(1);
    expect(host.sendRaw({ type: 'context_update' })).toBe(true);
    await plugin.waitFor(2);
    expect(plugin.received[1]).toEqual({ type: 'context_update' });
    expect(host.currentContext).toBe(context);
    expect(delivered).toEqual([{ id: context.id, resent: false }]);
  });
});
