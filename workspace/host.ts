/**
 * The host side of the Plugin SDK protocol (see ./protocol.ts): what Front's window does for a
 * plugin iframe. No UI and no workspace state here; the workspace gives it the functions to run.
 *
 * Contract:
 * - A handshake counts only when its source is the plugin iframe's window now and it transfers a
 *   port. The host MUST adopt that port (closing the previous one: the document that owned it is
 *   gone, e.g. the iframe reloaded) and MUST re-send the current context over it.
 * - `send(context)` makes `context` the current one and delivers it when a port is there; before
 *   the first handshake it is only kept, and delivered at the handshake.
 * - A function call MUST get exactly one answer on the port it came from, unless the plugin
 *   cancels it first: a cancelled call MUST get no answer (and does not run if it had not started).
 * - A call is run against the context it names (`contextId`): an unknown context, or a function
 *   that context does not list in `functionArities`, is answered with a `function_error`.
 */
import type { FrontContext } from './frontTypes';
import { HANDSHAKE, parsePluginMessage, type FunctionCallMessage, type HostToPluginMessage } from './protocol';

/** A function call as the workspace's functions see it. */
export interface HostCall {
  readonly id: string;
  readonly name: string;
  readonly args: readonly unknown[];
  /** The context the plugin called the function on. */
  readonly context: FrontContext;
}

export type HostCallStatus = 'pending' | 'result' | 'error' | 'cancelled';

/** One function call, as logged: plain data, safe to hand to a test through `page.evaluate`. */
export interface HostCallRecord {
  /** 1, 2, 3 ... in the order the calls arrived. */
  readonly seq: number;
  readonly id: string;
  readonly contextId: string;
  /** The type of the context the call named, or null when the host does not know that context. */
  readonly contextType: FrontContext['type'] | null;
  readonly name: string;
  readonly args: readonly unknown[];
  /** `performance.now()` when the call arrived. */
  readonly at: number;
  readonly status: HostCallStatus;
  readonly value?: unknown;
  readonly error?: string;
  /** `performance.now()` when it was answered or cancelled. */
  readonly settledAt?: number;
}

/** What the host tells the workspace; every member is optional. */
export interface FrontHostEvents {
  /** A handshake was accepted; `handshakes` counts them since the host started. */
  connected?(handshakes: number): void;
  /** A context went over the port; `resent` when that very object had been delivered before. */
  contextDelivered?(context: FrontContext, resent: boolean): void;
  callChanged?(record: HostCallRecord): void;
  /** Something on the wire that the protocol does not allow; the host ignores it. */
  protocolError?(reason: string): void;
}

/** Thrown by a workspace function to answer with `function_error` and this message. */
export class HostFunctionError extends Error {
  override readonly name = 'HostFunctionError';
}

export interface FrontHostOptions {
  /** The window the handshake arrives on: the workspace's own. */
  readonly window: Pick<Window, 'addEventListener' | 'removeEventListener'>;
  /** The plugin iframe's window now (`iframe.contentWindow`); handshakes from anything else are ignored. */
  readonly pluginWindow: () => unknown;
  /** Runs a call; its value is the result, a throw is the error. */
  readonly run: (call: HostCall) => unknown;
  /** How long Front takes to answer, in ms, read at each call. Default 0. */
  readonly latencyMs?: () => number;
  readonly events?: FrontHostEvents;
  readonly now?: () => number;
  /** How many past contexts calls may still name. Default 100. */
  readonly contextMemory?: number;
}

interface Pending {
  record: HostCallRecord;
  cancelled: boolean;
}

export class FrontHost {
  private port: MessagePort | null = null;
  private current: FrontContext | null = null;
  private readonly contexts = new Map<string, FrontContext>();
  private readonly pending = new Map<string, Pending>();
  private readonly delivered = new WeakSet<FrontContext>();
  private handshakes = 0;
  private seq = 0;
  private readonly now: () => number;
  private readonly onWindowMessage = (event: MessageEvent) => this.handshake(event);

  constructor(private readonly options: FrontHostOptions) {
    this.now = options.now ?? (() => performance.now());
    options.window.addEventListener('message', this.onWindowMessage as EventListener);
  }

  /** Whether a plugin has completed the handshake. */
  get connected(): boolean {
    return this.port !== null;
  }

  get currentContext(): FrontContext | null {
    return this.current;
  }

  /** Makes `context` the current one and delivers it to the plugin (if one is connected). */
  send(context: FrontContext): void {
    this.remember(context);
    this.current = context;
    this.deliver(context);
  }

  /** Delivers the current context again, the very same object. Returns false when there is none. */
  resend(): boolean {
    if (!this.current) return false;
    this.deliver(this.current);
    return true;
  }

  /**
   * Posts a message the protocol does not allow (a broken or hostile Front, for fault tests),
   * as is. It changes no state here: the current context stays the current one. Returns false
   * when no plugin is connected or the message cannot be cloned.
   */
  sendRaw(message: unknown): boolean {
    return this.port !== null && this.post(this.port, message as HostToPluginMessage);
  }

  /** Stops listening for handshakes and closes the port; pending calls get no answer. */
  dispose(): void {
    this.options.window.removeEventListener('message', this.onWindowMessage as EventListener);
    this.closePort();
    this.pending.clear();
  }

  private handshake(event: MessageEvent): void {
    if (event.data !== HANDSHAKE) return;
    const source = this.options.pluginWindow();
    if (!source || event.source !== source) {
      this.options.events?.protocolError?.('A handshake came from a window that is not the plugin iframe; ignored.');
      return;
    }
    const port = event.ports[0];
    if (!port) {
      this.options.events?.protocolError?.('A handshake came without a port; ignored.');
      return;
    }
    this.closePort();
    this.port = port;
    port.addEventListener('message', (message: MessageEvent) => this.receive(port, message.data));
    port.start();
    this.handshakes += 1;
    this.options.events?.connected?.(this.handshakes);
    if (this.current) this.deliver(this.current);
  }

  private closePort(): void {
    // Listeners of a closed port never fire again, so the old document's messages are dropped.
    this.port?.close();
    this.port = null;
  }

  private deliver(context: FrontContext): void {
    if (!this.port || !this.post(this.port, { type: 'context_update', context })) return;
    const resent = this.delivered.has(context);
    this.delivered.add(context);
    this.options.events?.contextDelivered?.(context, resent);
  }

  private remember(context: FrontContext): void {
    this.contexts.delete(context.id);
    this.contexts.set(context.id, context);
    const limit = this.options.contextMemory ?? 100;
    while (this.contexts.size > limit) {
      const oldest = this.contexts.keys().next().value;
      if (oldest === undefined) break;
      this.contexts.delete(oldest);
    }
  }

  private receive(port: MessagePort, data: unknown): void {
    const message = parsePluginMessage(data);
    if (!message) {
      this.options.events?.protocolError?.(`Unexpected message from the plugin: ${safeJson(data)}`);
      return;
    }
    if (message.type === 'function_cancel') {
      this.cancel(message.id);
      return;
    }
    if (this.pending.has(message.id)) {
      this.options.events?.protocolError?.(`A second function_call with id ${message.id} while the first is pending; ignored.`);
      return;
    }
    void this.call(port, message);
  }

  private cancel(id: string): void {
    const pending = this.pending.get(id);
    // Cancelling a call that was already answered is normal (the SDK races the answer): nothing to do.
    if (!pending) return;
    pending.cancelled = true;
    this.pending.delete(id);
    this.update(pending, { status: 'cancelled', settledAt: this.now() });
  }

  private async call(port: MessagePort, message: FunctionCallMessage): Promise<void> {
    const context = this.contexts.get(message.contextId);
    const pending: Pending = {
      record: {
        seq: ++this.seq,
        id: message.id,
        contextId: message.contextId,
        contextType: context?.type ?? null,
        name: message.name,
        args: message.args,
        at: this.now(),
        status: 'pending',
      },
      cancelled: false,
    };
    this.pending.set(message.id, pending);
    this.options.events?.callChanged?.(pending.record);

    let outcome: { ok: true; value: unknown } | { ok: false; error: string };
    try {
      const latency = this.options.latencyMs?.() ?? 0;
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
      if (pending.cancelled) return;
      if (!context) throw new HostFunctionError(`Unknown context ${message.contextId}.`);
      if (!Number.isInteger(context.functionArities[message.name])) {
        throw new HostFunctionError(`${message.name} is not a valid function for context ${context.type}.`);
      }
      outcome = { ok: true, value: await this.options.run({ id: message.id, name: message.name, args: message.args, context }) };
    } catch (error) {
      outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    if (pending.cancelled) return;
    this.pending.delete(message.id);
    if (outcome.ok && this.post(port, { type: 'function_result', id: message.id, value: outcome.value })) {
      this.update(pending, { status: 'result', value: outcome.value, settledAt: this.now() });
      return;
    }
    const error = outcome.ok ? `${message.name} returned a value that cannot be sent to the plugin.` : outcome.error;
    this.post(port, { type: 'function_error', id: message.id, error });
    this.update(pending, { status: 'error', error, settledAt: this.now() });
  }

  private update(pending: Pending, change: Partial<HostCallRecord>): void {
    pending.record = { ...pending.record, ...change };
    this.options.events?.callChanged?.(pending.record);
  }

  /** False when the message cannot be cloned: the workspace's bug, reported rather than left silent. */
  private post(port: MessagePort, message: HostToPluginMessage): boolean {
    try {
      port.postMessage(message);
      return true;
    } catch (error) {
      this.options.events?.protocolError?.(`Could not post ${message.type}: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
