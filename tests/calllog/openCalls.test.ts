import { afterEach, describe, expect, it } from 'vitest';
import { OPEN_CALLS_KEY } from '../../src/calllog';
import { memoryReportStore } from '../../src/calllog';
import { ev } from '../support/fakeLine';
import { fakeServer, flush, startReporting } from './support';

/**
 * A page that holds a call goes away (a reload, a closed tab): its line dies with it, so the call
 * is over for the phone system. The next page load's reporter ends it in Front at once.
 */
afterEach(() => localStorage.clear());

describe('calls an earlier page load left open', () => {
  it('are kept while not settled, and forgotten once settled', async () => {
    const { dialer, reporter } = startReporting({ openCalls: localStorage });
    const callId = dialer.connectOutbound('+14155550199');
    await flush();
    expect(JSON.parse(localStorage.getItem(OPEN_CALLS_KEY)!)).toEqual({
      [callId]: { seq: 2, ended: false, callType: 'outbound', participant: '+14155550199' },
    });
    dialer.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    await flush();
    expect(JSON.parse(localStorage.getItem(OPEN_CALLS_KEY)!)[callId]).toMatchObject({ seq: 3, ended: true });
    dialer.send({ type: 'AGENT.RESET' });
    await flush();
    expect(localStorage.getItem(OPEN_CALLS_KEY)).toBeNull();
    reporter.stop();
  });

  // Proved: removing the loop over readOpenCalls in createCallReporter (src/calllog/index.ts)
  // makes this fail (2026-12-02): nothing ends the call, Front keeps it connected.
  it('a call left live is ended at once, connection lost, with the next seq; its summary follows when it settles', async () => {
    const first = startReporting({ openCalls: localStorage });
    const callId = first.dialer.connectOutbound('+14155550199');
    await flush();
    first.reporter.stop(); // the page goes away mid-call: nothing more from it

    const server = fakeServer();
    const next = startReporting({ openCalls: localStorage, server, db: memoryReportStore() });
    await flush();
    const ended = server.requests.filter((r) => r.path === '/v1/calls/events');
    expect(ended.map((r) => r.body)).toEqual([
      { seq: 3, at: expect.any(Number), type: 'CALL_ENDED', detail: { callId, callType: 'outbound', participant: '+14155550199', reason: 'connectionLost' } },
    ]);
    // The machine brings the call back (app/continuity.ts) and settles it: the summary is sent.
    next.dialer.send({
      type: 'SESSION.RECOVER',
      from: 'live',
      call: { callId, direction: 'outbound', from: '+14155559999', to: '+14155550199', remote: { number: '+14155550199' }, startedAt: 1, connectedAt: 2, endedAt: null },
      tags: [],
      endReason: null,
      lastSeenAt: 3,
    });
    next.dialer.send({ type: 'AGENT.RESET' });
    await flush();
    expect(server.sent()).toEqual(['CALL_ENDED', 'summary']);
    expect(server.requests.at(-1)!.body).toMatchObject({ callId, outcome: 'connectionLost' });
    expect(localStorage.getItem(OPEN_CALLS_KEY)).toBeNull();
    next.reporter.stop();
  });

  it('ignores a malformed entry instead of reporting from it', async () => {
    localStorage.setItem(OPEN_CALLS_KEY, JSON.stringify({ x: { seq: 'one', ended: false }, y: null }));
    const server = fakeServer();
    const { reporter } = startReporting({ openCalls: localStorage, server });
    await flush();
    expect(server.requests).toEqual([]);
    reporter.stop();
  });
});
