import type { LineEvent } from './protocol';

/**
 * How a line delivers its events, as the port requires: asynchronously (never from inside a
 * command), in order, to every listener subscribed at delivery time; a listener that throws does
 * not stop the others; after `close()` nothing more is delivered.
 */
export interface EventDelivery {
  subscribe(listener: (event: LineEvent) => void): () => void;
  enqueue(event: LineEvent): void;
  close(): void;
}

export function createEventDelivery(onListenerError: (error: unknown, event: LineEvent) => void): EventDelivery {
  const listeners = new Set<(event: LineEvent) => void>();
  const queue: LineEvent[] = [];
  let scheduled = false;
  let closed = false;

  const flush = () => {
    scheduled = false;
    while (queue.length > 0 && !closed) {
      const event = queue.shift() as LineEvent;
      for (const listener of [...listeners]) {
        // A listener unsubscribed by an earlier listener of the same event must not get it.
        if (!listeners.has(listener)) continue;
        try {
          listener(event);
        } catch (error) {
          onListenerError(error, event);
        }
      }
    }
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    enqueue(event) {
      if (closed) return;
      queue.push(event);
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(flush);
      }
    },
    close() {
      closed = true;
      queue.length = 0;
      listeners.clear();
    },
  };
}
