import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTabHub, TabIntentError, type TabHub, type TabHubOptions, type Takeover } from '../../src/tabs/mirror';
import { PROTOCOL } from '../../src/tabs/channel';
import type { TabProblem } from '../../src/tabs/types';
import { FakeBus, FakeLocks } from './fakes';

type State = { n: number };
type Intent = { op: string };

interface Env {
  readonly bus: FakeBus;
  readonly locks: FakeLocks;
}

interface Tab {
  readonly name: string;
  readonly hub: TabHub<State, Intent>;
  /** Intents this tab's handler ran, in order. */
  readonly ran: Intent[];
  readonly problems: TabProblem[];
  readonly takeovers: Takeover<State>[];
  /** The tab dies: the browser releases its lock, its channel goes silent, no goodbye. */
  kill(): void;
}

function openTab(env: Env, name: string, options: Partial<TabHubOptions<State, Intent>> = {}): Tab {
  const ran: Intent[] = [];
  const problems: TabProblem[] = [];
  const takeovers: Takeover<State>[] = [];
  const hub = createTabHub<State, Intent>({
    name: 'phone',
    id: name,
    locks: env.locks.client(name),
    channelFactory: env.bus.factory(name),
    onIntent: (intent) => void ran.push(intent),
    onProblem: (problem) => problems.push(problem),
    ...options,
  });
  hub.onBecomeOwner((takeover) => takeovers.push(takeover));
  return {
    name,
    hub,
    ran,
    problems,
    takeovers,
    kill() {
      env.locks.kill(name);
      env.bus.disconnect(name);
    },
  };
}

const realSetTimeout = globalThis.setTimeout;
/** Moves fake time on, then lets every message and lock grant in flight land (a real macrotask). */
async function tick(ms = 0) {
  await vi.advanceTimersByTimeAsync(ms);
  await new Promise((resolve) => realSetTimeout(resolve, 0));
}

/** Settles a promise into a value the test can assert on without an unhandled rejection. */
function outcome(promise: Promise<void>) {
  const result: { value?: 'ok' | TabIntentError } = {};
  promise.then(
    () => (result.value = 'ok'),
    (error: TabIntentError) => (result.value = error),
  );
  return result;
}

let env: Env;
let tabs: Tab[];

function open(name: string, options?: Partial<TabHubOptions<State, Intent>>) {
  const tab = openTab(env, name, options);
  tabs.push(tab);
  return tab;
}

function roles() {
  return Object.fromEntries(tabs.map((t) => [t.name, t.hub.role.getState()]));
}

beforeEach(() => {
  vi.useFakeTimers();
  env = { bus: new FakeBus(), locks: new FakeLocks() };
  tabs = [];
});

afterEach(() => {
  for (const tab of tabs) tab.hub.stop();
  vi.useRealTimers();
});

describe('one owner', () => {
  it('of instances claiming at once, exactly one owns the phone and the others mirror its state', async () => {
    const [a, b, c] = [open('a'), open('b'), open('c')];
    await tick();
    expect(Object.values(roles()).sort()).toEqual(['follower', 'follower', 'owner']);
    const owner = tabs.find((t) => t.hub.role.getState() === 'owner')!;
    expect(owner.takeovers).toEqual([{ previous: null }]);

    owner.hub.publish({ n: 1 });
    await tick();
    expect([a, b, c].map((t) => t.hub.state.getState())).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }]);
    expect(tabs.flatMap((t) => t.problems)).toEqual([]);
  });

  it('a tab opened later gets the current state at once (hello), not at the next change', async () => {
    const a = open('a');
    await tick();
    a.hub.publish({ n: 7 });
    const b = open('b');
    await tick();
    expect(b.hub.role.getState()).toBe('follower');
    expect(b.hub.state.getState()).toEqual({ n: 7 });
    expect(env.bus.bodiesFrom('b')).toEqual([{ type: 'sync', reason: 'hello' }]);
  });

  it('a follower that publishes is reported and changes nothing', async () => {
    const a = open('a');
    const b = open('b');
    await tick();
    a.hub.publish({ n: 1 });
    await tick();
    b.hub.publish({ n: 99 });
    await tick();
    expect(a.hub.state.getState()).toEqual({ n: 1 });
    expect(b.hub.state.getState()).toEqual({ n: 1 });
    expect(b.problems).toEqual([expect.objectContaining({ code: 'not_owner' })]);
  });

  it('without Web Locks (or BroadcastChannel) every instance owns its own phone: single-tab behaviour', async () => {
    const ran: Intent[] = [];
    const hub = createTabHub<State, Intent>({ name: 'phone', locks: undefined, channelFactory: env.bus.factory('x'), onIntent: (i) => void ran.push(i) });
    const other = createTabHub<State, Intent>({ name: 'phone', locks: env.locks.client('y'), channelFactory: undefined, onIntent: () => {} });
    expect(hub.role.getState()).toBe('owner');
    expect(other.role.getState()).toBe('owner');
    const takeovers: Takeover<State>[] = [];
    hub.onBecomeOwner((t) => takeovers.push(t));
    expect(takeovers).toEqual([{ previous: null }]);

    hub.publish({ n: 1 });
    await hub.sendIntent({ op: 'dial' });
    expect(hub.state.getState()).toEqual({ n: 1 });
    expect(ran).toEqual([{ op: 'dial' }]);
    expect(env.bus.log).toEqual([]); // no channel, no lock taken
    expect(env.locks.grants).toEqual([]);
    hub.stop();
    other.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('handover', () => {
  it('the owner that stops hands the phone to a follower, which then runs the intents of every tab', async () => {
    const a = open('a');
    await tick();
    const [b, c] = [open('b'), open('c')];
    await tick();
    a.hub.publish({ n: 3 });
    await tick();

    a.hub.stop();
    await tick();
    const next = [b, c].find((t) => t.hub.role.getState() === 'owner')!;
    const other = next === b ? c : b;
    expect(next.takeovers).toEqual([{ previous: { n: 3 } }]);
    expect(other.hub.role.getState()).toBe('follower');

    next.hub.publish({ n: 4 });
    const sent = outcome(other.hub.sendIntent({ op: 'answer' }));
    await tick();
    expect(sent.value).toBe('ok');
    expect(next.ran).toEqual([{ op: 'answer' }]);
    expect(a.ran).toEqual([]);
    expect(other.hub.state.getState()).toEqual({ n: 4 });
  });

  // Proved: fails when followers accept messages of an earlier epoch.
  it('an owner that dies without a word is replaced, and its late messages are ignored', async () => {
    const a = open('a');
    await tick();
    const [b, c] = [open('b'), open('c')];
    await tick();
    a.hub.publish({ n: 1 });
    await tick();

    env.bus.hold();
    a.hub.publish({ n: 2 }); // still in flight when a dies
    a.kill();
    await tick();
    const next = [b, c].find((t) => t.hub.role.getState() === 'owner')!;
    const other = next === b ? c : b;
    expect(next.takeovers).toEqual([{ previous: { n: 1 } }]);
    next.hub.publish({ n: 10 });
    // The new owner's state first, then the dead owner's last one, late.
    env.bus.release((held) => [...held.filter((d) => d.from.tab !== 'a'), ...held.filter((d) => d.from.tab === 'a')]);
    await tick();
    expect(other.hub.state.getState()).toEqual({ n: 10 });
    expect(other.problems).toEqual([]);
  });

  // Proved: fails when followers do not resend pending intents as soon as a new owner speaks.
  it('an intent sent while the phone changes hands is run once, by the new owner, without waiting for a retry', async () => {
    const a = open('a');
    await tick();
    const [b, c] = [open('b'), open('c')];
    await tick();

    const start = Date.now();
    env.bus.hold();
    a.hub.stop();
    const sent = outcome(c.hub.sendIntent({ op: 'hold' })); // reaches a stopped owner, or nobody
    env.bus.release();
    await tick(); // b takes over and announces itself; c sends again at once
    await tick();
    expect(b.hub.role.getState()).toBe('owner');
    expect(sent.value).toBe('ok');
    expect(b.ran).toEqual([{ op: 'hold' }]);
    expect(a.ran).toEqual([]);
    expect(Date.now() - start).toBe(0); // no time passed: not by a retry (750 ms)
  });

  // Proved: fails when a new owner does not run the intents it was waiting to send.
  it('intents waiting when this tab itself becomes the owner run here, after the owner set-up', async () => {
    const a = open('a');
    await tick();
    const order: string[] = [];
    const b = open('b', { onIntent: (intent) => void order.push(`ran ${intent.op}`) });
    b.hub.onBecomeOwner(() => order.push('set up'));
    await tick();

    env.bus.lose = (_data, to) => to === 'a'; // a never hears b's intents
    const first = outcome(b.hub.sendIntent({ op: 'mute' }));
    const second = outcome(b.hub.sendIntent({ op: 'unmute' }));
    await tick(100);
    a.kill();
    await tick();
    expect(b.hub.role.getState()).toBe('owner');
    expect(order).toEqual(['set up', 'ran mute', 'ran unmute']);
    expect([first.value, second.value]).toEqual(['ok', 'ok']);
  });

  // Proved: without the heartbeat's `done` list (first case) or without followers remembering
  // others' acks (second case), b dials a second time.
  it.each([
    ['its heartbeat', (data: any, to: string, from: string) => from === 'a' && (to === 'c' || data.body.type === 'ack')],
    ['its ack to another tab', (data: any, to: string, from: string) => from === 'a' && (to === 'c' || data.body.type === 'heartbeat')],
  ])('an intent the dead owner ran is not run again by the next owner that heard of it through %s', async (_how, lose) => {
    const a = open('a');
    await tick();
    const [b, c] = [open('b'), open('c')];
    await tick();
    // c hears nothing from a: neither the ack nor the heartbeats.
    env.bus.lose = lose;
    const sent = outcome(c.hub.sendIntent({ op: 'dial +14155550123' }));
    await tick(1000); // a runs it, acks, and beats
    expect(a.ran).toEqual([{ op: 'dial +14155550123' }]);
    expect(sent.value).toBeUndefined();

    a.kill();
    await tick();
    expect(b.hub.role.getState()).toBe('owner');
    await tick();
    expect(sent.value).toBe('ok');
    expect(b.ran).toEqual([]);
  });
});

describe('lost, duplicated and reordered messages', () => {
  // Proved: fails when a heartbeat that is ahead does not trigger a sync.
  it('a follower that missed the latest state notices it at the next heartbeat, asks, and converges', async () => {
    const a = open('a');
    const b = open('b');
    await tick();
    env.bus.lose = (data) => data.body.type === 'state' && data.body.rev === 2;
    a.hub.publish({ n: 1 });
    a.hub.publish({ n: 2 });
    await tick();
    expect(b.hub.state.getState()).toEqual({ n: 1 });
    env.bus.lose = null;

    await tick(1000);
    expect(b.hub.state.getState()).toEqual({ n: 2 });
    expect(env.bus.bodiesFrom('b')).toContainEqual({ type: 'sync', reason: 'behind' });
  });

  // Proved: fails when any rev other than the held one is accepted.
  it('a late older state never replaces a newer one', async () => {
    const a = open('a');
    const b = open('b');
    await tick();
    const seen: State[] = [];
    b.hub.state.subscribe((s) => s && seen.push(s));
    env.bus.hold();
    a.hub.publish({ n: 1 });
    a.hub.publish({ n: 2 });
    a.hub.publish({ n: 3 });
    env.bus.release((held) => [...held].reverse());
    await tick();
    expect(seen).toEqual([{ n: 3 }]);
  });

  // Proved: fails when the silence timer does not ask for a sync.
  it('a follower that hears nothing asks for a sync after the silence period', async () => {
    const a = open('a');
    const b = open('b');
    await tick();
    a.hub.publish({ n: 1 });
    await tick();
    env.bus.lose = (_data, to) => to === 'b';
    await tick(2999);
    expect(env.bus.bodiesFrom('b').filter((m) => m.reason === 'silence')).toHaveLength(0);
    env.bus.lose = null;
    a.hub.publish({ n: 2 }); // lost... no: delivered, and resets the silence timer
    await tick();
    env.bus.lose = (_data, to) => to === 'b';
    await tick(3000);
    expect(env.bus.bodiesFrom('b').filter((m) => m.reason === 'silence')).toHaveLength(1);
  });

  it('with random loss, duplication and reordering, every follower converges to the last state', async () => {
    let resyncs = 0;
    let reordered = 0;
    for (let seed = 1; seed <= 25; seed++) {
      env = { bus: new FakeBus(), locks: new FakeLocks() };
      const random = mulberry32(seed);
      const group = ['a', 'b', 'c'].map((name) => openTab(env, name));
      await tick();
      const owner = group.find((t) => t.hub.role.getState() === 'owner')!;
      env.bus.lose = () => random() < 0.3;
      for (let n = 1; n <= 40; n++) {
        if (random() < 0.3) env.bus.hold();
        owner.hub.publish({ n });
        if (random() < 0.2) owner.hub.publish({ n }); // same state twice: a new rev
        if (env.bus.held && random() < 0.5) {
          reordered += env.bus.held.length;
          env.bus.release((held) => shuffle(held, random));
        }
        await tick(Math.floor(random() * 400));
      }
      if (env.bus.held) env.bus.release((held) => shuffle(held, random));
      env.bus.lose = null;
      await tick(1500); // one heartbeat, one sync, one answer
      for (const tab of group) expect(tab.hub.state.getState(), `seed ${seed}, tab ${tab.name}`).toEqual({ n: 40 });
      resyncs += env.bus.log.filter((m) => m.data.body.type === 'sync' && m.data.body.reason !== 'hello').length;
      for (const tab of group) tab.hub.stop();
    }
    // The runs did reach the paths they are about.
    expect(resyncs).toBeGreaterThan(25);
    expect(reordered).toBeGreaterThan(100);
  });
});

describe('intents', () => {
  // Proved (with the next test): fails when the owner does not remember finished intent ids.
  it('an intent whose ack is lost is retried with the same id and runs once', async () => {
    const a = open('a');
    const b = open('b');
    await tick();
    let acksLost = 0;
    env.bus.lose = (data) => data.body.type === 'ack' && acksLost++ === 0;
    const sent = outcome(b.hub.sendIntent({ op: 'hang up' }));
    await tick(800);
    expect(sent.value).toBe('ok');
    expect(a.ran).toEqual([{ op: 'hang up' }]);
    const intents = env.bus.bodiesFrom('b').filter((m) => m.type === 'intent');
    expect(intents).toHaveLength(2);
    expect(intents[0].id).toBe(intents[1].id);
  });

  it('the same intent delivered twice (or replayed by another page) runs once', async () => {
    const a = open('a');
    await tick();
    const message = { protocol: PROTOCOL, from: 'z', body: { type: 'intent', id: 'z:1', intent: { op: 'dial' } } };
    env.bus.inject('a', message);
    env.bus.inject('a', message);
    await tick();
    env.bus.inject('a', message);
    await tick();
    expect(a.ran).toEqual([{ op: 'dial' }]);
    expect(env.bus.bodiesFrom('a').filter((m) => m.type === 'ack')).toHaveLength(3);
  });

  // Proved: fails when a retry of a running intent is not joined to the first run.
  it('an intent whose handler is still running is not run again by its retry', async () => {
    let finish!: () => void;
    let runs = 0;
    const a = open('a', {
      onIntent: () => {
        runs += 1;
        return new Promise<void>((resolve) => (finish = resolve));
      },
    });
    const b = open('b');
    await tick();
    const sent = outcome(b.hub.sendIntent({ op: 'transfer' }));
    await tick(2000); // two retries while the handler works
    expect(runs).toBe(1);
    expect(sent.value).toBeUndefined();
    finish();
    await tick();
    expect(sent.value).toBe('ok');
    expect(runs).toBe(1);
  });

  it('an intent the owner refuses rejects with its reason; an invalid one is refused without running', async () => {
    const a = open('a', {
      intentSchema: v.strictObject({ op: v.picklist(['answer', 'decline']) }),
      onIntent: (intent) => {
        if (intent.op === 'decline') throw new Error('Nothing is ringing.');
      },
    });
    const b = open('b');
    await tick();
    const refused = outcome(b.hub.sendIntent({ op: 'decline' }));
    const invalid = outcome(b.hub.sendIntent({ op: 'format disk' }));
    await tick();
    expect(refused.value).toEqual(new TabIntentError('refused', 'Nothing is ringing.'));
    expect((refused.value as TabIntentError).code).toBe('refused');
    expect(invalid.value).toEqual(new TabIntentError('refused', 'invalid intent'));
    await expect(a.hub.sendIntent({ op: 'decline' })).rejects.toMatchObject({ code: 'refused' });
  });

  it('an intent nobody answers is retried, then rejected as owner gone', async () => {
    const a = open('a');
    const b = open('b');
    await tick();
    env.bus.lose = (_data, to) => to === 'a';
    const sent = outcome(b.hub.sendIntent({ op: 'answer' }));
    await tick(4999);
    expect(sent.value).toBeUndefined();
    await tick(1);
    expect(sent.value).toEqual(new TabIntentError('owner_gone', 'No tab owning the phone answered in time.'));
    expect(env.bus.bodiesFrom('b').filter((m) => m.type === 'intent')).toHaveLength(7); // at 0, 750, ... 4500
    expect(a.ran).toEqual([]);
  });
});

describe('hostile or broken messages', () => {
  it('are ignored and reported, by followers and by the owner', async () => {
    const a = open('a');
    const b = open('b');
    await tick();
    a.hub.publish({ n: 1 });
    await tick();
    const epoch = { id: 'a', term: 0 };
    const garbage = [
      { protocol: PROTOCOL, from: 'z', body: { type: 'state', epoch, rev: -1, state: { n: 666 } } },
      { protocol: PROTOCOL, from: 'z', body: { type: 'state', epoch: { id: 'a' }, rev: 9, state: { n: 666 } } },
      { protocol: PROTOCOL, from: 'z', body: { type: 'heartbeat', epoch, rev: 1, done: 'all' } },
      { protocol: PROTOCOL, from: 'z', body: { type: 'intent', id: '', intent: { op: 'dial' } } },
      { protocol: PROTOCOL, from: 'z', body: { type: 'ack' } },
      { protocol: PROTOCOL, from: 'z', body: { type: 'reboot' } },
      { protocol: PROTOCOL, from: 'z' },
      42,
    ];
    for (const data of garbage) {
      env.bus.inject('a', data);
      env.bus.inject('b', data);
    }
    await tick();
    expect(a.problems.map((p) => p.code)).toEqual(garbage.map(() => 'malformed_message'));
    expect(b.problems.map((p) => p.code)).toEqual(garbage.map(() => 'malformed_message'));
    expect([a.hub.state.getState(), b.hub.state.getState()]).toEqual([{ n: 1 }, { n: 1 }]);
    expect(a.ran).toEqual([]);
    // Both still work.
    a.hub.publish({ n: 2 });
    const sent = outcome(b.hub.sendIntent({ op: 'answer' }));
    await tick();
    expect(sent.value).toBe('ok');
    expect(b.hub.state.getState()).toEqual({ n: 2 });
    expect(a.ran).toEqual([{ op: 'answer' }]);
  });

  // Proved: fails when the follower skips stateSchema.
  it('a state that does not fit the schema is reported and not shown', async () => {
    const a = open('a');
    const b = open('b', { stateSchema: v.strictObject({ n: v.pipe(v.number(), v.minValue(0)) }) });
    await tick();
    a.hub.publish({ n: 1 });
    await tick();
    a.hub.publish({ n: -5 });
    await tick();
    expect(b.hub.state.getState()).toEqual({ n: 1 });
    expect(b.problems).toEqual([expect.objectContaining({ code: 'invalid_state' })]);
  });

  // Proved: fails when the competing-owner check is removed.
  it('an owner that hears another owner (a later one) reports it once', async () => {
    const a = open('a');
    await tick();
    const later = { protocol: PROTOCOL, from: 'z', body: { type: 'heartbeat', epoch: { id: 'z', term: Date.now() + 10 }, rev: 0, done: [] } };
    const earlier = { protocol: PROTOCOL, from: 'y', body: { type: 'heartbeat', epoch: { id: 'y', term: 0 }, rev: 0, done: [] } };
    env.bus.inject('a', earlier); // a late message of a previous owner: expected, not a problem
    env.bus.inject('a', later);
    env.bus.inject('a', later);
    expect(a.problems.map((p) => p.code)).toEqual(['competing_owner']);
  });

  // Proved: fails without the try/catch around each onBecomeOwner callback.
  it('an onBecomeOwner callback that throws is reported and the instance owns the phone all the same', async () => {
    const a = openTab(env, 'a');
    tabs.push(a);
    a.hub.onBecomeOwner(() => {
      throw new Error('no microphone');
    });
    await tick();
    expect(a.hub.role.getState()).toBe('owner');
    expect(a.problems).toEqual([expect.objectContaining({ code: 'owner_setup_failed', message: expect.stringContaining('no microphone') })]);
    expect(env.locks.holder('phone')).toBe('a');
  });
});

describe('stop', () => {
  // Proved: fails when stop() leaves the heartbeat timer or a pending intent's retry timer.
  it('leaves no timer running, rejects what was pending, and releases the lock', async () => {
    const a = open('a');
    const [b, c] = [open('b'), open('c')];
    await tick();
    a.hub.publish({ n: 1 });
    env.bus.lose = (_data, to) => to === 'a';
    const pending = outcome(b.hub.sendIntent({ op: 'answer' }));
    await tick(100);
    expect(vi.getTimerCount()).toBeGreaterThan(0);

    for (const tab of [a, b, c]) tab.hub.stop();
    await tick(); // deliveries already on the bus
    expect(vi.getTimerCount()).toBe(0);
    expect(pending.value).toEqual(expect.objectContaining({ code: 'stopped' }));
    expect(roles()).toEqual({ a: 'stopped', b: 'stopped', c: 'stopped' });
    expect(env.locks.holder('phone')).toBeUndefined();
    await expect(b.hub.sendIntent({ op: 'answer' })).rejects.toMatchObject({ code: 'stopped' });
  });

  it('the owner sends a heartbeat every period and nothing else when idle', async () => {
    const a = open('a', { heartbeatMs: 1000 });
    await tick();
    await tick(5000);
    // The hello of its first moment as follower, then one heartbeat at 0, 1000, ... 5000.
    expect(env.bus.bodiesFrom('a').map((m) => m.type)).toEqual(['sync', ...Array(6).fill('heartbeat')]);
  });
});

function mulberry32(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('events', () => {
  it("the owner's broadcasts reach every other tab once, never itself; a follower cannot broadcast", async () => {
    const [a, b, c] = [open('a'), open('b'), open('c')];
    await tick();
    const heard: Record<string, unknown[]> = { a: [], b: [], c: [] };
    for (const tab of [a, b, c]) tab.hub.onEvent((event) => heard[tab.name]!.push(event));
    a.hub.broadcast({ type: 'TAGS_SAVED', detail: { callId: 'c-1', tags: ['t'] } });
    b.hub.broadcast({ type: 'forged' });
    await tick();
    expect(heard).toEqual({ a: [], b: [{ type: 'TAGS_SAVED', detail: { callId: 'c-1', tags: ['t'] } }], c: [{ type: 'TAGS_SAVED', detail: { callId: 'c-1', tags: ['t'] } }] });
    expect(b.problems.map((p) => p.code)).toContain('not_owner');
  });
});
