import { afterEach, describe, expect, it } from 'vitest';
import { createLineManager } from '../../src/app/lineManager';
import type { SipAccount } from '../../src/telephony/sip';
import { createSwitchableLine } from '../../src/telephony/switchableLine';
import { FakeLine, ev } from '../support/fakeLine';
import { FakeSipLine } from '../support/fakeSipLine';
import { createDialer } from '../../src/app';
import { selectStatus } from '../../src/machine';

const ACCOUNT: SipAccount = { websocketUrl: 'wss://sip.example.com/ws', sipUri: 'sip:1001@example.com', password: 's3cret-pass' };

class MemoryStorage {
  items = new Map<string, string>();
  getItem(key: string) { return this.items.get(key) ?? null; }
  setItem(key: string, value: string) { this.items.set(key, value); }
  removeItem(key: string) { this.items.delete(key); }
}

const stops: (() => void)[] = [];
afterEach(() => stops.splice(0).forEach((stop) => stop()));

function setup(options: { storage?: MemoryStorage; failSip?: Error } = {}) {
  const simulated = new FakeLine();
  const line = createSwitchableLine(simulated);
  const actor = createDialer({ line });
  actor.start();
  stops.push(() => actor.stop());
  const d = {
    actor,
    context: () => actor.getSnapshot().context,
    status: () => selectStatus(actor.getSnapshot()),
  };
  const sipLines: FakeSipLine[] = [];
  const storage = options.storage ?? new MemoryStorage();
  const lines = createLineManager({
    line,
    dialer: d.actor,
    simulated: () => new FakeLine(),
    createSip: async () => {
      if (options.failSip) throw options.failSip;
      const sip = new FakeSipLine();
      sipLines.push(sip);
      return sip;
    },
    storage,
  });
  stops.push(() => lines.stop());
  return { d, line, simulated, sipLines, storage, lines };
}

describe('choosing the phone line', () => {
  it('connects a SIP account: the line switches, the machine learns its capabilities, registration is visible', async () => {
    const { d, line, simulated, sipLines, lines } = setup();
    await lines.connect(ACCOUNT);
    expect(line.current).toBe(sipLines[0]);
    expect(simulated.listenerCount).toBe(0);
    expect(d.context().capabilities.recording).toBe(false);
    expect(lines.getState()).toMatchObject({ kind: 'sip', registration: { status: 'registering' }, error: null });
    sipLines[0]!.setRegistration({ status: 'registered' });
    expect(lines.getState().registration).toEqual({ status: 'registered' });
  });

  // Proved: showing `checked.account` instead of `withoutPassword(checked.account)` after Connect in
  // src/app/lineManager.ts makes this fail (2026-12-02).
  it('keeps the account for the next start, and never exposes the password in its state', async () => {
    const storage = new MemoryStorage();
    const first = setup({ storage });
    await first.lines.connect(ACCOUNT);
    expect(JSON.stringify(first.lines.getState())).not.toContain(ACCOUNT.password);
    const again = setup({ storage });
    await new Promise((r) => setTimeout(r, 0));
    expect(again.line.current).toBe(again.sipLines[0]);
    expect(again.lines.getState()).toMatchObject({ kind: 'sip', account: { sipUri: ACCOUNT.sipUri }, hasSavedPassword: true });
  });

  // Proved: showing the saved account as read from storage (without `withoutPassword`) at start in
  // src/app/lineManager.ts makes this fail (2026-12-02); the test above only looks after Connect.
  it('after a reload, the saved account is shown without its password, before and after it reconnects', async () => {
    const storage = new MemoryStorage();
    await setup({ storage }).lines.connect(ACCOUNT);
    const again = setup({ storage });
    expect(again.lines.getState().hasSavedPassword).toBe(true);
    expect(JSON.stringify(again.lines.getState())).not.toContain(ACCOUNT.password);
    await new Promise((r) => setTimeout(r, 0));
    expect(again.line.current).toBe(again.sipLines[0]);
    expect(JSON.stringify(again.lines.getState())).not.toContain(ACCOUNT.password);
  });

  it('an empty password reuses the saved one', async () => {
    const { lines, storage } = setup();
    await lines.connect(ACCOUNT);
    await lines.connect({ ...ACCOUNT, password: '', displayName: 'Ada' });
    expect(JSON.parse(storage.getItem('softphone.sip.account')!)).toMatchObject({ password: ACCOUNT.password, displayName: 'Ada' });
  });

  it('refuses an invalid account field by field and changes nothing', async () => {
    const { line, simulated, lines, storage } = setup();
    await lines.connect({ websocketUrl: 'http://example.com', sipUri: 'not a uri', password: '' });
    expect(line.current).toBe(simulated);
    expect(lines.getState().fieldErrors).toMatchObject({ websocketUrl: expect.any(String), sipUri: expect.any(String), password: expect.any(String) });
    expect(storage.items.size).toBe(0);
  });

  it('a SIP line that cannot start is reported and the simulated line stays', async () => {
    const { line, simulated, lines } = setup({ failSip: new Error('This browser cannot make calls (no WebRTC).') });
    await lines.connect(ACCOUNT);
    expect(line.current).toBe(simulated);
    expect(lines.getState()).toMatchObject({ kind: 'simulated', connecting: false, error: 'This browser cannot make calls (no WebRTC).' });
  });

  it('never switches lines during a call', async () => {
    const { d, line, simulated, lines } = setup();
    d.actor.send({ type: 'AGENT.DIAL', number: '+14155550199' });
    await new Promise((r) => setTimeout(r, 0));
    expect(simulated.commandsOf('dial')).toHaveLength(1);
    await lines.connect(ACCOUNT);
    expect(line.current).toBe(simulated);
    expect(lines.getState().error).toBe('Finish the current call before changing the phone line.');
  });

  it('disconnecting goes back to a fresh simulated line and disposes the SIP line', async () => {
    const { d, line, sipLines, lines } = setup();
    await lines.connect(ACCOUNT);
    lines.disconnect();
    expect(sipLines[0]!.disposed).toBe(true);
    expect(line.current.kind).toBe('simulated');
    expect(lines.getState()).toMatchObject({ kind: 'simulated', registration: null });
    expect(d.context().capabilities.recording).toBe(true);
  });

  it('the machine hears the line in use, and never a line switched away', async () => {
    const { d, simulated, sipLines, lines } = setup();
    await lines.connect(ACCOUNT);
    simulated.emit(ev.incoming('old-1', '+14155550123'));
    simulated.emit(ev.status('old-1', 'ringing'));
    expect(d.status().status).toBe('idle');
    sipLines[0]!.emit(ev.incoming('sip-1', '+14155550123'));
    sipLines[0]!.emit(ev.status('sip-1', 'ringing'));
    expect(d.status().status).toBe('ringing');
    d.actor.send({ type: 'AGENT.ANSWER' });
    await new Promise((r) => setTimeout(r, 0));
    expect(sipLines[0]!.commands).toEqual([{ type: 'answer', callId: 'sip-1' }]);
  });
});
