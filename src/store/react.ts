/**
 * The React binding of the store primitive (./index): one hook. The only React-facing importer of
 * the store library.
 */
import { useStore } from 'zustand/react';
import { useShallow } from 'zustand/react/shallow';
import type { ReadableStore } from './index';

/** What the library's hook reads. */
interface VendorStore<T> {
  getState(): T;
  getInitialState(): T;
  subscribe(listener: (state: T, previous: T) => void): () => void;
}

// One view per store, so the hook subscribes once per store, not once per render.
const views = new WeakMap<ReadableStore<unknown>, VendorStore<unknown>>();

function vendorView<T>(store: ReadableStore<T>): VendorStore<T> {
  let view = views.get(store) as VendorStore<T> | undefined;
  if (!view) {
    view = {
      getState: () => store.getState(),
      // Only read when hydrating server-rendered HTML, which this app never does.
      getInitialState: () => store.getState(),
      subscribe: (listener) => store.subscribe(listener),
    };
    views.set(store, view as VendorStore<unknown>);
  }
  return view;
}

const NO_STORE: VendorStore<undefined> = {
  getState: () => undefined,
  getInitialState: () => undefined,
  subscribe: () => () => {},
};

/**
 * Reads what `select` picks from a store; the component re-renders only when that changes. The
 * pick is compared shallowly (an object's own fields, an array's items, each by `Object.is`), so a
 * selector may build a fresh object or array; it must not build fresh values inside it.
 */
export function useStoreValue<T, U>(store: ReadableStore<T>, select: (state: T) => U): U;
/** The same over a store that may be absent (no provider above, in tests): then `absent`. */
export function useStoreValue<T, U>(store: ReadableStore<T> | null, select: (state: T) => U, absent: U): U;
export function useStoreValue<T, U>(store: ReadableStore<T> | null, select: (state: T) => U, absent?: U): U {
  const source: VendorStore<T | undefined> = store ? vendorView(store) : NO_STORE;
  return useStore(
    source,
    useShallow((state: T | undefined) => (store ? select(state as T) : (absent as U))),
  );
}
