import { afterEach, describe, expect, it } from 'vitest';
import { SAVED_CALL_KEY, keepCallForNextOwner, takeSavedCall } from '../../src/app/continuity';
import { selectAnnouncement, selectScreen, selectStatus } from '../../src/machine';
import { ev } from '../support/fakeLine';
import { startDialer } from '../support/machineHarness';

afterEach(() => localStorage.clear());

const saved = () => JSON.parse(localStorage.getItem(SAVED_CALL_KEY) ?? 'null');

describe('a call outlives the page that holds the phone', () => {
  it('is kept while live, in tagging and ended-not-settled, and forgotten once settled', () => {
    const d = startDialer({ settings: { mandatoryTagging: true } });
    const stop = keepCallForNextOwner(d.actor, localStorage, { now: () => 42 });
    expect(saved()).toBeNull();
    const callId = d.connectOutbound('+14155550199');
    expect(saved()).toMatchObject({ version: 1, from: 'live', call: { callId, to: '+14155550199' }, lastSeenAt: 42 });
    d.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    expect(saved()).toMatchObject({ from: 'tagging', endReason: 'remoteHangup' });
    d.send({ type: 'AGENT.SAVE_TAGS', tags: ['tag_sales'] });
    expect(saved()).toBeNull();
    stop();
  });

  it('comes back once, as the event that brings it back; a malformed entry is dropped and said', () => {
    const d = startDialer();
    const stop = keepCallForNextOwner(d.actor, localStorage, { now: () => 7 });
    const callId = d.connectInbound('in-9', '+14155550123', 'Maria Garcia');
    stop();
    expect(takeSavedCall(localStorage)).toEqual({
      type: 'SESSION.RECOVER',
      from: 'live',
      call: expect.objectContaining({ callId, direction: 'inbound', remote: { number: '+14155550123', name: 'Maria Garcia' } }),
      tags: [],
      endReason: null,
      lastSeenAt: 7,
    });
    expect(takeSavedCall(localStorage)).toBeNull();

    const problems: string[] = [];
    localStorage.setItem(SAVED_CALL_KEY, JSON.stringify({ version: 1, from: 'live', call: { callId: 'x' } }));
    expect(takeSavedCall(localStorage, (p) => problems.push(p))).toBeNull();
    expect(problems).toEqual(['The call saved by the previous page could not be read; it was dropped.']);
    expect(localStorage.getItem(SAVED_CALL_KEY)).toBeNull();
  });
});

describe('the machine takes a call back', () => {
  const call = (connected: boolean) => ({
    callId: 'c-1',
    direction: 'outbound' as const,
    from: '+14155559999',
    to: '+14155550199',
    remote: { number: '+14155550199' },
    startedAt: 1_000,
    connectedAt: connected ? 2_000 : null,
    endedAt: null,
  });

  it('a live call ended with its page: shown ended, and why', () => {
    const d = startDialer();
    d.send({ type: 'SESSION.RECOVER', from: 'live', call: call(true), tags: [], endReason: null, lastSeenAt: 9_000 });
    expect(selectStatus(d.actor.getSnapshot()).status).toBe('ended');
    expect(d.actor.getSnapshot().context).toMatchObject({ endReason: 'connectionLost', call: { endedAt: 9_000 } });
    expect(selectAnnouncement(d.actor.getSnapshot())).toBe('The call ended when the page reloaded.');
  });

  it('a live, connected call still owes its tags when tagging is required; nothing can be dialled until then', () => {
    const d = startDialer({ settings: { mandatoryTagging: true } });
    d.send({ type: 'SESSION.RECOVER', from: 'live', call: call(true), tags: [], endReason: null, lastSeenAt: 9_000 });
    expect(selectScreen(d.actor.getSnapshot())).toBe('tagging');
    expect(selectAnnouncement(d.actor.getSnapshot())).toBe('The call ended when the page reloaded. Tag the call to continue');
    d.send({ type: 'AGENT.DIAL', number: '+14155550100' });
    expect(d.line.commandsOf('dial')).toEqual([]);
  });

  it('a call in tagging comes back to tagging, an ended one to ended; only an idle phone takes one back', () => {
    const tagging = startDialer({ settings: { mandatoryTagging: true } });
    tagging.send({ type: 'SESSION.RECOVER', from: 'tagging', call: { ...call(true), endedAt: 3_000 }, tags: [], endReason: 'remoteHangup', lastSeenAt: 9_000 });
    expect(selectScreen(tagging.actor.getSnapshot())).toBe('tagging');
    expect(tagging.actor.getSnapshot().context.endReason).toBe('remoteHangup');

    const ended = startDialer();
    ended.send({ type: 'SESSION.RECOVER', from: 'ended', call: { ...call(true), endedAt: 3_000 }, tags: ['tag_sales'], endReason: 'localHangup', lastSeenAt: 9_000 });
    expect(selectStatus(ended.actor.getSnapshot()).status).toBe('ended');
    expect(selectAnnouncement(ended.actor.getSnapshot())).toBe('Call ended: You hung up');

    const busy = startDialer();
    const callId = busy.connectOutbound();
    busy.send({ type: 'SESSION.RECOVER', from: 'tagging', call: call(true), tags: [], endReason: null, lastSeenAt: 9_000 });
    expect(busy.actor.getSnapshot().context.call?.callId).toBe(callId);
    expect(selectStatus(busy.actor.getSnapshot()).status).toBe('connected');
  });
});
