import { describe, expect, it } from 'vitest';
import { contextUpdateProblem, loadGuarded } from '../../src/front/sdk/contextGuard';

const good = { type: 'context_update', context: { id: 'ctx_1', type: 'noConversation', functionArities: {} } };

describe('telling malformed context updates apart', () => {
  it('finds a missing context, missing functionArities, a missing id or type; other messages are not its business', () => {
    expect(contextUpdateProblem(good)).toBeNull();
    expect(contextUpdateProblem({ type: 'context_update' })).toMatch(/without a context object/);
    expect(contextUpdateProblem({ type: 'context_update', context: 'ctx' })).toMatch(/without a context object/);
    expect(contextUpdateProblem({ type: 'context_update', context: { id: 'c', type: 'x', functionArities: null } })).toMatch(/without functionArities/);
    expect(contextUpdateProblem({ type: 'context_update', context: { type: 'x', functionArities: {} } })).toMatch(/without an id or a type/);
    expect(contextUpdateProblem({ type: 'function_result', id: '1', value: null })).toBeNull();
    expect(contextUpdateProblem('handshake')).toBeNull();
  });
});

describe('loading the SDK with its port guarded', () => {
  // Fails without the guard's stopImmediatePropagation (checked).
  it('stops malformed updates on channels made during the load, before later listeners, and restores MessageChannel', async () => {
    const scope = { MessageChannel: globalThis.MessageChannel };
    const problems: string[] = [];
    const seen: unknown[] = [];
    const channel = await loadGuarded(
      async () => {
        const made = new scope.MessageChannel();
        made.port1.addEventListener('message', (event) => seen.push((event as MessageEvent).data));
        made.port1.start();
        return made;
      },
      (problem) => problems.push(problem),
      scope,
    );
    expect(scope.MessageChannel).toBe(globalThis.MessageChannel);
    expect(channel).toBeInstanceOf(globalThis.MessageChannel);
    channel.port2.postMessage({ type: 'context_update' });
    channel.port2.postMessage(good);
    await expect.poll(() => seen).toEqual([good]);
    expect(problems).toEqual([expect.stringMatching(/without a context object/)]);

    // A channel made after the load is not guarded.
    const later = new scope.MessageChannel();
    const after: unknown[] = [];
    later.port1.addEventListener('message', (event) => after.push((event as MessageEvent).data));
    later.port1.start();
    later.port2.postMessage({ type: 'context_update' });
    await expect.poll(() => after).toEqual([{ type: 'context_update' }]);
    expect(problems).toHaveLength(1);
    for (const port of [channel.port1, channel.port2, later.port1, later.port2]) port.close();
  });

  it('restores MessageChannel when the load fails', async () => {
    const scope = { MessageChannel: globalThis.MessageChannel };
    await expect(loadGuarded(() => Promise.reject(new Error('offline')), () => undefined, scope)).rejects.toThrow('offline');
    expect(scope.MessageChannel).toBe(globalThis.MessageChannel);
  });
});
