import { act, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { createStore, type ReadableStore } from '../../src/store';
import { useStoreValue } from '../../src/store/react';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

interface Profile {
  readonly name: string;
  readonly status: 'online' | 'away';
  readonly unread: number;
}

const PROFILE: Profile = { name: 'Ana', status: 'online', unread: 0 };

/** A component that counts its renders, showing what it picked. */
function probe<T>(pick: () => T, show: (value: T) => string) {
  const renders = { count: 0 };
  function Probe() {
    renders.count += 1;
    return <p>{show(pick())}</p>;
  }
  return { Probe, renders };
}

describe('the store binding', () => {
  it('shows the picked value and re-renders when it changes', () => {
    const store = createStore(PROFILE);
    const { Probe } = probe(() => useStoreValue(store, (p) => p.name), (name) => `Name: ${name}`);
    render(<Probe />);
    expect(screen.getByText('Name: Ana')).toBeTruthy();
    act(() => store.setState({ ...store.getState(), name: 'Bo' }));
    expect(screen.getByText('Name: Bo')).toBeTruthy();
  });

  it('does not re-render when another part of the state changes', () => {
    const store = createStore(PROFILE);
    const { Probe, renders } = probe(() => useStoreValue(store, (p) => p.status), (status) => `Status: ${status}`);
    render(<Probe />);
    const before = renders.count;
    act(() => store.setState({ ...store.getState(), unread: 3 }));
    act(() => store.setState({ ...store.getState(), name: 'Bo' }));
    expect(renders.count).toBe(before);
    act(() => store.setState({ ...store.getState(), status: 'away' }));
    expect(renders.count).toBe(before + 1);
    expect(screen.getByText('Status: away')).toBeTruthy();
  });

  // Proved: with the selector passed to the library without `useShallow` (src/store/react.ts), React
  // loops on the fresh object ("The result of getSnapshot should be cached", maximum update depth).
  it('a pick built fresh at each read re-renders only when one of its fields changes', () => {
    const store = createStore(PROFILE);
    const { Probe, renders } = probe(
      () => useStoreValue(store, ({ name, status }) => ({ name, status })),
      ({ name, status }) => `${name} is ${status}`,
    );
    render(<Probe />);
    expect(screen.getByText('Ana is online')).toBeTruthy();
    const before = renders.count;
    act(() => store.setState({ ...store.getState(), unread: 5 }));
    expect(renders.count).toBe(before);
    act(() => store.setState({ ...store.getState(), status: 'away' }));
    expect(renders.count).toBe(before + 1);
    expect(screen.getByText('Ana is away')).toBeTruthy();
  });

  it('reads the absent value when there is no store', () => {
    const { Probe } = probe(() => useStoreValue<Profile, string>(null, (p) => p.name, 'nobody'), (name) => `Name: ${name}`);
    render(<Probe />);
    expect(screen.getByText('Name: nobody')).toBeTruthy();
  });

  // Proved: without the per-store view cache in src/store/react.ts, the hook subscribes again at
  // each render and this test fails on the count.
  it('reads any store of the shape, subscribes once, and stops listening when unmounted', () => {
    const inner = createStore(PROFILE);
    let subscriptions = 0;
    let live = 0;
    const counted: ReadableStore<Profile> = {
      getState: inner.getState,
      subscribe(listener) {
        subscriptions += 1;
        live += 1;
        const stop = inner.subscribe(listener);
        return () => {
          live -= 1;
          stop();
        };
      },
    };
    function Parent() {
      const [, setTick] = useState(0);
      const name = useStoreValue(counted, (p) => p.name);
      return (
        <button type="button" onClick={() => setTick((n) => n + 1)}>
          {name}
        </button>
      );
    }
    const { unmount } = render(<Parent />);
    for (let i = 0; i < 3; i += 1) act(() => screen.getByRole('button').click());
    act(() => inner.setState({ ...inner.getState(), name: 'Cy' }));
    expect(screen.getByRole('button', { name: 'Cy' })).toBeTruthy();
    expect(subscriptions).toBe(1);
    unmount();
    expect(live).toBe(0);
  });

  it('follows a store that appears later (a provider filled in after start-up)', () => {
    const store = createStore(PROFILE);
    function Shown({ source }: { source: ReadableStore<Profile> | null }) {
      return <p>{useStoreValue(source, (p) => p.name, 'not loaded')}</p>;
    }
    const { rerender } = render(<Shown source={null} />);
    expect(screen.getByText('not loaded')).toBeTruthy();
    rerender(<Shown source={store} />);
    expect(screen.getByText('Ana')).toBeTruthy();
    act(() => store.setState({ ...store.getState(), name: 'Di' }));
    expect(screen.getByText('Di')).toBeTruthy();
  });
});
