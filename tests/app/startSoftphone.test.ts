import { afterEach, describe, expect, it } from 'vitest';
import { startSoftphone, type Softphone } from '../../src/app';
import { selectStatus } from '../../src/machine';
import { createNumberReader } from '../../src/phone';
import { SIMULATOR_MESSAGE_SOURCE, createSimulatedLine } from '../../src/telephony/simulated';
import { FakeLine } from '../support/fakeLine';
import { FakeHost, contextOf } from '../support/fakeHost';

const running: Softphone[] = [];
afterEach(() => {
  running.splice(0).forEach((s) => s.stop());
});

async function until(check: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the composed softphone', () => {
  it('dials a Call-button handle through the real phone-number module, with its extension kept', async () => {
    const line = new FakeLine();
    const host = new FakeHost();
    const softphone = startSoftphone({ line, host });
    running.push(softphone);
    host.deliver(contextOf({ callRequest: { handle: '+1 415-555-0100 ext. 42', clickId: 't:1' } }));
    await until(() => line.commands.length > 0);
    expect(line.commands).toEqual([{ type: 'dial', callId: expect.any(String), to: '+14155550100' }]);
    expect(softphone.actor.getSnapshot().context.pendingExtension).toBe('42');
  });

  it('uses the configured default region for national numbers', async () => {
    const line = new FakeLine();
    const host = new FakeHost();
    running.push(startSoftphone({ line, host, numbers: createNumberReader({ rules: { region: 'GB', extensions: null } }) }));
    host.deliver(contextOf({ callRequest: { handle: '020 7946 0958', clickId: 't:1' } }));
    await until(() => line.commands.length > 0);
    expect(line.commands[0]).toMatchObject({ to: '+442079460958' });
  });

  it('refuses a handle that is not a phone number, reporting nothing to the line', async () => {
    const line = new FakeLine();
    const host = new FakeHost();
    const softphone = startSoftphone({ line, host });
    running.push(softphone);
    host.deliver(contextOf({ callRequest: { handle: 'call me maybe', clickId: 't:1' } }));
    await until(() => softphone.actor.getSnapshot().context.inputError !== null);
    expect(softphone.actor.getSnapshot().context.inputError).toMatch(/is not a phone number/);
    expect(line.commands).toEqual([]);
  });

  it('lets the embedding page ring the agent on the simulated line, and nobody else', async () => {
    const line = createSimulatedLine({ connectMs: 1 });
    const host = new FakeHost();
    const parent = {};
    // The door opens after a lazy import: wait until it listens, or a message from another window
    // would be ignored only because nobody listened yet (the test then passed without the check).
    // Proved: removing `if (message.source !== parentWindow) return;` in
    // src/telephony/simulated/remoteControl.ts makes this fail (2026-12-02); so does loosening the
    // message schema there (its phone pattern, or not validating at all).
    let listening!: () => void;
    const opened = new Promise<void>((resolve) => (listening = resolve));
    const target: Pick<Window, 'addEventListener' | 'removeEventListener'> = {
      addEventListener: (type: string, listener: EventListener) => {
        window.addEventListener(type, listener);
        if (type === 'message') listening();
      },
      removeEventListener: (type: string, listener: EventListener) => window.removeEventListener(type, listener),
    };
    const softphone = startSoftphone({ line, host, simulatorParent: { target, parent } });
    running.push(softphone);
    await opened;
    window.dispatchEvent(new MessageEvent('message', { data: { source: SIMULATOR_MESSAGE_SOURCE, command: 'ringAgent', from: '+14155550123' }, source: null }));
    await new Promise((r) => setTimeout(r, 20));
    expect(selectStatus(softphone.actor.getSnapshot()).status).toBe('idle');
    window.dispatchEvent(
      new MessageEvent('message', { data: { source: SIMULATOR_MESSAGE_SOURCE, command: 'ringAgent', from: '+14155550123' }, source: parent as Window }),
    );
    await until(() => selectStatus(softphone.actor.getSnapshot()).status === 'ringing');
    window.dispatchEvent(new MessageEvent('message', { data: { source: SIMULATOR_MESSAGE_SOURCE, command: 'ringAgent', from: 'sip:x@y' }, source: parent as Window }));
    expect(softphone.diagnostics.entries().at(-1)).toMatchObject({ source: 'simulator', detail: { code: 'simulator_refused' } });
  });
});
