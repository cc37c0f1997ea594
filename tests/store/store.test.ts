import { describe, expect, it, vi } from 'vitest';
import { createStore } from '../../src/store';

// The core needs no React: were anything under src/store/index.ts to import it, this import would
// throw and every test here would fail. Proved by adding `import 'react';` to src/store/index.ts:
// the file then fails to load ("the store core imported React").
vi.mock('react', () => {
  throw new Error('the store core imported React');
});

describe('the store primitive', () => {
  it('holds a state, the same object until it changes', () => {
    const store = createStore({ count: 0, label: 'a' });
    const first = store.getState();
    expect(store.getState()).toBe(first);
    store.setState({ count: 1, label: 'a' });
    expect(store.getState()).toEqual({ count: 1, label: 'a' });
    expect(store.getState()).not.toBe(first);
  });

  it('replaces the state: a field the new state leaves out is gone', () => {
    const store = createStore<{ status: string; reason?: string }>({ status: 'offline', reason: 'lost' });
    store.setState({ status: 'registered' });
    expect(store.getState()).toEqual({ status: 'registered' });
  });

  it('computes the next state from the current one', () => {
    const store = createStore(1);
    store.setState((n) => n + 1);
    store.setState((n) => n * 10);
    expect(store.getState()).toBe(20);
  });

  it('tells each listener once per change, after it, with the new and the previous state', () => {
    const store = createStore({ n: 0 });
    const seen: [number, number, number][] = [];
    store.subscribe((state, previous) => seen.push([state.n, previous.n, store.getState().n]));
    store.setState({ n: 1 });
    store.setState({ n: 2 });
    expect(seen).toEqual([
      [1, 0, 1],
      [2, 1, 2],
    ]);
  });

  it('tells nobody when the same value is set again', () => {
    const state = { n: 0 };
    const store = createStore(state);
    const listener = vi.fn();
    store.subscribe(listener);
    store.setState(state);
    store.setState((current) => current);
    expect(listener).not.toHaveBeenCalled();
  });

  it('stops telling a listener once it unsubscribed, even during a change being delivered', () => {
    const store = createStore(0);
    const second = vi.fn();
    const stopFirst = store.subscribe(() => stopSecond());
    const stopSecond = store.subscribe(second);
    store.setState(1);
    expect(second).not.toHaveBeenCalled();
    stopFirst();
    const third = vi.fn();
    store.subscribe(third);
    store.setState(2);
    expect(third).toHaveBeenCalledTimes(1);
  });

  // Proved: without the try/catch around each listener in src/store/index.ts, this test and the next fail.
  it('a listener that throws does not stop the others, and its error is reported', () => {
    const errors: unknown[] = [];
    const store = createStore('a', { onListenerError: (error) => errors.push(error) });
    const after = vi.fn();
    store.subscribe(() => {
      throw new Error('listener failed');
    });
    store.subscribe(after);
    expect(() => store.setState('b')).not.toThrow();
    expect(after).toHaveBeenCalledWith('b', 'a');
    expect(errors).toEqual([new Error('listener failed')]);
  });

  it("by default reports a listener's error as an uncaught error, without unwinding the writer", () => {
    const reportError = vi.fn();
    vi.stubGlobal('reportError', reportError);
    try {
      const store = createStore(0);
      store.subscribe(() => {
        throw new Error('boom');
      });
      store.setState(1);
      expect(reportError).toHaveBeenCalledWith(new Error('boom'));
      expect(store.getState()).toBe(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
