/**
 * The one store primitive: a value that changes over time, read with `getState` and heard with
 * `subscribe`. Framework-free (no React here: the binding is ./react). This folder is the only
 * place that imports the store library (zustand), so it can be swapped without touching a store.
 */
import { createStore as createVendorStore } from 'zustand/vanilla';

/**
 * A value that changes over time.
 * - `getState` MUST return the same object until the state changes: readers compare by identity.
 * - `subscribe` MUST call each listener once per change, after the change, with the new and the
 *   previous state, and MUST NOT call a listener after its unsubscribe function was called (not
 *   even for a change already being delivered).
 */
export interface ReadableStore<T> {
  getState(): T;
  /** Hears each change; returns the function that stops it. */
  subscribe(listener: (state: T, previous: T) => void): () => void;
}

/** A store its owner writes to. Its state is never a function (a function passed to `setState` computes the next state). */
export interface Store<T> extends ReadableStore<T> {
  /**
   * Replaces the state, or computes the next one from the current one. Setting the same value
   * (`Object.is`) is no change: nobody is told. Listeners are told before `setState` returns.
   */
  setState(next: T | ((state: T) => T)): void;
}

export interface StoreOptions {
  /**
   * Receives what a listener threw; the other listeners are still told. Default: the platform's
   * `reportError` (an uncaught-error report that does not unwind the writer), else `console.error`.
   */
  readonly onListenerError?: (error: unknown) => void;
}

function reportListenerError(error: unknown): void {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else console.error('A store listener threw:', error);
}

/** Makes a store holding `initial`. */
export function createStore<T>(initial: T, { onListenerError = reportListenerError }: StoreOptions = {}): Store<T> {
  const vendor = createVendorStore<T>(() => initial);
  return {
    getState: vendor.getState,
    subscribe(listener) {
      return vendor.subscribe((state, previous) => {
        try {
          listener(state, previous);
        } catch (error) {
          onListenerError(error);
        }
      });
    },
    setState(next) {
      // Always replace: the library would merge object states, and a state that drops a field
      // (a registration reason once registered) must lose it.
      vendor.setState(next, true);
    },
  };
}
