import { afterEach, describe, expect, it } from 'vitest';
import { startSoftphone, type Softphone } from '../../src/app';
import { SAVED_CALL_KEY } from '../../src/app/continuity';
import { selectStatus } from '../../src/machine';
import { FakeLine, ev } from '../support/fakeLine';
import { FakeHost, contextOf } from '../support/fakeHost';
import { FakeBus, FakeLocks } from '../tabs/fakes';

/**
 * The composition root as several Front tabs run it: one browser profile (fake Web Locks and
 * BroadcastChannel, one storage), one phone. Only the owner makes a line, notifies and reports;
 * the others mirror it and send it intents.
 */
const running: Softphone[] = [];
afterEach(() => {
  running.splice(0).forEach((s) => s.stop());
  localStorage.clear();
});

async function until(check: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function profile() {
  const locks = new FakeLocks();
  const bus = new FakeBus();
  const lines: FakeLine[] = [];
  const open = (tab: string) => {
    const host = new FakeHost();
    const softphone = startSoftphone({
      line: () => {
        const line = new FakeLine();
        lines.push(line);
        return line;
      },
      host,
      storage: localStorage,
      tabs: { locks: locks.client(tab), channelFactory: bus.factory(tab) },
    });
    running.push(softphone);
    return { softphone, host };
  };
  return { locks, bus, lines, open };
}

const status = (s: Softphone) => selectStatus(s.actor.getSnapshot()).status;

describe('one phone across tabs', () => {
  it('one tab owns the phone and makes the only line; a Call-button click in another tab dials once, through it', async () => {
    const p = profile();
    const a = p.open('a');
    const b = p.open('b');
    await until(() => a.softphone.role.getState() === 'owner');
    expect(b.softphone.role.getState()).toBe('follower');
    expect(p.lines).toHaveLength(1);

    b.host.deliver(contextOf({ callRequest: { handle: '+1 415-555-0100', clickId: 't:1' } }));
    await until(() => p.lines[0]!.commands.length > 0);
    await until(() => status(b.softphone) === 'connecting');
    expect(p.lines[0]!.commands).toEqual([{ type: 'dial', callId: expect.any(String), to: '+14155550100' }]);
    expect(status(a.softphone)).toBe('connecting');
  });

  it('an incoming call rings in every tab and is announced to Front once, by the owner', async () => {
    const p = profile();
    const a = p.open('a');
    const b = p.open('b');
    a.host.deliver(contextOf({}));
    b.host.deliver(contextOf({}));
    await until(() => a.softphone.role.getState() === 'owner');
    p.lines[0]!.emit(ev.sync('in-1', { direction: 'inbound', from: '+14155550123', callerName: 'Maria Garcia' }));
    p.lines[0]!.emit(ev.status('in-1', 'ringing'));
    await until(() => status(b.softphone) === 'ringing');
    await until(() => a.host.callsOf('displayNotification').length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(b.host.callsOf('displayNotification')).toHaveLength(0);

    b.softphone.actor.send({ type: 'AGENT.ANSWER' });
    await until(() => p.lines[0]!.commands.some((c) => c.type === 'answer'));
  });

  // Proved: without the owner's broadcast of CALL_STARTED / TAGS_SAVED (src/app/phone.ts,
  // shareCallEvent) this fails (2026-12-02): only the owner's tab heard them, where the
  // conversation is not open, and the call's conversation was never tagged.
  it('tags saved for a call dialled from another tab are applied to that tab\'s conversation', async () => {
    const p = profile();
    const a = p.open('a');
    const b = p.open('b');
    a.host.deliver(contextOf({}));
    await until(() => a.softphone.role.getState() === 'owner');
    const conversation = { id: 'cnv_b', phoneRecipient: { handle: '+1 415-555-0100' } };
    b.host.deliver(contextOf({ type: 'singleConversation', conversation }));
    b.host.deliver(contextOf({ type: 'singleConversation', conversation, callRequest: { handle: '+1 415-555-0100', clickId: 't:9' } }));
    await until(() => p.lines[0]!.commands.length > 0);
    const callId = (p.lines[0]!.commands[0] as { callId: string }).callId;
    p.lines[0]!.emit(ev.dialing(callId, '+14155550100', '+14155559999'));
    p.lines[0]!.emit(ev.status(callId, 'connected'));
    p.lines[0]!.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    await until(() => status(b.softphone) === 'ended');
    b.softphone.actor.send({ type: 'AGENT.SAVE_TAGS', tags: ['tag_sales'] });
    await until(() => b.host.callsOf('tag').length === 1);
    expect(b.host.callsOf('tag')).toEqual([[['tag_sales']]]);
    expect(a.host.callsOf('tag')).toEqual([]);
  });

  // Proved: without the wait for a late handler (handlerFor in src/app/phone.ts) the command is
  // refused as "not a phone command" (2026-12-02).
  it('a line command sent while the owner is still setting up its line choice waits for it, then runs', async () => {
    const ran: string[] = [];
    const softphone = startSoftphone({
      line: new FakeLine(),
      host: new FakeHost(),
      storage: localStorage,
      onOwner(phone) {
        const timer = setTimeout(() => phone.handle('PHONE.LINE_DISCONNECT', () => void ran.push('disconnect')), 50);
        return () => clearTimeout(timer);
      },
    });
    running.push(softphone);
    await softphone.command({ type: 'PHONE.LINE_DISCONNECT' });
    expect(ran).toEqual(['disconnect']);
    await expect(softphone.command({ type: 'PHONE.NOPE' } as never)).rejects.toMatchObject({ code: 'refused' });
  });

  // Proved: removing the DIALER_INTENT allow-list check in src/app/startSoftphone.ts (sending every
  // intent to the machine) makes this fail (2026-12-02): the forged line event rings the agent.
  it('another tab cannot forge what the line says: only agent and Front intents reach the machine', async () => {
    const p = profile();
    const a = p.open('a');
    const b = p.open('b');
    await until(() => a.softphone.role.getState() === 'owner');
    const forged = b.softphone.command({ type: 'DIALER.SYNC', payload: { callId: 'x', direction: 'inbound', from: '+14155550123' } } as never);
    await expect(forged).rejects.toMatchObject({ code: 'refused' });
    await new Promise((r) => setTimeout(r, 30));
    expect(status(a.softphone)).toBe('idle');
  });

  it('when the owner goes, another tab takes the phone, makes its line, and ends the call that was live at once', async () => {
    const p = profile();
    const a = p.open('a');
    const b = p.open('b');
    await until(() => a.softphone.role.getState() === 'owner');
    a.softphone.actor.send({ type: 'AGENT.DIAL', number: '+14155550100' });
    await until(() => p.lines[0]!.commands.length > 0);
    const callId = (p.lines[0]!.commands[0] as { callId: string }).callId;
    p.lines[0]!.emit(ev.dialing(callId, '+14155550100', '+14155559999'));
    p.lines[0]!.emit(ev.status(callId, 'connected'));
    await until(() => status(b.softphone) === 'connected');
    expect(JSON.parse(localStorage.getItem(SAVED_CALL_KEY)!)).toMatchObject({ from: 'live', call: { callId } });

    // The owner's page dies without a word (a crash, a closed tab): the lock goes to b.
    p.bus.disconnect('a');
    p.locks.kill('a');
    await until(() => b.softphone.role.getState() === 'owner');
    expect(p.lines).toHaveLength(2);
    await until(() => status(b.softphone) === 'ended');
    expect(b.softphone.actor.getSnapshot().context).toMatchObject({ endReason: 'connectionLost', recovered: 'live', call: { callId } });
    a.softphone.stop();
  });
});
