import { describe, expect, it } from 'vitest';
import { createOutbox, memoryReportStore, type Outbox } from '../../src/calllog/outbox';
import type { Report } from '../../src/calllog';
import { fakeServer, json, SERVER, TOKEN } from './support';

/** One `events` report of a call (the outbox does not look inside the body). */
const reportOf = (callId: string): Report => ({ callId, path: 'events', body: { type: 'CALL_STARTED', callId } as never });

async function drained(outbox: Outbox, callId: string): Promise<void> {
  for (let i = 0; i < 200 && (outbox.progress(callId)?.pending ?? 1) > 0; i += 1) await new Promise((r) => setTimeout(r, 0));
}

describe('the outbox over a working day', () => {
  // Without the bound (rememberCalls), every call's accepted count and refusal stayed reachable
  // for good: removing the pruning in src/calllog/outbox.ts makes this test fail (the first call
  // is still remembered). Checked by hand.
  it('forgets the outcome of calls logged long ago and still says the latest ones are logged', async () => {
    const server = fakeServer();
    // The very first call is refused for good: it stays in the failed list (bounded on its own).
    server.next(() => json(400, { error: { message: 'bad call' } }));
    const outbox = createOutbox({ store: Promise.resolve(memoryReportStore()), settings: () => ({ url: SERVER, token: TOKEN }), fetch: server.fetch, random: () => 0.5 });
    await outbox.ready;
    const ids = Array.from({ length: 1_000 }, (_, i) => `call-${i + 1}`);
    for (const id of ids) {
      await outbox.add(reportOf(id));
      await drained(outbox, id);
    }

    expect(server.requests).toHaveLength(1_000);
    // A refusal is remembered among the last refusals (no newer call was refused), the rest go.
    expect(outbox.progress('call-1')).toEqual({ pending: 0, accepted: 0, failed: 'bad call' });
    expect(outbox.progress('call-2')).toBeNull();
    expect(outbox.progress('call-1000')).toEqual({ pending: 0, accepted: 1, failed: null });
    expect(outbox.progress('call-969')).toEqual({ pending: 0, accepted: 1, failed: null });
    expect(outbox.progress('call-968')).toBeNull();
    expect(outbox.failed().map((r) => r.callId)).toEqual(['call-1']);
    outbox.stop();
  });

  it('never forgets a call whose reports are still waiting', async () => {
    const server = fakeServer();
    server.next(() => 'network-error');
    const outbox = createOutbox({
      store: Promise.resolve(memoryReportStore()),
      settings: () => ({ url: SERVER, token: TOKEN }),
      fetch: server.fetch,
      random: () => 0.5,
      backoff: { baseMs: 60_000, maxMs: 60_000 },
      rememberCalls: 2,
    });
    await outbox.ready;
    await outbox.add(reportOf('waiting'));
    for (let i = 0; i < 20; i += 1) await new Promise((r) => setTimeout(r, 0));
    for (const id of ['a', 'b', 'c']) await outbox.add(reportOf(id));
    expect(outbox.progress('waiting')).toEqual({ pending: 1, accepted: 0, failed: null });
    outbox.stop();
  });
});
