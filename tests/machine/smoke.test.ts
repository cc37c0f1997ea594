import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { dialerMachine, selectStatus } from '../../src/machine';
import { lineBridge } from '../../src/telephony/bridge';
import { FakeLine, ev } from '../support/fakeLine';

describe('smoke', () => {
  it('dials', async () => {
    const line = new FakeLine();
    const actor = createActor(dialerMachine.provide({ actors: { line: lineBridge(line) } }), { input: { capabilities: line.capabilities } });
    const emitted: unknown[] = [];
    actor.on('*', (e) => emitted.push(e));
    actor.start();
    actor.send({ type: 'AGENT.DIAL', number: '+1 (415) 555-0199' });
    const callId = line.commands[0]!.callId;
    expect(line.commands[0]).toEqual({ type: 'dial', callId, to: '+14155550199' });
    line.emit(ev.dialing(callId, '+14155550199'));
    line.emit(ev.status(callId, 'connecting'));
    line.emit(ev.status(callId, 'ringing'));
    expect(selectStatus(actor.getSnapshot())).toEqual({ status: 'ringing', flow: 'regular' });
    line.emit(ev.status(callId, 'connected'));
    line.emit({ type: 'bogus' });
    line.emit(ev.status('other', 'ended'));
    expect(selectStatus(actor.getSnapshot()).status).toBe('connected');
    actor.send({ type: 'AGENT.HANG_UP' });
    line.emit(ev.status(callId, 'hanging', 'regular', 'localHangup'));
    line.emit(ev.status(callId, 'ended', 'regular', 'localHangup'));
    expect(selectStatus(actor.getSnapshot()).status).toBe('ended');
    console.log(JSON.stringify(emitted.map((e: any) => [e.type, e.detail?.code ?? ''])));
  });
});
