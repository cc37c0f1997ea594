import type { BroadcastEndpoint, ChannelFactory } from '../../src/tabs/channel';
import type { LockPort } from '../../src/tabs/election';

interface LockRequest {
  readonly client: string;
  readonly callback: (lock: Lock | null) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * An exclusive Web Locks manager for one lock name at a time, shared by fake "tabs" (clients).
 * Grants asynchronously, in request order, like the platform; a request's AbortSignal drops it
 * while it waits; `kill(client)` is a tab that dies: what it holds is released without its
 * callback ever settling, and what it waits for is dropped.
 */
export class FakeLocks {
  private readonly held = new Map<string, LockRequest>();
  private readonly queues = new Map<string, LockRequest[]>();
  private readonly dead = new Set<string>();
  /** Every grant, in order, as `client`: proves exactly one holder at a time. */
  readonly grants: string[] = [];

  client(client: string): LockPort {
    return {
      request: ((name: string, options: LockOptions, callback: (lock: Lock | null) => unknown) =>
        this.request(client, name, options, callback)) as LockPort['request'],
    };
  }

  holder(name: string): string | undefined {
    return this.held.get(name)?.client;
  }

  waiting(name: string): string[] {
    return (this.queues.get(name) ?? []).map((r) => r.client);
  }

  kill(client: string) {
    this.dead.add(client);
    for (const [name, queue] of this.queues) this.queues.set(name, queue.filter((r) => r.client !== client));
    for (const [name, request] of [...this.held]) {
      if (request.client !== client) continue;
      this.held.delete(name);
      this.grantNext(name);
    }
  }

  private request(client: string, name: string, options: LockOptions, callback: (lock: Lock | null) => unknown): Promise<unknown> {
    if (options.mode !== 'exclusive' || options.ifAvailable || options.steal) throw new Error('FakeLocks only knows plain exclusive requests');
    const signal = options.signal;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const request: LockRequest = { client, callback, resolve, reject };
      const queue = this.queues.get(name) ?? [];
      queue.push(request);
      this.queues.set(name, queue);
      signal?.addEventListener('abort', () => {
        const current = this.queues.get(name) ?? [];
        if (!current.includes(request)) return; // granted already: an abort changes nothing
        this.queues.set(name, current.filter((r) => r !== request));
        reject(signal.reason);
      });
      if (!this.held.has(name)) this.grantNext(name);
    });
  }

  private grantNext(name: string) {
    queueMicrotask(() => {
      if (this.held.has(name)) return;
      const queue = this.queues.get(name) ?? [];
      const next = queue.shift();
      if (!next) return;
      this.held.set(name, next);
      this.grants.push(next.client);
      Promise.resolve()
        .then(() => next.callback({ name, mode: 'exclusive' } as Lock))
        .then(
          (value) => this.release(name, next, () => next.resolve(value)),
          (error) => this.release(name, next, () => next.reject(error)),
        );
    });
  }

  private release(name: string, request: LockRequest, settle: () => void) {
    if (this.dead.has(request.client)) return; // a dead tab's promise never settles
    if (this.held.get(name) === request) {
      this.held.delete(name);
      this.grantNext(name);
    }
    settle();
  }
}

interface Delivery {
  readonly from: FakeEndpoint;
  readonly to: FakeEndpoint;
  readonly data: unknown;
}

class FakeEndpoint implements BroadcastEndpoint {
  closed = false;
  readonly listeners = { message: [] as ((event: { data: unknown }) => void)[], messageerror: [] as ((event: { data: unknown }) => void)[] };
  constructor(
    readonly bus: FakeBus,
    readonly name: string,
    readonly tab: string,
  ) {}
  postMessage(message: unknown) {
    if (this.closed) throw new DOMException('closed', 'InvalidStateError');
    this.bus.post(this, structuredClone(message));
  }
  close() {
    this.closed = true;
  }
  addEventListener(type: 'message' | 'messageerror', listener: (event: { data: unknown }) => void) {
    this.listeners[type].push(listener);
  }
}

/**
 * A BroadcastChannel bus. By default it delivers each message to every other open endpoint of the
 * same name, asynchronously (a microtask: fake timers leave it alone), cloned. `hold()` keeps messages
 * for the test to deliver, drop or reorder; `lose` drops the matching ones for good.
 */
export class FakeBus {
  private readonly endpoints: FakeEndpoint[] = [];
  held: Delivery[] | null = null;
  /** Drops matching messages before delivery: `(data, toTab, fromTab) => boolean`. */
  lose: ((data: any, to: string, from: string) => boolean) | null = null;
  /** Every message posted, in order, with who posted it. */
  readonly log: { tab: string; data: any }[] = [];

  factory(tab: string): ChannelFactory {
    return (name) => {
      const endpoint = new FakeEndpoint(this, name, tab);
      this.endpoints.push(endpoint);
      return endpoint;
    };
  }

  /** Everything the given tab posted, as protocol bodies. */
  bodiesFrom(tab: string): any[] {
    return this.log.filter((e) => e.tab === tab).map((e) => e.data.body);
  }

  /** A dead tab: its endpoints go silent (no goodbye, nothing more in or out). */
  disconnect(tab: string) {
    for (const endpoint of this.endpoints) if (endpoint.tab === tab) endpoint.closed = true;
  }

  /** Sends raw data to every endpoint of `tab`, as if another page had posted it. */
  inject(tab: string, data: unknown, type: 'message' | 'messageerror' = 'message') {
    for (const endpoint of this.endpoints) {
      if (endpoint.tab !== tab || endpoint.closed) continue;
      for (const listener of endpoint.listeners[type]) listener({ data: structuredClone(data) });
    }
  }

  hold() {
    this.held = [];
  }

  /** Delivers the held messages (in the order given) and goes back to automatic delivery. */
  release(order: (held: Delivery[]) => Delivery[] = (held) => held) {
    const held = this.held ?? [];
    this.held = null;
    for (const delivery of order(held)) this.deliver(delivery);
  }

  post(from: FakeEndpoint, data: unknown) {
    this.log.push({ tab: from.tab, data });
    for (const to of this.endpoints) {
      if (to === from || to.closed || to.name !== from.name) continue;
      if (this.lose?.(data, to.tab, from.tab)) continue;
      const delivery = { from, to, data: structuredClone(data) };
      if (this.held) this.held.push(delivery);
      else queueMicrotask(() => this.deliver(delivery));
    }
  }

  private deliver({ to, data }: Delivery) {
    if (to.closed) return;
    for (const listener of to.listeners.message) listener({ data });
  }
}
