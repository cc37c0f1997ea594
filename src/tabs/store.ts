/**
 * A value that changes over time: read it, and be told when it changes. The shape is zustand's
 * vanilla `StoreApi` (getState / subscribe with the previous value), so this stand-in can be swapped
 * for the shared store primitive without touching its readers.
 */
export interface ReadableStore<T> {
  getState(): T;
  /** Calls `listener` after every change (never with an equal value); returns the unsubscribe. */
  subscribe(listener: (state: T, previous: T) => void): () => void;
}

/** A {@link ReadableStore} its owner can write. */
export interface WritableStore<T> extends ReadableStore<T> {
  setState(next: T): void;
}

/** The smallest store: one value, a set of listeners, `Object.is` to skip non-changes. */
export function createValueStore<T>(initial: T): WritableStore<T> {
  let state = initial;
  const listeners = new Set<(state: T, previous: T) => void>();
  return {
    getState: () => state,
    setState(next) {
      if (Object.is(next, state)) return;
      const previous = state;
      state = next;
      for (const listener of [...listeners]) listener(state, previous);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
