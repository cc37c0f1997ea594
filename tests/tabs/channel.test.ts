import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { createTypedChannel, PROTOCOL } from '../../src/tabs/channel';
import type { TabProblem } from '../../src/tabs/types';
import { FakeBus } from './fakes';

const Ping = v.strictObject({ type: v.literal('ping'), n: v.number() });
type Ping = v.InferOutput<typeof Ping>;

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function open(bus: FakeBus, tab: string, problems: TabProblem[] = []) {
  const channel = createTypedChannel<Ping>({ name: 'phone', factory: bus.factory(tab), schema: Ping, onProblem: (p) => problems.push(p) });
  const received: { body: Ping; from: string }[] = [];
  channel.listen((body, from) => received.push({ body, from }));
  return { channel, received, problems };
}

describe('typed channel', () => {
  it('delivers a valid message to the other instances, with the sender id', async () => {
    const bus = new FakeBus();
    const a = open(bus, 'a');
    const b = open(bus, 'b');
    a.channel.post({ type: 'ping', n: 1 });
    await settle();
    expect(b.received).toEqual([{ body: { type: 'ping', n: 1 }, from: a.channel.id }]);
    expect(a.received).toEqual([]);
    expect(a.channel.id).not.toBe(b.channel.id);
    a.channel.close();
    b.channel.close();
  });

  // Proved: fails when the `from === id` check is removed.
  it("ignores the instance's own messages echoed by another endpoint of the page", () => {
    const bus = new FakeBus();
    const a = open(bus, 'a');
    bus.inject('a', { protocol: PROTOCOL, from: a.channel.id, body: { type: 'ping', n: 1 } });
    bus.inject('a', { protocol: PROTOCOL, from: 'someone-else', body: { type: 'ping', n: 2 } });
    expect(a.received).toEqual([{ body: { type: 'ping', n: 2 }, from: 'someone-else' }]);
    a.channel.close();
  });

  // Proved: fails when the envelope is not validated.
  it('ignores and reports malformed messages, without quoting their content', () => {
    const bus = new FakeBus();
    const a = open(bus, 'a');
    const garbage = [
      null,
      'hello',
      { protocol: PROTOCOL, from: 'x', body: { type: 'ping', n: '+14155550123' } },
      { protocol: 'softphone-tabs/0', from: 'x', body: { type: 'ping', n: 1 } },
      { protocol: PROTOCOL, body: { type: 'ping', n: 1 } },
      { protocol: PROTOCOL, from: 'x', body: { type: 'ping', n: 1, extra: true } },
      { protocol: PROTOCOL, from: 'x'.repeat(65), body: { type: 'ping', n: 1 } },
    ];
    for (const data of garbage) bus.inject('a', data);
    bus.inject('a', undefined, 'messageerror');

    expect(a.received).toEqual([]);
    expect(a.problems).toHaveLength(garbage.length + 1);
    for (const problem of a.problems) expect(problem.code).toBe('malformed_message');
    expect(a.problems[2]!.message).toContain('body.n');
    expect(a.problems.map((p) => p.message).join('\n')).not.toContain('4155550123');
    a.channel.close();
  });

  it('reports a message the platform cannot clone instead of throwing', () => {
    const bus = new FakeBus();
    const a = open(bus, 'a');
    expect(() => a.channel.post({ type: 'ping', n: 1, fn: () => 1 } as never)).not.toThrow();
    expect(a.problems).toEqual([expect.objectContaining({ code: 'channel_failed' })]);
    a.channel.close();
  });

  it('after close, nothing is delivered and posting does nothing', async () => {
    const bus = new FakeBus();
    const a = open(bus, 'a');
    const b = open(bus, 'b');
    b.channel.close();
    a.channel.post({ type: 'ping', n: 1 });
    a.channel.close();
    a.channel.post({ type: 'ping', n: 2 });
    await settle();
    expect(b.received).toEqual([]);
    expect(bus.log).toHaveLength(1);
    expect(a.problems).toEqual([]);
  });
});
