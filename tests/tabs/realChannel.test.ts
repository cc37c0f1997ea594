import { afterEach, expect, it } from 'vitest';
import { PROTOCOL, platformChannel } from '../../src/tabs/channel';
import { platformLocks } from '../../src/tabs/election';
import { createTabHub, type TabHub } from '../../src/tabs/mirror';
import type { TabProblem } from '../../src/tabs/types';
import { FakeLocks } from './fakes';

type State = { screen: string };
type Intent = { type: string };

async function waitFor(check: () => boolean, what: string) {
  const until = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const opened: { stop(): void }[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.stop();
});

it("two hubs talk over the platform's own BroadcastChannel (Node's), not only over the fake bus", async () => {
  const factory = platformChannel();
  expect(factory).toBeDefined();
  // The test environment has no Web Locks (happy-dom's navigator.locks is null): the platform lookup says so.
  expect(platformLocks()).toBeUndefined();
  const locks = new FakeLocks();
  const problems: TabProblem[] = [];
  const ran: Intent[] = [];
  const name = `softphone-test-${Math.random()}`;
  const open = (tab: string): TabHub<State, Intent> => {
    const hub = createTabHub<State, Intent>({
      name,
      locks: locks.client(tab),
      channelFactory: factory,
      onIntent: (intent) => void ran.push(intent),
      onProblem: (p) => problems.push(p),
      heartbeatMs: 50,
    });
    opened.push(hub);
    return hub;
  };

  const owner = open('a');
  await waitFor(() => owner.role.getState() === 'owner', 'an owner');
  owner.publish({ screen: 'incoming' });
  const follower = open('b');
  await waitFor(() => follower.state.getState()?.screen === 'incoming', 'the state at hello');
  expect(follower.role.getState()).toBe('follower');

  owner.publish({ screen: 'inCall' });
  await follower.sendIntent({ type: 'AGENT.HOLD' });
  expect(ran).toEqual([{ type: 'AGENT.HOLD' }]);
  await waitFor(() => follower.state.getState()?.screen === 'inCall', 'the next state');

  // Another page on the channel, speaking nonsense: both ignore it and say so.
  const stranger = new BroadcastChannel(name);
  opened.push({ stop: () => stranger.close() });
  stranger.postMessage({ protocol: PROTOCOL, from: 'stranger', body: { type: 'state', rev: 'many' } });
  await waitFor(() => problems.length >= 2, 'two reports');
  expect(problems.map((p) => p.code)).toEqual(['malformed_message', 'malformed_message']);

  owner.stop();
  await waitFor(() => follower.role.getState() === 'owner', 'the handover');
  follower.publish({ screen: 'dialpad' });
  expect(follower.state.getState()).toEqual({ screen: 'dialpad' });
});
