import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openReportStore } from '../../src/calllog';
import { ev } from '../support/fakeLine';
import { fakeServer, flush, startReporting } from './support';

let dbCount = 0;
const freshName = () => `softphone-calllog-test-${++dbCount}`;

describe('reports kept in IndexedDB', () => {
  it('stores every report before sending it', async () => {
    const name = freshName();
    const server = fakeServer();
    let storedWhenSent = -1;
    const db = await openReportStore(name);
    server.next(async () => {
      storedWhenSent = (await db.all()).length;
      return new Response('{}', { status: 202 });
    });
    const { dialer } = startReporting({ server, db });
    dialer.connectOutbound('+14155550199');
    await flush();
    expect(storedWhenSent).toBeGreaterThanOrEqual(1);
  });

  it('resumes unsent reports after a reload, in order, and loses none', async () => {
    const name = freshName();
    // Session 1: the server is down; the call happens and the plugin is reloaded.
    const down = fakeServer();
    down.setAlways(() => 'network-error');
    const first = startReporting({ server: down, db: openReportStore(name), backoff: { baseMs: 60_000, maxMs: 60_000 } });
    const callId = first.dialer.connectOutbound('+14155550199');
    first.dialer.line.emit(ev.sync(callId, { onHold: true }));
    first.dialer.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    first.dialer.send({ type: 'AGENT.RESET' });
    await flush();
    expect(first.reporter.status(callId)).toEqual({ kind: 'pending', wait: 'unreachable' });
    first.reporter.stop();
    first.dialer.actor.stop();

    // Session 2: a new reporter over the same database; the server is back.
    const up = fakeServer();
    const second = startReporting({ server: up, db: openReportStore(name) });
    await second.reporter.ready;
    await flush();
    await waitUntil(() => up.requests.length === 5);
    expect(up.sent()).toEqual(['CALL_STARTED', 'CALL_CONNECTED', 'HOLD', 'CALL_ENDED', 'summary']);
    expect(up.requests.slice(0, 4).map((r) => r.body.seq)).toEqual([1, 2, 3, 4]);
    await waitUntil(async () => (await (await openReportStore(name)).all()).length === 0);
    expect(second.reporter.status(callId)).toEqual({ kind: 'logged' });
    second.reporter.stop();
  });

  it('keeps refused reports across a reload so they stay visible', async () => {
    const name = freshName();
    const server = fakeServer();
    server.setAlways(() => new Response(JSON.stringify({ error: { message: 'Expected event 1 of this call, got 2' } }), { status: 409 }));
    const first = startReporting({ server, db: openReportStore(name) });
    const callId = first.dialer.connectOutbound('+14155550199');
    await waitUntil(() => first.reporter.failed().length === 2);
    first.reporter.stop();

    const second = startReporting({ server: fakeServer(), db: openReportStore(name) });
    await second.reporter.ready;
    expect(second.reporter.failed().map((r) => r.callId)).toEqual([callId, callId]);
    expect(second.reporter.status(callId)).toMatchObject({ kind: 'failed', reason: expect.stringContaining('Expected event 1') });
    second.reporter.stop();
  });

  it('falls back to memory, and says so once, when IndexedDB is refused', async () => {
    const server = fakeServer();
    const { dialer, reporter, problems } = startReporting({ server, db: Promise.reject(new Error('blocked')) });
    await reporter.ready;
    dialer.connectOutbound('+14155550199');
    await flush();
    expect(server.sent()).toEqual(['CALL_STARTED', 'CALL_CONNECTED']);
    expect(problems.filter((p) => p.code === 'storage_unavailable')).toHaveLength(1);
  });
});

async function waitUntil(probe: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
