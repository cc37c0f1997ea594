import { describe, expect, it } from 'vitest';
import { ev } from '../support/fakeLine';
import { startDialer } from '../support/machineHarness';

describe("a caller's name from Front (FRONT.PARTY_NAME)", () => {
  it('names the ringing call that rang without a name, and keeps it through the line’s syncs', () => {
    const d = startDialer();
    d.line.emit(ev.incoming('in-1', '+12125550199'));
    d.line.emit(ev.status('in-1', 'ringing'));
    expect(d.status().status).toBe('ringing');
    expect(d.context().call?.remote).toEqual({ number: '+12125550199' });

    d.send({ type: 'FRONT.PARTY_NAME', callId: 'in-1', name: ' Priya Raman ' });
    expect(d.context().call?.remote).toEqual({ number: '+12125550199', name: 'Priya Raman' });
    expect(d.status().status).toBe('ringing');

    d.send({ type: 'AGENT.ANSWER' });
    d.line.emit(ev.status('in-1', 'accepting'));
    d.line.emit(ev.status('in-1', 'connected'));
    d.line.emit(ev.sync('in-1', { activeParticipant: { number: '+12125550199' }, inactiveParticipant: null, onHold: false, muted: false }));
    expect(d.context().call?.remote.name).toBe('Priya Raman');
    expect(d.context().activeParticipant).toEqual({ number: '+12125550199', name: 'Priya Raman' });
  });

  // Proved: dropping `!context.call.remote.name` from the namesNamelessParty guard makes this fail.
  it('never overwrites a name the line gave', () => {
    const d = startDialer();
    d.line.emit(ev.incoming('in-1', '+14155550123', 'Maria Garcia'));
    d.line.emit(ev.status('in-1', 'ringing'));
    d.send({ type: 'FRONT.PARTY_NAME', callId: 'in-1', name: 'Someone Else' });
    expect(d.context().call?.remote).toEqual({ number: '+14155550123', name: 'Maria Garcia' });
  });

  // Proved: dropping `context.call.callId === event.callId` from the guard makes this fail.
  it('is taken only for that call: a late answer for an earlier call names nothing', () => {
    const d = startDialer();
    d.line.emit(ev.incoming('in-1', '+12125550199'));
    d.line.emit(ev.status('in-1', 'ringing'));
    d.line.emit(ev.status('in-1', 'ended', 'regular', 'remoteHangup'));
    d.line.emit(ev.incoming('in-2', '+12125550199'));
    d.line.emit(ev.status('in-2', 'ringing'));
    d.send({ type: 'FRONT.PARTY_NAME', callId: 'in-1', name: 'Priya Raman' });
    expect(d.context().call?.callId).toBe('in-2');
    expect(d.context().call?.remote).toEqual({ number: '+12125550199' });
  });

  it('does nothing without a call or with an empty name', () => {
    const d = startDialer();
    d.send({ type: 'FRONT.PARTY_NAME', callId: 'in-1', name: 'Priya Raman' });
    expect(d.context().call).toBeNull();
    d.line.emit(ev.incoming('in-1', '+12125550199'));
    d.line.emit(ev.status('in-1', 'ringing'));
    d.send({ type: 'FRONT.PARTY_NAME', callId: 'in-1', name: '   ' });
    expect(d.context().call?.remote).toEqual({ number: '+12125550199' });
  });
});
