import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mapStep, type FrontCallStatus, type LifecycleStep } from '../../server/calls/mapping';
import type { Direction } from '../../contract';
import { ev } from '../support/fakeLine';
import { flush, startReporting } from './support';

/*
 * Issue 12, Front: each call leg is its own Front call with the right state. The plugin's reports
 * of each leg (src/calllog) are played through the server's own mapping (server/calls/mapping.ts,
 * unchanged) to the Front status each leg ends in.
 *
 * Proved: with endWaitingCall's reports taken out of the machine, the first test fails (the
 * declined leg stays `ringing` in Front).
 */

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

type Server = ReturnType<typeof startReporting>['server'];

/** The Front status of one leg after every report the plugin sent about it, as the server maps them. */
function frontStatusOf(server: Server, callId: string): FrontCallStatus | null {
  let state: FrontCallStatus | null = null;
  let direction: Direction = 'inbound';
  for (const { path, body } of server.requests) {
    if (path !== '/v1/calls/events' || body.detail.callId !== callId) continue;
    if (body.type === 'CALL_STARTED') direction = body.detail.callType;
    const step: LifecycleStep | null =
      body.type === 'CALL_STARTED'
        ? { type: 'started' }
        : body.type === 'CALL_CONNECTED'
          ? { type: 'connected' }
          : body.type === 'HOLD'
            ? { type: 'hold' }
            : body.type === 'RESUME'
              ? { type: 'resumed' }
              : body.type === 'CALL_ENDED'
                ? { type: 'ended', reason: body.detail.reason }
                : null;
    if (!step) continue;
    const result = mapStep({ state, direction, step });
    if (result.action === 'create') state = result.initialStatus;
    if (result.action === 'update') state = result.status;
  }
  return state;
}

describe('Front legs of more than one call', () => {
  it('a declined waiting call is a missed Front call; the call in progress stays connected', async () => {
    const { dialer, server } = startReporting();
    const first = dialer.connectInbound('in-1', '+14155550123', 'Maria Garcia');
    dialer.line.emit(ev.incoming('in-2', '+14155550124', 'Kenji Tanaka'));
    dialer.line.emit(ev.status('in-2', 'ringing'));
    dialer.send({ type: 'AGENT.DECLINE_WAITING' });
    dialer.line.emit(ev.status('in-2', 'ended', 'regular', 'declined'));
    await flush();
    expect(frontStatusOf(server, 'in-2')).toBe('missed');
    expect(frontStatusOf(server, first)).toBe('connected');
    expect(server.requests.some((r) => r.path === '/v1/calls/summary' && r.body.callId === 'in-2')).toBe(true);
  });

  it('with call waiting off, the second caller is still a missed Front call', async () => {
    const { dialer, server } = startReporting({}, { callWaiting: false });
    dialer.connectInbound('in-1', '+14155550123');
    dialer.line.emit(ev.incoming('in-2', '+14155550124'));
    await flush();
    expect(frontStatusOf(server, 'in-2')).toBe('missed');
  });

  it('answer and hold, swap: each leg is its own call, held and resumed as the line applied it; both end as hangups', async () => {
    const { dialer, server } = startReporting();
    const first = dialer.connectInbound('in-1', '+14155550123');
    dialer.line.emit(ev.incoming('in-2', '+14155550124'));
    dialer.send({ type: 'AGENT.ANSWER_WAITING' });
    dialer.line.emit(ev.sync(first, { onHold: true }));
    dialer.line.emit(ev.status('in-2', 'accepting'));
    dialer.line.emit(ev.status('in-2', 'connected'));
    await flush();
    expect(frontStatusOf(server, first)).toBe('hold');
    expect(frontStatusOf(server, 'in-2')).toBe('connected');
    dialer.send({ type: 'AGENT.SWAP_CALLS' });
    dialer.line.emit(ev.sync('in-2', { onHold: true }));
    dialer.line.emit(ev.sync(first, { onHold: false }));
    await flush();
    expect(frontStatusOf(server, first)).toBe('connected');
    expect(frontStatusOf(server, 'in-2')).toBe('hold');
    dialer.line.emit(ev.status('in-2', 'ended', 'regular', 'remoteHangup'));
    dialer.line.emit(ev.status(first, 'ended', 'regular', 'localHangup'));
    await flush();
    expect([frontStatusOf(server, first), frontStatusOf(server, 'in-2')]).toEqual(['hangup', 'hangup']);
  });

  it('a conference leg stays connected until it really ends; the blind-transferred leg is transferred', async () => {
    const { dialer, server } = startReporting();
    const callId = dialer.connectInbound('in-1', '+14155550123');
    dialer.consult(callId, '+14155550777', '+14155550123');
    dialer.send({ type: 'AGENT.CONFERENCE' });
    dialer.line.emit(ev.status(callId, 'connected', 'conference'));
    dialer.line.emit(ev.sync(callId, { onHold: false }));
    await flush();
    expect(frontStatusOf(server, callId)).toBe('connected');
    dialer.line.emit(ev.status(callId, 'hanging', 'regular', 'localHangup'));
    dialer.line.emit(ev.status(callId, 'ended', 'regular', 'localHangup'));
    await flush();
    expect(frontStatusOf(server, callId)).toBe('hangup');

    const next = startReporting();
    const second = next.dialer.connectInbound('in-9', '+14155550155');
    next.dialer.send({ type: 'AGENT.BLIND_TRANSFER', target: '+14155550777' });
    next.dialer.line.emit(ev.sync(second, { onHold: true }));
    next.dialer.line.emit(ev.status(second, 'blindTransferring'));
    next.dialer.line.emit(ev.status(second, 'ended', 'regular', 'transferred'));
    await flush();
    expect(frontStatusOf(next.server, second)).toBe('transferred');
  });
});
