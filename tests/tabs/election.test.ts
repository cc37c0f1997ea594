import { describe, expect, it, vi } from 'vitest';
import { createElection } from '../../src/tabs/election';
import type { TabProblem } from '../../src/tabs/types';
import { FakeLocks } from './fakes';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('election', () => {
  it('of two instances claiming at once, exactly one owns the phone', async () => {
    const locks = new FakeLocks();
    const a = createElection({ name: 'phone', locks: locks.client('a') });
    const b = createElection({ name: 'phone', locks: locks.client('b') });
    expect([a.role.getState(), b.role.getState()]).toEqual(['follower', 'follower']);

    await settle();
    expect([a.role.getState(), b.role.getState()].sort()).toEqual(['follower', 'owner']);
    expect(locks.grants).toEqual(['a']);
    a.stop();
    b.stop();
  });

  it('the owner that steps down hands over to the waiting instance', async () => {
    const locks = new FakeLocks();
    const a = createElection({ name: 'phone', locks: locks.client('a') });
    await settle();
    const b = createElection({ name: 'phone', locks: locks.client('b') });
    await settle();
    expect(b.role.getState()).toBe('follower');

    a.stop();
    expect(a.role.getState()).toBe('stopped');
    await settle();
    expect(b.role.getState()).toBe('owner');
    expect(locks.grants).toEqual(['a', 'b']);
    b.stop();
    await settle();
    expect(locks.holder('phone')).toBeUndefined();
  });

  it('an owner that dies without a word is replaced when the browser releases its lock', async () => {
    const locks = new FakeLocks();
    const a = createElection({ name: 'phone', locks: locks.client('a') });
    await settle();
    const b = createElection({ name: 'phone', locks: locks.client('b') });
    await settle();

    locks.kill('a');
    await settle();
    expect(b.role.getState()).toBe('owner');
    expect(locks.holder('phone')).toBe('b');
    b.stop();
  });

  // Proved: fails when stop() does not abort the queued request.
  it('a follower that stops withdraws its request (aborted) and never becomes owner', async () => {
    const locks = new FakeLocks();
    const problems: TabProblem[] = [];
    const a = createElection({ name: 'phone', locks: locks.client('a') });
    await settle();
    const b = createElection({ name: 'phone', locks: locks.client('b'), onProblem: (p) => problems.push(p) });
    await settle();
    expect(locks.waiting('phone')).toEqual(['b']);

    b.stop();
    // Without the abort, b's request would still be queued and be granted below.
    expect(locks.waiting('phone')).toEqual([]);
    a.stop();
    await settle();
    expect(b.role.getState()).toBe('stopped');
    expect(locks.grants).toEqual(['a']);
    expect(problems).toEqual([]); // the abort we asked for is not a problem
  });

  it('without a lock manager the instance owns the phone at once (single-tab behaviour)', () => {
    const election = createElection({ name: 'phone', locks: undefined });
    expect(election.role.getState()).toBe('owner');
    election.stop();
    expect(election.role.getState()).toBe('stopped');
  });

  it('a lock manager that refuses the request is reported and the tab keeps a phone of its own', async () => {
    const problems: TabProblem[] = [];
    const locks = { request: vi.fn(() => Promise.reject(new DOMException('denied', 'SecurityError'))) };
    const election = createElection({ name: 'phone', locks: locks as never, onProblem: (p) => problems.push(p) });
    await settle();
    expect(election.role.getState()).toBe('owner');
    expect(problems).toEqual([expect.objectContaining({ code: 'lock_failed', message: expect.stringContaining('SecurityError') })]);
    election.stop();
  });

  // Proved: fails without the try/catch around the role change in the lock callback.
  it('a role listener that throws does not give the lock back', async () => {
    const locks = new FakeLocks();
    const a = createElection({ name: 'phone', locks: locks.client('a') });
    const thrown: unknown[] = [];
    const onError = (error: unknown) => thrown.push(error);
    process.on('uncaughtException', onError);
    // The shared store reports a listener's throw through the platform's reportError.
    const report = globalThis.reportError;
    globalThis.reportError = onError;
    const unsubscribe = a.role.subscribe(() => {
      throw new Error('listener bug');
    });
    try {
      await settle();
      await settle();
    } finally {
      process.off('uncaughtException', onError);
      globalThis.reportError = report;
    }
    expect(a.role.getState()).toBe('owner');
    expect(locks.holder('phone')).toBe('a');
    expect(thrown).toEqual([new Error('listener bug')]); // rethrown, not swallowed
    unsubscribe();
    a.stop();
  });
});
