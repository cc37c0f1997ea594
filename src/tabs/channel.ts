import * as v from 'valibot';
import { randomId, type ProblemReporter } from './types';

/**
 * The part of `BroadcastChannel` the transport uses; the platform object fits, tests pass a fake
 * bus. MUST deliver each posted message (a structured clone) to every other endpoint of the same
 * name in the profile, asynchronously; MAY lose nothing (the platform does not) but the protocol
 * above does not rely on it.
 */
export interface BroadcastEndpoint {
  postMessage(message: unknown): void;
  close(): void;
  addEventListener(type: 'message' | 'messageerror', listener: (event: { readonly data: unknown }) => void): void;
}

export type ChannelFactory = (name: string) => BroadcastEndpoint;

/** `new BroadcastChannel(name)`, or undefined where the platform has none. */
export function platformChannel(): ChannelFactory | undefined {
  return typeof BroadcastChannel === 'function' ? (name) => new BroadcastChannel(name) : undefined;
}

/** Changes whenever a message's shape changes: instances of two plugin versions never mix messages. */
export const PROTOCOL = 'softphone-tabs/1';

const MAX_ID = 64;
/** An instance id as {@link randomId} makes it (a UUID, or 32 hex digits). */
export const InstanceIdSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ID));

/**
 * A typed channel: everything posted is wrapped as `{ protocol, from, body }`; everything received
 * is validated (envelope and body) before a listener sees it. Malformed messages are ignored and
 * reported; the instance's own messages (another endpoint of the same page may echo them) are
 * ignored silently.
 */
export interface TypedChannel<M> {
  /** This instance's random id, the `from` of every message it posts. */
  readonly id: string;
  /** Posts to every other instance. A message that cannot be cloned is reported, not thrown. */
  post(body: M): void;
  /** Listens to the other instances' valid messages; returns the unsubscribe. */
  listen(listener: (body: M, from: string) => void): () => void;
  close(): void;
}

export interface TypedChannelOptions<M> {
  readonly name: string;
  readonly factory: ChannelFactory;
  /** The schema of a message body. */
  readonly schema: v.GenericSchema<unknown, M>;
  readonly onProblem?: ProblemReporter;
  /** Defaults to a random id. */
  readonly id?: string;
}

export function createTypedChannel<M>({ name, factory, schema, onProblem, id = randomId() }: TypedChannelOptions<M>): TypedChannel<M> {
  const envelope = v.strictObject({ protocol: v.literal(PROTOCOL), from: InstanceIdSchema, body: schema });
  const listeners = new Set<(body: M, from: string) => void>();
  const endpoint = factory(name);
  let closed = false;

  endpoint.addEventListener('message', (event) => {
    if (closed) return;
    const parsed = v.safeParse(envelope, event.data);
    if (!parsed.success) {
      onProblem?.({ code: 'malformed_message', message: `Ignored a message on the tab channel: ${summarize(parsed.issues)}` });
      return;
    }
    const { from, body } = parsed.output;
    if (from === id) return;
    for (const listener of [...listeners]) listener(body, from);
  });
  endpoint.addEventListener('messageerror', () => {
    if (!closed) onProblem?.({ code: 'malformed_message', message: 'Ignored a message on the tab channel that could not be deserialized.' });
  });

  return {
    id,
    post(body) {
      if (closed) return;
      try {
        endpoint.postMessage({ protocol: PROTOCOL, from: id, body });
      } catch (error) {
        onProblem?.({ code: 'channel_failed', message: `Could not post on the tab channel: ${error instanceof Error ? error.message : String(error)}` });
      }
    },
    listen(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      endpoint.close();
    },
  };
}

/**
 * The first issues, by path and what was expected: enough to find the sender's bug, never the
 * message's content (valibot's own messages quote the received value, which may be a phone number).
 */
function summarize(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${v.getDotPath(issue) ?? '(message)'}: expected ${issue.expected ?? issue.kind}`)
    .join('; ');
}
